//! The per-document factors of one query's scores (name match, coordination, a named
//! toolkit, action mismatch), applied to every document in one pass that the compiler
//! can vectorise: what is the same for every document is decided before the pass, and a
//! factor that does not apply multiplies by exactly 1.

use crate::action::Actions;

/// What the factors of one query need, by document and for the query.
pub(crate) struct Factors<'a> {
    /// Per document: (origin weight × `1 − n`, origin weight × `n` / name words).
    pub statics: &'a [(f32, f32)],
    /// Per document: how many of its name's words the query holds.
    pub in_name: &'a [u8],
    /// Per document: the query's words it holds (bit masks).
    pub direct: &'a [u32],
    /// The query's words the catalog knows (bit mask).
    pub known_bits: u32,
    /// The coordination constant `c` and its share per query word (`c / words`), or 0
    /// for no coordination factor.
    pub coordination: (f32, f32),
    /// Per document: its actions.
    pub actions: &'a [Actions],
    /// The task's actions.
    pub task: Actions,
    /// The factor of a document whose action contradicts the task's.
    pub mismatch: f32,
}

impl Factors<'_> {
    /// Multiplies each positive score by its document's factor:
    /// `(base + per_name_word · in_name) · (1 − c + c_per_word · held words) · toolkit(doc)
    /// · mismatch if the document's action contradicts the task`, the same operations in
    /// the same order as one document at a time. `toolkit(doc)` is the named-toolkit
    /// factor (1 for a document of no named toolkit).
    #[inline(always)]
    pub(crate) fn apply(&self, scores: &mut [f32], toolkit: impl Fn(usize) -> f32) {
        let (c, c_per_word) = self.coordination;
        // `1 − c + c_per_word · k`; without coordination, `1 + 0 · k`: exactly 1.
        let coordination_base = if c_per_word > 0.0 { 1.0 - c } else { 1.0 };
        let n =
            scores.len().min(self.statics.len()).min(self.in_name.len()).min(self.direct.len()).min(self.actions.len());
        let rows = self.statics[..n].iter().zip(&self.in_name[..n]).zip(&self.direct[..n]).zip(&self.actions[..n]);
        for (doc, (score, (((&(base, per_name_word), &in_name), &direct), &actions))) in
            scores[..n].iter_mut().zip(rows).enumerate()
        {
            let mut factor = base + per_name_word * f32::from(in_name);
            factor *= coordination_base + c_per_word * (direct & self.known_bits).count_ones() as f32;
            factor *= toolkit(doc);
            factor *= if actions.contradicts(self.task) { self.mismatch } else { 1.0 };
            if *score > 0.0 {
                *score *= factor;
            }
        }
    }
}
