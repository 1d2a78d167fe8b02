"""Vocabulary files in word2vec.c's format: ``word count`` per line (``--save_vocab``,
``--read_vocab``, ``Vocab.save_word2vec_format``, ``Word2Vec(read_vocab=...)``)."""
import numpy as np
import pytest

from w2v_numpy import Word2Vec
from w2v_numpy.errors import W2VError
from w2v_numpy.text.vocab import Vocab

from test_cli_helpers import assert_one_line_error, run_cli, snapshot

KW = dict(type="sgram_neg", vector_size=8, window=2, min_count=1, sample=0, epochs=1,
          batch_size=64, progress=False)


def test_save_writes_word_count_lines_in_id_order(group_corpus, tmp_path):
    w2v = Word2Vec(group_corpus, **KW)
    path = tmp_path / "v.txt"
    w2v.vocab.save_word2vec_format(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [f"{w} {c}" for w, c in zip(w2v.vocab.words, w2v.vocab.counts)]
    counts = [int(line.split()[1]) for line in lines]
    assert counts == sorted(counts, reverse=True)
    back = Vocab.load_word2vec_format(path)
    assert back.words == w2v.vocab.words and (back.counts == w2v.vocab.counts).all()


def test_word2vec_c_sentence_end_line_is_skipped(tmp_path):
    path = tmp_path / "w2v_c.vocab"
    path.write_bytes(b"\xef\xbb\xbf</s> 3000\nthe 551\nof 550\r\nalphaa 40\n")   # BOM, CRLF too
    vocab = Vocab.load_word2vec_format(path)
    assert vocab.words == ["the", "of", "alphaa"]
    assert vocab.counts.tolist() == [551, 550, 40]


@pytest.mark.parametrize("content, line", [
    (b"a 1\nb\n", 2), (b"a x\n", 1), (b"a 1 2\n", 1), (b"a 1\nb 2\na 3\n", 3),
    (b"a -1\n", 1), (b"a 1.5\n", 1), (b"\xff\xfe 1\n", 1), (b"a 1\n\nb 2\n", 2),
    (b"a 99999999999999999999\n", 1)])
def test_a_malformed_line_names_the_file_and_line(tmp_path, content, line):
    path = tmp_path / "bad.vocab"
    path.write_bytes(content)
    with pytest.raises(W2VError) as info:
        Vocab.load_word2vec_format(path)
    assert info.value.param == "read_vocab"
    assert f"{path} line {line}:" in info.value.message
    assert "\n" not in str(info.value)


def test_a_file_without_words_is_refused(tmp_path):
    path = tmp_path / "empty.vocab"
    path.write_bytes(b"</s> 10\n")
    with pytest.raises(W2VError, match="no words"):
        Vocab.load_word2vec_format(path)


def test_reading_the_corpus_own_vocabulary_trains_the_same_model(group_corpus, tmp_path):
    plain = Word2Vec(group_corpus, seed=4, **KW)
    plain.vocab.save_word2vec_format(tmp_path / "v.txt")
    again = Word2Vec(group_corpus, seed=4, read_vocab=tmp_path / "v.txt", **KW)
    assert again.vocab.words == plain.vocab.words
    assert (again.corpus.ids == plain.corpus.ids).all()
    assert (again.corpus.starts == plain.corpus.starts).all()
    for name, value in plain.model.params.items():
        assert np.array_equal(again.model.params[name], value)


def test_words_not_in_the_read_vocabulary_are_out_of_vocabulary(tmp_path):
    (tmp_path / "v.txt").write_text("</s> 9\nb 50\na 50\nc 40\nrare 1\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("a b c d e\nd e d e\na c b zz\n", encoding="utf-8")
    w2v = Word2Vec(read_vocab=tmp_path / "v.txt", **{**KW, "min_count": 2})
    w2v.build_vocab(tmp_path / "t.txt")
    # The file's words and counts (min_count still applied, ties by word), not the text's.
    assert w2v.vocab.words == ["a", "b", "c"] and w2v.vocab.counts.tolist() == [50, 50, 40]
    assert w2v.corpus.ids.tolist() == [0, 1, 2, 0, 2, 1]
    assert w2v.corpus.raw_words == 13
    w2v.train()


def test_a_corpus_with_no_word_of_the_vocabulary_is_refused(tmp_path):
    (tmp_path / "v.txt").write_text("a 5\nb 5\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("x y z\n", encoding="utf-8")
    with pytest.raises(W2VError, match="none of the corpus's 3 tokens") as info:
        Word2Vec(tmp_path / "t.txt", read_vocab=tmp_path / "v.txt", **KW)
    assert info.value.param == "corpus_file"


def test_cli_saves_then_reads_a_vocabulary(tmp_path, group_corpus):
    tiny = ["-t", "sgram_neg", "-v", "8", "-e", "1", "--min_count", "1"]
    first = run_cli(tmp_path, "-d", str(group_corpus), "-m", "a.model", "--save_vocab", "a.vocab",
                    *tiny)
    assert first.returncode == 0, first.stderr
    saved = (tmp_path / "a.vocab").read_text(encoding="utf-8").splitlines()
    assert len(saved) == 30 + 3 and saved[0].split()[0] in {"the", "and", "of"}
    (tmp_path / "b.txt").write_text("alphaa alphab unknown\nbetaa betab\n" * 20, encoding="utf-8")
    second = run_cli(tmp_path, "-d", "b.txt", "-m", "b.model", "--read_vocab", "a.vocab", *tiny)
    assert second.returncode == 0, second.stderr
    from w2v_numpy import load_model
    assert load_model(tmp_path / "b.model").vocab.words == [w.split()[0] for w in saved]


def test_cli_refuses_bad_vocabulary_flags_writing_nothing(tmp_path, group_corpus):
    tiny = ["-v", "8", "-e", "1", "--min_count", "1"]
    (tmp_path / "bad.vocab").write_text("a 1\nb two\n", encoding="utf-8")
    before = snapshot(tmp_path)
    cases = [
        (["--save_vocab", "m.model", "-m", "m.model"], ["--save_vocab", "--model_file"]),
        (["--save_vocab", str(group_corpus)], ["--save_vocab", "--data_file"]),
        (["--read_vocab", "bad.vocab"], ["bad.vocab line 2", "--read_vocab"]),
        (["--read_vocab", "nowhere.vocab"], ["nowhere.vocab"]),
        (["--read_vocab", "bad.vocab", "-t", "glove"], ["word2vec types"]),
    ]
    for flags, needles in cases:
        proc = run_cli(tmp_path, "-d", str(group_corpus), *tiny, *flags)
        assert_one_line_error(proc, *needles)
    assert snapshot(tmp_path) == before
