//! How sure a search is of a hit, in 0..1, from the share of the task's words the tool
//! matches and from its score next to the best one.
//!
//! For a hit `h` of a task (or, for a multi-step task, of the step it answers):
//!
//! ```text
//! coverage(h)   = (Σ idf of the task's words found in h + ½ · Σ idf of those found only
//!                  through a related word) / Σ idf of the task's words
//! confidence(h) = coverage(h) · √(score(h) / best score)
//! ```
//!
//! The task's words are its distinct stemmed words, stop words and words with digits
//! (ids such as `cus_123`) left out, each weighted by its inverse document frequency in
//! the catalog, `ln(1 + (N − df + ½) / (df + ½))`, so that a word most tools share
//! ("next", "github" in a GitHub catalog) says little; a word no tool has gets the
//! highest weight and counts as not found, so a task about something the catalog lacks
//! ("play a song on Spotify") scores low.
//! Below [`LOW_CONFIDENCE`], no tool fits the task well.

/// Under this best confidence, SEARCH_TOOLS tells the agent that no tool fits well.
pub const LOW_CONFIDENCE: f32 = 0.4;

/// Which content words of a query each document matched, as bit masks (bit `i`: the
/// query's `i`-th content word; words past the 32nd are not tracked).
#[derive(Debug, Default)]
pub(crate) struct Coverage {
    /// Per document: words matched directly.
    pub direct: Vec<u32>,
    /// Per document: words matched through a related word.
    pub related: Vec<u32>,
    /// The weight (idf) of each content word of the query (at most 32).
    pub weights: Vec<f32>,
}

impl Coverage {
    /// The share of the query's content words that document `doc` matches (0 when the
    /// query has none).
    pub(crate) fn of(&self, doc: usize) -> f32 {
        let total: f32 = self.weights.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        let direct = self.direct.get(doc).copied().unwrap_or(0);
        let related = self.related.get(doc).copied().unwrap_or(0) & !direct;
        let sum = |mask: u32| -> f32 {
            self.weights.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, w)| w).sum()
        };
        (sum(direct) + 0.5 * sum(related)) / total
    }
}

/// The inverse document frequency of a word found in `df` of `n` documents.
pub(crate) fn idf(df: usize, n: usize) -> f32 {
    let (df, n) = (df as f32, n as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// `coverage · √(score / best)`, clamped to 0..1.
pub(crate) fn confidence(coverage: f32, score: f32, best: f32) -> f32 {
    if best <= 0.0 || score <= 0.0 {
        return 0.0;
    }
    (coverage * (score / best).min(1.0).sqrt()).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_grows_with_coverage_and_score() {
        let coverage =
            Coverage { direct: vec![0b011, 0b001], related: vec![0b100, 0b010], weights: vec![1.0, 1.0, 2.0] };
        assert!((coverage.of(0) - (2.0 + 0.5 * 2.0) / 4.0).abs() < 1e-6);
        assert!((coverage.of(1) - 1.5 / 4.0).abs() < 1e-6);
        assert!(idf(0, 100) > idf(1, 100) && idf(1, 100) > idf(90, 100));
        assert_eq!(coverage.of(7), 0.0);
        assert_eq!(Coverage::default().of(0), 0.0);
        assert_eq!(confidence(1.0, 2.0, 2.0), 1.0);
        assert!((confidence(1.0, 1.0, 4.0) - 0.5).abs() < 1e-6);
        assert_eq!(confidence(0.5, 0.0, 4.0), 0.0);
        assert_eq!(confidence(0.5, 1.0, 0.0), 0.0);
    }
}
