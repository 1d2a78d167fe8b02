"""The encoded corpus in files: the two passes, chunk reads, the cache and its checks."""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from w2v_numpy.text import encoding
from w2v_numpy.text.corpus import whitespace_tokenize
from w2v_numpy.text.corpus_cache import (CorpusCacheWarning, encode_corpus, load_corpus,
                                         vocab_digest)
from w2v_numpy.text.encoding import EncodedCorpus
from w2v_numpy.text.vocab import Vocab

from test_cli_helpers import assert_one_line_error, run_cli, write_small_corpus


def reference(lines, min_count, max_vocab=None, limit=10000):
    """The encoding written straight from its definition, in memory: tokens of the
    vocabulary in order, one sentence per line that keeps a token, long ones cut."""
    tokens = [line.split() for line in lines]
    words = sorted({t for line in tokens for t in line})
    counts = [sum(line.count(w) for line in tokens) for w in words]
    vocab = Vocab.from_counts(words, counts, min_count=min_count, max_vocab=max_vocab)
    ids, starts = [], []
    for line in tokens:
        kept = [vocab.key_to_index[t] for t in line if t in vocab]
        for at in range(0, len(kept), limit):
            starts.append(len(ids))
            ids.extend(kept[at:at + limit])
    return vocab, np.array(ids, np.int32), np.array(starts, np.int64)


def text_lines(rng, n_lines, n_words=40):
    """Zipf-ish lines, with empty lines and lines of rare words only among them."""
    lines = []
    for _ in range(n_lines):
        kind = rng.random()
        if kind < 0.05:
            lines.append("")
        elif kind < 0.1:
            lines.append(" ".join(f"rare{rng.integers(10**6)}" for _ in range(3)))
        else:
            size = int(rng.integers(1, 30))
            lines.append(" ".join(f"w{min(int(rng.zipf(1.3)), n_words)}" for _ in range(size)))
    return lines


@pytest.mark.parametrize("block, limit, min_count, max_vocab", [
    (1 << 20, 10000, 1, None), (7, 10000, 2, None), (1, 5, 3, None), (13, 4, 1, 6)])
def test_the_two_passes_equal_the_encoding_written_from_its_definition(
        tmp_path, monkeypatch, block, limit, min_count, max_vocab):
    """Blocks of a few tokens (whole lines each, one line may pass the size), emptied
    lines, a vocabulary cut by max_vocab and sentences cut at ``limit``."""
    monkeypatch.setattr(encoding, "BLOCK_TOKENS", block)
    lines = text_lines(np.random.default_rng(block), 300)
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    vocab, corpus = load_corpus(path, min_count=min_count, max_vocab=max_vocab,
                                tokenizer=whitespace_tokenize, max_sentence_length=limit)
    want_vocab, want_ids, want_starts = reference(lines, min_count, max_vocab, limit)
    assert vocab.words == want_vocab.words and vocab.counts.tolist() == want_vocab.counts.tolist()
    np.testing.assert_array_equal(corpus.ids, want_ids)
    np.testing.assert_array_equal(corpus.starts, want_starts)
    assert corpus.longest == np.diff(np.append(want_starts, want_ids.size)).max()
    assert corpus.raw_words == sum(len(line.split()) for line in lines)
    assert corpus.mapped and corpus.origin == "temporary" and not os.path.exists(corpus.folder)


def test_a_read_is_a_copy_of_the_range_with_its_sentences_and_hands_its_pages_back(tmp_path):
    rng = np.random.default_rng(0)
    n = 3_000_000                                          # 12 MB of ids
    starts = np.unique(np.r_[0, rng.integers(1, n, 150_000)]).astype(np.int64)
    rng.integers(0, 1000, n, dtype=np.int32).tofile(tmp_path / encoding.IDS_FILE)
    starts.tofile(tmp_path / encoding.STARTS_FILE)
    meta = {"n_tokens": n, "n_sentences": starts.size, "raw_words": n, "longest": 0}
    corpus = EncodedCorpus.open(str(tmp_path), meta)
    plain = EncodedCorpus(np.fromfile(tmp_path / encoding.IDS_FILE, np.int32), starts, n)
    for begin, end in ((0, 10), (5, 1000), (123_456, 800_000), (n - 77, n)):
        ids, sentence = corpus.read(begin, end)
        assert ids.dtype == np.int64
        np.testing.assert_array_equal(ids, plain.ids[begin:end])
        sid = plain.sentence_ids(begin, end)
        np.testing.assert_array_equal(sentence, sid - sid[0])
    if not os.path.exists("/proc/self/status"):
        pytest.skip("no /proc: resident file pages cannot be read")

    def resident_file_kb():
        status = open("/proc/self/status").read()
        return int(status.split("RssFile:")[1].split()[0])

    before = resident_file_kb()
    for begin in range(0, n, 1 << 17):
        corpus.read(begin, min(n, begin + (1 << 17)))
    assert resident_file_kb() - before < 4000, "the pages of the ids read stayed resident"


