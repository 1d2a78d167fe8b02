"""The fastText classifier: features, gradients, training on the shipped reviews, the verbs."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from w2v_numpy import load_model
from w2v_numpy.batching.batch import DocumentBatch
from w2v_numpy.teaching.gradcheck import check_report
from w2v_numpy.text.labelled import Dictionary, features, read_labelled
from w2v_numpy.models import MODELS, create
from w2v_numpy.classifier import Classifier, train_supervised

from conftest import randomize, slow_ft_hash
from test_cli_helpers import ENV, assert_one_line_error

DATA = Path(__file__).resolve().parents[1] / "data"
TRAIN, TEST = DATA / "labelled_train.txt", DATA / "labelled_test.txt"
FAST = dict(dim=16, epoch=5, lr=0.5, bucket=20011, batch_size=64)


@pytest.fixture(scope="module")
def bigram_model():
    return train_supervised(TRAIN, wordNgrams=2, **FAST)


def test_bigrams_are_what_the_shipped_reviews_need(bigram_model):
    words_only = train_supervised(TRAIN, wordNgrams=1, **FAST)
    n, p1, r1 = words_only.test(TEST)
    n2, p2, r2 = bigram_model.test(TEST)
    assert n == n2 == 1000 and p1 == r1 and p2 == r2         # one label per line: P@1 = R@1
    assert p2 > 0.9 and p2 > p1 + 0.15, (p1, p2)
    ns = train_supervised(TRAIN, wordNgrams=2, loss="ns", **dict(FAST, lr=0.1))
    assert ns.test(TEST)[1] > 0.9


def test_test_counts_like_fasttext(bigram_model, tmp_path):
    _, p2, r2 = bigram_model.test(TEST, k=2)
    assert (p2, r2) == (0.5, 1.0)                  # two labels: both predicted, one right
    path = tmp_path / "two.txt"
    path.write_text("__label__positive __label__negative not good\n__label__positive superb\n"
                    "no label here\n__label__positive\n")
    n, p, r = bigram_model.test(path, k=1)
    predicted = bigram_model.predict(["not good", "superb"])[0]
    right = int(predicted[0][0] in ("__label__positive", "__label__negative")) + \
        int(predicted[1][0] == "__label__positive")
    assert n == 2 and p == right / 2 and r == right / 3


def test_word_ngram_features_follow_the_recipe():
    d = Dictionary(["not", "good"], [3, 2], ["__label__a", "__label__b"], [1, 1])
    words = ["not", "good", "zzz"]
    ids = features(words, d, word_ngrams=3, bucket=1000)
    M = (1 << 64) - 1
    h = [slow_ft_hash(w) for w in words]
    bi = [((h[i] * 116049371 + h[i + 1]) & M) % 1000 for i in range(2)]
    tri = [((((h[0] * 116049371 + h[1]) & M) * 116049371 + h[2]) & M) % 1000]
    assert ids.tolist() == [0, 1] + [2 + g for g in bi + tri]
    assert features(words, d, word_ngrams=1, bucket=1000).tolist() == [0, 1]


@pytest.mark.parametrize("type_", sorted(t for t in MODELS if Classifier.accepts(t)))
def test_gradients_with_ngram_rows(type_, rng):
    model = randomize(create(type_, 5, 3, dtype=np.float64, n_labels=4, bucket=6), rng)
    ids = np.array([0, 7, 7, 2, 10, 4, 5, 5])          # ids >= 5 are n-gram rows 0..5
    doc = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    weights = 1.0 / np.bincount(doc)[doc]
    batch = DocumentBatch(ids, weights, doc, np.array([1, 3, 0]), rng.integers(0, 4, (3, 2)))
    report = check_report(model, batch)
    assert report.checked == sum(p.size for p in model.params.values())
    assert report.max_error < 1e-6, str(report)
    assert np.abs(model.grad(batch)["E_ngram"]).sum() > 0


def test_save_load_predict(bigram_model, tmp_path):
    bigram_model.save(tmp_path / "c.model")
    back = load_model(tmp_path / "c.model")
    assert isinstance(back, Classifier) and back.labels == bigram_model.labels
    texts = ["the pizza was not good", "not bad at all", "zzz"]
    (labels, probs), (labels_back, probs_back) = (bigram_model.predict(texts, k=2),
                                                  back.predict(texts, k=2))
    assert labels == labels_back and len(labels) == len(probs_back) == len(texts)
    for pa, pb in zip(probs, probs_back):
        np.testing.assert_allclose(pa, pb)
    labels, probs = back.predict("zzz", k=2)
    np.testing.assert_allclose(probs, [0.5, 0.5])      # nothing known: v_D = 0


def test_bad_input(tmp_path):
    (tmp_path / "none.txt").write_text("no labels at all\n")
    with pytest.raises(ValueError, match="no line has a label"):
        read_labelled(tmp_path / "none.txt")
    (tmp_path / "one.txt").write_text("__label__a x\n__label__a y\n")
    with pytest.raises(ValueError, match="2 different labels"):
        train_supervised(tmp_path / "one.txt")
    with pytest.raises(ValueError, match="loss"):
        train_supervised(TRAIN, loss="hs")


def cli(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "w2v_numpy", *map(str, args)], input=stdin,
                          capture_output=True, text=True, env=ENV, cwd=cwd)


def test_the_fasttext_verbs(tmp_path):
    model = tmp_path / "rev.model"
    out = cli("supervised", "-input", TRAIN, "-output", model, "-epoch", "5", "-lr", "0.5",
              "-wordNgrams", "2", "-dim", "16", "-bucket", "20011", "--no_progress")
    assert out.returncode == 0, out.stderr
    assert "Number of labels: 2" in out.stderr
    test = cli("test", model, TEST, "1")
    assert test.returncode == 0, test.stderr
    lines = test.stdout.splitlines()
    assert lines[0] == "N\t1000" and lines[1].startswith("P@1\t") and lines[2].startswith("R@1\t")
    assert float(lines[1].split("\t")[1]) > 0.9
    pred = cli("predict", model, "-", "2", stdin="the soup was not good\nsuperb film\n")
    assert pred.returncode == 0, pred.stderr
    first, second = pred.stdout.splitlines()
    assert first == "__label__negative __label__positive" and second.startswith("__label__positive")
    before = model.read_bytes()
    assert_one_line_error(cli("supervised", "--input", TRAIN, "--output", model), "--overwrite_model")
    assert model.read_bytes() == before
    assert_one_line_error(cli("supervised", "--input", TRAIN, "--output", tmp_path / "x",
                              "--loss", "hs"), "--loss")
    assert_one_line_error(cli("test", tmp_path / "missing", TEST), "missing")
    assert_one_line_error(cli("predict", model, TEST, "0"), "k")
