//! The kernel protocol: one JSON request per line to the kernel's stdin, one JSON reply
//! per line from its stdout; and [`read_line`], the bounded line reader the host uses
//! for every byte that comes out of a sandbox (the kernel's replies, tool requests).
//!
//! Everything read is untrusted: the reply channel is writable by the cell's code. Lines
//! are bounded, JSON is parsed into a value and picked apart field by field, strings are
//! capped, and a reply whose `id` is not the cell's is ignored.

use serde_json::{json, Value};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// What a cell runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// Python, in the kernel's persistent namespace.
    Python,
    /// A `bash -c` command in the same sandbox (cwd `/home/user`).
    Bash,
}

/// The request line for the `n`th cell of a kernel; `id` is the nonce its reply must
/// carry (unpredictable, so that a cell cannot forge the replies of later cells).
pub(crate) fn request(id: u64, n: u64, kind: CellKind, code: &str, timeout_secs: f64) -> String {
    let kind = match kind {
        CellKind::Python => "python",
        CellKind::Bash => "bash",
    };
    let mut line = json!({ "id": id, "n": n, "kind": kind, "code": code, "timeout": timeout_secs }).to_string();
    line.push('\n');
    line
}

/// A fresh reply nonce: SipHash under the process's random keys, below 2^53 so that
/// any JSON reader keeps it exact.
pub(crate) fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    hasher.finish() >> 11
}

/// What one cell printed and returned. Every string comes from the sandbox: show it, do
/// not act on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellOutput {
    /// The `repr` of the cell's last expression, when it is not `None`.
    pub results: Option<String>,
    /// What the cell wrote to stdout (cut at the output limit, with a marker).
    pub stdout: String,
    /// What the cell wrote to stderr (cut likewise).
    pub stderr: String,
    /// The traceback, the timeout, a bash exit code, or that the sandbox was killed.
    pub error: Option<String>,
    /// Whether stdout was cut.
    pub stdout_truncated: bool,
    /// Whether stderr was cut.
    pub stderr_truncated: bool,
    /// Where the full stdout is, inside the sandbox, when it was cut.
    pub stdout_file_path: Option<String>,
    /// Where the full stderr is, inside the sandbox, when it was cut.
    pub stderr_file_path: Option<String>,
    /// The sandbox was (re)started for this cell: variables of earlier cells are gone,
    /// `/mnt/files` is kept.
    pub started: bool,
    /// The cell ran past the hard timeout (or the kernel died) and the sandbox was
    /// killed; the next cell starts a new one.
    pub killed: bool,
}

/// Reads the kernel's reply to cell `id` from `line`: `None` when it is not that reply
/// (another id, not a JSON object). Strings are capped at `limit` bytes (plus a marker).
pub(crate) fn parse_reply(line: &[u8], id: u64, limit: usize) -> Option<CellOutput> {
    let value: Value = serde_json::from_slice(line).ok()?;
    let reply = value.as_object()?;
    if reply.get("id").and_then(Value::as_u64) != Some(id) {
        return None;
    }
    let text = |key: &str| reply.get(key).and_then(Value::as_str).map(|s| cap(s, limit));
    let flag = |key: &str| reply.get(key).and_then(Value::as_bool).unwrap_or(false);
    Some(CellOutput {
        results: text("results"),
        stdout: text("stdout").unwrap_or_default(),
        stderr: text("stderr").unwrap_or_default(),
        error: text("error"),
        stdout_truncated: flag("stdout_truncated"),
        stderr_truncated: flag("stderr_truncated"),
        stdout_file_path: text("stdout_file_path"),
        stderr_file_path: text("stderr_file_path"),
        started: false,
        killed: false,
    })
}

/// `s`, cut at `limit` bytes (on a character boundary) with a marker.
pub(crate) fn cap(s: &str, limit: usize) -> String {
    if s.len() <= limit {
        return s.to_owned();
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[... truncated by the host: {} more bytes]", &s[..end], s.len() - end)
}

/// A line read with [`read_line`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A whole line, without its newline.
    Whole(Vec<u8>),
    /// A line longer than the limit: its bytes were skipped up to the next newline.
    TooLong,
    /// The end of the stream.
    Eof,
}

/// Reads one line of at most `max` bytes. A longer line is skipped (read and dropped,
/// never buffered whole) and reported as [`Line::TooLong`]. An unfinished last line
/// counts as a line.
pub(crate) async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, max: usize) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(match (too_long, line.is_empty()) {
                (true, _) => Line::TooLong,
                (false, true) => Line::Eof,
                (false, false) => Line::Whole(line),
            });
        }
        let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long && line.len() + chunk.len() <= max {
            line.extend_from_slice(chunk);
        } else {
            too_long = true;
            line = Vec::new();
        }
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            return Ok(if too_long { Line::TooLong } else { Line::Whole(line) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_skipped_not_buffered() {
        let input = format!("short\n{}\nnext\nlast", "x".repeat(100));
        let mut reader = tokio::io::BufReader::with_capacity(8, input.as_bytes());
        assert_eq!(read_line(&mut reader, 10).await.unwrap(), Line::Whole(b"short".to_vec()));
        assert_eq!(read_line(&mut reader, 10).await.unwrap(), Line::TooLong);
        assert_eq!(read_line(&mut reader, 10).await.unwrap(), Line::Whole(b"next".to_vec()));
        assert_eq!(read_line(&mut reader, 10).await.unwrap(), Line::Whole(b"last".to_vec()));
        assert_eq!(read_line(&mut reader, 10).await.unwrap(), Line::Eof);
    }

    #[test]
    fn replies_are_parsed_defensively() {
        assert_eq!(parse_reply(b"not json", 1, 10), None);
        assert_eq!(parse_reply(b"[1]", 1, 10), None);
        assert_eq!(parse_reply(br#"{"id": 2, "results": "x"}"#, 1, 10), None, "another cell's id");
        let out = parse_reply(br#"{"id": 1, "results": 5, "stdout": "0123456789abc", "error": null}"#, 1, 10).unwrap();
        assert_eq!(out.results, None, "a non-string result is dropped");
        assert!(out.stdout.starts_with("0123456789\n[... truncated by the host: 3 more bytes]"));
        assert_eq!(cap("ééé", 3), "é\n[... truncated by the host: 4 more bytes]");
    }
}
