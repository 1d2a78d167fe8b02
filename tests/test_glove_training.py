"""GloVe trained for real: streaming counts, the entry batcher, AdaGrad, the front door."""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2v_numpy import GloVe, load_model
from w2v_numpy.text import cooccurrence as cooccurrence_module
from w2v_numpy.text.cooccurrence import cooccurrence, count_cooccurrences
from w2v_numpy.batching.cooccurrence_batcher import CooccurrenceBatcher
from w2v_numpy.text.encoding import EncodedCorpus
from w2v_numpy.errors import ModelFileError, W2VError
from w2v_numpy.teaching.gradcheck import check_gradient
from w2v_numpy.models import MODELS, create
from w2v_numpy.batching.batch import CooccurrenceBatch
from w2v_numpy.training.adagrad import AdaGrad

DATA = Path(__file__).resolve().parents[1] / "data"


def encoded(sentences):
    lens = [len(s) for s in sentences]
    ids = np.concatenate([np.asarray(s, dtype=np.int32) for s in sentences])
    return EncodedCorpus(ids, np.r_[0, np.cumsum(lens)[:-1]].astype(np.int64), int(ids.size))


sentences_st = st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=12), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(sentences_st, st.integers(1, 4), st.booleans(), st.booleans(), st.integers(1, 9),
       st.sampled_from([None, 1e-9, 2e-7]))
