#!/usr/bin/env python3
"""Static-only retrieval quality of embeddings/data/static-embeddings.bin on the development
sets (shared/data/search-dev/), with the arithmetic the Rust side uses: WordPiece via the
teacher's tokenizer, unknown tokens dropped, query/tool vector = normalised sum of rows,
cosine; metrics as bm25_baseline.py there (recall@1/5/10, hit@5, nDCG@10, MRR@10).
Tool text = toolkit + name + description + parameter names and descriptions; tool and query
text camelCase split as bm25_baseline.py splits (the Rust index's recipe), or not with
--no-camel-split.

    /work/venv-emb/bin/python scripts/embeddings/evaluate.py [--sample N] [--no-camel-split] [--update-provenance]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tsemb  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
_CAMEL1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL2 = re.compile(r"([A-Z]+)([A-Z][a-z])")


def camel_split(s: str) -> str:
    """`getUserID` -> `get User ID` (as bm25_baseline.py splits)."""
    return _CAMEL2.sub(r"\1 \2", _CAMEL1.sub(r"\1 \2", s))


def tool_text(tool: dict, split: bool = True) -> str:
    parts = [tool.get("toolkit", ""), tool.get("name", ""), tool.get("description", "")]
    for pname, pval in ((tool.get("parameters") or {}).get("properties") or {}).items():
        parts.append(pname)
        if isinstance(pval, dict) and pval.get("description"):
            parts.append(str(pval["description"]))
    text = " ".join(p for p in parts if p)
    return camel_split(text) if split else text


def evaluate(encoder: tsemb.StaticEncoder, tools: list[dict], queries: list[dict], split: bool = True) -> dict:
    ids = [t["id"] for t in tools]
    tool_vecs = encoder.encode([tool_text(t, split) for t in tools])
    query_vecs = encoder.encode([camel_split(q["query"]) if split else q["query"] for q in queries])
    scores = query_vecs @ tool_vecs.T
    agg = {k: 0.0 for k in ["recall@1", "recall@5", "recall@10", "hit@5", "ndcg@10", "mrr@10"]}
    for q, row in zip(queries, scores):
        ranked = [ids[j] for j in np.argsort(-row, kind="stable")[:10]]
        rel = set(q["relevant"])
        for k in (1, 5, 10):
            agg[f"recall@{k}"] += len(rel & set(ranked[:k])) / len(rel)
        agg["hit@5"] += 1.0 if rel & set(ranked[:5]) else 0.0
        dcg = sum(1 / math.log2(r + 2) for r, x in enumerate(ranked) if x in rel)
        idcg = sum(1 / math.log2(r + 2) for r in range(min(len(rel), 10)))
        agg["ndcg@10"] += dcg / idcg
        agg["mrr@10"] += next((1 / (r + 1) for r, x in enumerate(ranked) if x in rel), 0.0)
    out = {k: round(v / len(queries), 4) for k, v in agg.items()}
    out.update({"tools": len(tools), "queries": len(queries)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--table", type=Path, default=REPO / "embeddings/data/static-embeddings.bin")
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data/search-dev"))
    ap.add_argument("--sets", default="metatool,sealtools")
    ap.add_argument("--sample", type=int, default=0, help="a fixed random N queries per set (seed 16); 0 = all")
    ap.add_argument("--no-camel-split", action="store_true", help="keep camelCase words whole")
    ap.add_argument("--teacher-dir")
    ap.add_argument("--update-provenance", type=Path, nargs="?", const=REPO / "embeddings/data/PROVENANCE.json")
    args = ap.parse_args()

    table = tsemb.decode_table(args.table.read_bytes())
    encoder = tsemb.StaticEncoder(table, tsemb.load_tokenizer(tsemb.teacher_dir(args.teacher_dir)))
    results = {}
    for name in args.sets.split(","):
        tools = [json.loads(line) for line in open(args.data / f"{name}.tools.jsonl", encoding="utf-8")]
        queries = [json.loads(line) for line in open(args.data / f"{name}.queries.jsonl", encoding="utf-8")]
        if args.sample and args.sample < len(queries):
            queries = random.Random(16).sample(queries, args.sample)
        results[name] = evaluate(encoder, tools, queries, split=not args.no_camel_split)
        print(json.dumps({"set": name, **results[name]}), flush=True)
    if args.update_provenance:
        prov = json.loads(args.update_provenance.read_text(encoding="utf-8"))
        if prov.get("sha256") != tsemb.sha256_file(args.table):
            raise SystemExit(f"error: {args.update_provenance} describes another file than {args.table}")
        key = "measured_static_only" + ("_no_camel_split" if args.no_camel_split else "")
        prov[key] = {
            "method": "evaluate.py: normalised sum of rows, cosine; metrics of bm25_baseline.py; "
            + (f"a fixed random {args.sample} queries per set (seed 16)" if args.sample else "all queries")
            + ("; text not camelCase split" if args.no_camel_split else "; text camelCase split"),
            "data": "shared/data/search-dev (development sets only)",
            **results,
        }
        args.update_provenance.write_text(json.dumps(prov, indent=2) + "\n", encoding="utf-8")
        print(f"updated {args.update_provenance}")


if __name__ == "__main__":
    main()
