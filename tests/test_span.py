"""Corpus-order batches: the ``span`` the batcher attaches, the banded kernels
(:mod:`w2v_numpy.kernels.span`) and negatives shared by a tile of windows.

The kernel must compute the reference's numbers on the same batch: the kernel the
trainer picks for the batch with its ``span`` against the reference, which reads
no span (``tests/test_kernels.py`` does this for every layout; here the span's
own properties).
"""
import numpy as np
import pytest

from w2v_numpy import Word2Vec, kernels
from w2v_numpy.batching import Batch, NegativeSampler, WindowBatcher, slot_offsets
from w2v_numpy.kernels import span
from w2v_numpy.models import create, densify
from w2v_numpy.teaching.gradcheck import check
from w2v_numpy.training.policy import policy

from conftest import randomize
from test_batching import corpus_of

#: Every objective that consumes context-slot batches with word inputs.
WINDOW_TYPES = [("cbow", None), ("cbow_neg", None), ("cbow_hs", None),
                ("sgram_neg", "window"), ("sgram_hs", "window")]
V = 12


def sentences(rng, n=40):
    """Lines of 1 to 9 words, some of one word (no context: no example of their own)."""
    return [rng.integers(0, V, rng.integers(1, 10)) for _ in range(n)]


def batcher(rng, negative=0, shared=1, window=3, batch_size=11, shuffle=False, **kw):
    counts = np.bincount(np.concatenate(sentences(np.random.default_rng(0))), minlength=V) + 1
    sampler = NegativeSampler(counts) if negative else None
    return WindowBatcher(corpus_of(sentences(rng)), np.full(V, 0.8), "cbow", window=window,
                         batch_size=batch_size, negative=negative, sampler=sampler,
                         shuffle=shuffle, seed=5, shared_negatives=shared, chunk_words=64, **kw)


def batches(b, epoch=0):
    return [batch for *_, batch in b.iter_epoch(epoch)]


def model_for(variant, rng, cbow_update="exact"):
    type_, formulation = variant
    counts = np.arange(V, 0, -1) * 3
    return randomize(create(type_, V, 4, dtype=np.float64, counts=counts,
                            formulation=formulation, cbow_update=cbow_update), rng)


def test_span_locates_every_centre_and_context_word(rng):
    for b in (batcher(rng), batcher(rng, window=1, batch_size=3), batcher(rng, window=6)):
        reach = b.offsets.size // 2
        for batch in batches(b):
            B = batch.size
            assert batch.span.shape == (B + 2 * reach,)
            np.testing.assert_array_equal(batch.span[reach:reach + B], batch.targets)
            at = reach + np.arange(B)[:, None] + slot_offsets(reach)[None, :]      # (B, C)
            np.testing.assert_array_equal(batch.span[at][batch.mask], batch.inputs[batch.mask])


def test_only_corpus_order_window_batches_have_a_span(rng):
    assert all(batch.span is None for batch in batches(batcher(rng, shuffle=True)))
    sg = WindowBatcher(corpus_of(sentences(rng)), np.ones(V), "sgram", window=2, shuffle=False)
    assert all(batch.span is None for batch in batches(sg))


def test_resumed_batches_get_the_same_spans(rng):
    b = batcher(rng)
    full = list(b.iter_epoch(1))
    chunk, index = full[3][0], full[3][1]
    resumed = list(b.iter_epoch(1, chunk, index))
    for (_, _, _, x), (_, _, _, y) in zip(full[3:], resumed):
        np.testing.assert_array_equal(x.span, y.span)


def test_grouped_negatives(rng):
    counts = np.array([50, 30, 10, 5, 5, 1])
    s = NegativeSampler(counts)
    targets = rng.integers(0, 6, 29)
    neg = s.sample(targets, 4, np.random.default_rng(1), group=8)
    assert neg.shape == (29, 4)
    for g in range(0, 29, 8):
        rows = neg[g:g + 8]
        assert (rows == rows[0]).all()                      # one draw per group
        assert not np.isin(rows[0], targets[g:g + 8]).any()  # no target of the group
    # group 1 is the per-example stream
    np.testing.assert_array_equal(s.sample(targets, 4, np.random.default_rng(1)),
                                  s.sample(targets, 4, np.random.default_rng(1), group=1))


def test_tile_draws_come_from_the_batch_layout(rng):
    """A tile shares a draw when the batch's ``draws`` say so, whatever the values."""
    sampler = NegativeSampler(np.arange(1, 30))
    targets = rng.integers(0, 29, 20)
    neg, draws = sampler.sample_shared(targets, 2, rng, group=span.TILE)
    batch = Batch(targets[:, None], None, targets, neg, None, draws)
    np.testing.assert_array_equal(span.tile_draws(batch, span.TILE), draws.table)
    assert span.tile_draws(batch, 2 * span.TILE) is None               # tiles straddle two draws
    assert span.tile_draws(batch._replace(draws=None), span.TILE) is None
    assert span.tile_draws(batch._replace(draws=draws._replace(spread=True)), span.TILE) is None


def trained(model, batch, scale=1.0, **kw):
    """The trainer's loss and gradient rows for ``batch`` (the kernel it picks)."""
    kernel = kernels.select(model, batch)
    if kernel is None:
        return model.loss_and_grad(batch, scale, **kw)
    return kernel.loss_and_grad(model, batch, scale, kw.get("undivided", False))


