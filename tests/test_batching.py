"""The shared batcher and the negative sampler: structure and statistics."""
import numpy as np
import pytest

from w2v_numpy.batching import NegativeSampler, WindowBatcher
from w2v_numpy.text.encoding import EncodedCorpus


def corpus_of(sentences):
    ids = np.concatenate([np.asarray(s, dtype=np.int32) for s in sentences])
    starts = np.cumsum([0] + [len(s) for s in sentences[:-1]]).astype(np.int64)
    return EncodedCorpus(ids, starts, int(ids.size))


def all_batches(batcher, epoch=0):
    return [b for *_, b in batcher.iter_epoch(epoch)]


def test_skipgram_pairs_respect_sentences_and_window():
    # distinct ids, so each pair tells its positions
    sents = [list(range(0, 6)), list(range(6, 9))]
    c = corpus_of(sents)
    b = WindowBatcher(c, np.ones(9), "sgram", window=2, batch_size=1000, shuffle=False)
    pairs = {(int(i[0]), int(t)) for batch in all_batches(b) for i, t in zip(batch.inputs, batch.targets)}
    assert all((x < 6) == (y < 6) for x, y in pairs)        # never across the boundary
    assert all(0 < abs(x - y) <= 2 for x, y in pairs)
    assert (6, 7) in pairs and (0, 1) in pairs


def test_reduced_window_distribution():
    """Radius b ~ U{1..R}: a context at distance k is used with probability (R-k+1)/R."""
    R, n = 4, 40000
    c = corpus_of([np.arange(n) % 50000])
    b = WindowBatcher(c, np.ones(50000), "sgram", window=R, batch_size=1 << 20, shuffle=False,
                      chunk_words=n)
    inputs, _, targets = b.chunk_examples(0, 0)
    # ids equal positions here, so the distance is target - input
    dist = np.abs(targets - inputs[:, 0])
    for k in range(1, R + 1):
        frac = np.count_nonzero(dist == k) / (2 * n)
        assert frac == pytest.approx((R - k + 1) / R, abs=0.01)


def test_cbow_examples_are_padded_and_masked():
    c = corpus_of([[1, 2, 3, 4, 5]])
    b = WindowBatcher(c, np.ones(6), "cbow", window=3, batch_size=10, shuffle=False)
    (batch,) = all_batches(b)
    assert batch.inputs.shape == (5, 6) and batch.mask.shape == (5, 6)
    assert batch.negatives is None
    for row, m, t in zip(batch.inputs, batch.mask, batch.targets):
        ctx = row[m]
        assert t not in ctx and len(ctx) >= 1 and set(ctx) <= {1, 2, 3, 4, 5}
        assert (row[~m] == 0).all()


def test_subsampling_keep_rate():
    keep = np.array([0.25, 1.0])
    ids = np.r_[np.zeros(40000, int), np.ones(1000, int)]
    c = corpus_of([ids])
    b = WindowBatcher(c, keep, "cbow", window=1, batch_size=1 << 20, chunk_words=10 ** 6)
    _, _, targets = b.chunk_examples(0, 0)
    assert np.count_nonzero(targets == 0) / 40000 == pytest.approx(0.25, abs=0.01)
    assert np.count_nonzero(targets == 1) == 1000


def test_negative_distribution_and_no_target_clash():
    counts = np.array([1000, 300, 100, 10, 1])
    s = NegativeSampler(counts)
    rng = np.random.default_rng(0)
    targets = np.zeros(200000, dtype=int)          # target 0 is never a negative
    neg = s.sample(targets, 2, rng)
    assert not (neg == 0).any()
    p = counts[1:] ** 0.75 / (counts[1:] ** 0.75).sum()
    freq = np.bincount(neg.ravel(), minlength=5)[1:] / neg.size
    np.testing.assert_allclose(freq, p, atol=0.004)
    unconditional = s.sample(np.full(100000, -1), 1, rng)
    np.testing.assert_allclose(np.bincount(unconditional.ravel(), minlength=5) / 1e5,
                               counts ** 0.75 / (counts ** 0.75).sum(), atol=0.005)


def test_sampler_needs_two_words():
    with pytest.raises(ValueError, match="2 words"):
        NegativeSampler([5])


def make(seed=0, family="sgram", **kw):
    rng = np.random.default_rng(99)
    sents = [rng.integers(0, 30, rng.integers(2, 40)) for _ in range(300)]
    c = corpus_of(sents)
    counts = np.bincount(c.ids, minlength=30)
    return WindowBatcher(c, np.full(30, 0.8), family, window=3, batch_size=64, negative=4,
                         sampler=NegativeSampler(counts + 1), seed=seed, chunk_words=500, **kw)


def test_reproducible_and_resumable():
    a, b = make(), make()
    ref, again = list(a.iter_epoch(1)), list(b.iter_epoch(1))
    assert a.n_chunks > 3 and len(again) == len(ref)
    for (c1, i1, w1, x), (c2, i2, w2, y) in zip(ref, again):
        assert (c1, i1, w1) == (c2, i2, w2)
        for u, v in zip(x, y):
            assert (u is None and v is None) or np.array_equal(u, v)
    # restart in the middle of chunk 2 at batch 1: the same stream from there on
    k = next(j for j, r in enumerate(ref) if r[0] == 2 and r[1] == 1)
    tail = list(make().iter_epoch(1, start_chunk=2, start_batch=1))
    assert len(tail) == len(ref) - k
    assert all(np.array_equal(t[3].negatives, r[3].negatives) for t, r in zip(tail, ref[k:]))
    # another epoch or seed gives another stream
    assert not np.array_equal(ref[0][3].targets, next(make().iter_epoch(0))[3].targets)
    assert not np.array_equal(ref[0][3].targets, next(make(seed=1).iter_epoch(1))[3].targets)


def test_words_done_reaches_corpus_size_and_batches_are_bounded():
    b = make(family="cbow")
    out = list(b.iter_epoch(0))
    assert out[-1][2] == b.words_per_epoch
    assert max(x[3].targets.size for x in out) <= 64
    assert all(x[3].negatives.shape == (x[3].targets.size, 4) for x in out)
    words = [x[2] for x in out]
    assert words == sorted(words)


@pytest.mark.parametrize("kw, name", [
    (dict(window=0), "window"), (dict(batch_size=0), "batch_size"), (dict(negative=-1), "negative"),
])
def test_batcher_rejects_bad_settings(kw, name):
    c = corpus_of([[0, 1, 2]])
    args = dict(window=2, batch_size=4, negative=0)
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        WindowBatcher(c, np.ones(3), "sgram", **args)
