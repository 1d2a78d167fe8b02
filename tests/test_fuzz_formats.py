"""Fuzzing the word2vec readers: damaged files load completely or raise ValueError.

Valid text and binary files are generated, then truncated, overwritten,
extended, cut or replaced by random bytes. Whatever the result, the reader
must either load exactly the number of rows its header declares, or raise
:class:`ValueError`: never hang, never raise another exception type, never
return a partial result.

TODO: fuzz the model-file loader (``w2v_numpy.loading.load_model``) the same way
once it exists.
"""
import contextlib
import re
import signal
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from w2v_numpy.files.word2vec_format import load_word2vec_format, save_word2vec_format

WORD_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters=" \t\n\r")
SETTINGS = settings(max_examples=120, deadline=2000, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def valid_files(draw, binary):
    """Bytes of a valid file, built here (not by our writer) with varied number spellings."""
    n, dim = draw(st.integers(0, 5)), draw(st.integers(1, 4))
    words = draw(st.lists(st.text(WORD_CHARS, min_size=1, max_size=6), min_size=n, max_size=n,
                          unique=True))
    values = np.array(draw(st.lists(st.floats(width=32), min_size=n * dim, max_size=n * dim)),
                      dtype="<f4").reshape(n, dim)
    out = [f"{n} {dim}\n".encode()]
    for word, row in zip(words, values):
        if binary:
            out.append(word.encode() + b" " + row.tobytes() + draw(st.sampled_from([b"\n", b""])))
        else:
            spell = draw(st.sampled_from([repr, "{:.9g}".format, "{:.3e}".format]))
            out.append(f"{word} {' '.join(spell(float(v)) for v in row)}\n".encode())
    return b"".join(out)


@st.composite
def damaged(draw, binary):
    """A valid file with up to three random changes, or plain random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    data = bytearray(draw(valid_files(binary)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["truncate", "overwrite", "insert", "delete", "header"]))
        if kind == "truncate":
            del data[where:]
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=4))
            data[where:where + len(chunk)] = chunk
        elif kind == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
                [b"\n", b" ", b"1 ", b" nan", b"\xd0"]))
        elif kind == "delete":
            del data[where:where + draw(st.integers(1, 6))]
        else:
            rest = data[data.index(b"\n"):] if b"\n" in data else b""
            header = f"{draw(st.integers(-2, 10 ** 12))} {draw(st.integers(-1, 10 ** 7))}"
            data = bytearray(header.encode() + rest)
    return bytes(data)


@contextlib.contextmanager
def time_limit(seconds):
    """Fail (with TimeoutError, which is not a ValueError) instead of hanging."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(*_):
        raise TimeoutError("reader did not finish")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_outcome(data, binary):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed"
        path.write_bytes(data)
        with time_limit(5):
            try:
                keys, vectors = load_word2vec_format(path, binary=binary)
            except ValueError as e:
                assert str(path) in str(e)  # the message names the file
                return "error"
    header = re.match(rb"\s*(\d+)\s+(\d+)\s*\n", data)
    assert header, "loaded a file without a valid header"
    n, dim = int(header.group(1)), int(header.group(2))
    assert len(keys) == n == len(set(keys)) and vectors.shape == (n, dim)
    return "loaded"


@SETTINGS
@given(damaged(binary=False))
def test_fuzz_text_reader(data):
    event(check_outcome(data, binary=False))


@SETTINGS
@given(damaged(binary=True))
def test_fuzz_binary_reader(data):
    event(check_outcome(data, binary=True))


@settings(SETTINGS, max_examples=60)
@given(st.booleans(), st.data())
def test_valid_files_always_load(binary, data):
    assert check_outcome(data.draw(valid_files(binary)), binary) == "loaded"


@settings(SETTINGS, max_examples=20)
@given(st.booleans(), valid_files(binary=False))
def test_our_writer_output_always_loads(binary, text):
    """Whatever words and values the reader accepts, the writer writes back loadably."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v"
        path.write_bytes(text)
        keys, vectors = load_word2vec_format(path)
        save_word2vec_format(path, keys, vectors, binary=binary)
        again, vectors_again = load_word2vec_format(path, binary=binary)
    assert again == keys
    np.testing.assert_array_equal(vectors_again, vectors)


@pytest.mark.parametrize("binary", [False, True])
def test_every_truncation_of_a_valid_file_is_an_error(binary):
    words = ["кот", "b", "c"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v"
        save_word2vec_format(path, words, np.arange(9, dtype=np.float32).reshape(3, 3) + 0.5,
                             binary=binary)
        data = path.read_bytes()
    # every byte is needed, except the optional newline after the last binary row
    for cut in range(len(data) - 1 if binary else len(data)):
        assert check_outcome(data[:cut], binary) == "error", cut
