"""Hostile corpora (issue 15): damaged archives, non-UTF-8 bytes, no examples, huge windows."""
import bz2
import collections
import gzip
import hashlib
import lzma
import os
import tracemalloc
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest

from w2v_numpy import W2VError, Word2Vec
from w2v_numpy.batching import window_batcher as batching
from w2v_numpy.batching import NegativeSampler, WindowBatcher
from w2v_numpy.text.corpus import (MAX_SENTENCE_LENGTH, DecodeWarning, iter_sentences, open_text,
                              whitespace_tokenize)
from w2v_numpy.text.corpus_cache import load_corpus
from w2v_numpy.text.encoding import EncodedCorpus

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic.txt"
FORMATS = {"xz": lzma, "gz": gzip, "bz2": bz2}


def one_corpus(sentences):
    """An EncodedCorpus of the given id sequences, one sentence each."""
    ids = np.concatenate([np.asarray(s, dtype=np.int32) for s in sentences])
    starts = np.cumsum([0] + [len(s) for s in sentences[:-1]]).astype(np.int64)
    return EncodedCorpus(ids, starts, int(ids.size))


# --- damaged compressed corpora ----------------------------------------------------------

@pytest.fixture(scope="module")
def packed():
    """{format: data/synthetic.txt (its first 200 kB) compressed in that format}."""
    text = SYNTHETIC.read_bytes()[:200_000]
    return text, {ext: mod.compress(text) for ext, mod in FORMATS.items()}


def damage(kind, text, blob):
    if kind == "truncated":
        return blob[:5000]
    if kind == "plain text":
        return text[:3000]
    middle = len(blob) // 2                                    # "corrupt": zeros mid-stream
    return blob[:middle] + bytes(64) + blob[middle + 64:]


@pytest.mark.parametrize("kind", ["truncated", "plain text", "corrupt"])
@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_damaged_archives_are_named_errors(tmp_path, packed, ext, kind):
    text, blobs = packed
    path = tmp_path / f"t.{ext}"
    path.write_bytes(damage(kind, text, blobs[ext]))
    with pytest.raises(W2VError) as info:
        load_corpus(path, min_count=1)
    err = info.value
    fmt = {"gz": "gzip"}.get(ext, ext)
    assert err.param == "corpus_file"
    assert err.message.startswith(f"{path}: cannot read it as {fmt} (")
    assert ("truncated" if kind == "truncated" else "damaged") in err.message
    assert isinstance(err.__cause__, (EOFError, lzma.LZMAError, zlib.error, OSError))
    assert "\n" not in str(err)


def test_a_damaged_archive_in_a_glob_is_the_one_named(tmp_path, packed):
    text, blobs = packed
    (tmp_path / "a.txt.gz").write_bytes(blobs["gz"])
    (tmp_path / "b.txt.xz").write_bytes(blobs["xz"][:5000])
    with pytest.raises(W2VError, match="b.txt.xz: cannot read it as xz .truncated or damaged: "
                                       "Compressed file ended before the end-of-stream"):
        load_corpus(str(tmp_path / "*.txt.*"), min_count=1)


def test_whole_archives_read_like_the_text(tmp_path, packed):
    text, blobs = packed
    (tmp_path / "plain.txt").write_bytes(text)
    expected = list(iter_sentences(tmp_path / "plain.txt"))
    for ext, blob in blobs.items():
        (tmp_path / f"c.txt.{ext}").write_bytes(blob)
        assert list(iter_sentences(tmp_path / f"c.txt.{ext}")) == expected


# --- non-UTF-8 input ---------------------------------------------------------------------

