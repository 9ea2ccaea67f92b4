//! `--limit N` of the commands that list (`tools list`, `search`, `logs`): a count of 1
//! or more. `0` is refused rather than quietly read as 1 (what the libraries would do with
//! it), so that no command prints something a script did not ask for.

/// Parses a `--limit` value: a whole number of 1 or more.
pub(crate) fn parse(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("the limit must be 1 or more (0 would list nothing); leave --limit out for the default".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{text}` is not a count; give a whole number of 1 or more, such as 10")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_of_one_or_more() {
        assert_eq!(super::parse("1"), Ok(1));
        assert_eq!(super::parse("250"), Ok(250));
        assert!(super::parse("0").unwrap_err().contains("1 or more"));
        assert!(super::parse("-1").unwrap_err().contains("not a count"));
    }
}
