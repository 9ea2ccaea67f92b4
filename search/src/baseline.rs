//! A plain BM25 Okapi ranker, the baseline `toolsmith bench search` measures the engine
//! against in the same run. It is exactly `shared/data/search-dev/bm25_baseline.py`:
//! `BM25Okapi` of the Python package `rank_bm25` (k1 1.5, b 0.75, and idfs below zero
//! replaced by 0.25 × the mean idf) over one text per tool (toolkit, name, description,
//! parameter names and descriptions), lower-cased and split at `camelCase` boundaries into
//! runs of ASCII letters and digits. No stemming, no stop words, no field weights: only
//! a yardstick, never used to answer a search.
//!
//! ```
//! use toolsmith_search::{Bm25Baseline, Document};
//!
//! let doc = |name: &str, description: &str| Document { name: name.into(), description: description.into(), ..Default::default() };
//! let docs = [doc("sendEmail", "Sends an email."), doc("listChannels", "Lists the channels."), doc("deleteFile", "Deletes a file.")];
//! let bm25 = Bm25Baseline::new(&docs);
//! assert_eq!(bm25.search("send an email", 2), [0, 1]);
//! assert_eq!(toolsmith_search::baseline_tokens("getHTTPResponse v2Api"), ["get", "http", "response", "v2", "api"]);
//! ```

use crate::index::{Document, FastMap};

/// BM25 term-frequency saturation (`rank_bm25`'s default).
pub const BM25_K1: f64 = 1.5;
/// BM25 length normalisation (`rank_bm25`'s default).
pub const BM25_B: f64 = 0.75;
/// A term in more than half the tools (a negative idf) gets this share of the mean idf.
pub const BM25_EPSILON: f64 = 0.25;

/// A BM25 Okapi index over tools, as `rank_bm25.BM25Okapi` builds it.
#[derive(Debug, Default)]
pub struct Bm25Baseline {
    /// Token → term number, numbered in order of first appearance.
    terms: FastMap<String, u32>,
    /// By term: its idf.
    idf: Vec<f64>,
    /// By term: (tool number, occurrences), by tool.
    postings: Vec<Vec<(u32, f64)>>,
    /// By tool: `k1 · (1 − b + b · length / mean length)`, the denominator's length part.
    length_part: Vec<f64>,
}

impl Bm25Baseline {
    /// Indexes `docs` (their text as [`baseline_text`] gives it).
    pub fn new(docs: &[Document]) -> Self {
        let mut terms: FastMap<String, u32> = FastMap::default();
        let mut postings: Vec<Vec<(u32, f64)>> = Vec::new();
        let mut lengths = Vec::with_capacity(docs.len());
        for (d, doc) in docs.iter().enumerate() {
            let tokens = baseline_tokens(&baseline_text(doc));
            lengths.push(tokens.len());
            for token in tokens {
                let next = terms.len() as u32;
                let t = *terms.entry(token).or_insert(next) as usize;
                if t == postings.len() {
                    postings.push(Vec::new());
                }
                match postings[t].last_mut() {
                    Some((last, count)) if *last == d as u32 => *count += 1.0,
                    _ => postings[t].push((d as u32, 1.0)),
                }
            }
        }
        let n = docs.len() as f64;
        // As rank_bm25: the mean idf over the vocabulary (summed in order of first
        // appearance, negative ones included), then the negative ones floored.
        let mut idf: Vec<f64> =
            postings.iter().map(|p| (n - p.len() as f64 + 0.5).ln() - (p.len() as f64 + 0.5).ln()).collect();
        let mean = idf.iter().sum::<f64>() / idf.len().max(1) as f64;
        for value in idf.iter_mut().filter(|v| **v < 0.0) {
            *value = BM25_EPSILON * mean;
        }
        let mean_length = lengths.iter().sum::<usize>() as f64 / n.max(1.0);
        let length_part =
            lengths.iter().map(|&l| BM25_K1 * ((1.0 - BM25_B) + BM25_B * l as f64 / mean_length)).collect();
        Bm25Baseline { terms, idf, postings, length_part }
    }

    /// The score of every tool for `query`, by tool number (0 for no shared token). A
    /// token the query repeats counts each time, as in `rank_bm25`.
    pub fn scores(&self, query: &str) -> Vec<f64> {
        let mut scores = vec![0f64; self.length_part.len()];
        for token in baseline_tokens(query) {
            let Some(&t) = self.terms.get(&token) else { continue };
            let idf = self.idf[t as usize];
            for &(d, tf) in &self.postings[t as usize] {
                scores[d as usize] += idf * (tf * (BM25_K1 + 1.0) / (tf + self.length_part[d as usize]));
            }
        }
        scores
    }