def test_streaming_counts_equal_the_readable_counter(sentences, window, symmetric, weighted, chunk,
                                                     memory):
    """``memory``: None holds every count in memory; 1e-9 GB (no entry) spills each chunk
    to disk and 2e-7 GB (6 entries) some of them, merged a few keys at a time."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cooccurrence_module, "MIN_MERGE_ENTRIES", 2)
        got = count_cooccurrences(encoded(sentences), 6, window=window, symmetric=symmetric,
                                  distance_weighting=weighted, chunk_tokens=chunk,
                                  memory=memory).to_dict()
    ref = cooccurrence(sentences, window=window, symmetric=symmetric, distance_weighting=weighted)
    assert got.keys() == ref.keys()
    for key in ref:
        assert got[key] == pytest.approx(ref[key], rel=1e-12)


def test_counts_never_cross_a_line_and_the_diagonal_gets_both_sides():
    m = count_cooccurrences(encoded([[0, 1], [2, 2]]), 3, window=5)
    assert m.to_dict() == {(0, 1): 1.0, (1, 0): 1.0, (2, 2): 2.0}
    assert m.rows.dtype == np.int32 and m.counts.dtype == np.float64


def test_counts_of_a_larger_corpus_match_in_many_chunks():
    rng = np.random.default_rng(0)
    sentences = [rng.integers(0, 40, size=rng.integers(1, 30)) for _ in range(300)]
    one = count_cooccurrences(encoded(sentences), 40, window=4).to_dict()
    many = count_cooccurrences(encoded(sentences), 40, window=4, chunk_tokens=37).to_dict()
    assert one.keys() == many.keys()
    assert all(one[k] == pytest.approx(many[k], rel=1e-12) for k in one)
    with pytest.raises(W2VError):
        count_cooccurrences(encoded(sentences), 40, window=0)


def test_spilled_counts_are_the_counts_in_memory_mapped_from_disk(monkeypatch):
    """Under a cap the totals go to disk as sorted runs (several here) and come back,
    merged a key range at a time, as the same matrix in the same order."""
    rng = np.random.default_rng(3)
    sentences = [rng.integers(0, 60, size=rng.integers(1, 40)) for _ in range(400)]
    spills = []
    real_spill = cooccurrence_module._Runs.spill
    monkeypatch.setattr(cooccurrence_module._Runs, "spill",
                        lambda self, totals: spills.append(1) or real_spill(self, totals))
    monkeypatch.setattr(cooccurrence_module, "MIN_MERGE_ENTRIES", 50)
    for symmetric in (True, False):
        held = count_cooccurrences(encoded(sentences), 60, window=5, symmetric=symmetric,
                                   distance_weighting=False, chunk_tokens=500)
        spills.clear()
        spilled = count_cooccurrences(encoded(sentences), 60, window=5, symmetric=symmetric,
                                      distance_weighting=False, chunk_tokens=500, memory=3e-5)
        assert len(spills) >= 3 and isinstance(spilled.rows, np.memmap)
        for a, b in zip(held[:3], spilled[:3]):      # whole counts: equal to the bit
            np.testing.assert_array_equal(a, b)


def small_matrix():
    rng = np.random.default_rng(1)
    sentences = [rng.integers(0, 12, size=rng.integers(2, 9)) for _ in range(40)]
    return count_cooccurrences(encoded(sentences), 12, window=3)


def test_batcher_visits_every_entry_once_per_epoch_and_resumes_exactly():
    m = small_matrix()
    batcher = CooccurrenceBatcher(m, batch_size=7, seed=3)
    stream = list(batcher.iter_epoch(2))
    seen = np.concatenate([b.rows.astype(np.int64) * 12 + b.cols for *_, b in stream])
    assert np.array_equal(np.sort(seen), np.sort(m.rows.astype(np.int64) * 12 + m.cols))
    assert stream[-1][2] == m.nnz and batcher.words_per_epoch == m.nnz
    resumed = list(batcher.iter_epoch(2, 0, 4))
    assert len(resumed) == len(stream) - 4
    for (_, b1, w1, x1), (_, b2, w2, x2) in zip(stream[4:], resumed):
        assert (b1, w1) == (b2, w2) and all(np.array_equal(u, v) for u, v in zip(x1, x2))
    other = [b.rows for *_, b in batcher.iter_epoch(3)]
    assert not np.array_equal(np.concatenate(other), seen // 12)     # a new order each epoch
    with pytest.raises(W2VError, match="empty"):
        CooccurrenceBatcher(count_cooccurrences(encoded([[1]]), 2), 4)


def test_adagrad_step_equals_the_formula_entry_by_entry():
    """Every entry steps against the accumulators from before the batch; shared rows add up."""
    model = create("glove", 5, 3, seed=2, dtype=np.float64, x_max=3.0)
    opt = AdaGrad(model, grad_scale=0.5)
    for G in opt.accumulators.values():
        G += np.random.default_rng(0).random(G.shape)          # accumulators other than 1
    batch = CooccurrenceBatch(np.array([0, 1, 0, 4]), np.array([2, 2, 3, 0]),
                              np.array([1.0, 2.5, 4.0, 7.0]))
    P = {k: v.copy() for k, v in model.params.items()}
    G = {k: v.copy() for k, v in opt.accumulators.items()}
    newP = {k: v.copy() for k, v in P.items()}
    newG = {k: v.copy() for k, v in G.items()}
    eta, loss = 0.05, 0.0
    for i, j, x in zip(*batch):            # straight from the module notes, one entry at a time
        e = P["W"][i] @ P["W_ctx"][j] + P["b"][i] + P["b_ctx"][j] - np.log(x)
        f = min(1.0, (x / 3.0) ** 0.75)
        loss += f * e * e
        fdiff = eta * f * e                 # eta * half the gradient of f e^2 by the prediction
        for name, row, g in (("W", i, fdiff * P["W_ctx"][j]), ("W_ctx", j, fdiff * P["W"][i]),
                             ("b", i, fdiff), ("b_ctx", j, fdiff)):
            newP[name][row] -= g / np.sqrt(G[name][row])
            newG[name][row] += g * g
    assert opt.step(batch, eta) == pytest.approx(loss)
    for name in P:
        np.testing.assert_allclose(model.params[name], newP[name], rtol=0, atol=1e-14)
        np.testing.assert_allclose(opt.accumulators[name], newG[name], rtol=0, atol=1e-14)


def test_full_glove_loss_passes_the_generic_gradient_check():
    m = small_matrix()
    model = create("glove", 12, 4, seed=0, dtype=np.float64, x_max=2.0)
    batch = CooccurrenceBatch(m.rows, m.cols, m.counts)
    P = model.params
    for name in P:                               # larger values than the tiny initialisation
        P[name] += np.random.default_rng(5).normal(0, 0.3, P[name].shape)
    report = check_gradient(lambda params: model.loss(batch), lambda params: model.grad(batch), P)
    assert report.max_error < 1e-6 and report.checked == sum(p.size for p in P.values())
    P["b_ctx"][3] += 0.1                         # the checker sees a gradient from other params
    wrong = model.grad(batch)
    P["b_ctx"][3] -= 0.1
    assert check_gradient(lambda params: model.loss(batch), lambda params: wrong, P).max_error > 1e-4


def trained(tmp_path=None, **kw):
    settings_ = dict(vector_size=20, window=5, x_max=10.0, epochs=4, batch_size=1024,
                     progress=False, seed=1)
    settings_.update(kw)
    return GloVe(corpus_file=str(DATA / "synthetic.txt"), **settings_)


def test_glove_learns_the_planted_analogies():
    g = trained(epochs=12, vector_size=30)
    losses = g.state.epoch_losses
    assert losses[-1] < 0.5 * losses[0]
    score, _ = g.wv.evaluate_word_analogies(str(DATA / "synthetic_analogies.txt"))
    assert score > 0.2        # chance is about 1 / the vocabulary size (~0.3%)


def test_save_load_and_resume_are_exact(tmp_path):
    full = trained(epochs=2)
    half = trained(epochs=1)
    half.save(tmp_path / "g.model")
    back = load_model(tmp_path / "g.model")
    assert isinstance(back, GloVe) and back.config == half.config
    for name, G in half.optimizer.accumulators.items():
        np.testing.assert_array_equal(back.optimizer.accumulators[name], G)
    back.build_vocab(str(DATA / "synthetic.txt"))
    back.train(epochs=2, state=back.state)
    for name, p in full.model.params.items():
        np.testing.assert_array_equal(back.model.params[name], p)
    np.testing.assert_array_equal(back.wv.vectors, full.wv.vectors)
    np.testing.assert_allclose(back.wv.vectors, full.model.params["W"] + full.model.params["W_ctx"])


def test_front_door_errors(tmp_path):
    others = [dict(type=t) for t, cls in sorted(MODELS.items())
              if cls.batch_family != "cooccurrence"]      # the types of the other front doors
    assert others
    for kw, param in ((dict(x_max=0), "x_max"), (dict(window=0), "window"),
                      (dict(target="sqrt"), "target"), (dict(min_alpha=1.0), "min_alpha"),
                      *((kw, "type") for kw in others)):
        with pytest.raises(W2VError) as err:
            GloVe(**kw)
        assert err.value.param == param
    trained(epochs=1).save(tmp_path / "g.model")
    from w2v_numpy import Word2Vec
    with pytest.raises(ModelFileError, match="load_model"):
        Word2Vec.load(tmp_path / "g.model")
