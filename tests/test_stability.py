"""Batched updates stay stable: the bound on crowded rows (models.base.bound_crowded_rows).

A batch sums the updates of every example that touches a row, all computed
from the same old parameters; on text with a very frequent word the sum
overshoots at the learning rates word2vec.c and gensim use. These tests check
the rule's arithmetic, that each objective lists exactly the rows its
reference updates (counted straight from the formulas), and that every
trainable type of the registry trains without blowing up on generated text
with a word that fills a quarter of the corpus, where the plain summed step
diverges (so the test can fail).
"""
from dataclasses import replace

import numpy as np
import pytest

from w2v_numpy import FastText, GloVe, Word2Vec
from w2v_numpy.classifier import train_supervised
from w2v_numpy.models import MODELS, VARIANTS, create, subword_types, window_types
from w2v_numpy.models.base import RowGrad, bound_crowded_rows, crowding
from w2v_numpy.training import policy as rules
from w2v_numpy.training.loop import TrainingDiverged

from conftest import family_batch, options_for, randomize

V = 12


def test_rows_touched_rarely_keep_their_exact_update():
    """Rows at or under m/alpha examples are untouched; a crowded one moves m times its mean."""
    alpha, m = 0.25, 0.75                                 # limit: 3 examples
    index = np.array([0, 1, 1, 1, 2, 2, 2, 2, 2, 2])      # row 2: 6 examples
    rows = np.arange(10, dtype=float)[:, None] * np.ones((1, 2))
    grads = {"W": RowGrad(index, rows.copy())}
    bound_crowded_rows(grads, crowding({"W": (index, None)}), alpha, m)
    got = grads["W"].rows
    np.testing.assert_array_equal(got[:4], rows[:4])      # rows 0 and 1: the documents' update
    total, want = got[index == 2].sum(axis=0), (m / alpha) * rows[index == 2].mean(axis=0)
    np.testing.assert_allclose(total, want)               # row 2: rate m on its mean


def test_the_bound_does_not_depend_on_how_entries_are_merged():
    """A kernel that sums a row's entries ahead is scaled like the reference's entries."""
    index = np.array([3, 3, 3, 3, 5])
    rows = np.random.default_rng(0).normal(size=(5, 4))
    split = {"W": RowGrad(index, rows.copy())}
    merged = {"W": RowGrad(np.array([3, 5]), np.stack([rows[:4].sum(0), rows[4]]))}
    for grads in (split, merged):
        bound_crowded_rows(grads, crowding({"W": (index, None)}), 0.5, 1.0)
    np.testing.assert_allclose(split["W"].rows[:4].sum(0), merged["W"].rows[0])
    np.testing.assert_allclose(split["W"].rows[4], merged["W"].rows[1])


def slow_counts(model, batch):
    """{param: {row: count}} from the objectives' formulas, one example at a time."""
    counts = {}

    def add(name, row, n=1):
        counts.setdefault(name, {})
        counts[name][int(row)] = counts[name].get(int(row), 0) + n

    for b in range(batch.inputs.shape[0]):
        slots = [int(w) for j, w in enumerate(batch.inputs[b])
                 if batch.mask is None or batch.mask[b, j]]
        pairs = len(slots) if model.formulation == "window" else 1
        for w in slots:
            add("W_in", w)
            if model.input_layer == "subwords":
                for g in model.ids[model.ptr[w]:model.ptr[w + 1]]:
                    add("W_ngram", g)
        if model.output_layer == "negative_sampling":
            outputs = [batch.targets[b], *batch.negatives[b]]
        elif model.output_layer == "hierarchical_softmax":
            outputs = model.tree.points[batch.targets[b], :model.tree.lengths[batch.targets[b]]]
        else:                                             # the full softmax: the target row
            outputs = [batch.targets[b]]
        for row in outputs:
            add("W_out", row, pairs)
    return counts


def counted(index, per_entry):
    out = {}
    for i, row in enumerate(np.asarray(index).tolist()):
        out[row] = out.get(row, 0) + (1 if per_entry is None else int(per_entry[i]))
    return out


