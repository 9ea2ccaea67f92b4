//! Meaning next to words: a static embedding model ([`toolsmith_embeddings`]) gives
//! every document a vector (its name at half weight, its description, and its parameters
//! at a lower weight, each part normalised), and a query's cosine with each is mixed into the lexical scores of the query:
//! `w·lex/max(lex) + (1−w)·cos'`, with `w` from `SearchConfig::lexical_weight` raised by
//! `SearchConfig::word_trust_exponent` when one tool holds most of the query's words,
//! and `cos'` the cosines spread from their mean (0) to their best (1)
//! (`SearchConfig::spread_cosines`).
//! The mix is applied to the whole task and to each of its steps before they are
//! merged, so a multi-step task finds one tool per step.
//!
//! Measured with `toolsmith bench search` (the knobs' hidden flags) on the development sets:
//! recall@5 metatool 0.694 → 0.787, sealtools 0.947 → 0.953, the built-in task set
//! 0.831 → 0.851 (words only → words and the model, `lexical_weight` 0.40).

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
    /// One vector per document, in order: the normalised sum of its name's vector (toolkit
    /// and tool name) times [`NAME_WEIGHT`], its description's vector, and its parameters'
    /// vector times `parameter_weight`. Each part is normalised first, so a long
    /// description does not drown the name, and a short one does not let the name dominate.
    /// The documents are encoded on all available cores, in chunks of at least [`CHUNK`].
    pub(crate) fn new(model: &'static StaticModel, docs: &[Document], split_case: bool, parameter_weight: f32) -> Self {
        let encode = |docs: &[Document]| {
            let mut encoder = model.encoder();
            let mut index = EmbeddingIndex::new(model.dim());
            for doc in docs {
                let texts = texts_of(doc, split_case);
                let mut vector = vec![0f32; model.dim()];
                for (text, weight) in
                    [(texts.name, NAME_WEIGHT), (texts.description, 1.0), (texts.params, parameter_weight)]
                {
                    if text.trim().is_empty() {
                        continue;
                    }
                    for (v, p) in vector.iter_mut().zip(encoder.encode(&text).to_f32()) {
                        *v += weight * p;
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

/// How much a tool's name (with its toolkit's) weighs in its vector next to its
/// description (1). The name is the tool's shortest statement of what it does, but a short
/// or generic one ("Helper", "API") must not outweigh the description.
/// Measured on the development sets (tuning half of metatool's queries): 0.3, 0.5, 0.7, 1.0
/// → 0.777, 0.781, 0.781, 0.778; one text for both (before) 0.779.
const NAME_WEIGHT: f32 = 0.5;

/// A document's texts for the model.
struct Texts {
    /// Toolkit name and tool name (or slug).
    name: String,
    /// The tool's description.
    description: String,
    /// Parameter names and descriptions.
    params: String,
}

/// A document's texts for the model: its name (toolkit name, tool name or slug), its
/// description, and its parameters' names and descriptions.
fn texts_of(doc: &Document, split: bool) -> Texts {
    let push = |text: &mut String, part: &str| {
        if split {
            text.push_str(&split_case(part));
        } else {
            text.push_str(part);
        }
        text.push(' ');
    };
    let mut texts = Texts { name: String::new(), description: String::new(), params: String::new() };
    let name = if doc.name.is_empty() { doc.slug.as_str() } else { doc.name.as_str() };
    push(&mut texts.name, &doc.toolkit_name);
    push(&mut texts.name, name);
    push(&mut texts.description, &doc.description);
    for (param, description) in &doc.params {
        push(&mut texts.params, param);
        push(&mut texts.params, description);
    }
    texts
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
            let texts = texts_of(doc, false);
            let mut vector = vec![0f32; model.dim()];
            for (text, weight) in [(texts.name, NAME_WEIGHT), (texts.description, 1.0), (texts.params, 0.5)] {
                if !text.trim().is_empty() {
                    for (v, p) in vector.iter_mut().zip(model.encode(&text).to_f32()) {
                        *v += weight * p;
                    }
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

    #[test]
    fn a_long_description_does_not_drown_the_name() {
        let model = StaticModel::builtin().unwrap();
        let doc = |description: &str| Document {
            name: "Send email".into(),
            description: description.into(),
            ..Default::default()
        };
        let text = "Works with the accounts of a company's staff and their records.";
        let docs = [doc(text), doc(&[text; 4].join(" "))];
        let semantic = Semantic::new(model, &docs, false, 0.5);
        let (mut scores, mut cosines) = ([0.0f32; 2], Vec::new());
        assert_eq!(semantic.cosines(&["send email"], &mut cosines), [Some(0)]);
        semantic.mix(&cosines, &mut scores, 0.0, false);
        assert!((scores[0] - scores[1]).abs() < 0.005, "{scores:?}");
    }
}
