"""Tests of the TSEMB001 writer/reader and the static encoder (numpy only; no model):
    cd scripts/embeddings && /work/venv-emb/bin/python -m unittest test_tsemb
"""

import struct
import sys
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evaluate  # noqa: E402
import tsemb  # noqa: E402


class FakeEncoding:
    def __init__(self, ids):
        self.ids = ids


class FakeTokenizer:
    """Whitespace 'WordPiece' over a fixed vocab (id 0 = [UNK])."""

    vocab = {"[UNK]": 0, "[CLS]": 1, "delete": 2, "file": 3, "##s": 4}

    def get_vocab(self):
        return dict(self.vocab)

    def encode(self, text, add_special_tokens=False):
        return FakeEncoding([self.vocab.get(w, 0) for w in text.split()])


def small_table():
    vectors = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [3.0, 1.0, -1.0]], dtype=np.float32)
    scales, rows = tsemb.quantise(vectors)
    return tsemb.Table(tokens=["delete", "##s", "file"], scales=scales, rows=rows), vectors


class FormatTests(unittest.TestCase):
    def test_layout_is_exactly_as_specified(self):
        table, _ = small_table()
        data = tsemb.encode_table(table)
        magic, rows, dim, vocab_bytes = struct.unpack_from("<8sIII", data, 0)
        self.assertEqual((magic, rows, dim), (b"TSEMB001", 3, 3))
        self.assertEqual(data[20 : 20 + vocab_bytes], b"delete\n##s\nfile")
        pad_end = 20 + vocab_bytes + (-(20 + vocab_bytes) % 4)
        self.assertEqual(pad_end % 4, 0)
        self.assertTrue(all(b == 0 for b in data[20 + vocab_bytes : pad_end]))
        self.assertEqual(len(data), pad_end + 4 * 3 + 3 * 3)
        scales = struct.unpack_from("<3f", data, pad_end)
        self.assertAlmostEqual(scales[0], 2.0 / 127, places=6)
        self.assertEqual(scales[1], 0.0)
        self.assertEqual(struct.unpack_from("<3b", data, pad_end + 12), (64, -127, 32))

    def test_round_trip_and_quantisation_error(self):
        table, vectors = small_table()
        back = tsemb.decode_table(tsemb.encode_table(table))
        self.assertEqual(back.tokens, table.tokens)
        np.testing.assert_array_equal(back.rows, table.rows)
        err = np.abs(back.floats() - vectors).max(axis=1)
        self.assertTrue(np.all(err <= np.abs(vectors).max(axis=1) / 254 + 1e-7))

    def test_bad_files_say_what_is_wrong(self):
        table, _ = small_table()
        data = tsemb.encode_table(table)
        with self.assertRaisesRegex(ValueError, "magic"):
            tsemb.decode_table(b"XXXXXXXX" + data[8:])
        with self.assertRaisesRegex(ValueError, "header implies"):
            tsemb.decode_table(data[:-1])
        with self.assertRaisesRegex(ValueError, "shorter than"):
            tsemb.decode_table(data[:5])

    def test_dropped_tokens(self):
        for tok in ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", "[unused0]", "[unused993]"]:
            self.assertTrue(tsemb.is_dropped_token(tok), tok)
        for tok in ["delete", "##s", "[", "unused"]:
            self.assertFalse(tsemb.is_dropped_token(tok), tok)


class EncoderTests(unittest.TestCase):
    def test_normalised_sum_of_known_rows(self):
        table, _ = small_table()
        enc = tsemb.StaticEncoder(table, FakeTokenizer())
        got = enc.encode(["delete file unknownword", "unknownword", ""])
        want = table.floats()[0] + table.floats()[2]
        np.testing.assert_allclose(got[0], want / np.linalg.norm(want), rtol=1e-6)
        np.testing.assert_array_equal(got[1], np.zeros(3, dtype=np.float32))
        np.testing.assert_array_equal(got[2], np.zeros(3, dtype=np.float32))


class EvaluateTests(unittest.TestCase):
    def test_tool_text_and_camel_split(self):
        tool = {"toolkit": "Files", "name": "deleteFiles", "description": "Removes files",
                "parameters": {"properties": {"fileID": {"description": "The file"}, "x": 3}}}
        self.assertEqual(evaluate.tool_text(tool), "Files delete Files Removes files file ID The file x")
        self.assertEqual(evaluate.tool_text(tool, split=False), "Files deleteFiles Removes files fileID The file x")

    def test_metrics_match_bm25_baseline_definitions(self):
        table, _ = small_table()
        enc = tsemb.StaticEncoder(table, FakeTokenizer())
        tools = [{"id": "a", "name": "delete"}, {"id": "b", "name": "file"}]
        queries = [{"query": "file", "relevant": ["b"]}, {"query": "file", "relevant": ["a", "b"]}]
        got = evaluate.evaluate(enc, tools, queries)
        self.assertEqual(got["recall@1"], round((1 + 0.5) / 2, 4))
        self.assertEqual(got["recall@5"], 1.0)
        self.assertEqual(got["mrr@10"], 1.0)
        self.assertEqual((got["tools"], got["queries"]), (2, 2))


if __name__ == "__main__":
    unittest.main()