def decode_warnings(path, **kw):
    """Read ``path`` through load_corpus; return the DecodeWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_corpus(path, min_count=1, **kw)
    return [w for w in caught if issubclass(w.category, DecodeWarning)]


def test_latin1_file_warns_once_with_the_exact_count(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("le café est chaud\n".encode("latin-1") * 500)     # one bad byte a line
    with pytest.warns(DecodeWarning) as record:
        _, corpus = load_corpus(path, min_count=1)
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith(f"{path}: 500 of its {path.stat().st_size} bytes (5.6%)")
    assert "\n" not in message and issubclass(DecodeWarning, UserWarning)
    assert corpus.raw_words == 500 * 4                                # "caf" survives: replaced


def test_compressed_latin1_counts_decompressed_bytes(tmp_path):
    path = tmp_path / "latin1.txt.gz"
    path.write_bytes(gzip.compress("café\n".encode("latin-1") * 3000))
    (w,) = decode_warnings(path)
    assert f"{path}: 3000 of its 15000 bytes (20.0%)" in str(w.message)


@pytest.mark.skipif(not os.path.isfile("/bin/ls"), reason="needs /bin/ls")
def test_a_binary_file_is_refused():
    """Round three: an executable is mostly NUL bytes, refused up front (it used to train on
    its printable fragments, with a decode warning)."""
    with pytest.raises(W2VError, match=r"/bin/ls has [\d.]+% NUL bytes") as info:
        load_corpus("/bin/ls", min_count=1)
    assert info.value.param == "corpus_file"


def test_clean_utf8_and_a_few_stray_bytes_do_not_warn(tmp_path):
    clean = tmp_path / "clean.txt"
    # many multi-byte characters, so some straddle the decoder's read boundaries
    clean.write_text("кот café 東京 naïve\n" * 20000, encoding="utf-8")
    stray = tmp_path / "stray.txt"
    stray.write_bytes(b"good wo\xffrd\n" * 9 + b"plain words here\n" * 2000)    # 9 bad bytes
    rare = tmp_path / "rare.txt"
    rare.write_bytes(b"x\xff\n" * 10 + b"plain words here\n" * 1000)      # 10 of 17,030: 0.06%
    with warnings.catch_warnings():
        warnings.simplefilter("error", DecodeWarning)
        for path in (clean, stray, rare):
            load_corpus(path, min_count=1)
    many = tmp_path / "many.txt"
    many.write_bytes(b"x\xff\n" * 10 + b"plain words here\n" * 200)       # 10 of 3,430: 0.3%
    (w,) = decode_warnings(many)
    assert "10 of its 3430 bytes" in str(w.message)


def test_lines_are_the_ones_text_mode_gives(tmp_path):
    """Counting changes nothing in what is read: same lines as errors="replace"."""
    rng = np.random.default_rng(0)
    alphabet = np.frombuffer(b"ab \r\n\xc3\xa9\xff\xe2\x82", dtype=np.uint8)
    path = tmp_path / "noise.txt"
    path.write_bytes(rng.choice(alphabet, 300_000).tobytes())
    with open_text(path) as fh:
        expected = list(fh)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DecodeWarning)
        assert [line for (line,) in iter_sentences(path, tokenizer=lambda line: [line])] == expected


def test_each_file_gets_its_own_count_when_readers_interleave(tmp_path):
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_bytes("café\n".encode("latin-1") * 40000)               # 40,000 bad bytes
    good.write_text("кот\n" * 60000, encoding="utf-8")                # several read steps each
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        readers = [iter_sentences(bad), iter_sentences(good)]
        for _ in zip(*readers):                                        # alternate line by line
            pass
        for rest in readers:
            collections.deque(rest, maxlen=0)
    (w,) = [w for w in caught if issubclass(w.category, DecodeWarning)]
    assert str(w.message).startswith(f"{bad}: 40000 of its 200000 bytes")


# --- corpora that give no training example ---------------------------------------------

def test_one_word_per_line_is_rejected_with_the_reason(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("apple\nbanana\ncherry\n" * 50, encoding="utf-8")
    vocab, corpus = load_corpus(path, min_count=1)
    for family in WindowBatcher.FAMILIES:
        with pytest.raises(W2VError) as info:
            WindowBatcher(corpus, np.ones(len(vocab)), family, window=5)
        assert info.value.param == "corpus_file"
        assert "no line has two in-vocabulary words, so no word has a neighbour within the " \
               "window in the same line" in info.value.message
    with pytest.raises(W2VError, match="no line has two"):
        Word2Vec(path, type="sgram_neg", min_count=1, progress=False)


def test_out_of_vocabulary_words_are_no_neighbours(tmp_path):
    path = tmp_path / "rare.txt"
    path.write_text("".join(f"common rare{i}\n" for i in range(30)), encoding="utf-8")
    vocab, corpus = load_corpus(path, min_count=5, tokenizer=whitespace_tokenize)
    with pytest.raises(W2VError, match="no line has two in-vocabulary words"):
        WindowBatcher(corpus, np.ones(len(vocab)), "cbow")
    vocab, corpus = load_corpus(path, min_count=1, tokenizer=whitespace_tokenize)  # now pairs
    assert WindowBatcher(corpus, np.ones(len(vocab)), "cbow").n_chunks == 1


def test_nan_keep_probabilities_are_rejected():
    with pytest.raises(W2VError) as info:
        WindowBatcher(one_corpus([[0, 1, 2]]), np.full(3, np.nan), "sgram")
    assert info.value.param == "sample"


# --- memory bounded by examples, whatever the window -----------------------------------

def test_default_sizes_build_each_chunk_in_one_block():
    """So at the defaults the example stream is exactly the one before blocks existed."""
    longest_chunk = (1 << 17) + MAX_SENTENCE_LENGTH
    assert batching.EXAMPLE_SLOTS // (2 * 7) >= longest_chunk


def reference_examples(corpus, keep_probs, family, window, seed, epoch):
    """The examples of a one-chunk corpus, centre by centre, without blocks or shuffling.

    Same draws as the batcher: keep flags, then one radius per kept token.
    """
    rng = np.random.default_rng([seed, epoch, 0])
    ids = corpus.ids.astype(np.int64)
    sent = corpus.sentence_ids(0, ids.size)
    keep = rng.random(ids.size) < keep_probs[ids]
    ids, sent = ids[keep], sent[keep]
    radius = rng.integers(1, window + 1, size=ids.size)
    out = []
    for i in range(ids.size):
        ctx = [int(ids[j]) for j in range(max(0, i - radius[i]), min(ids.size, i + radius[i] + 1))
               if j != i and sent[j] == sent[i]]
        if family == "sgram":
            out += [(int(ids[i]), c) for c in ctx]
        elif ctx:
            out.append((tuple(ctx), int(ids[i])))
    return out


def as_examples(family, inputs, mask, targets):
    if family == "sgram":
        return list(zip(inputs[:, 0].tolist(), targets.tolist()))
    return [(tuple(row[m].tolist()), int(t)) for row, m, t in zip(inputs, mask, targets)]


@pytest.mark.parametrize("family", WindowBatcher.FAMILIES)
def test_blocked_examples_equal_an_unblocked_reference(monkeypatch, family):
    # distinct ids, so an example tells its positions; windows wider than the sentences
    corpus = one_corpus([np.arange(0, 40), [40], np.arange(41, 111), np.arange(111, 136)])
    keep = np.random.default_rng(3).uniform(0.5, 1.0, 136)
    monkeypatch.setattr(batching, "EXAMPLE_SLOTS", 400)                # blocks of 3 centres
    for shuffle in (False, True):
        b = WindowBatcher(corpus, keep, family, window=60, shuffle=shuffle, seed=4)
        assert b.block == 3 and b.offsets.size == 2 * 60
        got = as_examples(family, *b.chunk_examples(2, 0))
        ref = reference_examples(corpus, keep, family, 60, seed=4, epoch=2)
        if shuffle:
            assert collections.Counter(got) == collections.Counter(ref) and got != ref
        else:
            assert got == ref                                          # same order, too


def test_cbow_slots_stop_at_the_longest_sentence():
    b = WindowBatcher(one_corpus([[1, 2, 3], [4, 5, 6, 7, 8]]), np.ones(9), "cbow",
                      window=10 ** 12, batch_size=100)
    ((*_, batch),) = list(b.iter_epoch(0))
    assert batch.inputs.shape == (8, 8) and batch.mask.sum(axis=1).tolist().count(4) == 5


def digests(stream):
    """(chunk, batch, words_done, hash of its arrays) of each batch, keeping no batch."""
    out = []
    for chunk, b, words, batch in stream:
        h = hashlib.sha1()
        for a in batch:
            h.update(b"-" if a is None else np.ascontiguousarray(a).tobytes())
        out.append((chunk, b, words, h.hexdigest()))
    return out


@pytest.mark.parametrize("family, n, window, batch_size", [("cbow", 6000, 1500, 64),
                                                           ("sgram", 3000, 1000, 4096)])
def test_big_window_resumes_exactly_inside_a_later_block(family, n, window, batch_size):
    ids = np.random.default_rng(0).integers(0, 40, n)
    corpus = one_corpus([ids[:n // 3], ids[n // 3:]])
    counts = np.bincount(ids, minlength=40)
    b = WindowBatcher(corpus, np.full(40, 0.9), family, window=window, batch_size=batch_size,
                      negative=2, sampler=NegativeSampler(counts), seed=5)
    sizes = b._draw_chunk(1, 0).sizes                                  # examples per block
    assert sizes.size >= 3 and b.n_chunks == 1
    ref = digests(b.iter_epoch(1))
    words = [r[2] for r in ref]
    assert words == sorted(words) and words[-1] == n
    assert len(ref) == -(-int(sizes.sum()) // batch_size)
    spanning = int(sizes[0]) // batch_size                             # holds blocks 0 and 1
    inside = (int(sizes[0]) + int(sizes[1]) // 2) // batch_size        # inside block 1
    assert spanning < inside < (int(sizes[0]) + int(sizes[1])) // batch_size
    for start in (spanning, inside):
        assert digests(b.iter_epoch(1, 0, start)) == ref[start:]


def test_memory_is_bounded_whatever_the_window():
    """A one-line corpus of 20,000 tokens at radius 500: all batches of an epoch.

    Before blocks, this took a peak of 0.52 GB (CBOW; skip-gram 0.74 GB), and
    3.4 GB for a full default chunk of 2**17 tokens; now 57 MB (skip-gram 77 MB).
    The bound, 150 MB, is about 70 bytes per slot of a block (EXAMPLE_SLOTS).
    """
    n, radius = 20_000, 500
    ids = np.random.default_rng(1).integers(0, 50, n)
    b = WindowBatcher(one_corpus([ids]), np.ones(50), "cbow", window=radius, batch_size=512)
    assert b.block * 2 * radius <= batching.EXAMPLE_SLOTS and b.block < n
    tracemalloc.start()
    try:
        examples = sum(batch.targets.size for *_, batch in b.iter_epoch(0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert examples == n
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB"
