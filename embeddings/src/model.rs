//! [`StaticModel`]: the token table of a `static-embeddings.bin` file, and the
//! [`Embedding`] of a text.

use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::format::{parse, FormatError, Layout};
use crate::tokenize::tokenize;

/// A static embedding model: one vector per WordPiece token (int8 with a row scale, token
/// weights baked in); a text's vector is the normalised sum of its tokens' vectors.
///
/// [`StaticModel::from_bytes`] reads the table zero-copy (only the row scales are copied,
/// 4 bytes a row); the token → id map is built on the first [`StaticModel::encode`].
#[derive(Debug)]
pub struct StaticModel {
    bytes: Cow<'static, [u8]>,
    layout: Layout,
    scales: Vec<f32>,
    ids: OnceLock<FxHashMap<Box<str>, u32>>,
}

impl StaticModel {
    /// Reads a model from the bytes of a `static-embeddings.bin` file (for example from
    /// `include_bytes!`), without copying its table.
    ///
    /// # Errors
    /// [`FormatError`] when the bytes are not a well-formed file; it names the byte offset.
    pub fn from_bytes(bytes: &'static [u8]) -> Result<Self, FormatError> {
        Self::new(Cow::Borrowed(bytes))
    }

    /// Reads a model from owned bytes (a file read at run time, a table built in a test).
    ///
    /// # Errors
    /// [`FormatError`] when the bytes are not a well-formed file; it names the byte offset.
    pub fn from_vec(bytes: Vec<u8>) -> Result<Self, FormatError> {
        Self::new(Cow::Owned(bytes))
    }

    /// Reads a model from a file.
    ///
    /// # Errors
    /// An [`std::io::Error`] (of kind `InvalidData` for a malformed file, wrapping the
    /// [`FormatError`]), with the path in its message.
    pub fn from_path(path: &Path) -> std::io::Result<Self> {
        let with_path = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let bytes = std::fs::read(path).map_err(|e| std::io::Error::new(e.kind(), with_path(&e)))?;
        Self::from_vec(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, with_path(&e)))
    }

    fn new(bytes: Cow<'static, [u8]>) -> Result<Self, FormatError> {
        let layout = parse(&bytes)?;
        let scales = bytes[layout.scales..layout.table]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Self { bytes, layout, scales, ids: OnceLock::new() })
    }

    /// The model embedded in the binary (feature `builtin`, on by default), checked on the
    /// first call (about 0.4 ms for the real table's shape: the table is not copied; the
    /// token map is built on the first [`encode`](Self::encode), 2–11 ms).
    ///
    /// The build script sets `cfg(toolsmith_builtin_embeddings)` when
    /// `embeddings/data/static-embeddings.bin` exists; only then is the file included.
    /// `None` when the crate was built without the `builtin` feature, without that file,
    /// or (a test catches it) with a malformed one.
    pub fn builtin() -> Option<&'static StaticModel> {
        #[cfg(all(feature = "builtin", toolsmith_builtin_embeddings))]
        {
            static BYTES: &[u8] = include_bytes!("../data/static-embeddings.bin");
            static MODEL: std::sync::OnceLock<Option<StaticModel>> = std::sync::OnceLock::new();
            MODEL.get_or_init(|| StaticModel::from_bytes(BYTES).ok()).as_ref()
        }
        #[cfg(not(all(feature = "builtin", toolsmith_builtin_embeddings)))]
        None
    }

    /// The number of dimensions of the vectors.
    pub fn dim(&self) -> usize {
        self.layout.dim
    }

    /// The number of tokens (rows).
    pub fn vocab_size(&self) -> usize {
        self.layout.rows
    }

    /// The token ids of `text` (see [`tokenize`](crate::tokenize)); unknown words are dropped.
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        let ids = self.ids.get_or_init(|| self.build_ids());
        tokenize(text, |token| ids.get(token).copied())
    }

    /// The normalised embedding of `text`: the sum of its tokens' vectors, scaled to
    /// length 1. A text with no known token (an empty one, say) gives the zero vector.
    pub fn encode(&self, text: &str) -> Embedding {
        let mut sum = vec![0.0f32; self.dim()];
        for id in self.tokenize(text) {
            let id = id as usize;
            let start = self.layout.table + id * self.dim();
            let row = &self.bytes[start..start + self.dim()];
            let scale = self.scales[id];
            for (acc, &value) in sum.iter_mut().zip(row) {
                *acc += scale * f32::from(value as i8);
            }
        }
        Embedding::from_f32(&sum)
    }

    /// The token → id map; the first of two equal tokens wins, empty lines are skipped.
    fn build_ids(&self) -> FxHashMap<Box<str>, u32> {
        let (start, end) = self.layout.vocab;
        // The vocabulary was checked to be UTF-8 by `parse`.
        let vocab = std::str::from_utf8(&self.bytes[start..end]).unwrap_or_default();
        let mut ids = FxHashMap::with_capacity_and_hasher(self.layout.rows, Default::default());
        for (id, token) in (0u32..).zip(vocab.split('\n')) {
            if !token.is_empty() {
                ids.entry(token.into()).or_insert(id);
            }
        }
        ids
    }
}

/// A text's embedding: a unit vector (or the zero vector) stored as `scale × values`,
/// `values` int8 in `-127..=127`.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding {
    values: Vec<i8>,
    scale: f32,
}

impl Embedding {
    /// Quantises `vector` after normalising it to length 1; a zero (or non-finite) vector
    /// gives the zero embedding.
    pub fn from_f32(vector: &[f32]) -> Self {
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        let max = vector.iter().fold(0.0f32, |m, x| m.max(x.abs())) / norm;
        if !(norm.is_finite() && norm > 0.0 && max.is_finite() && max > 0.0) {
            return Self { values: vec![0; vector.len()], scale: 0.0 };
        }
        let scale = max / 127.0;
        let values = vector.iter().map(|x| (x / norm / scale).round().clamp(-127.0, 127.0) as i8).collect();
        Self { values, scale }
    }

    /// The number of dimensions.
    pub fn dim(&self) -> usize {
        self.values.len()
    }

    /// Whether this is the zero vector (a text with no known token).
    pub fn is_zero(&self) -> bool {
        self.scale == 0.0
    }

    /// The vector as `f32` (length 1, up to quantisation, or 0).
    pub fn to_f32(&self) -> Vec<f32> {
        self.values.iter().map(|&v| self.scale * f32::from(v)).collect()
    }

    /// The int8 values (in `-127..=127`) and the scale.
    pub(crate) fn parts(&self) -> (&[i8], f32) {
        (&self.values, self.scale)
    }
}
