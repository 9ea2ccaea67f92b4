//! A static sentence-embedding model (Model2Vec-style) for toolsmith search: meaning
//! beyond shared words, with no model download and no work at start-up.
//!
//! - [`StaticModel`]: one int8 vector per BERT-uncased WordPiece token, read zero-copy
//!   from a `static-embeddings.bin` file (format: `embeddings/data/README.md`);
//!   [`StaticModel::encode`] turns a text into a normalised [`Embedding`] (the sum of
//!   its tokens' vectors, token weights baked into the table); [`StaticModel::encoder`]
//!   does the same for many texts, tokenizing each distinct word once.
//! - [`tokenize`]: the WordPiece tokenizer (BERT uncased: clean, strip accents,
//!   lower-case, split on whitespace and punctuation; unknown words dropped). It does not
//!   split `camelCase`: split it before.
//! - [`EmbeddingIndex`]: one int8 row per document and [`EmbeddingIndex::cosine_all`], an
//!   exact int8 dot product with an AVX2 kernel picked at run time.
//! - [`StaticModel::builtin`]: the model embedded in the binary by the default `builtin`
//!   feature, **if** `embeddings/data/static-embeddings.bin` existed at build time (a
//!   build script checks); otherwise it is `None` and callers stay lexical.
//!
//! ```
//! use toolsmith_embeddings::{EmbeddingIndex, StaticModel};
//!
//! // A tiny model file: 4 tokens of 2 dimensions (see `embeddings/data/README.md`).
//! let tokens = "send\nmessage\ndelete\n##s";
//! let mut file = b"TSEMB001".to_vec();
//! for n in [4u32, 2, tokens.len() as u32] {
//!     file.extend(n.to_le_bytes());
//! }
//! file.extend(tokens.as_bytes());
//! file.resize(file.len().next_multiple_of(4), 0);
//! for scale in [0.01f32; 4] {
//!     file.extend(scale.to_le_bytes());
//! }
//! file.extend([100i8, 10, 90, 30, -20, 100, 0, 5].map(|v| v as u8));
//! let model = StaticModel::from_vec(file)?;
//!
//! let index = EmbeddingIndex::from_texts(&model, ["Send messages", "Delete"]);
//! let mut cosines = vec![0.0; index.len()];
//! index.cosine_all(&model.encode("send a message"), &mut cosines);
//! assert!(cosines[0] > 0.99 && cosines[1] < 0.1, "{cosines:?}");
//! assert!(model.encode("").is_zero());
//! # Ok::<(), toolsmith_embeddings::FormatError>(())
//! ```

mod format;
mod index;
mod kernel;
mod model;
mod tokenize;

#[cfg(test)]
mod bench;
#[cfg(test)]
mod tests;

pub use format::FormatError;
pub use index::EmbeddingIndex;
pub use model::{Embedding, Encoder, StaticModel};
pub use tokenize::tokenize;
