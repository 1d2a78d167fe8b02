"""Every kernel equals its reference, for every batch layout the trainer can make.

The layouts come from the registry and the policy table, never from a list
written here: for each (type, formulation) trained on word windows, every
order the batcher can give (corpus order, shuffled, shuffled runs) times
every way negatives can be shared (a draw per example, side by side, spread),
and the policy's own default among them. The batches come from the real
batcher on a small corpus with many repeated words, the models are float64
with random parameters, and the kernel the trainer picks must give the
reference's summed loss and every gradient row (densified) to a relative
1e-10. Each kernel of :data:`w2v_numpy.kernels.KERNELS` must be picked for at
least one layout, so a kernel is tested the day it is listed.
"""
import itertools
import pickle

import numpy as np
import pytest

from w2v_numpy import kernels
from w2v_numpy.batching import NegativeSampler, WindowBatcher
from w2v_numpy.kernels import hierarchical_softmax, label_terms, span
from w2v_numpy.models import VARIANTS, create, densify
from w2v_numpy.training.policy import policy

from conftest import options_for, randomize
from test_batching import corpus_of

V = 12
#: The batcher's orders: (shuffle, run_length).
ORDERS = {"corpus": (False, 1), "shuffled": (True, 1), "runs": (True, span.TILE)}
#: Ways of sharing negatives: (shared_negatives, spread_negatives).
SHARING = {"own": (1, False), "side": (span.TILE, False), "spread": (span.TILE, True)}


def window_variants():
    return sorted((v for v, cls in VARIANTS.items() if cls.batch_family in WindowBatcher.FAMILIES),
                  key=str)


def layouts():
    """(variant, order, sharing): every combination the trainer can run, the policy's
    default included."""
    out = []
    for variant in window_variants():
        cls = VARIANTS[variant]
        rules = policy(*variant)
        sharing = SHARING if cls.uses_negatives else {"own": SHARING["own"]}
        orders = ORDERS if cls.batch_family in WindowBatcher.SPAN_FAMILIES else \
            {k: v for k, v in ORDERS.items() if k != "runs"}
        combos = set(itertools.product(orders, sharing))
        default_order = ("corpus" if rules.corpus_order else
                         "runs" if rules.run_length > 1 else "shuffled")
        default_sharing = ("own" if rules.shared_negatives == 1 else
                           "spread" if rules.spread_negatives else "side")
        assert (default_order, default_sharing) in combos, variant
        out += [(variant, order, share) for order, share in sorted(combos)]
    return out


LAYOUTS = layouts()


def sentences(rng, n=40):
    return [rng.integers(0, V, rng.integers(1, 10)) for _ in range(n)]


def batches_for(model, order, sharing, rng, batch_size=16):
    shuffle, run_length = ORDERS[order]
    shared, spread = SHARING[sharing]
    counts = np.arange(V, 0, -1) * 3
    negative = 3 if model.uses_negatives else 0
    b = WindowBatcher(corpus_of(sentences(rng)), np.full(V, 0.8), model.batch_family, window=3,
                      batch_size=batch_size, negative=negative,
                      sampler=NegativeSampler(counts) if negative else None, shuffle=shuffle,
                      seed=5, shared_negatives=shared, spread_negatives=spread,
                      run_length=run_length, chunk_words=64)
    return [batch for *_, batch in b.iter_epoch(0)]


def model_for(variant, rng):
    type_, formulation = variant
    counts = np.arange(V, 0, -1) * 3
    return randomize(create(type_, V, 4, dtype=np.float64, counts=counts, formulation=formulation,
                            **options_for(type_, V)), rng)


def assert_same(model, got, want):
    (loss, grads), (ref_loss, ref) = got, want
    assert abs(loss - ref_loss) <= 1e-10 * max(1.0, abs(ref_loss))
    fast, slow = densify(model.params, grads), densify(model.params, ref)
    assert fast.keys() == slow.keys()
    for k in slow:
        scale = max(1.0, float(np.abs(slow[k]).max()))
        assert float(np.abs(fast[k] - slow[k]).max()) <= 1e-10 * scale, k


@pytest.mark.parametrize("variant, order, sharing", LAYOUTS,
                         ids=["-".join(map(str, (*v, o, s))) for v, o, s in LAYOUTS])
def test_kernel_equals_reference(variant, order, sharing, rng):
    model = model_for(variant, rng)
    rules = [False, True] if getattr(model, "averages_inputs", False) else [False]
    for batch in batches_for(model, order, sharing, rng):
        kernel = kernels.select(model, batch)
        for undivided in rules:
            want = model.loss_and_grad(batch, 1.0, undivided=undivided)
            got = (kernel.loss_and_grad(model, batch, 1.0, undivided) if kernel else want)
            assert_same(model, got, want)
        if kernel is not None:      # the rows planned ahead are the rows the step updates
            _, grads = kernel.loss_and_grad(model, batch, 1.0)
            for name, index in kernel.row_indices(model, batch).items():
                np.testing.assert_array_equal(index, grads[name].index)


