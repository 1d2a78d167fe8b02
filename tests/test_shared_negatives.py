"""Negatives shared by groups of examples: the sampler's two layouts, their detection,
and the shared paths of ``cbow_neg`` and ``sgram_neg``'s window form against the
per-example formula.

Sharing changes which negatives are drawn, never the formula: every example keeps
its own K terms in the loss, so on the same batch the shared path must give the
slow per-example loop's numbers (``slow_loss_and_grad`` of test_gradients). The
shared paths are the trainer's kernels (:mod:`w2v_numpy.kernels.shared_negatives`),
picked from the batch's explicit ``draws``.
"""
import numpy as np
import pytest

from w2v_numpy import Word2Vec, kernels
from w2v_numpy.batching import Batch
from w2v_numpy.batching.negatives import NegativeSampler
from w2v_numpy.kernels import shared_negatives, span
from w2v_numpy.models import create, densify
from w2v_numpy.teaching.gradcheck import check

from conftest import randomize
from test_gradients import slow_loss_and_grad
from test_span import V, batcher, batches, text_file


def fast(model, batch, scale=1.0):
    """The trainer's loss and gradient rows for ``batch`` (the kernel it picks)."""
    kernel = kernels.select(model, batch)
    return (kernel.loss_and_grad(model, batch, scale) if kernel else
            model.loss_and_grad(batch, scale))


def spread_draws(batch):
    return shared_negatives.spread_table(batch)


