"""Facebook fastText .bin files: read them, write ours, refuse the bad ones.

The fastText-wheel parts (``import fasttext``) are skipped when it is not installed;
the format itself (round trips, bad files) is tested either way.
"""
import os
import random
import struct
import subprocess
import sys

import numpy as np
import pytest

from w2v_numpy.errors import ModelFileError, W2VError
from w2v_numpy.fasttext import FastText
from w2v_numpy.files.fasttext_bin import MAGIC, read_fasttext_bin, write_fasttext_bin
from w2v_numpy.loading import load_vectors
from w2v_numpy.vectors.subword_vectors import FastTextKeyedVectors

TOL = 1e-5
#: Unseen words: ASCII, a prefix of known words, Cyrillic (sign-extended hash bytes),
#: too short for any n-gram, and one whose n-grams are all new.
UNSEEN = ["zzkalo", "kalomi", "ёжик", "çeça", "x", "ab", "qqqqwwwweeee"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(0)
    syll = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ёж", "çe"]
    vocab = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(150)]
    path = tmp_path_factory.mktemp("ftbin") / "corpus.txt"
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(300):
            f.write(" ".join(rng.choice(vocab) for _ in range(12)) + "\n")
    return path


@pytest.fixture(scope="module")
def ours(corpus):
    """One of our skip-gram FastText models, trained in a second."""
    return FastText(corpus_file=str(corpus), sg=1, vector_size=8, min_count=1, min_n=3,
                    max_n=6, bucket=2000, epochs=1, progress=False)


def max_diff(a, b, words):
    return max(float(np.abs(np.asarray(a(w)) - np.asarray(b(w))).max()) for w in words)


# --- fastText -> ours ---------------------------------------------------------------------

def test_read_a_fasttext_model(corpus, tmp_path):
    fasttext = pytest.importorskip("fasttext")
    ft = fasttext.train_unsupervised(str(corpus), model="skipgram", dim=8, epoch=1, minn=3,
                                     maxn=6, bucket=2000, minCount=1, thread=1, verbose=0)
    path = tmp_path / "theirs.bin"
    ft.save_model(str(path))
    kv = load_vectors(path)                               # recognised by its magic number
    assert isinstance(kv, FastTextKeyedVectors)
    assert (kv.min_n, kv.max_n, kv.bucket, kv.vector_size) == (3, 6, 2000, 8)
    assert kv.index_to_key == ft.get_words()
    assert "</s>" in kv.key_to_index                       # fastText's end of line: no n-grams
    assert max_diff(kv.get_vector, ft.get_word_vector, ft.get_words()) < TOL
    assert max_diff(kv.get_vector, ft.get_word_vector, UNSEEN) < TOL
    assert not np.any(kv.get_vector("x"))                  # no n-gram: zero, as fastText


# --- ours -> fastText ---------------------------------------------------------------------

@pytest.mark.parametrize("sg", [1, 0])
def test_write_ours_for_fasttext(corpus, tmp_path, sg):
    fasttext = pytest.importorskip("fasttext")
    model = FastText(corpus_file=str(corpus), sg=sg, vector_size=8, min_count=1, min_n=3,
                     max_n=5, bucket=500, epochs=1, progress=False)
    path = tmp_path / "ours.bin"
    model.save_facebook(path)
    ft = fasttext.load_model(str(path))
    wv = model.wv
    assert ft.get_words() == list(model.vocab.words)
    assert ft.get_dimension() == 8
    assert max_diff(wv.get_vector, ft.get_word_vector, ft.get_words()) < TOL
    assert max_diff(wv.get_vector, ft.get_word_vector, UNSEEN) < TOL
    assert np.array_equal(ft.get_output_matrix(), np.asarray(model.model.params["W_out"],
                                                             dtype=np.float32))


def test_round_trip_through_our_reader(ours, tmp_path):
    path = tmp_path / "ours.bin"
    ours.save_facebook(path)
    back = load_vectors(path)
    wv = ours.wv
    assert back.index_to_key == wv.index_to_key
    assert max_diff(wv.get_vector, back.get_vector, wv.index_to_key + UNSEEN) == 0.0
    parts = read_fasttext_bin(path, with_output=True)
    assert parts["args"]["model"] == 2 and parts["args"]["loss"] == 2
    assert np.array_equal(parts["counts"], ours.vocab.counts)
    assert np.array_equal(parts["output"], np.asarray(ours.model.params["W_out"]))


def synthetic(tmp_path, words, maxn=6, bucket=50, dim=4, name="syn.bin"):
    rng = np.random.default_rng(0)
    V = len(words)
    W_in, W_ng, W_out = (rng.standard_normal(s).astype(np.float32)
                         for s in ((V, dim), (bucket, dim), (V, dim)))
    path = tmp_path / name
    write_fasttext_bin(path, words, np.arange(V, 0, -1), W_in, W_ng, W_out,
                       minn=3 if maxn else 0, maxn=maxn, sg=True)
    return path, W_in


