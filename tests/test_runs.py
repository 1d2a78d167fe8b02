"""Shuffled in runs (``run_length``): batches of runs of consecutive windows, their strips
of text, and the banded path on them (cbow_hs's default)."""
import numpy as np
import pytest

from w2v_numpy import Word2Vec, kernels
from w2v_numpy.batching import WindowBatcher, slot_offsets
from w2v_numpy.teaching.gradcheck import check
from w2v_numpy.kernels import span

from test_batching import corpus_of
from test_span import (V, WINDOW_TYPES, batcher, batches, dense, model_for, sentences,
                       text_file)


def runs(rng, m=4, batch_size=8, **kw):
    return batcher(rng, shuffle=True, run_length=m, batch_size=batch_size, **kw)


def test_strips_locate_every_centre_and_context_word(rng):
    for m, B, window in ((4, 8, 3), (2, 6, 1), (span.TILE, 16, 6)):
        b = runs(rng, m, B, window=window)
        reach = b.offsets.size // 2
        for batch in batches(b):
            nt = -(-batch.size // m)
            assert batch.span.shape == (nt, m + 2 * reach)
            tile, i = np.divmod(np.arange(batch.size), m)                     # (B,) each
            np.testing.assert_array_equal(batch.span[tile, i + reach], batch.targets)
            at = (i + reach)[:, None] + slot_offsets(reach)[None, :]          # (B, C)
            np.testing.assert_array_equal(batch.span[tile[:, None], at][batch.mask],
                                          batch.inputs[batch.mask])


def rows_of(inputs, mask, targets):
    """The examples as sortable rows (order-free comparison)."""
    a = np.column_stack([targets, np.where(mask, inputs, -1)])
    return a[np.lexsort(a.T[::-1])]


def test_runs_hold_the_same_windows_shuffled_in_runs(rng):
    words = sentences(rng, 60)
    make = lambda **kw: WindowBatcher(corpus_of(words), np.full(V, 0.8), "cbow", window=3,
                                      batch_size=8, seed=5, chunk_words=64, **kw)
    plain, ran, single = make(shuffle=False), make(run_length=4), make(run_length=1)
    for chunk in range(plain.n_chunks):
        np.testing.assert_array_equal(rows_of(*ran.chunk_examples(2, chunk)),
                                      rows_of(*plain.chunk_examples(2, chunk)))
    order = [batch.targets for batch in batches(ran, 2)]
    assert not all(np.array_equal(x, y.targets) for x, y in zip(order, batches(plain, 2)))
    assert all(batch.span is None for batch in batches(single))   # 1: the old stream, no span


def test_a_short_last_run_and_odd_batch_sizes(rng):
    b = runs(rng, 4, 8)
    for chunk in range(b.n_chunks):
        inputs, mask, targets = b.chunk_examples(0, chunk)
        if targets.size % 4:                # the short run is the chunk's last examples
            tail = targets.size % 4
            *_, last = [batch for c, _, _, batch in b.iter_epoch(0) if c == chunk]
            assert last.span.shape[0] == -(-last.size // 4)
            assert (last.span[-1, tail + b.offsets.size:] == 0).all()   # past the chunk's end
    # a batch that does not hold whole runs gets no span (the general path)
    assert all(batch.span is None for batch in batches(runs(rng, 4, 6)))
    sg = WindowBatcher(corpus_of(sentences(rng)), np.ones(V), "sgram", window=2, run_length=4)
    assert sg.run_length == 1 and all(batch.span is None for batch in batches(sg))


def test_resumed_runs_get_the_same_batches(rng):
    b = runs(rng, 4, 8)
    full = list(b.iter_epoch(1))
    chunk, index = full[5][0], full[5][1]
    for (_, _, _, x), (_, _, _, y) in zip(full[5:], b.iter_epoch(1, chunk, index)):
        np.testing.assert_array_equal(x.span, y.span)
        np.testing.assert_array_equal(x.targets, y.targets)


@pytest.mark.parametrize("variant, m, shared",
                         [(v, 4, 1) for v in WINDOW_TYPES]
                         + [(("cbow_neg", None), 4, 4), (("sgram_neg", "window"), 2, 2)],
                         ids=lambda v: v[0] if isinstance(v, tuple) else str(v))
def test_strips_equal_the_general_path(variant, m, shared, rng):
    model = model_for(variant, rng)
    negative = 3 if model.uses_negatives else 0
    for batch in batches(runs(rng, m, 4 * m, negative=negative, shared=shared)):
        plain = batch._replace(span=None)
        loss, grads = kernels.select(model, batch).loss_and_grad(model, batch, 1.0)
        ref_loss, ref = model.loss_and_grad(plain, 1.0)
        assert loss == pytest.approx(ref_loss, rel=1e-12)
        fast, slow = dense(model, grads), dense(model, ref)
        for k in slow:
            np.testing.assert_allclose(fast[k], slow[k], rtol=1e-10, atol=1e-12)
        assert grads["W_in"].index.shape == (batch.span.size,)     # one row per strip position
        named = kernels.row_indices(model, batch)       # what the batch producer plans for
        assert "W_in" in named
        for name, index in named.items():
            np.testing.assert_array_equal(index, grads[name].index)


def test_strips_pass_the_gradient_check_and_a_wrong_strip_fails(rng):
    model = model_for(("cbow_hs", None), rng)
    batch = batches(runs(rng, 4, 8))[1]
    assert batch.span is not None and check(model, batch) < 1e-6
    kernel = kernels.select(model, batch)
    wrong = batch._replace(span=(batch.span + 1) % V)
    assert kernel.loss_and_grad(model, wrong)[0] != pytest.approx(model.loss(batch), rel=1e-6)
    with pytest.raises(ValueError, match="strips"):
        kernel.loss_and_grad(model, batch._replace(span=batch.span[:-1]))


def test_word2vec_shuffles_cbow_hs_in_runs(tmp_path, rng):
    text = text_file(tmp_path, rng)
    assert Word2Vec(type="cbow_hs", negative=0).config["run_length"] == span.TILE
    for type_ in ("sgram_hs", "cbow_neg", "sgram_neg", "cbow"):      # 1: windows one by one
        assert Word2Vec(type=type_, negative=0 if "_neg" not in type_ else 5,
                        ).config["run_length"] == 1
    assert Word2Vec(type="cbow_hs", shuffle=False).config["run_length"] == 1   # corpus order
    with pytest.raises(ValueError, match="run_length"):
        Word2Vec(type="cbow_hs", run_length=0)
    w2v = Word2Vec(type="cbow_hs", min_count=1, vector_size=8, epochs=1, progress=False,
                   batch_size=32)
    w2v.build_vocab(str(text))
    batch = next(iter(w2v.make_batcher().iter_epoch(0)))[3]
    assert batch.span.shape == (32 // span.TILE, span.TILE + 2 * 5)
    w2v.train()
    path = tmp_path / "m.model"
    w2v.save(str(path))
    assert Word2Vec.load(str(path)).config["run_length"] == span.TILE
