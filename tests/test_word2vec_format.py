"""word2vec text/binary files: round trips, gensim interop both ways, malformed input, atomic writes."""
import os

import numpy as np
import pytest

from w2v_numpy.vectors.keyedvectors import KeyedVectors
from w2v_numpy.files.atomic import atomic_open
from w2v_numpy.files.word2vec_format import load_word2vec_format, save_word2vec_format

WORDS = ["кот", "сидит", "на", "коврике", "the", "Ünïcödé", "x_1", "日本"]


def sample(dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((len(WORDS), 7)).astype(dtype)
    return KeyedVectors(WORDS, vectors)


def binary_bytes(rows, newline, header=None):
    """A binary file by hand: rows of (word, float list); ``newline`` after each row or not."""
    dim = len(rows[0][1])
    out = header if header is not None else f"{len(rows)} {dim}\n".encode()
    for word, values in rows:
        out += word.encode() + b" " + np.asarray(values, dtype="<f4").tobytes() + newline
    return out


@pytest.mark.parametrize("binary", [False, True])
def test_round_trip_is_exact(tmp_path, binary):
    kv = sample()
    kv.vectors[0, :3] = [1e-30, -3.4e38, 1.4e-45]  # tiny, huge and subnormal values survive exactly
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=binary)
    back = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert back.index_to_key == WORDS and back.vectors.dtype == np.float32
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert open(path, "rb").read().startswith(f"{len(WORDS)} 7\n".encode())
    limited = KeyedVectors.load_word2vec_format(path, binary=binary, limit=3)
    assert limited.index_to_key == WORDS[:3]
    np.testing.assert_array_equal(limited.vectors, kv.vectors[:3])


def test_float64_text_keeps_full_precision(tmp_path):
    kv = sample(np.float64)
    kv.save_word2vec_format(tmp_path / "v.txt")
    _, vectors = load_word2vec_format(tmp_path / "v.txt", dtype=np.float64)
    np.testing.assert_array_equal(vectors, kv.vectors)


@pytest.mark.parametrize("newline", [b"\n", b""])
def test_binary_rows_with_or_without_newline(tmp_path, newline):
    rows = [("a", [1, 2]), ("кот", [3.5, -4]), ("b", [0, 1e-3])]
    path = tmp_path / "v.bin"
    path.write_bytes(binary_bytes(rows, newline))
    keys, vectors = load_word2vec_format(path, binary=True)
    assert keys == ["a", "кот", "b"]
    np.testing.assert_array_equal(vectors, np.array([r[1] for r in rows], dtype=np.float32))


def test_text_reader_tolerates_crlf_and_trailing_space(tmp_path):
    path = tmp_path / "v.vec"
    path.write_bytes(b"2 3\r\nfoo 1 2 3 \r\nbar -1e-2 0.5 7\r\n\r\n")
    keys, vectors = load_word2vec_format(path)
    assert keys == ["foo", "bar"] and vectors[1].tolist() == pytest.approx([-0.01, 0.5, 7])


