//! Meaning next to words: a static embedding model ([`toolsmith_embeddings`]) gives
//! every document a vector (its toolkit, name and description, and its parameters at a
//! lower weight), and a query's cosine with each is mixed into the lexical scores of the query:
//! `w·lex/max(lex) + (1−w)·cos'`, with `w` from `SearchConfig::lexical_weight` raised by
//! `SearchConfig::word_trust_exponent` when one tool holds most of the query's words,
//! and `cos'` the cosines spread from their mean (0) to their best (1)
//! (`SearchConfig::spread_cosines`).
//! The mix is applied to the whole task and to each of its steps before they are
//! merged, so a multi-step task finds one tool per step.
//!
//! Measured with `toolsmith bench search` (the knobs' hidden flags) on the development sets:
//! recall@5 metatool 0.694 → 0.778, sealtools 0.947 → 0.952, the built-in task set
//! 0.831 → 0.838.

use std::fmt;

use toolsmith_embeddings::{Embedding, EmbeddingIndex, StaticModel};

use crate::index::Document;
use crate::parallel::map_chunks;

/// The fewest documents worth a thread of their own when encoding.
const CHUNK: usize = 256;

/// The documents' vectors and the model that encodes queries.
pub(crate) struct Semantic {
    model: &'static StaticModel,
    index: EmbeddingIndex,
}

impl fmt::Debug for Semantic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semantic").field("documents", &self.index.len()).field("dim", &self.index.dim()).finish()
    }
}

impl Semantic {
    /// One vector per document, in order: the normalised sum of its main text's vector and
    /// its parameters' vector times `SearchConfig::parameter_weight`. The documents are
    /// encoded on all available cores, in chunks of at least [`CHUNK`].
    pub(crate) fn new(model: &'static StaticModel, docs: &[Document], split_case: bool, parameter_weight: f32) -> Self {
        let encode = |docs: &[Document]| {
            let mut encoder = model.encoder();
            let mut index = EmbeddingIndex::new(model.dim());
            for doc in docs {
                let (main, params) = texts_of(doc, split_case);
                let mut vector = encoder.encode(&main).to_f32();
                if !params.is_empty() {
                    for (v, p) in vector.iter_mut().zip(encoder.encode(&params).to_f32()) {
                        *v += parameter_weight * p;
                    }
                }
                index.push(&Embedding::from_f32(&vector));
            }
            index
        };
        let mut index = EmbeddingIndex::new(model.dim());
        for part in map_chunks(docs, CHUNK, encode) {
            index.append(&part);
        }
        Semantic { model, index }
    }

    /// The cosines of each query with every document, in one pass over the documents:
    /// `out` gets one block of [`len`](EmbeddingIndex::len) cosines per query the model
    /// can read, and the result says, per query, which block is its (`None` for a query
    /// with no word the model knows whole: gibberish is made of known word pieces, "qwxz"
    /// is `q ##w ##x ##z`; such a query is left to the words).
    pub(crate) fn cosines(&self, queries: &[&str], out: &mut Vec<f32>) -> Vec<Option<usize>> {
        let mut encoded = Vec::with_capacity(queries.len());
        let blocks = queries
            .iter()
            .map(|query| {
                let query = split_case(query);
                if !query.split_whitespace().any(|w| self.knows(w)) {
                    return None;
                }
                let query = self.model.encode(&query);
                if query.is_zero() {
                    return None;
                }
                encoded.push(query);
                Some(encoded.len() - 1)
            })
            .collect();
        out.clear();
        out.resize(encoded.len() * self.index.len(), 0.0);
        self.index.cosine_many(&encoded, out);
        blocks
    }