    /// The `limit` best tools for `query`, best first, ties in tool order: tools that
    /// share no token with the query fill the list after the others, as a stable sort of
    /// every tool's score does in `bm25_baseline.py`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<usize> {
        let scores = self.scores(query);
        let mut order: Vec<usize> = (0..scores.len()).collect();
        let by_score = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
        if order.len() > limit && limit > 0 {
            order.select_nth_unstable_by(limit - 1, by_score);
        }
        order.truncate(limit);
        order.sort_unstable_by(by_score);
        order
    }
}

/// A tool's text for the baseline: toolkit, name, description, then each parameter's
/// name and description, the empty ones left out, joined by spaces.
pub fn baseline_text(doc: &Document) -> String {
    let mut parts: Vec<&str> = vec![&doc.toolkit, &doc.name, &doc.description];
    for (name, description) in &doc.params {
        parts.push(name);
        parts.push(description);
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

/// The baseline's tokens of `text`: a word boundary between an ASCII lower-case letter
/// or digit and an upper-case letter (`getUser`), and before the last of a run of
/// upper-case letters followed by a lower-case one (`HTTPResponse`); then lower-cased,
/// and the runs of ASCII letters and digits.
pub fn baseline_tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut split = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        split.push(c);
        let next = chars.get(i + 1).copied();
        let camel = (c.is_ascii_lowercase() || c.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_uppercase());
        let acronym = c.is_ascii_uppercase()
            && next.is_some_and(|n| n.is_ascii_uppercase())
            && chars.get(i + 2).is_some_and(|n| n.is_ascii_lowercase());
        if camel || acronym {
            split.push(' ');
        }
    }
    split
        .to_lowercase()
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, description: &str) -> Document {
        Document { name: name.into(), description: description.into(), ..Default::default() }
    }

    #[test]
    fn tokens_split_as_the_python_baseline_does() {
        assert_eq!(baseline_tokens("getUserName"), ["get", "user", "name"]);
        assert_eq!(baseline_tokens("HTTPServerError"), ["http", "server", "error"]);
        assert_eq!(baseline_tokens("page_token, v2Api!"), ["page", "token", "v2", "api"]);
        assert_eq!(baseline_tokens("ABC"), ["abc"]);
        assert_eq!(baseline_tokens("Café naïve"), ["caf", "na", "ve"]);
        assert!(baseline_tokens("  ").is_empty());
    }

    /// Figures computed by hand with rank_bm25's formulas on a three-tool corpus.
    #[test]
    fn scores_are_rank_bm25_okapi() {
        let docs = [doc("send email", "send"), doc("list channels", ""), doc("send message", "to a channel")];
        let bm25 = Bm25Baseline::new(&docs);
        // Lengths 3, 2, 5: mean 10/3. "send" is in 2 of 3 tools: idf ln(1.5) − ln(2.5) < 0,
        // floored to 0.25 × the mean idf over the 8 terms.
        let n = 3.0f64;
        let idf = |df: f64| (n - df + 0.5).ln() - (df + 0.5).ln();
        let mean = (idf(2.0) + 7.0 * idf(1.0)) / 8.0;
        let part = |len: f64| 1.5 * (0.25 + 0.75 * len / (10.0 / 3.0));
        let term = |idf: f64, tf: f64, len: f64| idf * (tf * 2.5 / (tf + part(len)));
        let scores = bm25.scores("Send an email");
        assert!((scores[0] - (term(0.25 * mean, 2.0, 3.0) + term(idf(1.0), 1.0, 3.0))).abs() < 1e-12, "{scores:?}");
        assert_eq!(scores[1], 0.0);
        assert!((scores[2] - term(0.25 * mean, 1.0, 5.0)).abs() < 1e-12);
        // A repeated query token counts twice.
        let twice = bm25.scores("email email");
        assert!((twice[0] - 2.0 * term(idf(1.0), 1.0, 3.0)).abs() < 1e-12);
    }

    #[test]
    fn ties_and_unmatched_tools_keep_tool_order() {
        let docs = [doc("a", ""), doc("b", ""), doc("c", "x"), doc("d", "x"), doc("e", "")];
        let bm25 = Bm25Baseline::new(&docs);
        assert_eq!(bm25.search("x", 3), [2, 3, 0]);
        assert_eq!(bm25.search("nothing", 10), [0, 1, 2, 3, 4]);
        assert!(bm25.search("x", 0).is_empty());
        assert!(Bm25Baseline::new(&[]).search("x", 5).is_empty());
    }
}
