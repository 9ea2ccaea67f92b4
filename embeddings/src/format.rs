//! The `static-embeddings.bin` layout: the header, the vocabulary, the row scales and
//! the int8 table, checked byte by byte ([`parse`]) with errors that name the offset.

use thiserror::Error;

/// The 8 bytes every file starts with (the format's name and version).
pub(crate) const MAGIC: &[u8; 8] = b"TSEMB001";

/// The header's size: magic, `rows`, `dim`, `vocab_bytes`.
pub(crate) const HEADER_LEN: usize = 20;

/// What is wrong with a `static-embeddings.bin` file, and at which byte offset.
///
/// The file is produced by the offline export script; any of these means the file is
/// damaged, truncated or of another format: regenerate it (see `embeddings/data/README.md`).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file does not start with `TSEMB001`.
    #[error(
        "offset 0: the file does not start with the magic `TSEMB001` (found {found:?}); \
         it is not a toolsmith static-embeddings file of format version 001: regenerate it"
    )]
    BadMagic {
        /// The first (up to 8) bytes of the file, lossily decoded.
        found: String,
    },
    /// The file ends before a part the header announces.
    #[error(
        "offset {offset}: the file ends at byte {len}, but the {part} needs bytes \
         {offset}..{end}; the file is truncated: copy or regenerate it again"
    )]
    Truncated {
        /// Where the part starts.
        offset: usize,
        /// Where the part ends (exclusive).
        end: usize,
        /// The file's length.
        len: usize,
        /// Which part: "header", "vocabulary", "row scales", "table".
        part: &'static str,
    },
    /// The vocabulary is not valid UTF-8.
    #[error(
        "offset {offset}: the vocabulary is not valid UTF-8 (the tokens must be UTF-8 joined by \
         `\\n`); regenerate the file"
    )]
    VocabNotUtf8 {
        /// The offset of the first invalid byte.
        offset: usize,
    },
    /// The header's sizes do not add up: the vocabulary's token count differs from
    /// `rows`, `dim` is 0, a size overflows, or bytes follow the table.
    #[error("offset {offset}: {problem}; the header does not match the content: regenerate the file")]
    Inconsistent {
        /// Where the mismatch shows.
        offset: usize,
        /// What does not add up.
        problem: String,
    },
    /// A row scale is not a finite number.
    #[error(
        "offset {offset}: the scale of row {row} is {value}, not a finite number; \
         regenerate the file"
    )]
    BadScale {
        /// The offset of the scale.
        offset: usize,
        /// The row.
        row: usize,
        /// The value read.
        value: f32,
    },
}

/// Where the parts of a checked file are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Rows (= tokens).
    pub(crate) rows: usize,
    /// Dimensions per row.
    pub(crate) dim: usize,
    /// The vocabulary's byte range.
    pub(crate) vocab: (usize, usize),
    /// The offset of the first row scale.
    pub(crate) scales: usize,
    /// The offset of the int8 table.
    pub(crate) table: usize,
}

/// Checks `bytes` against the format and returns where its parts are.
///
/// # Errors
/// [`FormatError`] naming the first thing wrong and its byte offset.
pub(crate) fn parse(bytes: &[u8]) -> Result<Layout, FormatError> {
    let len = bytes.len();
    if bytes.get(..8) != Some(MAGIC.as_slice()) {
        return Err(FormatError::BadMagic { found: String::from_utf8_lossy(&bytes[..len.min(8)]).into_owned() });
    }
    let part = |offset: usize, size: usize, part: &'static str| {
        let end = offset.checked_add(size).ok_or_else(|| overflow(offset, part))?;
        bytes.get(offset..end).map(|slice| (slice, end)).ok_or(FormatError::Truncated { offset, end, len, part })
    };
    let (header, _) = part(8, HEADER_LEN - 8, "header")?;
    let word = |i: usize| {
        let mut le = [0u8; 4];
        le.copy_from_slice(&header[i * 4..i * 4 + 4]);
        u32::from_le_bytes(le) as usize
    };
    let (rows, dim, vocab_bytes) = (word(0), word(1), word(2));
    if dim == 0 {
        return Err(FormatError::Inconsistent { offset: 12, problem: "the header says dim = 0".into() });
    }
    let (vocab, vocab_end) = part(HEADER_LEN, vocab_bytes, "vocabulary")?;
    let text =
        std::str::from_utf8(vocab).map_err(|e| FormatError::VocabNotUtf8 { offset: HEADER_LEN + e.valid_up_to() })?;
    let tokens = if text.is_empty() { 0 } else { text.split('\n').count() };
    if tokens != rows {
        return Err(FormatError::Inconsistent {
            offset: HEADER_LEN,
            problem: format!("the header says {rows} rows but the vocabulary holds {tokens} tokens"),
        });
    }
    let scales = vocab_end.next_multiple_of(4);
    let (padding, _) = part(vocab_end, scales - vocab_end, "padding")?;
    if let Some(at) = padding.iter().position(|&b| b != 0) {
        return Err(FormatError::Inconsistent {
            offset: vocab_end + at,
            problem: "the padding after the vocabulary is not zero".into(),
        });
    }
    let scale_bytes = rows.checked_mul(4).ok_or_else(|| overflow(scales, "row scales"))?;
    let (scale_slice, table) = part(scales, scale_bytes, "row scales")?;
    for (row, chunk) in scale_slice.chunks_exact(4).enumerate() {
        let value = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        if !value.is_finite() {
            return Err(FormatError::BadScale { offset: scales + row * 4, row, value });
        }
    }
    let table_bytes = rows.checked_mul(dim).ok_or_else(|| overflow(table, "table"))?;
    let (_, end) = part(table, table_bytes, "table")?;
    if end != len {
        return Err(FormatError::Inconsistent {
            offset: end,
            problem: format!("{} bytes follow the end of the table", len - end),
        });
    }
    Ok(Layout { rows, dim, vocab: (HEADER_LEN, vocab_end), scales, table })
}

/// The error for a size that overflows `usize`.
fn overflow(offset: usize, part: &str) -> FormatError {
    FormatError::Inconsistent { offset, problem: format!("the size of the {part} overflows") }
}
