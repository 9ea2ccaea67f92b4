//! Tests of the model and the index against tiny hand-made tables.
#![allow(clippy::unwrap_used)]

use crate::format::FormatError;
use crate::{Embedding, EmbeddingIndex, StaticModel};

/// A `static-embeddings.bin` file of `tokens` with the given rows and scales.
pub(crate) fn table_file(tokens: &[&str], rows: &[Vec<i8>], scales: &[f32]) -> Vec<u8> {
    let vocab = tokens.join("\n");
    let dim = rows.first().map_or(0, Vec::len);
    let mut file = b"TSEMB001".to_vec();
    for n in [tokens.len(), dim, vocab.len()] {
        file.extend(u32::try_from(n).unwrap().to_le_bytes());
    }
    file.extend(vocab.as_bytes());
    file.resize(file.len().next_multiple_of(4), 0);
    for scale in scales {
        file.extend(scale.to_le_bytes());
    }
    for row in rows {
        file.extend(row.iter().map(|&v| v as u8));
    }
    file
}

/// 6 tokens, 4 dimensions: "star", "repo", "##s", "delete", "remove", "café".
fn model() -> StaticModel {
    let rows = vec![
        vec![100, 0, 0, 0],
        vec![0, 100, 0, 0],
        vec![0, 0, 0, 10],
        vec![0, 0, 100, 0],
        vec![0, 0, 90, 20],
        vec![-128, 0, 0, 127],
    ];
    let tokens = ["star", "repo", "##s", "delete", "remove", "cafe"];
    StaticModel::from_vec(table_file(&tokens, &rows, &[0.5, 0.5, 1.0, 0.5, 0.5, 0.1])).unwrap()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn encode_sums_the_token_rows_and_normalises() {
    let model = model();
    assert_eq!((model.dim(), model.vocab_size()), (4, 6));
    assert_eq!(model.tokenize("Star repos!"), vec![0, 1, 2]);
    let v = model.encode("Star repos!").to_f32();
    // star 50 + repo 50 + ##s 10 on the last axis, normalised.
    let norm = (50f32 * 50.0 * 2.0 + 100.0).sqrt();
    let expected = [50.0 / norm, 50.0 / norm, 0.0, 10.0 / norm];
    for (got, want) in v.iter().zip(expected) {
        assert!((got - want).abs() < 0.01, "{v:?} vs {expected:?}");
    }
    assert!((cosine(&v, &v) - 1.0).abs() < 0.01);
    // -128 in the table is read as -128 (the table is not limited to ±127).
    let cafe = model.encode("CAFÉ").to_f32();
    assert!(cafe[0] < -0.7 && cafe[3] > 0.7, "{cafe:?}");
}

#[test]
fn a_text_with_no_known_token_is_the_zero_vector() {
    let model = model();
    for text in ["", "   ", "unknown words only", "!!"] {
        let e = model.encode(text);
        assert!(e.is_zero(), "{text:?}");
        assert_eq!(e.to_f32(), vec![0.0; 4]);
    }
    assert!(Embedding::from_f32(&[f32::NAN, 1.0]).is_zero());
    assert!(Embedding::from_f32(&[]).is_zero());
}

#[test]
fn cosine_all_ranks_by_meaning() {
    let model = model();
    let index = EmbeddingIndex::from_texts(&model, ["delete a repo", "star repos", "remove"]);
    assert_eq!((index.len(), index.dim()), (3, 4));
    let mut out = [9.0; 4];
    index.cosine_all(&model.encode("remove"), &mut out);
    assert!(out[2] > 0.99 && out[0] > 0.6 && out[1] < 0.1, "{out:?}");
    assert_eq!(out[3], 9.0, "entries beyond the rows are left alone");
    index.cosine_all(&model.encode(""), &mut out);
    assert_eq!(out[..3], [0.0; 3]);
    // A query of another dimension gives 0, and a shorter `out` takes the first rows.
    out = [9.0; 4];
    index.cosine_all(&Embedding::from_f32(&[1.0; 3]), &mut out[..2]);
    assert_eq!(out, [0.0, 0.0, 9.0, 9.0]);
}

/// `cosine_many` gives each query's block exactly what `cosine_all` of that query gives,
/// with a zero query, a query of another dimension, and blocks longer than the rows.
#[test]
fn cosine_many_equals_cosine_all_per_query() {
    let model = model();
    let index = EmbeddingIndex::from_texts(&model, ["delete a repo", "star repos", "remove", "café"]);
    let queries: Vec<Embedding> = ["remove", "star a repo", "", "delete", "cafe stars", "repos"]
        .iter()
        .map(|q| model.encode(q))
        .chain([Embedding::from_f32(&[1.0; 3])])
        .collect();
    for block in [4, 6] {
        let mut many = vec![9.0; block * queries.len()];
        index.cosine_many(&queries, &mut many);
        for (query, got) in queries.iter().zip(many.chunks(block)) {
            let mut alone = vec![9.0; block];
            index.cosine_all(query, &mut alone);
            assert_eq!(got, alone, "block {block}");
        }
    }
    index.cosine_many(&[], &mut []);
}

#[test]
fn cosine_all_matches_f32_cosines() {
    let model = model();
    let texts = ["delete repos", "star", "remove star", "café repo"];
    let index = EmbeddingIndex::from_texts(&model, texts);
    let query = model.encode("star the repo");
    let mut out = [0.0; 4];
    index.cosine_all(&query, &mut out);
    for (text, got) in texts.iter().zip(out) {
        let want = cosine(&model.encode(text).to_f32(), &query.to_f32());
        assert!((got - want).abs() < 1e-4, "{text}: {got} vs {want}");
    }
}

#[test]
fn push_of_another_dimension_is_a_zero_row() {
    let mut index = EmbeddingIndex::new(2);
    assert!(index.is_empty());
    index.push(&Embedding::from_f32(&[1.0, 0.0]));
    index.push(&Embedding::from_f32(&[1.0, 0.0, 0.0]));
    let mut out = [1.0; 2];
    index.cosine_all(&Embedding::from_f32(&[1.0, 0.0]), &mut out);
    assert_eq!(out, [1.0, 0.0]);
}

#[test]
fn append_adds_rows_in_order() {
    let mut index = EmbeddingIndex::new(2);
    let mut other = EmbeddingIndex::new(2);
    index.push(&Embedding::from_f32(&[1.0, 0.0]));
    other.push(&Embedding::from_f32(&[0.0, 1.0]));
    index.append(&other);
    index.append(&EmbeddingIndex::from_texts(&model(), ["star"]));
    let mut out = [9.0; 3];
    index.cosine_all(&Embedding::from_f32(&[0.0, 1.0]), &mut out);
    assert_eq!(out, [0.0, 1.0, 0.0], "another dimension's rows are zero rows");
}

fn error(bytes: Vec<u8>) -> FormatError {
    StaticModel::from_vec(bytes).unwrap_err()
}

#[test]
fn malformed_files_are_errors_naming_the_offset() {
    let good = table_file(&["ab", "c"], &[vec![1, 2, 3], vec![4, 5, 6]], &[1.0, 1.0]);
    assert!(StaticModel::from_vec(good.clone()).is_ok());
    // Layout: header 0..20, vocab 20..24 ("ab\nc"), scales 24..32, table 32..38.
    assert_eq!(good.len(), 38);

    let e = error(b"GGUF0001".to_vec());
    assert!(matches!(e, FormatError::BadMagic { .. }), "{e}");
    assert!(e.to_string().starts_with("offset 0: "), "{e}");
    assert!(matches!(error(Vec::new()), FormatError::BadMagic { .. }));

    for cut in [10, 22, 30, 37] {
        let e = error(good[..cut].to_vec());
        let FormatError::Truncated { len, part, .. } = &e else { panic!("{cut}: {e}") };
        assert_eq!(*len, cut);
        let want = match cut {
            10 => "header",
            22 => "vocabulary",
            30 => "row scales",
            _ => "table",
        };
        assert_eq!(*part, want, "{e}");
    }
    assert_eq!(
        error(good[..30].to_vec()).to_string(),
        "offset 24: the file ends at byte 30, but the row scales needs bytes 24..32; \
         the file is truncated: copy or regenerate it again"
    );

    let mut bad = good.clone();
    bad[21] = 0xFF;
    assert_eq!(error(bad), FormatError::VocabNotUtf8 { offset: 21 });

    let mut bad = good.clone();
    bad[8] = 3; // rows = 3, but 2 tokens
    let e = error(bad);
    assert!(matches!(e, FormatError::Inconsistent { offset: 20, .. }), "{e}");
    assert!(e.to_string().contains("3 rows but the vocabulary holds 2 tokens"), "{e}");

    let mut bad = good.clone();
    bad[12] = 0; // dim = 0
    assert!(matches!(error(bad), FormatError::Inconsistent { offset: 12, .. }));

    let mut bad = good.clone();
    bad.push(0);
    let e = error(bad);
    assert!(e.to_string().starts_with("offset 38: 1 bytes follow the end of the table"), "{e}");

    let mut bad = good.clone();
    bad[28..32].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(matches!(error(bad), FormatError::BadScale { offset: 28, row: 1, .. }));

    let mut huge = good.clone();
    huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(error(huge), FormatError::Inconsistent { .. }));

    // Padding must be zero: a 3-byte vocab leaves 1 byte of padding at 23.
    let mut padded = table_file(&["a", "b"], &[vec![1], vec![2]], &[1.0, 1.0]);
    padded[23] = 7;
    assert!(matches!(error(padded), FormatError::Inconsistent { offset: 23, .. }));
}