COUNTED = sorted((v for v, cls in VARIANTS.items() if cls.batch_family in ("cbow", "sgram")),
                 key=str)


@pytest.mark.parametrize("variant", COUNTED, ids=str)
def test_update_counts_are_the_rows_the_reference_updates(variant, rng):
    type_, formulation = variant
    model = randomize(create(type_, V, 4, dtype=np.float64, counts=np.arange(V, 0, -1) * 3,
                             formulation=formulation, **options_for(type_, V)), rng)
    batch = family_batch(model, rng, B=9, C=4, K=3)
    listed = model.update_counts(batch)
    want = slow_counts(model, batch)
    assert {k: counted(*v) for k, v in listed.items()} == want
    for name, g in model.loss_and_grad(batch)[1].items():   # every sparse row is listed
        if g.index is not None:
            assert set(np.asarray(g.index).tolist()) == set(want[name]), name


def test_counted_variants_cover_the_word_registry():
    types = {t for t, _ in COUNTED}
    assert types == set(window_types()) | set(subword_types())


def frequent_word_corpus(path, n_tokens=20000, vocab=300, share=0.25, seed=0):
    """Zipf text in which one word ("the") fills ``share`` of the tokens."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1)
    tokens = rng.choice(vocab, size=n_tokens, p=p / p.sum())
    tokens[rng.random(n_tokens) < share] = 0
    words = np.array(["the"] + [f"w{i}" for i in range(1, vocab)])
    lines = [" ".join(words[tokens[i:i + 20]]) for i in range(0, n_tokens, 20)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def trained_largest_weight(type_, corpus, formulation=None):
    """Train one epoch at alpha 0.1 (radius 5, dim 32); the largest weight."""
    settings = dict(type=type_, alpha=0.1, window=5, vector_size=32, epochs=1, progress=False,
                    min_count=1)
    if type_ in subword_types():
        trained = FastText(corpus, sample=0, bucket=5000, **settings)
    elif type_ in window_types():
        trained = Word2Vec(corpus, sample=0, formulation=formulation, **settings)
    else:
        trained = GloVe(corpus, **settings)
    return max(float(np.abs(p).max()) for p in trained.model.params.values())


WORD_VARIANTS = sorted(((t, f) for t, f in VARIANTS if t in window_types() or
                        t in subword_types() or GloVe.accepts(t)), key=str)


@pytest.mark.parametrize("variant", WORD_VARIANTS, ids=str)
def test_a_very_frequent_word_does_not_blow_up_training(variant, tmp_path, monkeypatch):
    corpus = frequent_word_corpus(tmp_path / "frequent.txt")
    assert trained_largest_weight(variant[0], corpus, variant[1]) < 10
    if rules.POLICIES[variant].max_row_rate is None:
        return                                            # GloVe: AdaGrad, no bound to remove
    monkeypatch.setitem(rules.POLICIES, variant,
                        replace(rules.POLICIES[variant], max_row_rate=None))
    with pytest.raises(TrainingDiverged):                 # the plain summed step overshoots
        trained_largest_weight(variant[0], corpus, variant[1])


@pytest.mark.parametrize("loss", ["softmax", "ns"])
def test_the_classifier_with_a_very_frequent_word(loss, tmp_path):
    """The classifier's batches are 32 documents: a frequent word stays stable at its rate."""
    rng = np.random.default_rng(1)
    lines = []
    for _ in range(600):
        label = int(rng.integers(3))
        words = ["the"] * 8 + [f"c{label}w{int(i)}" for i in rng.integers(0, 5, 4)]
        lines.append(f"__label__{label} " + " ".join(rng.permutation(words)))
    path = tmp_path / "labelled.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clf = train_supervised(str(path), dim=16, lr=0.1, epoch=3, loss=loss)
    assert max(float(np.abs(p).max()) for p in clf.model.params.values()) < 10


def test_every_registered_type_is_covered():
    classifier = {t for t in MODELS if MODELS[t].batch_family == "documents"}
    assert {t for t, _ in WORD_VARIANTS} | classifier == set(MODELS)
