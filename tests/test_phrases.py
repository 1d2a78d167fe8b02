"""Phrases: planted bigrams found and joined, scores against a slow formula, NPMI bounds,
bounded pruning, the greedy rule, the ``phrases`` command, and agreement with gensim."""
import gzip
import math
from collections import Counter

import numpy as np
import pytest

import w2v_numpy
from w2v_numpy.cli import main as cli_main
from w2v_numpy.errors import W2VError
from w2v_numpy.text.corpus import whitespace_tokenize
from w2v_numpy.text.corpus_cache import load_corpus
from w2v_numpy.text.phrases import Phrases

PLANTED = [("new", "york"), ("los", "angeles"), ("hong", "kong"), ("buenos", "aires")]


def generated_corpus(seed=0, sentences=400, planted=PLANTED, filler=300):
    """Zipf-distributed filler words with the ``planted`` pairs dropped in at random spots."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(filler)]
    p = 1.0 / np.arange(1, filler + 1)
    p /= p.sum()
    out = []
    for _ in range(sentences):
        s = [words[i] for i in rng.choice(filler, rng.integers(5, 25), p=p)]
        for _ in range(rng.integers(0, 3)):
            pos = int(rng.integers(0, len(s) + 1))
            s[pos:pos] = list(planted[rng.integers(len(planted))])
        out.append(s)
    return out


def slow_scores(corpus, min_count, scoring):
    """Count from scratch with plain loops and score every pair by the textbook formula."""
    uni, bi = {}, {}
    total = 0
    for s in corpus:
        for i, w in enumerate(s):
            uni[w] = uni.get(w, 0) + 1
            total += 1
            if i > 0:
                bi[(s[i - 1], w)] = bi.get((s[i - 1], w), 0) + 1
    n_table = len(uni) + len(bi)
    scores = {}
    for (a, b), cab in bi.items():
        if scoring == "npmi":
            if cab < min_count:
                scores[(a, b)] = -math.inf
                continue
            pab, pa, pb = cab / total, uni[a] / total, uni[b] / total
            scores[(a, b)] = math.log(pab / (pa * pb)) / -math.log(pab)
        else:
            scores[(a, b)] = (cab - min_count) * n_table / (uni[a] * uni[b])
    return scores


def test_lazy_export():
    assert w2v_numpy.Phrases is Phrases


def test_planted_bigrams_are_found_and_joined():
    corpus = generated_corpus()
    p = Phrases(corpus, min_count=5, threshold=10.0)
    found = p.export_phrases()
    for a, b in PLANTED:
        assert f"{a}_{b}" in found
    # filler words are drawn independently: almost none pass
    assert len([k for k in found if k.startswith("w")]) <= 2
    assert p[["x", "new", "york", "w1", "hong", "kong"]] == ["x", "new_york", "w1", "hong_kong"]
    assert p.apply(("los", "angeles")) == ["los_angeles"]
    joined = list(p[iter(corpus[:50])])          # a corpus gives a generator of sentences
    assert len(joined) == 50 and all("new" not in s or "york" not in s for s in joined)


@pytest.mark.parametrize("scoring,min_count", [("default", 5), ("default", 2), ("npmi", 3)])
def test_scores_match_slow_formula(scoring, min_count):
    corpus = generated_corpus(seed=1, sentences=200)
    p = Phrases(corpus, min_count=min_count, threshold=0.5 if scoring == "npmi" else 1.0,
                scoring=scoring)
    expected = slow_scores(corpus, min_count, scoring)
    pairs, scores = p.bigram_scores()
    assert set(pairs) == set(expected)
    assert p.corpus_word_count == sum(map(len, corpus))
    for pair, got in zip(pairs, scores):
        want = expected[pair]
        if math.isinf(want):
            assert got == want
        else:
            assert got == pytest.approx(want, rel=1e-12)
            assert p.score(*pair) == pytest.approx(want, rel=1e-12)
    threshold = p.threshold
    assert set(p.export_phrases()) == {f"{a}_{b}" for (a, b), s in expected.items()
                                       if s > threshold}
    assert p.score("never", "seen") == -math.inf


def test_npmi_in_unit_interval():
    corpus = generated_corpus(seed=2) + [["solo", "duo"]] * 7     # a pair that never splits
    p = Phrases(corpus, min_count=1, threshold=-1.0, scoring="npmi")
    _, scores = p.bigram_scores()
    assert np.isfinite(scores).all()
    assert scores.min() >= -1.0 and scores.max() <= 1.0 + 1e-12
    assert p.score("solo", "duo") == pytest.approx(1.0, abs=0.2)
    assert p.score("solo", "duo") > p.score("w0", "w1")


class _Watched(Phrases):
    """Records the largest table size seen after every single addition."""

    peak = 0

    def _add(self, table, key):
        super()._add(table, key)
        self.peak = max(self.peak, len(self))

    def _count(self, s):
        super()._count(s)
        self.peak = max(self.peak, len(self))


@pytest.mark.parametrize("cap", [1, 50, 400, 2000])
def test_pruning_keeps_table_bounded(cap):
    corpus = generated_corpus(seed=3, sentences=500)
    p = _Watched(corpus, min_count=5, max_vocab_size=cap)
    assert p.peak <= cap and len(p) <= cap
    assert p.min_reduce > 1                      # it did prune
    assert p.corpus_word_count == sum(map(len, corpus))
    unbounded = Phrases(corpus, min_count=5)
    assert unbounded.min_reduce == 1 and len(unbounded) > cap
    if cap >= 2000:         # frequent entries survive a loose cap with their counts intact
        for pair in PLANTED[:2]:
            assert p.bigram_counts[pair] == unbounded.bigram_counts[pair] > 100
        # but the default score's N is the table size, so pruning lowers every score
        assert p.score("new", "york") < unbounded.score("new", "york") * len(p) / 1000


def test_greedy_left_to_right():
    corpus = [["a", "b", "c"]] * 20 + [["x", "y"]] * 20 + [[f"f{i}" for i in range(60)]]
    p = Phrases(corpus, min_count=1, threshold=1.0)
    assert {"a_b", "b_c"} <= set(p.export_phrases())
    assert p[["a", "b", "c"]] == ["a_b", "c"]
    assert p[["b", "c", "a", "b"]] == ["b_c", "a_b"]
    assert p[[]] == []
    with pytest.raises(W2VError, match="list of tokens"):
        p["a b"]


def test_files_and_token_lists_agree(tmp_path):
    corpus = generated_corpus(seed=4, sentences=100)
    f = tmp_path / "c.txt.gz"
    with gzip.open(f, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(" ".join(s) for s in corpus) + "\n\n")
    a = Phrases(str(f), min_count=2, threshold=5.0)
    b = Phrases(iter(corpus), min_count=2, threshold=5.0)
    assert a.export_phrases() == b.export_phrases() and len(a) == len(b)


@pytest.mark.parametrize("kwargs,param", [
    ({"min_count": 0}, "min_count"), ({"threshold": 0.0}, "threshold"),
    ({"threshold": 2.0, "scoring": "npmi"}, "threshold"), ({"scoring": "pmi"}, "scoring"),
    ({"max_vocab_size": 0}, "max_vocab_size"), ({"delimiter": ""}, "delimiter"),
    ({"threshold": float("nan")}, "threshold"), ({"min_count": True}, "min_count")])
def test_bad_settings(kwargs, param):
    with pytest.raises(W2VError) as e:
        Phrases(**kwargs)
    assert e.value.param == param


def test_bad_corpus():
    with pytest.raises(W2VError, match="list of tokens"):
        Phrases([["a", "b"], "c d"])
    with pytest.raises(W2VError):
        Phrases(123)


# --- the command ------------------------------------------------------------------------

def _write(path, corpus):
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n", encoding="utf-8")


def test_cli_writes_joined_corpus(tmp_path, capsys):
    corpus = generated_corpus(seed=5)
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    _write(src, corpus)
    rc = cli_main(["phrases", "--data_file", str(src), "--out", str(out), "--no_progress"])
    assert rc == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(corpus)
    expected = Phrases(corpus)
    assert [line.split() for line in lines] == [expected[s] for s in corpus]
    assert "wrote 400 lines" in capsys.readouterr().out
    vocab, _ = load_corpus(str(out), min_count=1, tokenizer=whitespace_tokenize)
    counts = dict(zip(vocab.words, vocab.counts))
    # "york" survives alone only where a pair was planted inside another ("new new york york")
    assert counts["new_york"] > 20 * counts.get("york", 0)


def test_cli_two_passes_make_trigrams(tmp_path):
    corpus = generated_corpus(seed=6, sentences=600,
                              planted=[("new", "york", "times"), ("hong", "kong")])
    src, out = tmp_path / "in.txt", tmp_path / "out.txt.gz"
    _write(src, corpus)
    assert cli_main(["phrases", "--data_file", str(src), "--out", str(out), "--passes", "2"]) == 0    # with the progress bar
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        text = fh.read()
    assert "new_york_times" in text.split()


def test_cli_refuses_out_equal_in_and_bad_input(tmp_path, capsys):
    src = tmp_path / "in.txt"
    _write(src, generated_corpus(seed=7, sentences=20))
    before = src.read_bytes()
    assert cli_main(["phrases", "--data_file", str(src), "--out", str(src)]) == 2
    assert src.read_bytes() == before
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1 and "same file" in err
    for argv in (["--data_file", str(tmp_path / "missing.txt")],
                 ["--data_file", str(src), "--scoring", "npmi", "--threshold", "3"],
                 ["--data_file", str(src), "--min_count", "0"],
                 ["--data_file", str(src), "--delimiter", " "]):
        out = tmp_path / "o.txt"
        assert cli_main(["phrases", *argv, "--out", str(out), "--no_progress"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and err.count("\n") == 1, err
        assert not out.exists()


# --- gensim ------------------------------------------------------------------------------

@pytest.mark.parametrize("scoring,threshold,min_count", [
    ("default", 10.0, 5), ("default", 3.0, 2), ("default", 50.0, 1), ("npmi", 0.3, 5),
    ("npmi", 0.0, 2)])
def test_agrees_with_gensim(scoring, threshold, min_count):
    gensim_phrases = pytest.importorskip("gensim.models.phrases")
    corpus = generated_corpus(seed=8, sentences=500)
    ours = Phrases(corpus, min_count=min_count, threshold=threshold, scoring=scoring)
    theirs = gensim_phrases.Phrases(corpus, min_count=min_count, threshold=threshold,
                                    scoring=scoring)
    assert len(ours) == len(theirs.vocab)
    mine, gens = ours.export_phrases(), theirs.export_phrases()
    assert set(mine) == set(gens) and len(mine) > 0
    for k in mine:
        assert mine[k] == pytest.approx(gens[k], rel=1e-12)
    assert [ours[s] for s in corpus] == [theirs[s] for s in corpus]


def test_counts_match_gensim_counter():
    """The table itself: every word and pair count equals gensim's."""
    gensim_phrases = pytest.importorskip("gensim.models.phrases")
    corpus = generated_corpus(seed=9, sentences=100)
    ours = Phrases(corpus)
    theirs = gensim_phrases.Phrases(corpus)
    mine = Counter(ours.unigram_counts)
    mine.update({f"{a}_{b}": c for (a, b), c in ours.bigram_counts.items()})
    assert mine == Counter(theirs.vocab)
    assert ours.corpus_word_count == theirs.corpus_word_count


def test_cli_help_and_listing(capsys):
    assert cli_main(["--help"]) == 0
    assert any(line.split()[:1] == ["phrases"] for line in capsys.readouterr().out.splitlines())
    assert cli_main(["phrases", "--help"]) == 0
    assert "usage: python -m w2v_numpy phrases" in capsys.readouterr().out