def test_a_second_load_maps_the_cache_and_any_change_encodes_anew(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c a\nb a d\n" * 50, encoding="utf-8")
    cache = tmp_path / "cache"
    v1, c1 = load_corpus(path, min_count=1, cache_dir=cache)
    v2, c2 = load_corpus(path, min_count=1, cache_dir=cache)
    assert (c1.origin, c2.origin) == ("encoded", "cache") and c1.folder == c2.folder
    assert v1.words == v2.words and np.array_equal(c1.ids, c2.ids)
    assert np.array_equal(c1.starts, c2.starts) and c1.raw_words == c2.raw_words
    assert load_corpus(path, min_count=2, cache_dir=cache)[1].origin == "encoded"   # a setting
    assert load_corpus(path, min_count=1, tokenizer=whitespace_tokenize,
                       cache_dir=cache)[1].origin == "encoded"                       # the tokenizer
    with open(path, "a", encoding="utf-8") as fh:                                    # the text
        fh.write("e e e e\n")
    v3, c3 = load_corpus(path, min_count=1, cache_dir=cache)
    assert c3.origin == "encoded" and "e" in v3 and c3.folder != c1.folder
    # A vocabulary given whole is part of the key too.
    assert encode_corpus(path, v1, cache_dir=cache).origin == "encoded"
    assert encode_corpus(path, v1, cache_dir=cache).origin == "cache"
    assert encode_corpus(path, Vocab(["a"], [9]), cache_dir=cache).origin == "encoded"
    assert vocab_digest(v1) != vocab_digest(Vocab(["a"], [9]))
    # A tokenizer without a name that says what it does is never cached.
    assert load_corpus(path, min_count=1, tokenizer=lambda s: s.split(),
                       cache_dir=cache)[1].origin == "temporary"


def _damage_truncate(folder):
    with open(folder / encoding.IDS_FILE, "r+b") as fh:
        fh.truncate(8)


def _damage_flip(folder):
    data = bytearray((folder / encoding.IDS_FILE).read_bytes())
    data[5] ^= 0xFF                                 # same size, other bytes
    (folder / encoding.IDS_FILE).write_bytes(bytes(data))


def _damage_meta(folder):
    (folder / encoding.META_FILE).write_text("{not json")


def _damage_vocab(folder):
    os.remove(folder / encoding.VOCAB_FILE)


@pytest.mark.parametrize("damage", [_damage_truncate, _damage_flip, _damage_meta, _damage_vocab])
def test_a_damaged_cache_is_rebuilt_with_a_warning(tmp_path, damage):
    path = tmp_path / "c.txt"
    path.write_text("a b c a\nb a d\n" * 500, encoding="utf-8")
    cache = tmp_path / "cache"
    vocab, corpus = load_corpus(path, min_count=1, cache_dir=cache)
    ids = np.array(corpus.ids)
    folder = type(tmp_path)(corpus.folder)
    del corpus
    damage(folder)
    with pytest.warns(CorpusCacheWarning, match="damaged"):
        again_vocab, again = load_corpus(path, min_count=1, cache_dir=cache)
    assert again.origin == "encoded" and np.array_equal(again.ids, ids)
    assert again_vocab.words == vocab.words
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_corpus(path, min_count=1, cache_dir=cache)[1].origin == "cache"


def test_a_cache_folder_that_cannot_be_made_falls_back_to_a_temporary_one(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c a\n" * 10, encoding="utf-8")
    (tmp_path / "file").write_text("x")
    with pytest.warns(CorpusCacheWarning, match="cannot use the corpus cache"):
        _, corpus = load_corpus(path, min_count=1, cache_dir=tmp_path / "file" / "cache")
    assert corpus.origin == "temporary" and len(corpus) == 40


def test_half_built_folders_of_dead_runs_are_removed(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c a\n" * 10, encoding="utf-8")
    cache = tmp_path / "cache"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    (cache / f".building-{dead}-00").mkdir(parents=True)
    (cache / f".building-{os.getpid()}-00").mkdir()      # a run still going
    load_corpus(path, min_count=1, cache_dir=cache)
    assert sorted(p.name.split("-")[1] for p in cache.glob(".building-*")) == [str(os.getpid())]


def test_the_trainer_encodes_once_then_maps_and_resumes_from_the_cache(tmp_path):
    """Second run and resume say where the corpus came from; --no_cache keeps none;
    conflicting or wrong cache flags are one-line errors."""
    write_small_corpus(tmp_path / "c.txt", 2000)
    cache = tmp_path / "cache"
    tiny = ["-d", "c.txt", "-t", "sgram_neg", "-v", "8", "-e", "2", "--cache_dir", str(cache)]
    first = run_cli(tmp_path, *tiny, "-m", "a.model", "--metrics_json", "a.json")
    assert first.returncode == 0, first.stderr
    assert "corpus: encoded once into" in first.stderr
    stopped = run_cli(tmp_path, *tiny, "-m", "b.model", "--stop_after_batches", "3")
    assert stopped.returncode == 130 and "mapped from the cache" in stopped.stderr
    resumed = run_cli(tmp_path, *tiny, "-m", "b.model")
    assert resumed.returncode == 0 and "mapped from the cache" in resumed.stderr
    assert json.loads((tmp_path / "a.json").read_text())["corpus_from"] == "encoded"
    entries = [p for p in cache.iterdir()]
    assert len(entries) == 1 and (entries[0] / encoding.IDS_FILE).is_file()
    none = run_cli(tmp_path, "-d", "c.txt", "-v", "8", "-e", "1", "-m", "c.model", "--no_cache")
    assert none.returncode == 0 and "temporary folder" in none.stderr
    assert_one_line_error(run_cli(tmp_path, *tiny, "-m", "d.model", "--no_cache"),
                          "--cache_dir", "--no_cache")
    assert_one_line_error(run_cli(tmp_path, *tiny[:-1], "c.txt", "-m", "d.model"),
                          "--cache_dir", "not a directory")
    assert not (tmp_path / "d.model").exists()
    note = run_cli(tmp_path, *tiny, "-m", "e.model", "--memory", "1", "-e", "1")
    assert "note: --memory does not apply to --type sgram_neg" in note.stderr


def test_memory_does_not_grow_with_the_corpus(tmp_path, monkeypatch):
    """Encoding a corpus and drawing every chunk of an epoch (sub-sampling, windows) holds
    about the same memory for 150k tokens as for 4 times as many: no array of corpus size
    is ever made. (Before the files, it was about 23 bytes a token.)"""
    import tracemalloc

    from w2v_numpy.batching import WindowBatcher
    monkeypatch.setattr(encoding, "BLOCK_TOKENS", 1 << 15)
    line = " ".join(f"w{i % 997}" for i in range(50)) + "\n"

    def peak(lines):
        path = tmp_path / f"c{lines}.txt"
        path.write_text(line * lines, encoding="utf-8")
        tracemalloc.start()
        vocab, corpus = load_corpus(path, min_count=1, tokenizer=whitespace_tokenize)
        batcher = WindowBatcher(corpus, vocab.keep_probs(1e-3), "sgram", window=2,
                                chunk_words=1 << 15)
        for chunk in range(batcher.n_chunks):
            batcher._draw_chunk(0, chunk)
        held, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top, held, len(corpus)

    small, large = peak(3000), peak(12000)
    assert large[2] == 4 * small[2] == 600_000
    assert large[0] < 1.25 * small[0] + 200_000, (small, large)
    assert large[1] < 1.25 * small[1] + 200_000, (small, large)


@pytest.mark.parametrize("shape", [(40_000, 7), (5,), (16_385, 3)])
def test_tables_drawn_by_rows_are_the_tables_drawn_whole(shape):
    """The initial tables are drawn a block of rows at a time (memory): the same numbers
    to the bit as one draw of the whole table, so seeds keep giving the same models."""
    from w2v_numpy.models.base import drawn_by_rows
    got = drawn_by_rows(np.random.default_rng(3), shape, np.float32, lambda r: (r - 0.5) / 7)
    want = ((np.random.default_rng(3).random(shape) - 0.5) / 7).astype(np.float32)
    np.testing.assert_array_equal(got, want)
