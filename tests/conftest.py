"""Shared fixtures: tiny random problems and a synthetic corpus with planted structure."""
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from w2v_numpy.batching import Batch, CooccurrenceBatch
from w2v_numpy.models import fasttext_supervised as fasttext

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# The trainer's corpus cache goes to a folder of this test process, never to the user's
# ~/.cache. Set at import, before any test module copies os.environ for its subprocesses.
_CORPUS_CACHE = tempfile.mkdtemp(prefix="w2v_numpy-test-cache-")
os.environ["W2V_NUMPY_CACHE_DIR"] = _CORPUS_CACHE


def pytest_unconfigure(config):
    shutil.rmtree(_CORPUS_CACHE, ignore_errors=True)


def random_batch(rng, V, B, C, K, masked=True):
    """A random batch with forced repeats: word 2 twice among the inputs of
    row 0 (and shared with row 1), word 4 twice among the negatives of row 0."""
    inputs = rng.integers(0, V, (B, C))
    inputs[0, :] = 2
    inputs[1, 0] = 2
    mask = None
    if masked and C > 1:
        mask = rng.random((B, C)) < 0.6
        mask[:, 0] = True
        mask[0, :2] = True          # the repeated word really counts twice
        mask[-1, :] = False
        mask[-1, 0] = True          # a row with a single real slot
    targets = rng.integers(0, V, B)
    negatives = None
    if K:
        negatives = rng.integers(0, V, (B, K))
        negatives[0, :2] = 4
        negatives[1, 0] = 4
    return Batch(inputs, mask, targets, negatives)


def family_batch(model, rng, B=5, C=4, K=3, masked=True):
    """A random batch of the kind ``model.batch_family`` names, with repeated rows.

    A family this helper does not know fails the test: a new batch family
    must come with its test batches.
    """
    V = model.vocab_size
    family = model.batch_family
    if family in ("sgram", "cbow"):
        return random_batch(rng, V, B, 1 if family == "sgram" else C,
                            K if model.uses_negatives else 0, masked=masked)
    if family == "cooccurrence":
        rows, cols = rng.integers(0, V, B + 2), rng.integers(0, V, B + 2)
        rows[:2], cols[:2] = 1, 3                       # one (i, j) entry given twice
        return CooccurrenceBatch(rows, cols, rng.uniform(0.5, 30.0, B + 2))
    if family == "documents":
        docs = [[rng.integers(0, V, rng.integers(1, 4)) for _ in range(rng.integers(1, 4))]
                for _ in range(B)]
        docs[0] = [np.array([2, 2]), np.array([2])]      # a row repeated inside one document
        labels = model.params["U"].shape[0]
        return fasttext.make_batch(docs, rng.integers(0, labels, B), rng.integers(0, labels, (B, K)),
                                   combine="mean" if masked else "sum")
    pytest.fail(f"no test batches for batch family {family!r}")


#: Small subword settings for tests: 2- and 3-grams in 11 buckets (so collisions happen).
SUBWORD_TEST = dict(min_n=2, max_n=3, bucket=11)


def vocab_words(V):
    """V distinct short words over a 3-letter alphabet: they share many n-grams."""
    words, n = [], 0
    while len(words) < V:
        n += 1
        w, k = "", n
        while k:
            k, r = divmod(k - 1, 3)
            w += "abc"[r]
        words.append(w)
    return words


def options_for(type_, V):
    """Extra ``create`` arguments a type needs in tests (the vocabulary for subword types)."""
    from w2v_numpy.models import MODELS

    if MODELS[type_].input_layer == "subwords":
        return dict(words=vocab_words(V), **SUBWORD_TEST)
    return {}


def slow_ft_hash(text):
    """fastText's FNV-1a of the UTF-8 bytes, one byte at a time, signed bytes included."""
    h = 2166136261
    for b in text.encode("utf-8"):
        h ^= (b - 256 if b >= 128 else b) & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def slow_ngram_ids(word, min_n, max_n, bucket):
    """Bucket ids of ``<word>``'s n-grams, by start then length, from the definition."""
    s = "<" + word + ">"
    out = []
    for i in range(len(s)):
        for n in range(min_n, max_n + 1):
            if i + n <= len(s) and not (n == 1 and (i == 0 or i + n == len(s))):
                out.append(slow_ft_hash(s[i:i + n]) % bucket)
    return out


def randomize(model, rng, scale=1.0):
    for v in model.params.values():
        v[:] = rng.normal(scale=scale, size=v.shape)
    return model


GROUPS = [[f"{g}{chr(97 + i)}" for i in range(6)] for g in ("alpha", "beta", "gamma", "delta", "omega")]


def write_group_corpus(path, n_sentences=3000, seed=0, groups=GROUPS):
    """Sentences drawn from one group at a time: words of a group share contexts.

    Every sentence also carries a few 'filler' words common to all groups, so
    the models must learn the group structure, not just word frequency.
    ``groups``: the groups to draw from (a subset makes a corpus of some of them).
    """
    rng = np.random.default_rng(seed)
    fillers = ["the", "and", "of"]
    lines = []
    for _ in range(n_sentences):
        group = groups[rng.integers(len(groups))]
        words = [group[i] for i in rng.integers(0, len(group), 8)]
        for pos in rng.integers(0, len(words), 2):
            words.insert(int(pos), fillers[rng.integers(len(fillers))])
        lines.append(" ".join(words))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def group_corpus(tmp_path):
    return write_group_corpus(tmp_path / "groups.txt")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)