def dense(model, grads):
    return densify(model.params, grads)


@pytest.mark.parametrize("variant, shared", [(v, 1) for v in WINDOW_TYPES]
                         + [(("cbow_neg", None), span.TILE), (("sgram_neg", "window"), span.TILE)],
                         ids=lambda v: v[0] if isinstance(v, tuple) else f"shared{v}")
def test_fast_path_equals_general_path(variant, shared, rng):
    model = model_for(variant, rng)
    negative = 3 if model.uses_negatives else 0
    for batch in batches(batcher(rng, negative=negative, shared=shared)):
        plain = batch._replace(span=None)
        options = [{}, {"undivided": True}] if model.averages_inputs else [{}]
        for kw in options:
            loss, grads = trained(model, batch, 1.0, **kw)
            ref_loss, ref = model.loss_and_grad(plain, 1.0, **kw)
            assert loss == pytest.approx(ref_loss, rel=1e-12)
            fast, slow = dense(model, grads), dense(model, ref)
            for k in slow:
                np.testing.assert_allclose(fast[k], slow[k], rtol=1e-10, atol=1e-12)
        # the fast path touches each position once: one W_in row per span position
        assert grads["W_in"].index.shape == batch.span.shape
        if shared > 1:          # and a group's output rows once: its targets, then its negatives
            tiles = -(-batch.size // span.TILE)
            n = grads["W_out"].index.size                     # per example it would be B (1 + K)
            assert n % tiles == 0 and n // tiles - negative <= span.TILE


@pytest.mark.parametrize("variant", WINDOW_TYPES, ids=lambda v: v[0])
def test_fast_path_passes_the_gradient_check(variant, rng):
    model = model_for(variant, rng)
    negative = 3 if model.uses_negatives else 0
    batch = batches(batcher(rng, negative=negative, shared=span.TILE if negative else 1))[1]
    assert batch.span is not None
    assert check(model, batch) < 1e-6


def test_fast_path_of_a_wrong_span_fails_the_check(rng):
    """The check can fail here too: a span that names other words than the inputs."""
    model = model_for(("sgram_neg", "window"), rng)
    batch = batches(batcher(rng, negative=3))[1]
    wrong = batch._replace(span=(batch.span + 1) % V)
    loss, _ = trained(model, wrong)
    assert loss != pytest.approx(model.loss_and_grad(batch._replace(span=None))[0], rel=1e-6)


@pytest.mark.parametrize("variant", WINDOW_TYPES, ids=lambda v: v[0])
def test_step_with_and_without_span(variant, rng):
    model = model_for(variant, rng, cbow_update="word2vec")     # the undivided update too
    twin = model.astype(np.float64)
    negative = 3 if model.uses_negatives else 0
    for batch in batches(batcher(rng, negative=negative, shared=span.TILE if negative else 1)):
        assert kernels.step(model, batch, 0.1) == pytest.approx(
            twin.step(batch._replace(span=None), 0.1), rel=1e-12)
    for k in model.params:
        np.testing.assert_allclose(model.params[k], twin.params[k], rtol=1e-10, atol=1e-12)


def test_span_of_the_wrong_length_is_an_error(rng):
    model = model_for(("cbow_neg", None), rng)
    batch = batches(batcher(rng, negative=3))[0]
    with pytest.raises(ValueError, match="span"):
        trained(model, batch._replace(span=batch.span[:-1]))


def text_file(tmp_path, rng):
    """300 random lines of the V words "aaa" .. "lll", as a corpus file."""
    text = tmp_path / "t.txt"
    text.write_text("\n".join(" ".join("abcdefghijkl"[i] * 3 for i in s)
                             for s in sentences(rng, 300)))
    return text


def test_word2vec_trains_in_corpus_order_and_can_share_negatives(tmp_path, rng):
    text = text_file(tmp_path, rng)
    config = Word2Vec(type="sgram_neg").config                  # the default: spread groups
    assert (config["shared_negatives"], config["spread_negatives"]) == (span.TILE, True)
    assert Word2Vec(type="sgram_neg", formulation="pair").config["shuffle"] is True  # no span path
    for type_ in ("cbow_hs", "cbow", "sgram_hs"):   # the class says: shuffled (HS trained badly)
        assert Word2Vec(type=type_, negative=0).config["shuffle"] is True
        assert not policy(type_).corpus_order
    w2v = Word2Vec(type="sgram_neg", min_count=1, vector_size=8, epochs=1, progress=False,
                   shared_negatives=span.TILE, spread_negatives=False)   # a tile's windows share
    w2v.build_vocab(str(text))
    assert w2v.config["shuffle"] is False
    batch = next(iter(w2v.make_batcher().iter_epoch(0)))[3]
    assert batch.span is not None and span.tile_draws(batch, span.TILE) is not None
    path = tmp_path / "m.model"
    w2v.train()
    w2v.save(str(path))
    assert Word2Vec.load(str(path)).config["shared_negatives"] == span.TILE
    hs = Word2Vec(type="cbow_hs", min_count=1, progress=False, shared_negatives=span.TILE)
    assert hs.config["shared_negatives"] == 1                 # nothing to share
