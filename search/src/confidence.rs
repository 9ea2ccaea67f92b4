//! How sure a search is of a hit, in 0..1, from the share of the task's words the tool
//! matches and from its score next to the best one.
//!
//! For a hit `h` of a task (or, for a multi-step task, of the step it answers):
//!
//! ```text
//! coverage(h)   = (words of the task found in h + ½ · words found only through a related word)
//!                 / content words of the task
//! confidence(h) = coverage(h) · √(score(h) / best score)
//! ```
//!
//! Content words are the task's distinct stemmed words, stop words and words with
//! digits (ids such as `cus_123`) left out; a word no tool has counts as not found, so
//! a task about something the catalog lacks ("play a song on Spotify") scores low.
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
    /// Content words in the query (at most 32).
    pub words: u32,
}

impl Coverage {
    /// The share of the query's content words that document `doc` matches (0 when the
    /// query has none).
    pub(crate) fn of(&self, doc: usize) -> f32 {
        if self.words == 0 {
            return 0.0;
        }
        let direct = self.direct.get(doc).copied().unwrap_or(0);
        let related = self.related.get(doc).copied().unwrap_or(0) & !direct;
        (direct.count_ones() as f32 + 0.5 * related.count_ones() as f32) / self.words as f32
    }
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
        let coverage = Coverage { direct: vec![0b011, 0b001], related: vec![0b100, 0b010], words: 3 };
        assert!((coverage.of(0) - (2.0 + 0.5) / 3.0).abs() < 1e-6);
        assert!((coverage.of(1) - 1.5 / 3.0).abs() < 1e-6);
        assert_eq!(coverage.of(7), 0.0);
        assert_eq!(Coverage::default().of(0), 0.0);
        assert_eq!(confidence(1.0, 2.0, 2.0), 1.0);
        assert!((confidence(1.0, 1.0, 4.0) - 0.5).abs() < 1e-6);
        assert_eq!(confidence(0.5, 0.0, 4.0), 0.0);
        assert_eq!(confidence(0.5, 1.0, 0.0), 0.0);
    }
}
