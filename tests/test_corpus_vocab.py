"""Tokenizer, corpus reading and the vocabulary."""
import gzip
import lzma

import numpy as np
import pytest

from w2v_numpy.text.corpus import expand_paths, iter_sentences, simple_tokenize, whitespace_tokenize
from w2v_numpy.text.corpus_cache import load_corpus
from w2v_numpy.text.vocab import Vocab


def test_tokenizer_keeps_letters_of_any_script():
    assert simple_tokenize("Кот, сидит 2 раза! Hello_world é-tude 42") == \
        ["кот", "сидит", "раза", "hello", "world", "é", "tude"]
    assert whitespace_tokenize(" a  b\tc\n") == ["a", "b", "c"]


def test_vocab_order_min_count_and_max_vocab():
    words = ["b", "a", "c", "d", "e"]
    counts = [5, 5, 9, 1, 7]
    v = Vocab.from_counts(words, counts, min_count=2)
    assert v.words == ["c", "e", "a", "b"]          # count desc, then word
    assert v.counts.tolist() == [9, 7, 5, 5]
    assert "d" not in v and v.key_to_index["a"] == 2
    assert Vocab.from_counts(words, counts, min_count=1, max_vocab=3).words == ["c", "e", "a"]


def test_vocab_json_roundtrip(tmp_path):
    v = Vocab(["кот", "the"], [3, 2])
    v.save(tmp_path / "v.json")
    w = Vocab.load(tmp_path / "v.json")
    assert w.words == v.words and w.counts.tolist() == [3, 2]
    assert "кот" in (tmp_path / "v.json").read_text(encoding="utf-8")


def test_load_corpus_ids_and_sentence_boundaries(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("a b c a\n\nrare a b\nb b\n", encoding="utf-8")
    vocab, corpus = load_corpus(p, min_count=2)
    assert vocab.words == ["b", "a"]
    names = [vocab.words[i] for i in corpus.ids]
    assert names == ["a", "b", "a", "a", "b", "b", "b"]      # c and rare removed
    assert corpus.starts.tolist() == [0, 3, 5]
    assert corpus.raw_words == 9 and corpus.ids.dtype == np.int32
    assert corpus.sentence_ids(0, 7).tolist() == [0, 0, 0, 1, 1, 2, 2]


def test_long_sentences_are_cut(tmp_path):
    p = tmp_path / "one_line.txt"
    p.write_text(" ".join(["x", "y"] * 12) + "\n", encoding="utf-8")
    _, corpus = load_corpus(p, min_count=1, max_sentence_length=10)
    assert corpus.starts.tolist() == [0, 10, 20]


def test_compressed_files_and_globs(tmp_path):
    with lzma.open(tmp_path / "a.txt.xz", "wt", encoding="utf-8") as fh:
        fh.write("one two\n")
    with gzip.open(tmp_path / "b.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write("three\n")
    (tmp_path / "c.txt").write_text("four\n")
    assert list(iter_sentences(str(tmp_path / "*.txt*"))) == [["one", "two"], ["three"], ["four"]]
    assert len(expand_paths([tmp_path / "c.txt", str(tmp_path / "*.gz")])) == 2


def test_non_utf8_bytes_are_replaced_not_fatal(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"good wo\xffrd caf\xc3\xa9\n")
    vocab, _ = load_corpus(p, min_count=1)
    assert set(vocab.words) == {"good", "wo", "rd", "café"}


@pytest.mark.parametrize("content, match", [
    ("", "empty"),
    ("123 456 !!!\n", "empty"),
    ("a b c\n", "min_count"),
])
def test_empty_inputs_raise_named_errors(tmp_path, content, match):
    p = tmp_path / "x.txt"
    p.write_text(content)
    with pytest.raises(ValueError, match=match):
        load_corpus(p, min_count=5)


def test_missing_files_raise_named_errors(tmp_path):
    with pytest.raises(ValueError, match="corpus_file"):
        expand_paths(str(tmp_path / "nothing*.txt"))
    with pytest.raises(ValueError, match="corpus_file"):
        expand_paths(tmp_path / "missing.txt")


def test_keep_probs_formula():
    v = Vocab(["a", "b", "c"], [900, 90, 10])
    p = v.keep_probs(sample=0.01)
    f = np.array([0.9, 0.09, 0.01])
    np.testing.assert_allclose(p, np.minimum(1, np.sqrt(0.01 / f) + 0.01 / f))
    assert p[2] == 1.0 and p[0] < 0.12
    assert (v.keep_probs(0) == 1).all()
    with pytest.raises(ValueError, match="sample"):
        v.keep_probs(-1)
