#!/usr/bin/env python3
"""Read embeddings/data/static-embeddings.bin back (TSEMB001, see tsemb.py) and print its
rows, dim and sha256, and the 5 nearest tokens (cosine) of a few words as a sanity check.
(Not named inspect.py: that would shadow the standard library's `inspect` for every
script in this folder, since Python puts the script's folder first on sys.path.)

    /work/venv-emb/bin/python scripts/embeddings/inspect_table.py [--table PATH] [WORD ...]

Needs only numpy (and `tokenizers` + the teacher package for multi-piece words).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tsemb  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--table", type=Path, default=REPO / "embeddings/data/static-embeddings.bin")
    ap.add_argument("words", nargs="*", default=["delete", "refund", "song", "calendar", "email"])
    args = ap.parse_args()

    table = tsemb.decode_table(args.table.read_bytes())
    n_rows, dim = table.rows.shape
    print(f"{args.table}: rows {n_rows}, dim {dim}, sha256 {tsemb.sha256_file(args.table)}")
    vectors = table.floats()
    norms = np.linalg.norm(vectors, axis=1)
    unit = vectors / np.where(norms > 0, norms, 1.0)[:, None]
    row_of = {tok: i for i, tok in enumerate(table.tokens)}
    print(f"row norms: min {norms.min():.4f}, median {np.median(norms):.4f}, max {norms.max():.4f}")
    for word in args.words:
        if word in row_of:
            query = unit[row_of[word]]
        else:  # multi-piece word: normalised sum of its pieces
            encoder = tsemb.StaticEncoder(table, tsemb.load_tokenizer(tsemb.teacher_dir()))
            query = encoder.encode([word])[0]
        sims = unit @ query
        best = [i for i in np.argsort(-sims) if table.tokens[i] != word][:5]
        print(f"{word:>10}: " + ", ".join(f"{table.tokens[i]} {sims[i]:.3f}" for i in best))


if __name__ == "__main__":
    main()