#[test]
fn from_path_names_the_file() {
    let missing = std::path::Path::new("/nonexistent/static-embeddings.bin");
    let e = StaticModel::from_path(missing).unwrap_err();
    assert!(e.to_string().starts_with("/nonexistent/static-embeddings.bin: "), "{e}");
}

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

/// The encoder remembers words across texts and still gives `encode`'s embeddings:
/// repeated words, unknown words, punctuation and accents included.
#[test]
fn the_encoder_equals_encode() {
    let model = model();
    let mut encoder = model.encoder();
    let texts = ["Star repos!", "star star REPO", "", "zzz star", "remove the repos, delete", "Café", "star repos!"];
    for text in texts.iter().chain(&texts) {
        assert_eq!(encoder.encode(text), model.encode(text), "{text:?}");
    }
}

proptest::proptest! {
    /// The quantiser's rounding is `f32::round` (half away from zero) clamped to ±127.
    #[test]
    fn rounding_is_half_away_from_zero(whole in -140i32..140, fraction in 0.0f32..1.0, half in proptest::bool::ANY) {
        let y = whole as f32 + if half { 0.5 } else { fraction };
        for y in [y, -y] {
            proptest::prop_assert_eq!(crate::model::round_to_i8(y), y.round().clamp(-127.0, 127.0) as i8, "{}", y);
        }
    }
}