def test_unicode_errors_option(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(b"1 1\n\xd0\xba\xd0 " + np.float32(1).tobytes())  # word cut mid-character
    with pytest.raises(ValueError, match="UTF-8"):
        load_word2vec_format(path, binary=True)
    keys, _ = load_word2vec_format(path, binary=True, unicode_errors="replace")
    assert keys == ["к\ufffd"]


TEXT_OK = b"2 3\nfoo 1 2 3\nbar 4 5 6\n"
MALFORMED_TEXT = {
    "empty": (b"", "empty file"),
    "no header line": (b"2 3", "no 'V d' line"),
    "header with words": (b"two three\nfoo 1 2 3\n", "bad header"),
    "header with three fields": (b"2 3 4\nfoo 1 2 3\n", "bad header"),
    "negative count": (b"-2 3\nfoo 1 2 3\n", "bad header"),
    "zero size": (b"2 0\nfoo\nbar\n", "vector size 0"),
    "missing rows": (b"3 3\nfoo 1 2 3\nbar 4 5 6\n", "truncated"),
    "cut mid-row": (TEXT_OK[:-4], "truncated at row 2"),
    "cut in the last number": (TEXT_OK[:-2], "ends without a newline"),
    "blank line": (b"2 3\nfoo 1 2 3\n\nbar 4 5 6\n", "empty line"),
    "too many values": (b"2 3\nfoo 1 2 3 4\nbar 4 5 6\n", "expected 3 values"),
    "too few values": (b"2 3\nfoo 1 2\nbar 4 5 6\n", "expected 3 values"),
    "non-numeric": (b"2 3\nfoo 1 x 3\nbar 4 5 6\n", "non-numeric value b?'x'"),
    "duplicate word": (b"2 3\nfoo 1 2 3\nfoo 4 5 6\n", "repeats row 1"),
    "extra rows": (TEXT_OK + b"baz 7 8 9\n", "unexpected data after the 2 vectors"),
    "huge count": (b"99999999999999 3\nfoo 1 2 3\n", "truncated"),
    "huge size": (b"1 99999999999\nfoo 1\n", "vector size"),
    "bad utf-8 word": (b"1 1\n\xff\xfe 1\n", "UTF-8"),
    "binary data": (binary_bytes([("a", [1.0, 2.0, 3.0])], b"\n", b"1 3\n"),
                    "UTF-8|values|non-numeric|truncated"),
}


BIN_OK = binary_bytes([("foo", [1, 2, 3]), ("bar", [4, 5, 6])], b"\n")
MALFORMED_BINARY = {
    "cut mid-vector": (BIN_OK[:-5], "truncated"),
    "cut mid-word": (BIN_OK[:BIN_OK.index(b"bar") + 2], "truncated"),
    "missing rows": (b"3" + BIN_OK[1:], "truncated"),
    "size too small": (b"2 2" + BIN_OK[3:], "unexpected data|garbled|repeats"),
    "size too large": (b"2 4" + BIN_OK[3:], "truncated"),
    "text file read as binary": (b"2 3\nfoo 1 2 3\nbar 4 5 6\n", "truncated|garbled"),
    "empty word": (b"2 1\nab " + np.float32(1).tobytes() + b"\n " + np.float32(2).tobytes(),
                   "row 2: empty word"),
    "duplicate word": (binary_bytes([("a", [1]), ("a", [2])], b""), "repeats row 1"),
    "header only": (b"2 3\n", "truncated"),
}


@pytest.mark.parametrize("binary,case", [(False, c) for c in sorted(MALFORMED_TEXT)]
                         + [(True, c) for c in sorted(MALFORMED_BINARY)])
def test_malformed_files_raise_value_error(tmp_path, binary, case):
    data, message = (MALFORMED_BINARY if binary else MALFORMED_TEXT)[case]
    path = tmp_path / "bad.vec"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message) as err:
        load_word2vec_format(path, binary=binary)
    assert str(path) in str(err.value)  # the message names the file


def test_missing_file_is_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_word2vec_format(tmp_path / "nope.vec")


def test_empty_vocabulary_round_trips(tmp_path):
    kv = KeyedVectors([], np.zeros((0, 4), dtype=np.float32))
    kv.save_word2vec_format(tmp_path / "e.bin", binary=True)
    assert len(KeyedVectors.load_word2vec_format(tmp_path / "e.bin", binary=True)) == 0


@pytest.mark.parametrize("word", ["two words", "", "new\nline", "tab\there"])
def test_unwritable_words_are_rejected(tmp_path, word):
    with pytest.raises(ValueError, match="cannot store word"):
        save_word2vec_format(tmp_path / "v.vec", [word], np.ones((1, 2)))
    assert not os.listdir(tmp_path)


def test_writes_are_atomic(tmp_path):
    path = tmp_path / "v.vec"
    sample().save_word2vec_format(path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        with atomic_open(path) as f:
            f.write(b"partial")
            raise RuntimeError("crash while writing")
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["v.vec"]
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


# --- interop with gensim ------------------------------------------------------------------

@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_files(tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    kv = sample()
    path = tmp_path / ("v.bin" if binary else "v.vec")
    kv.save_word2vec_format(path, binary=binary)
    g = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert g.index_to_key == WORDS
    np.testing.assert_array_equal(g.vectors, kv.vectors)
    for word in WORDS[:3]:
        assert g.most_similar(word, topn=5) == kv.most_similar(word, topn=5)
    assert g.most_similar(positive=["кот", "на"], negative=["the"], topn=4) == \
        kv.most_similar(positive=["кот", "на"], negative=["the"], topn=4)


@pytest.mark.parametrize("binary", [False, True])
def test_we_read_gensim_files(tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    g = gensim_models.KeyedVectors(7)
    g.add_vectors(WORDS, sample(seed=1).vectors)
    path = tmp_path / "g.vec"
    g.save_word2vec_format(str(path), binary=binary)
    kv = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert kv.index_to_key == g.index_to_key
    np.testing.assert_array_equal(kv.vectors, g.vectors)
    assert kv.most_similar("сидит", topn=3) == g.most_similar("сидит", topn=3)
