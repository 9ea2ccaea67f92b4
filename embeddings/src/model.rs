//! [`StaticModel`]: the token table of a `static-embeddings.bin` file, and the
//! [`Embedding`] of a text.

use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::format::{parse, FormatError, Layout};
use crate::kernel::add_scaled;
use crate::tokenize::{tokenize, tokenize_cached, WordCache};

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
        self.add_rows(&self.tokenize(text), &mut sum);
        Embedding::from_f32(&sum)
    }

    /// An [`Encoder`]: [`encode`](Self::encode) with a memory of the words it has seen,
    /// for encoding many texts (a catalog's tools) on one thread.
    pub fn encoder(&self) -> Encoder<'_> {
        Encoder { model: self, cache: WordCache::default(), ids: Vec::new(), sum: vec![0.0; self.dim()] }
    }

    /// Adds the rows of `ids` to `sum`, in order.
    fn add_rows(&self, ids: &[u32], sum: &mut [f32]) {
        let dim = self.dim();
        for &id in ids {
            let id = id as usize;
            let start = self.layout.table + id * dim;
            add_scaled(sum, &self.bytes[start..start + dim], self.scales[id]);
        }
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

/// Encodes texts as [`StaticModel::encode`] does, each distinct word tokenized once
/// (from [`StaticModel::encoder`]). Not shared between threads: make one per thread.
#[derive(Debug)]
pub struct Encoder<'m> {
    model: &'m StaticModel,
    cache: WordCache,
    ids: Vec<u32>,
    sum: Vec<f32>,
}

impl Encoder<'_> {
    /// The embedding of `text`, equal to [`StaticModel::encode`]'s.
    pub fn encode(&mut self, text: &str) -> Embedding {
        let model = self.model;
        let ids = model.ids.get_or_init(|| model.build_ids());
        self.ids.clear();
        tokenize_cached(text, |token| ids.get(token).copied(), &mut self.cache, &mut self.ids);
        self.sum.fill(0.0);
        model.add_rows(&self.ids, &mut self.sum);
        Embedding::from_f32(&self.sum)
    }
}

/// `y` rounded half away from zero, as `f32::round`, for `|y|` under 2²³ (`y - trunc(y)`
/// is then exact), clamped to `-127..=127`; without `round`'s library call, so that the
/// quantiser's loop vectorises.
pub(crate) fn round_to_i8(y: f32) -> i8 {
    let whole = y as i32;
    let fraction = y - whole as f32;
    let rounded = if fraction >= 0.5 {
        whole + 1
    } else if fraction <= -0.5 {
        whole - 1
    } else {
        whole
    };
    rounded.clamp(-127, 127) as i8
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
        // The largest magnitude, by 8 lanes (the maximum does not depend on the order).
        let mut lanes = [0.0f32; 8];
        let mut chunks = vector.chunks_exact(8);
        for chunk in &mut chunks {
            for (lane, x) in lanes.iter_mut().zip(chunk) {
                *lane = lane.max(x.abs());
            }
        }
        let max = chunks.remainder().iter().chain(&lanes).fold(0.0f32, |m, x| m.max(x.abs())) / norm;
        if !(norm.is_finite() && norm > 0.0 && max.is_finite() && max > 0.0) {
            return Self { values: vec![0; vector.len()], scale: 0.0 };
        }
        let scale = max / 127.0;
        let values = vector.iter().map(|x| round_to_i8(x / norm / scale)).collect();
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