@pytest.mark.parametrize("variant, order, sharing", LAYOUTS,
                         ids=["-".join(map(str, (*v, o, s))) for v, o, s in LAYOUTS])
def test_prepared_work_depends_on_the_batch_alone(variant, order, sharing, rng):
    """What a kernel prepares ahead (in the batch producer, sent pickled) still gives the
    reference's numbers after the parameters have moved: it holds nothing of them."""
    model = model_for(variant, rng)
    for batch in batches_for(model, order, sharing, rng):
        kernel = kernels.select(model, batch)
        if kernel is None:
            continue
        prepared = pickle.loads(pickle.dumps(kernel.prepare(model, batch)))
        for value in model.params.values():
            value += 0.1 * rng.normal(size=value.shape)
        assert_same(model, kernel.loss_and_grad(model, batch, 1.0, False, prepared),
                    model.loss_and_grad(batch, 1.0))


def test_every_kernel_is_exercised(rng):
    """Each kernel listed for a window objective is picked for some layout above."""
    picked = set()
    for variant, order, sharing in LAYOUTS:
        model = model_for(variant, rng)
        for batch in batches_for(model, order, sharing, rng):
            kernel = kernels.select(model, batch)
            picked.add((type(model), kernel.name if kernel else None))
    listed = {(cls, k.name) for cls, ks in kernels.KERNELS.items() for k in ks
              if cls in {VARIANTS[v] for v in window_variants()}}
    assert listed <= picked, listed - picked


def test_layouts_cover_the_window_registry():
    assert {v for v, _, _ in LAYOUTS} == set(window_variants())
    assert len({cls for cls in kernels.KERNELS}) >= 8


@pytest.mark.parametrize("max_row_rate", [None, 0.2])
@pytest.mark.parametrize("variant", window_variants(), ids=str)
def test_trainer_step_equals_reference_step(variant, max_row_rate, rng):
    """kernels.step and Model.step make the same update (with word2vec.c's CBOW rule), with
    and without the bound on crowded rows (at alpha 0.1 and rate 0.2, rows that more than 2
    examples touch are bounded, and some are)."""
    model = model_for(variant, rng)
    if getattr(model, "averages_inputs", False):
        model.cbow_update = "word2vec"
    twin, plain = model.astype(np.float64), model.astype(np.float64)
    rules = policy(*variant)
    order = "corpus" if rules.corpus_order else "runs" if rules.run_length > 1 else "shuffled"
    sharing = "spread" if rules.shared_negatives > 1 else "own"
    for batch in batches_for(model, order, sharing, rng):
        assert kernels.step(model, batch, 0.1, max_row_rate=max_row_rate) == \
            pytest.approx(twin.step(batch, 0.1, max_row_rate), rel=1e-10)
        plain.step(batch, 0.1)
    for k in model.params:
        np.testing.assert_allclose(model.params[k], twin.params[k], rtol=1e-10, atol=1e-12)
    bounded = any(not np.allclose(model.params[k], plain.params[k]) for k in model.params)
    assert bounded == (max_row_rate is not None)


def test_a_wrong_kernel_is_caught(rng):
    """The comparison can fail: a span that names other words than the inputs."""
    model = model_for(("sgram_neg", "window"), rng)
    batch = batches_for(model, "corpus", "own", rng)[1]
    wrong = batch._replace(span=(batch.span + 1) % V)
    kernel = kernels.select(model, wrong)
    with pytest.raises(AssertionError):
        assert_same(model, kernel.loss_and_grad(model, wrong), model.loss_and_grad(batch))


@pytest.mark.parametrize("levels", [0, 1, 3, 50])
def test_hs_kernels_at_every_split(levels, rng):
    """The dense top block and the summed path levels at several depths (the defaults are
    covered above): the same loss and gradient as the reference."""
    for variant in (("cbow_hs", "pair"), ("sgram_hs", "window")):
        model = model_for(variant, rng)
        for batch in batches_for(model, "shuffled", "own", rng)[:2]:
            want = model.loss_and_grad(batch)
            P = model.params
            if variant[1] == "window":
                _, grads = model.loss_and_grad(batch)
                U_grad = densify(P, grads)                   # the reference's W_out rows, dense
                f = model.forward(batch)
                dU = f["G"].transpose(0, 2, 1) @ f["V"]       # (B, L, d)
                paths = hierarchical_softmax.path_layout(model.tree, batch, model.dtype, levels)
                rows = hierarchical_softmax.path_rows(paths, dU)
                np.testing.assert_allclose(densify(P, {"W_out": rows})["W_out"], U_grad["W_out"],
                                           rtol=1e-10, atol=1e-12)
                loss, G = label_terms.label_terms(f["S"], paths.signs, 0.5)
                assert loss == pytest.approx(want[0], rel=1e-12)
                np.testing.assert_allclose(G, 0.5 * f["G"], rtol=1e-10, atol=1e-15)
            else:
                top = hierarchical_softmax.dense_top(model.tree, levels)
                h, _ = model.forward(batch)["h"], None
                got = hierarchical_softmax.top_block_output(h, P["W_out"], model.tree, batch,
                                                            1.0, top)
                ref = model.output_fn(h, *model.output_args(), batch, 1.0)
                assert got[0] == pytest.approx(ref[0], rel=1e-12)
                np.testing.assert_allclose(got[1], ref[1], rtol=1e-10, atol=1e-12)
                np.testing.assert_allclose(densify(P, {"W_out": got[2]})["W_out"],
                                           densify(P, {"W_out": ref[2]})["W_out"],
                                           rtol=1e-10, atol=1e-12)
            assert np.isfinite(want[0])


