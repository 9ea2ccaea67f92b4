//! Doc comments from spec descriptions.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "…"]` attributes for `text` (or `fallback` when it is empty), made safe
/// for rustdoc: no indented or fenced blocks (which rustdoc would compile as
/// doctests), no intra-doc links or HTML tags (which it would warn about).
pub(crate) fn doc_attrs(text: &str, fallback: &str) -> TokenStream {
    let text = if text.trim().is_empty() { fallback } else { text };
    let lines: Vec<String> = sanitize(text).lines().map(|l| format!(" {l}").trim_end().to_owned()).collect();
    quote! { #(#[doc = #lines])* }
}

/// The text of a doc comment for `text`.
pub(crate) fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.trim().lines() {
        let line = line.trim();
        for c in line.chars() {
            match c {
                '[' | ']' | '<' | '>' | '*' | '_' | '\\' | '#' | '|' => {
                    out.push('\\');
                    out.push(c);
                }
                '`' => out.push('\''),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
        out.push('\n');
    }
    out
}

/// A raw string literal (`r#"…"#`) for `text`: embedded JSON stays readable.
pub(crate) fn raw_str(text: &str) -> TokenStream {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let hashes = "#".repeat(hashes);
    format!("r{hashes}\"{text}\"{hashes}").parse().unwrap_or_else(|_| quote!(#text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_what_rustdoc_would_interpret() {
        assert_eq!(
            sanitize("  Use [this](x) <b>now</b>\n    indented ```code```"),
            "Use \\[this\\](x) \\<b\\>now\\</b\\>\nindented '''code'''\n"
        );
        assert_eq!(doc_attrs("", "Fallback.").to_string(), quote!(#[doc = " Fallback."]).to_string());
        assert_eq!(raw_str(r#"{"a":"b"}"#).to_string(), r###"r#"{"a":"b"}"#"###);
        assert_eq!(raw_str(r##"x"#y"##).to_string(), r###"r##"x"#y"##"###);
    }
}