    /// Mixes a query's `cosines` with each document (from [`cosines`](Self::cosines))
    /// into `scores` (the lexical scores of the same query, one per document).
    pub(crate) fn mix(&self, cosines: &[f32], scores: &mut [f32], lexical_weight: f32, spread: bool) {
        if scores.len() != self.index.len() || cosines.len() != scores.len() {
            return;
        }
        let best = scores.iter().copied().fold(0f32, f32::max);
        let w = lexical_weight.clamp(0.0, 1.0);
        // Cosines of a short query sit in a narrow band: spread them from the mean (0) to the
        // best (1), so the model's preference weighs as much as the words'.
        let (floor, span) = if spread {
            let mean = cosines.iter().sum::<f32>() / cosines.len().max(1) as f32;
            let top = cosines.iter().copied().fold(f32::MIN, f32::max);
            (mean, (top - mean).max(f32::EPSILON))
        } else {
            (0.0, 1.0)
        };
        for (score, &cosine) in scores.iter_mut().zip(cosines) {
            let lexical = if best > 0.0 { *score / best } else { 0.0 };
            *score = w * lexical + (1.0 - w) * ((cosine - floor) / span).max(0.0);
        }
    }
}

impl Semantic {
    /// Whether `word` is a content word (3+ letters, not a stop word) that is one token of
    /// the model's vocabulary.
    fn knows(&self, word: &str) -> bool {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        word.chars().count() >= 3
            && !crate::tokenize::is_stop_word(&word.to_lowercase())
            && self.model.tokenize(word).len() == 1
    }
}

/// A document's text for the model: toolkit name, tool name (or slug), description,
/// parameter names and descriptions.
fn texts_of(doc: &Document, split: bool) -> (String, String) {
    let push = |text: &mut String, part: &str| {
        if split {
            text.push_str(&split_case(part));
        } else {
            text.push_str(part);
        }
        text.push(' ');
    };
    let (mut main, mut params) = (String::new(), String::new());
    let name = if doc.name.is_empty() { doc.slug.as_str() } else { doc.name.as_str() };
    for part in [doc.toolkit_name.as_str(), name, doc.description.as_str()] {
        push(&mut main, part);
    }
    for (param, description) in &doc.params {
        push(&mut params, param);
        push(&mut params, description);
    }
    (main, params)
}

/// `getUserName`, `get_user_name` and `GET_USER_NAME` as `get user name` (the
/// model's WordPiece tokenizer does not split them).
fn split_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if c == '_' {
            out.push(' ');
        } else {
            if c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
                out.push(' ');
            }
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encoding on several threads, with each thread's word cache, gives the vectors of
    /// encoding each document alone, in order.
    #[test]
    fn documents_encoded_in_parallel_are_encoded_alike() {
        let Some(model) = StaticModel::builtin() else { return };
        let words = ["send", "message", "channel", "delete", "repository", "invoice", "weather", "getUserName"];
        let docs: Vec<Document> = (0..3 * CHUNK + 17)
            .map(|i| Document {
                slug: format!("TOOL_{i}"),
                name: format!("{} {}", words[i % 8], words[(i / 8) % 8]),
                description: format!("{} the {} of {i}.", words[(i + 3) % 8], words[(i * 7) % 8]),
                params: if i % 3 == 0 { Vec::new() } else { vec![(words[i % 5].into(), "An id.".into())] },
                ..Default::default()
            })
            .collect();
        let semantic = Semantic::new(model, &docs, false, 0.5);
        let mut alone = EmbeddingIndex::new(model.dim());
        for doc in &docs {
            let (main, params) = texts_of(doc, false);
            let mut vector = model.encode(&main).to_f32();
            if !params.is_empty() {
                for (v, p) in vector.iter_mut().zip(model.encode(&params).to_f32()) {
                    *v += 0.5 * p;
                }
            }
            alone.push(&Embedding::from_f32(&vector));
        }
        assert_eq!(semantic.index, alone);
    }

    #[test]
    fn case_and_underscores_are_split() {
        assert_eq!(split_case("getUserName"), "get User Name");
        assert_eq!(split_case("GITHUB_CREATE_ISSUE"), "GITHUB CREATE ISSUE");
        assert_eq!(split_case("page_token v2Api"), "page token v2 Api");
    }
}
