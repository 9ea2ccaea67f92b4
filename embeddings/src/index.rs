//! [`EmbeddingIndex`]: one int8 embedding per document, and the cosine of a query with
//! all of them.

use crate::kernel::{cosine_rows, cosine_rows_many};
use crate::model::{Embedding, StaticModel};

/// The embeddings of a set of documents (one row per document, int8 with a row scale),
/// for [`EmbeddingIndex::cosine_all`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmbeddingIndex {
    dim: usize,
    values: Vec<i8>,
    scales: Vec<f32>,
}

impl EmbeddingIndex {
    /// An empty index of `dim`-dimensional embeddings.
    pub fn new(dim: usize) -> Self {
        Self { dim, values: Vec::new(), scales: Vec::new() }
    }

    /// The index of `texts` encoded by `model`, one row per text, in order.
    pub fn from_texts<I>(model: &StaticModel, texts: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut index = Self::new(model.dim());
        for text in texts {
            index.push(&model.encode(text.as_ref()));
        }
        index
    }

    /// Appends a row. An embedding of another dimension than the index's is stored as
    /// the zero vector (its cosine with every query is 0).
    pub fn push(&mut self, embedding: &Embedding) {
        let (values, scale) = embedding.parts();
        if values.len() == self.dim {
            self.values.extend_from_slice(values);
            self.scales.push(scale);
        } else {
            self.values.resize(self.values.len() + self.dim, 0);
            self.scales.push(0.0);
        }
    }

    /// Appends the rows of `other` (an index of another dimension adds zero rows).
    pub fn append(&mut self, other: &EmbeddingIndex) {
        if other.dim == self.dim {
            self.values.extend_from_slice(&other.values);
            self.scales.extend_from_slice(&other.scales);
        } else {
            self.values.resize(self.values.len() + self.dim * other.len(), 0);
            self.scales.resize(self.scales.len() + other.len(), 0.0);
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    /// Whether the index has no row.
    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// The number of dimensions.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The int8 rows (row-major) and their scales.
    #[cfg(test)]
    pub(crate) fn parts(&self) -> (&[i8], &[f32]) {
        (&self.values, &self.scales)
    }

    /// Writes the cosine of `query` with row `i` to `out[i]`, for every row (`out` should
    /// have [`len`](Self::len) entries: rows beyond `out` are skipped, entries beyond the
    /// rows are left as they are). A query of another dimension than the index's, or the
    /// zero query, gives 0 for every row.
    ///
    /// Exact integer dot products (AVX2 when the CPU has it, detected at run time), so
    /// the results do not depend on the CPU.
    pub fn cosine_all(&self, query: &Embedding, out: &mut [f32]) {
        let (values, scale) = query.parts();
        let rows = self.len().min(out.len());
        if values.len() != self.dim || self.dim == 0 {
            out[..rows].fill(0.0);
            return;
        }
        cosine_rows(values, scale, &self.values, &self.scales, &mut out[..rows]);
    }

    /// [`cosine_all`](Self::cosine_all) of several queries in one pass over the rows:
    /// `out` holds one block of `out.len() / queries.len()` entries per query, in order,
    /// and each block gets exactly what `cosine_all` of its query writes (a query of
    /// another dimension, or the zero query, gives 0s). Faster than one call per query:
    /// each row is read once for a group of queries.
    ///
    /// ```
    /// use toolsmith_embeddings::{Embedding, EmbeddingIndex};
    /// let mut index = EmbeddingIndex::new(2);
    /// index.push(&Embedding::from_f32(&[1.0, 0.0]));
    /// index.push(&Embedding::from_f32(&[0.0, 1.0]));
    /// let queries = [Embedding::from_f32(&[0.0, 1.0]), Embedding::from_f32(&[1.0, 0.0])];
    /// let mut out = [0.0; 4];
    /// index.cosine_many(&queries, &mut out);
    /// assert!(out[1] > 0.99 && out[2] > 0.99 && out[0].abs() < 0.01);
    /// ```
    pub fn cosine_many(&self, queries: &[Embedding], out: &mut [f32]) {
        if queries.is_empty() {
            return;
        }
        let block = out.len() / queries.len();
        let rows = self.len().min(block);
        // The queries the kernel can take; the others' blocks are 0.
        let mut usable: Vec<(&[i8], f32)> = Vec::with_capacity(queries.len());
        let mut slots: Vec<usize> = Vec::with_capacity(queries.len());
        for (q, query) in queries.iter().enumerate() {
            let (values, scale) = query.parts();
            if values.len() == self.dim && self.dim > 0 {
                usable.push((values, scale));
                slots.push(q);
            } else {
                out[q * block..q * block + rows].fill(0.0);
            }
        }
        if usable.len() == queries.len() && rows == block {
            cosine_rows_many(self.dim, &usable, &self.values, &self.scales, out);
            return;
        }
        let mut packed = vec![0f32; usable.len() * rows];
        cosine_rows_many(self.dim, &usable, &self.values, &self.scales, &mut packed);
        for (&q, cosines) in slots.iter().zip(packed.chunks(rows.max(1))) {
            out[q * block..q * block + rows].copy_from_slice(cosines);
        }
    }
}