def test_end_of_sentence_and_no_ngrams(tmp_path):
    """fastText's two exceptions: ``</s>`` is its word row alone; maxn=0 means word rows only."""
    path, W_in = synthetic(tmp_path, ["</s>", "alpha", "beta"])
    kv = load_vectors(path)
    assert np.array_equal(kv["</s>"], W_in[0])
    assert not np.allclose(kv["alpha"], W_in[1])
    path0, W_in0 = synthetic(tmp_path, ["</s>", "alpha", "beta"], maxn=0, bucket=0, name="n0.bin")
    kv0 = load_vectors(path0)
    assert np.array_equal(kv0.vectors, W_in0)
    assert not np.any(kv0.get_vector("unseen"))
    fasttext = pytest.importorskip("fasttext")
    for p, k in ((path, kv), (path0, kv0)):
        ft = fasttext.load_model(str(p))
        words = ["</s>", "alpha", "beta", "alphabet"]
        assert max_diff(k.get_vector, ft.get_word_vector, words) < TOL


# --- bad files ----------------------------------------------------------------------------

def offsets(path, V, bucket, dim):
    """Byte offsets of the quant_input flag and of the qout flag."""
    size = os.path.getsize(path)
    qout = size - (1 + 16 + V * dim * 4)
    return qout - (1 + 16 + (V + bucket) * dim * 4), qout


def patched(tmp_path, good, name, edit):
    data = bytearray(good.read_bytes())
    edit(data)
    bad = tmp_path / name
    bad.write_bytes(bytes(data))
    return bad


def bad_files(tmp_path):
    good, _ = synthetic(tmp_path, ["alpha", "beta", "gamma"], bucket=20, dim=4)
    quant, qout = offsets(good, 3, 20, 4)
    data = good.read_bytes()

    def put(offset, fmt, value):
        return lambda d: d.__setitem__(slice(offset, offset + struct.calcsize(fmt)),
                                       struct.pack(fmt, value))

    return {
        "wrong magic": (patched(tmp_path, good, "magic.bin", put(0, "<i", MAGIC + 1)),
                        "wrong magic number"),
        "wrong version": (patched(tmp_path, good, "version.bin", put(4, "<i", 13)),
                          "unsupported fastText format version 13"),
        "quantized input": (patched(tmp_path, good, "quant.ftz", put(quant, "<?", True)),
                            "quantized input matrix"),
        "quantized output": (patched(tmp_path, good, "qout.bin", put(qout, "<?", True)),
                             "quantized output matrix"),
        "pruned dictionary": (patched(tmp_path, good, "pruned.bin", put(8 + 56 + 12 + 8, "<q", 0)),
                              "pruned dictionary"),
        "truncated input matrix": (patched(tmp_path, good, "short.bin",
                                           lambda d: d.__delitem__(slice(quant + 100, None))),
                                   "the input matrix is truncated"),
        "truncated output matrix": (patched(tmp_path, good, "short2.bin",
                                            lambda d: d.__delitem__(slice(len(data) - 3, None))),
                                    "the output matrix is truncated"),
        "truncated dictionary": (patched(tmp_path, good, "short3.bin",
                                         lambda d: d.__delitem__(slice(8 + 56 + 30, None))),
                                 "truncated"),
        "header only": (patched(tmp_path, good, "short4.bin",
                                lambda d: d.__delitem__(slice(6, None))), "shorter than"),
    }


def test_bad_files_are_refused_on_one_line(tmp_path):
    for what, (path, problem) in bad_files(tmp_path).items():
        with pytest.raises(ModelFileError) as info:
            FastTextKeyedVectors.load_fasttext_format(path)
        msg = str(info.value)
        assert isinstance(info.value, W2VError)
        assert "\n" not in msg, what
        assert str(path) in msg and problem in msg, (what, msg)


def test_load_vectors_routes_by_magic_number(tmp_path):
    files = bad_files(tmp_path)
    with pytest.raises(ModelFileError, match="quantized input matrix"):
        load_vectors(files["quantized input"][0])          # .ftz: always read as fastText
    with pytest.raises(ModelFileError, match="truncated"):
        load_vectors(files["truncated input matrix"][0])  # .bin with fastText's magic
    with pytest.raises(W2VError) as info:                  # other .bin: word2vec binary as before
        load_vectors(files["wrong magic"][0])
    assert "fastText" not in str(info.value)


def test_cli_refuses_a_quantized_model_on_one_line(tmp_path):
    path = bad_files(tmp_path)["quantized input"][0]
    proc = subprocess.run([sys.executable, "-m", "w2v_numpy", "neighbors", str(path), "alpha"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "quantized" in lines[0], proc.stderr


def test_writer_refuses_bad_input(tmp_path):
    z = np.zeros((2, 4), dtype=np.float32)
    with pytest.raises(W2VError, match="NUL"):
        write_fasttext_bin(tmp_path / "x.bin", ["a\0b", "c"], [2, 1], z, z, z, minn=3, maxn=6,
                           sg=True)
    with pytest.raises(W2VError, match="count"):
        write_fasttext_bin(tmp_path / "x.bin", ["a", "c"], [2, 0], z, z, z, minn=3, maxn=6,
                           sg=True)
    assert not (tmp_path / "x.bin").exists()