@pytest.mark.parametrize("B", [1, 3, 8, 21, 64])
def test_spread_sampler_deals_one_draw_to_examples_g_apart(B, rng):
    sampler = NegativeSampler(np.arange(1, 30))
    targets = rng.integers(0, 29, B)
    neg = sampler.sample(targets, 4, np.random.default_rng(2), group=4, spread=True)
    G = -(-B // 4)
    assert neg.shape == (B, 4)
    np.testing.assert_array_equal(neg, neg[np.arange(B) % G])            # example b: draw b % G
    for g in range(G):                    # no draw names a target of the examples sharing it
        assert not np.isin(neg[g], targets[g::G]).any()


def test_the_sampler_says_how_it_dealt_the_draws(rng):
    sampler = NegativeSampler(np.arange(1, 300))
    targets = rng.integers(0, 299, 21)
    neg, draws = sampler.sample_shared(targets, 5, np.random.default_rng(1), group=4, spread=True)
    np.testing.assert_array_equal(draws.table, neg[:6])
    np.testing.assert_array_equal(neg, draws.table[draws.index(21)])
    neg, draws = sampler.sample_shared(targets, 5, np.random.default_rng(1), group=4)
    np.testing.assert_array_equal(neg, draws.table[draws.index(21)])        # side by side
    assert not draws.spread and draws.index(21)[4] == 1
    assert sampler.sample_shared(targets, 5, np.random.default_rng(1))[1] is None
    batch = Batch(targets[:, None], None, targets, neg, None, draws)
    assert spread_draws(batch) is None                  # side by side, several draws
    assert spread_draws(batch._replace(draws=draws._replace(spread=True))) is not None


def cbow_neg_model(rng):
    model = create("cbow_neg", V, 4, dtype=np.float64)
    return randomize(model, rng)


@pytest.mark.parametrize("shuffle, spread", [(False, True), (True, True), (False, False)],
                         ids=["spread", "spread-shuffled", "side-by-side"])
def test_shared_path_equals_the_per_example_formula(shuffle, spread, rng):
    """Groups spread over the batch (with or without a span) or side by side (a span's
    tiles); batches of 11 windows, so the last group has empty slots."""
    model = cbow_neg_model(rng)
    taken = 0
    for batch in batches(batcher(rng, negative=3, shared=span.TILE, shuffle=shuffle,
                                 spread_negatives=spread)):
        groups = shared_negatives.shared_groups(batch)
        taken += groups is not None
        loss, ref = slow_loss_and_grad(model, batch)
        got_loss, got = fast(model, batch)
        assert got_loss == pytest.approx(loss, rel=1e-12)
        grad = densify(model.params, got)
        for k in ref:
            np.testing.assert_allclose(grad[k], ref[k], rtol=1e-10, atol=1e-12)
    assert taken > 3


def test_shared_path_passes_the_gradient_check_and_a_wrong_grouping_fails(rng):
    model = cbow_neg_model(rng)
    batch = batches(batcher(rng, negative=3, shared=4, spread_negatives=True))[1]
    draws, order = shared_negatives.shared_groups(batch)
    assert order.shape == (-(-batch.size // 4), 4) and check(model, batch) < 1e-6
    W_out = model.params["W_out"]
    h = model.forward(batch)["h"]
    right = shared_negatives.group_output(h, W_out, batch.targets, draws, order)[0]
    wrong = shared_negatives.group_output(h, W_out, batch.targets, draws, order[::-1])[0]
    assert right == pytest.approx(slow_loss_and_grad(model, batch)[0], rel=1e-12)
    assert wrong != pytest.approx(right, rel=1e-6)


def test_row_indices_name_the_rows_the_step_updates(rng):
    model = cbow_neg_model(rng)
    for spread in (True, False):
        for batch in batches(batcher(rng, negative=3, shared=span.TILE, spread_negatives=spread)):
            rows = kernels.row_indices(model, batch)
            grads = fast(model, batch)[1]
            for name, index in rows.items():
                np.testing.assert_array_equal(index, grads[name].index)
            assert "W_out" in rows


def test_word2vec_defaults_and_an_older_file(tmp_path, rng):
    """cbow_neg and sgram_neg's window form share a draw among 8 examples spread over
    the batch; the per-pair form and the HS types draw per example; a file from before
    the setting resumes side by side."""
    for type_ in ("cbow_neg", "sgram_neg"):
        config = Word2Vec(type=type_).config
        assert (config["shared_negatives"], config["spread_negatives"]) == (span.TILE, True)
    assert Word2Vec(type="sgram_neg", formulation="pair").config["shared_negatives"] == 1
    assert Word2Vec(type="cbow_hs", negative=0).config["shared_negatives"] == 1
    w2v = Word2Vec(type="cbow_neg", min_count=1, vector_size=8, epochs=1, progress=False)
    w2v.build_vocab(str(text_file(tmp_path, rng)))
    batcher_ = w2v.make_batcher()
    assert (batcher_.shared_negatives, batcher_.spread_negatives) == (span.TILE, True)
    assert shared_negatives.shared_groups(next(iter(batcher_.iter_epoch(0)))[3]) is not None
    parts = w2v.to_parts()
    del parts.config["spread_negatives"]
    old = Word2Vec.from_parts(parts)
    assert old.config["spread_negatives"] is False and old.config["shared_negatives"] == 8


def sgram_window_model(rng):
    return randomize(create("sgram_neg", V, 4, dtype=np.float64, formulation="window"), rng)


def as_pairs(batch):
    """One single-input example per real (window, context slot): the window form's
    pairs, each with its window's negatives (what the slow loop takes)."""
    rows, cols = np.nonzero(batch.mask)
    return Batch(batch.inputs[rows, cols][:, None], None, batch.targets[rows],
                 batch.negatives[rows])


@pytest.mark.parametrize("shuffle", [False, True], ids=["corpus-order", "shuffled"])
def test_sgram_window_spread_path_equals_the_per_pair_formula(shuffle, rng):
    """Skip-gram windows whose negatives are dealt round-robin: each draw's rows are
    gathered once and their gradients summed over the windows sharing it; the numbers
    are the slow per-pair loop's on the window's pairs (batches of 11: a partial group)."""
    model = sgram_window_model(rng)
    taken = named = 0
    for batch in batches(batcher(rng, negative=3, shared=4, shuffle=shuffle,
                                 spread_negatives=True)):
        taken += spread_draws(batch) is not None
        loss, ref = slow_loss_and_grad(model, as_pairs(batch))
        got_loss, got = fast(model, batch)
        assert got_loss == pytest.approx(loss, rel=1e-12)
        grad = densify(model.params, got)
        for k in ref:
            np.testing.assert_allclose(grad[k], ref[k], rtol=1e-10, atol=1e-12)
        rows = kernels.row_indices(model, batch)      # what the batch producer plans for
        named += "W_out" in rows
        for name, index in rows.items():
            np.testing.assert_array_equal(index, got[name].index)
    assert taken > 3 and (named > 3 or shuffle)


def test_sgram_window_spread_path_passes_the_gradient_check_and_sums_each_draw(rng):
    model = sgram_window_model(rng)
    batch = batches(batcher(rng, negative=3, shared=4, spread_negatives=True))[1]
    draws = spread_draws(batch)
    assert draws is not None and check(model, batch) < 1e-6
    rows_out = fast(model, batch)[1]["W_out"]
    B, G, K = batch.size, draws.shape[0], draws.shape[1]
    assert rows_out.index.shape == (B + G * K,)         # one row per draw, not per window
    np.testing.assert_array_equal(rows_out.index[B:], draws.reshape(-1))
