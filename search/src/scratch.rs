//! The working memory of one search, kept per thread and reused by the next search on
//! that thread: the per-document arrays that scoring the whole task and each of its
//! steps fills, the queries' cosines and stems, so that a search allocates (almost)
//! nothing once its thread has searched before.

use std::cell::RefCell;

use crate::confidence::Coverage;
use crate::tokenize::StemCache;

/// One query's scores and the words each document matched.
#[derive(Debug, Default)]
pub(crate) struct Scored {
    /// Per document: its score for the query (0 for no match).
    pub scores: Vec<f32>,
    /// Per document: the query's words it matched.
    pub coverage: Coverage,
}

impl Scored {
    /// Empties the arrays and sizes them for `count` documents, all 0.
    pub(crate) fn reset(&mut self, count: usize) {
        for v in [&mut self.coverage.direct, &mut self.coverage.related] {
            v.clear();
            v.resize(count, 0);
        }
        self.scores.clear();
        self.scores.resize(count, 0.0);
        self.coverage.weights.clear();
    }
}

/// What one search needs besides the index.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// One per query of the search: the whole task first, then its steps (the vector
    /// only grows; the entries past the search's queries are stale).
    pub scored: Vec<Scored>,
    /// Working memory of scoring one query.
    pub work: Work,
    /// The queries' cosines with every document, one block per query.
    pub cosines: Vec<f32>,
    /// The stems of the words seen in this search.
    pub stems: StemCache,
    /// The current query's terms.
    pub terms: Vec<String>,
    /// Per document: its best step score (scaled to the step's best) and the step.
    pub fused: Vec<(f32, usize)>,
    /// Per document: the merged score of a multi-step task.
    pub combined: Vec<f32>,
}

/// Per-document counts that scoring one query fills and then reads.
#[derive(Debug, Default)]
pub(crate) struct Work {
    /// Per document: how many of its name's terms the query holds.
    pub in_name: Vec<u8>,
    /// Per document: how many of the query's words it holds.
    pub held: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch (a fresh one if it is in use: `f` searching again).
pub(crate) fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            scratch.stems.clear();
            f(&mut scratch)
        }
        Err(_) => f(&mut Scratch::default()),
    })
}