@pytest.mark.parametrize("variant, order", [(("cbow_hs", "pair"), o) for o in ORDERS]
                         + [(("sgram_hs", "window"), o) for o in ("corpus", "shuffled")])
def test_hs_kernels_list_their_gathered_rows_in_scatter_order(variant, order, rng):
    """The rows the HS kernels make by a gather (the deep path visits; sgram_hs's real
    context slots) come in the order the scatter-add applies them, so their plans are
    ``in_order``; the rows a product makes (cbow_hs's banded input rows) are not. A
    vocabulary of 300 with long-tailed counts, for paths deeper than the top levels."""
    n_words = 300
    counts = np.maximum(1, (1e4 * 0.97 ** np.arange(n_words))).astype(np.int64)
    model = randomize(create(variant[0], n_words, 4, dtype=np.float64, counts=counts,
                             formulation=variant[1], **options_for(variant[0], n_words)), rng)
    shuffle, run_length = ORDERS[order]
    text = [rng.integers(0, n_words, rng.integers(2, 12)) for _ in range(60)]
    b = WindowBatcher(corpus_of(text), np.full(n_words, 0.9), model.batch_family, window=3,
                      batch_size=64, shuffle=shuffle, seed=5, run_length=run_length)
    arranged = ["W_out"] + (["W_in"] if variant[1] == "window" and order != "corpus" else [])
    repeated = 0
    for *_, batch in b.iter_epoch(0):
        plans, _, prepared = kernels.step_plans(model, batch)
        for name in arranged:
            assert plans[name].in_order, name
            repeated += np.unique(plans[name].rows).size < plans[name].rows.size
        if order == "runs":
            assert not plans["W_in"].in_order
        assert_same(model, kernels.select(model, batch).loss_and_grad(model, batch, 1.0, False,
                                                                      prepared),
                    model.loss_and_grad(batch, 1.0))
    assert repeated                                  # rows that repeat, dealt into rounds


# --- GloVe: batches of co-occurrence entries ------------------------------------


def glove_batches(rng, target="log"):
    from w2v_numpy.batching.cooccurrence_batcher import CooccurrenceBatcher
    from w2v_numpy.text.cooccurrence import count_cooccurrences
    from test_glove_training import encoded

    sentences = [rng.integers(0, V, size=rng.integers(2, 9)) for _ in range(40)]
    counts = count_cooccurrences(encoded(sentences), V, window=3)
    return [batch for *_, batch in CooccurrenceBatcher(counts, batch_size=16, seed=3).iter_epoch(0)]


@pytest.mark.parametrize("target", ["log", "log1p"])
def test_glove_kernel_equals_reference_and_prepares_nothing_of_the_parameters(target, rng):
    """Every batch of an epoch: the kernel the optimiser picks gives the reference's loss
    and rows, also from its prepared terms sent pickled after the parameters moved."""
    model = randomize(create("glove", V, 4, dtype=np.float64, x_max=3.0, target=target), rng)
    batches = glove_batches(rng)
    assert batches and all(kernels.select(model, b) is not None for b in batches)
    for batch in batches:
        kernel = kernels.select(model, batch)
        assert_same(model, kernel.loss_and_grad(model, batch, -0.3), model.loss_and_grad(batch, -0.3))
        prepared = pickle.loads(pickle.dumps(kernels.prepare(model, batch)))
        for value in model.params.values():
            value += 0.1 * rng.normal(size=value.shape)
        got = kernel.loss_and_grad(model, batch, 1.0, False, prepared)
        assert_same(model, got, model.loss_and_grad(batch, 1.0))
        blocks = [g.rows for g in got[1].values()]          # an optimiser squares them in place
        assert all(not np.shares_memory(a, b) for a, b in itertools.combinations(blocks, 2))


def test_glove_kernel_refuses_what_the_reference_refuses(rng):
    """A zero count has no log: the prepared terms raise the reference's error."""
    from w2v_numpy.batching.batch import CooccurrenceBatch
    from w2v_numpy.errors import W2VError

    model = create("glove", V, 4, dtype=np.float64)
    batch = CooccurrenceBatch(np.array([0, 1]), np.array([2, 3]), np.array([1.0, 0.0]))
    with pytest.raises(W2VError, match="X > 0") as ref:
        model.loss_and_grad(batch)
    with pytest.raises(W2VError, match="X > 0") as fast:
        kernels.prepare(model, batch)
    assert str(fast.value) == str(ref.value)
