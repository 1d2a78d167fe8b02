"""Hostile input, round three: trace's --weights file, and corpora that are not UTF-8 text.

Two kinds of input used to slip through. ``trace --weights`` read anything not
named .npz as JSON, so a foreign file ended in a UnicodeDecodeError or
JSONDecodeError traceback, and ``--example`` ignored the flag outright. A corpus
in UTF-16 or UTF-32, or a binary file, decodes as "UTF-8" without a single
error (ASCII letters between NUL bytes), so training went on over one-letter
words. Each case here must now be one ``error:`` line and exit code 2.
"""
import bz2
import gzip
import json
import lzma
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from test_cli_helpers import ENV, assert_one_line_error, run_cli, snapshot
from w2v_numpy import W2VError, Word2Vec
from w2v_numpy.text.corpus import NUL_SHARE, SNIFF_BYTES, whitespace_tokenize
from w2v_numpy.text.corpus_cache import load_corpus

MODEL_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "v1_cbow_neg.w2vmodel"
TEXT = "the quick brown fox jumps over the lazy dog\n" * 200


def trace_cli(*args):
    return subprocess.run([sys.executable, "-m", "w2v_numpy", "trace", *map(str, args)],
                          capture_output=True, text=True, env=ENV, timeout=120)


# --- trace --weights ---------------------------------------------------------------------
# The input "a b c" with --dim 2 needs W_in and W_out of shape (3, 2).

def _savez(path, **arrays):
    with open(path, "wb") as fh:                 # np.savez would add ".npz" to other names
        np.savez(fh, **arrays)


def _write_npy(path):
    with open(path, "wb") as fh:
        np.save(fh, np.zeros((3, 2)))


def _truncated_npz(path):
    _savez(path, W_in=np.zeros((3, 2)))
    path.write_bytes(path.read_bytes()[:60])


WEIGHTS_CASES = {
    # name: (file name, how to write it (None: do not), words the error must contain)
    "missing": ("nothing.json", None, ["No such file"]),
    "directory": ("adir", lambda p: p.mkdir(), ["Is a directory"]),
    "binary garbage": ("other.model",
                       lambda p: p.write_bytes(np.random.default_rng(0).bytes(4000)),
                       ["neither JSON text nor an .npz archive"]),
    "invalid JSON": ("w.json", lambda p: p.write_text('{"W_in": [[0.1, 0.2],'),
                     ["not valid JSON", "line 1"]),
    "JSON list": ("w.json", lambda p: p.write_text("[[0.1, 0.2]]"), ["JSON list, not an object"]),
    "JSON string values": ("w.json", lambda p: p.write_text('{"W_in": "0.5"}'),
                           ["W_in is not a number"]),
    "JSON ragged rows": ("w.json", lambda p: p.write_text('{"W_in": [[1, 2], [3], [4, 5]]}'),
                         ["W_in is not a number", "rows of equal length"]),
    "JSON null": ("w.json", lambda p: p.write_text('{"W_in": null}'), ["W_in is not a number"]),
    "JSON NaN": ("w.json", lambda p: p.write_text('{"W_in": [[NaN, 1], [1, 1], [1, 1]]}'),
                 ["NaN or infinite"]),
    "JSON empty object": ("w.json", lambda p: p.write_text("{}"), ["holds no arrays"]),
    "JSON unknown name": ("w.json", lambda p: p.write_text('{"W_hidden": [[1, 2]]}'),
                          ["has no parameter 'W_hidden'"]),
    "JSON wrong shape": ("w.json", lambda p: p.write_text('{"W_in": [[1, 2], [3, 4]]}'),
                         ["W_in has shape (2, 2)", "(3, 2)"]),
    "npz without arrays": ("w.npz", lambda p: _savez(p), ["holds no arrays"]),
    "npz wrong shape": ("w.npz", lambda p: _savez(p, W_in=np.zeros((2, 2))),
                        ["W_in has shape (2, 2)", "(3, 2)"]),
    "npz of strings": ("w.npz", lambda p: _savez(p, W_in=np.array(["a", "b"])), ["not numbers"]),
    "npz that is not a zip": ("w.npz", lambda p: p.write_text("hello"), ["not an .npz archive"]),
    "truncated npz": ("w.npz", _truncated_npz, ["not a readable .npz archive"]),
    "lone npy": ("w.npz", _write_npy, ["single .npy array"]),
    "a model file": ("m.w2vmodel", lambda p: p.write_bytes(MODEL_FIXTURE.read_bytes()),
                     ["w2v_numpy model file"]),
}


@pytest.mark.parametrize("case", sorted(WEIGHTS_CASES))
def test_a_bad_weights_file_is_one_line_naming_flag_and_file(tmp_path, case):
    name, write, needles = WEIGHTS_CASES[case]
    path = tmp_path / name
    if write is not None:
        write(path)
    out = trace_cli("--type", "sgram", "--sentence", "a b c", "--weights", path)
    assert_one_line_error(out, "--weights", str(path), *needles)
    assert out.stdout == ""


@pytest.mark.parametrize("exists", [False, True])
def test_example_with_weights_is_refused_not_ignored(tmp_path, exists):
    path = tmp_path / "w.json"
    if exists:
        path.write_text('{"W_in": [[0.1, 0.2]]}')
    out = trace_cli("--example", "skipgram", "--weights", path)
    assert_one_line_error(out, "--example", "--weights")
    assert out.stdout == ""


def _update_row(stdout, label):
    """(before, after) of one row in the update section of ``trace --json``."""
    steps = json.loads(stdout)["steps"]
    (step,) = [s for s in steps if s["section"] == "update" and s["name"] == label]
    return step["value"]


