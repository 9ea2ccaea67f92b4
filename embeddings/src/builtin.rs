//! The model embedded in the binary (feature `builtin`, on by default).
//!
//! The build script sets `cfg(toolsmith_builtin_embeddings)` when
//! `embeddings/data/static-embeddings.bin` exists; only then is the file included.
//! Without the file (or the feature), [`StaticModel::builtin`] is `None`.

use crate::model::StaticModel;

impl StaticModel {
    /// The built-in model, parsed on the first call (a few microseconds: the table is
    /// not copied; the token map is built on the first [`encode`](Self::encode)).
    ///
    /// `None` when the crate was built without the `builtin` feature, without
    /// `embeddings/data/static-embeddings.bin`, or (a test catches it) with a malformed one.
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
}

#[cfg(test)]
mod tests {
    use super::StaticModel;

    /// With the data file, the built-in model parses (a malformed file fails here rather
    /// than silently leaving search lexical); without it, `builtin()` is `None`.
    #[test]
    fn builtin_is_there_exactly_when_the_file_is() {
        #[cfg(all(feature = "builtin", toolsmith_builtin_embeddings))]
        if let Err(e) = StaticModel::from_bytes(include_bytes!("../data/static-embeddings.bin")) {
            panic!("embeddings/data/static-embeddings.bin: {e}");
        }
        let expected = cfg!(all(feature = "builtin", toolsmith_builtin_embeddings));
        assert_eq!(StaticModel::builtin().is_some(), expected);
    }
}