@pytest.mark.parametrize("fmt", ["npz", "json with a UTF-8 BOM", "json named .txt"])
def test_good_weights_are_used_and_the_rest_are_seeded(tmp_path, fmt):
    w_in = np.array([[0.11, 0.22], [0.33, 0.44], [0.55, 0.66]])
    if fmt == "npz":
        path = tmp_path / "w.npz"
        _savez(path, W_in=w_in)
    else:
        path = tmp_path / ("w.json" if "BOM" in fmt else "w.txt")
        path.write_text(json.dumps({"W_in": w_in.tolist()}),
                        encoding="utf-8-sig" if "BOM" in fmt else "utf-8")
    args = ["--type", "sgram", "--sentence", "a b c", "--json"]
    given = trace_cli(*args, "--weights", path)
    seeded = trace_cli(*args)
    assert given.returncode == 0 and seeded.returncode == 0, given.stderr + seeded.stderr
    # the centre word is "b" (the second word): its input row is the file's row 1
    assert _update_row(given.stdout, "W_in[b]")[0] == [0.33, 0.44]
    assert _update_row(seeded.stdout, "W_in[b]")[0] != [0.33, 0.44]
    # W_out was not in the file: it keeps the seeded values
    assert _update_row(given.stdout, "W_out[a]")[0] == _update_row(seeded.stdout, "W_out[a]")[0]


# --- corpora that are not UTF-8 text -----------------------------------------------------

def _with_nuls(n=20_000, every=20):
    """Random non-NUL bytes with one NUL every ``every`` bytes (5%): a stand-in binary."""
    data = bytearray(np.random.default_rng(1).integers(1, 256, n, dtype=np.uint8).tobytes())
    data[::every] = bytes(len(data[::every]))
    return bytes(data)


FOREIGN = {
    # name: (file name, bytes, words the error must contain)
    "utf-16": ("c.txt", TEXT.encode("utf-16"), ["looks like UTF-16 text", "FF FE", "iconv"]),
    "utf-16-be": ("c.txt", b"\xfe\xff" + TEXT.encode("utf-16-be"), ["UTF-16", "FE FF"]),
    "utf-32": ("c.txt", TEXT.encode("utf-32"), ["looks like UTF-32 text", "FF FE 00 00"]),
    "utf-32-be": ("c.txt", b"\x00\x00\xfe\xff" + TEXT.encode("utf-32-be"), ["UTF-32"]),
    "utf-16 without BOM": ("c.txt", TEXT.encode("utf-16-le"), ["NUL bytes", "UTF-16"]),
    "binary": ("c.bin", _with_nuls(), ["has 5.0% NUL bytes in its 20000 bytes", "binary"]),
    "long binary": ("c.bin", _with_nuls(200_000), ["NUL bytes in its first 64 KiB"]),
    "utf-16 gzip": ("c.txt.gz", gzip.compress(TEXT.encode("utf-16")), ["UTF-16"]),
    "utf-32 xz": ("c.txt.xz", lzma.compress(TEXT.encode("utf-32")), ["UTF-32"]),
    "binary bz2": ("c.bin.bz2", bz2.compress(_with_nuls()), ["NUL bytes"]),
}


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_a_corpus_that_is_not_utf8_text_is_refused(tmp_path, case):
    name, data, needles = FOREIGN[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(W2VError, match=r"^[^\n]+$") as info:
        Word2Vec(str(path), vector_size=4, min_count=1, epochs=1, progress=False)
    assert info.value.param == "corpus_file"
    for needle in [str(path), *needles]:
        assert needle in str(info.value), (needle, str(info.value))


def test_the_trainer_refuses_a_utf16_corpus_and_writes_nothing(tmp_path):
    (tmp_path / "c.txt").write_bytes(TEXT.encode("utf-16"))
    before = snapshot(tmp_path)
    out = run_cli(tmp_path, "-d", "c.txt", "-m", "x.model", "-e", "1")
    assert_one_line_error(out, "--data_file", "c.txt", "UTF-16", "iconv -f UTF-16 -t UTF-8")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name, pack", [("c.txt", bytes), ("c.txt.gz", gzip.compress)])
def test_a_utf8_bom_is_dropped_not_glued_to_the_first_word(tmp_path, name, pack):
    path = tmp_path / name
    path.write_bytes(pack(TEXT.encode("utf-8-sig")))
    vocab, _ = load_corpus(str(path), min_count=1, tokenizer=whitespace_tokenize)
    assert "\ufeffthe" not in vocab and vocab.counts[vocab.key_to_index["the"]] == 400
    model = Word2Vec(str(path), vector_size=4, min_count=1, epochs=1, progress=False)
    assert "the" in model.wv and "\ufeffthe" not in model.wv


def test_a_stray_nul_in_text_is_tolerated(tmp_path):
    """The limit is a share, not any NUL: one in a page of text is read as before."""
    path = tmp_path / "c.txt"
    path.write_bytes(TEXT.encode() + b"\x00" + TEXT.encode())
    assert NUL_SHARE * path.stat().st_size > 1 and path.stat().st_size < SNIFF_BYTES
    vocab, corpus = load_corpus(str(path), min_count=1)
    assert corpus.raw_words == 2 * 9 * 200


def test_the_classifier_refuses_a_utf16_training_file(tmp_path):
    (tmp_path / "l.txt").write_text("__label__a the quick fox\n" * 300, encoding="utf-16")
    out = subprocess.run([sys.executable, "-m", "w2v_numpy", "supervised", "--input", "l.txt",
                          "--output", "s.model", "--no_progress"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120, env=ENV)
    assert_one_line_error(out, "--input", "UTF-16")
    assert not (tmp_path / "s.model").exists()
