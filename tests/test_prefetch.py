"""Batches made by a producer process (w2v_numpy.batching.producer): the same training, to the bit."""
import multiprocessing
import os
import signal

import numpy as np
import pytest

import w2v_numpy.batching.producer as prefetch
import w2v_numpy.training.loop as loop
from w2v_numpy import Word2Vec
from w2v_numpy.backend import RowPlan, scatter_add
from w2v_numpy import kernels
from w2v_numpy.batching import WindowBatcher
from w2v_numpy.models import window_types
from w2v_numpy.training.workers import can_fork
from w2v_numpy.training.loop import train

pytestmark = pytest.mark.skipif(not can_fork(), reason="the producer needs the fork start method")

# (type, formulation, shuffle): the span path (corpus order) and the shuffled one.
CASES = [(t, None, None) for t in window_types()] + [
    ("cbow_neg", None, True), ("sgram_neg", "window", True),
    ("cbow_hs", None, False), ("sgram_hs", "window", False)]


def trained(corpus, monkeypatch, produce, type_="cbow_neg", formulation=None, shuffle=None,
            **kw):
    """A model trained with (``produce``) or without a producer, whatever the batches."""
    monkeypatch.setattr(loop, "wanted", lambda prefetch, batcher: produce)
    args = dict(type=type_, vector_size=12, window=3, min_count=1, sample=1e-2, negative=4,
                alpha=0.03, epochs=1, batch_size=48, seed=4, progress=False,
                formulation=formulation, shuffle=shuffle)
    args.update(kw)
    return Word2Vec(corpus, **args)


@pytest.mark.parametrize("type_, formulation, shuffle", CASES)
def test_a_producer_changes_nothing(group_corpus, monkeypatch, type_, formulation, shuffle):
    here = trained(group_corpus, monkeypatch, False, type_, formulation, shuffle)
    there = trained(group_corpus, monkeypatch, True, type_, formulation, shuffle)
    for name, value in here.model.params.items():
        np.testing.assert_array_equal(there.model.params[name], value)
    assert there.state.batch_losses == here.state.batch_losses
    assert not multiprocessing.active_children()


def test_the_span_batches_bring_their_plans(group_corpus, monkeypatch, tmp_path):
    """The producer makes the plans; the trainer uses them (checked against its own rows)."""
    log = tmp_path / "planners.txt"
    real = RowPlan.__init__

    def logged(self, index):                     # which process made each plan
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        real(self, index)

    monkeypatch.setattr(RowPlan, "__init__", logged)
    trained(group_corpus, monkeypatch, True, "cbow_neg", shuffle=False)
    planners = log.read_text().split()
    assert planners and str(os.getpid()) not in planners
    log.unlink()
    trained(group_corpus, monkeypatch, False, "cbow_neg", shuffle=False)
    assert set(log.read_text().split()) == {str(os.getpid())}


def test_a_plan_for_other_rows_is_refused(rng):
    W = np.zeros((6, 2))
    index = np.array([1, 2, 2, 5])
    with pytest.raises(ValueError, match="another index"):
        scatter_add(W, index, np.ones((4, 2)), RowPlan(np.array([1, 2, 3, 5])))
    scatter_add(W, index, np.ones((4, 2)), RowPlan(index.copy()))
    np.testing.assert_array_equal(W[:, 0], [0, 1, 2, 0, 0, 1])


@pytest.mark.parametrize("type_, named", [("cbow_neg", {"W_in", "W_out"}),
                                          ("sgram_neg", {"W_in", "W_out"}),
                                          ("cbow_hs", {"W_in", "W_out"}), ("cbow", {"W_in"}),
                                          ("sgram_hs", {"W_in", "W_out"})])
def test_row_indices_are_the_steps_own(group_corpus, monkeypatch, type_, named):
    w2v = trained(group_corpus, monkeypatch, False, type_, shuffle=False, epochs=1)
    batcher = w2v.make_batcher()
    _, _, _, batch = next(iter(batcher.iter_epoch(0)))
    assert batch.span is not None
    rows = kernels.row_indices(w2v.model, batch)
    _, grads = kernels.update_rows(w2v.model, batch, -0.01)
    assert set(rows) == named
    for name, index in rows.items():
        np.testing.assert_array_equal(index, grads[name].index)


def test_stopped_and_resumed_with_a_producer_equals_one_run(group_corpus, monkeypatch):
    whole = trained(group_corpus, monkeypatch, True, "sgram_neg", epochs=2)

    class StopAt:
        def on_batch_end(self, state):
            state.stop = len(state.batch_losses) == 11

    part = trained(None, monkeypatch, True, "sgram_neg", epochs=2).build_vocab(group_corpus)
    state = part.train(callbacks=[StopAt()])
    assert len(state.batch_losses) == 11 and not multiprocessing.active_children()
    part.train(state=state)
    np.testing.assert_array_equal(part.model.params["W_in"], whole.model.params["W_in"])
    assert part.state.batch_losses == whole.state.batch_losses


def test_batches_too_large_for_a_slot_go_through_the_pipe(group_corpus, monkeypatch):
    here = trained(group_corpus, monkeypatch, False, "cbow_neg", shuffle=False)
    monkeypatch.setattr(prefetch, "SLOT_BYTES", 4096)
    there = trained(group_corpus, monkeypatch, True, "cbow_neg", shuffle=False)
    np.testing.assert_array_equal(there.model.params["W_out"], here.model.params["W_out"])


class Failing(WindowBatcher):
    """Fails after a few batches, in whichever process makes them."""

    def iter_epoch(self, epoch, start_chunk=0, start_batch=0):
        for n, item in enumerate(super().iter_epoch(epoch, start_chunk, start_batch)):
            if n == 3:
                raise KeyError("the fourth batch")
            yield item


class Killed(WindowBatcher):
    """Its process dies without a word after a few batches."""

    def iter_epoch(self, epoch, start_chunk=0, start_batch=0):
        for n, item in enumerate(super().iter_epoch(epoch, start_chunk, start_batch)):
            if n == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            yield item


def batcher_like(w2v, cls):
    b = w2v.make_batcher()
    clone = cls.__new__(cls)
    clone.__dict__.update(b.__dict__)
    return clone


def test_a_producer_that_fails_or_dies_stops_training_cleanly(group_corpus, monkeypatch):
    w2v = trained(group_corpus, monkeypatch, False, "cbow_neg", epochs=1)
    monkeypatch.undo()                           # prefetch=True below decides, as it says
    with pytest.raises(KeyError, match="fourth batch"):
        train(w2v.model, batcher_like(w2v, Failing), epochs=1, progress=False, prefetch=True)
    with pytest.raises(RuntimeError, match="producer died"):
        train(w2v.model, batcher_like(w2v, Killed), epochs=1, progress=False, prefetch=True)
    assert not multiprocessing.active_children()


def test_when_a_producer_is_used(group_corpus, monkeypatch):
    w2v = trained(group_corpus, monkeypatch, False, "cbow_neg", epochs=1, shuffle=False)
    batcher = w2v.make_batcher()
    monkeypatch.setattr(prefetch, "MIN_WORDS", batcher.words_per_epoch)
    assert prefetch.wanted(None, batcher) and prefetch.wanted(True, batcher)
    assert not prefetch.wanted(False, batcher)
    monkeypatch.setattr(prefetch, "MIN_WORDS", batcher.words_per_epoch + 1)
    assert not prefetch.wanted(None, batcher) and prefetch.wanted(True, batcher)
    monkeypatch.setattr(prefetch, "MIN_WORDS", 0)
    batcher.shuffle = True                              # shuffled: the counts come along too
    assert prefetch.wanted(None, batcher) and not prefetch.wanted(False, batcher)
    assert not prefetch.wanted(None, object())          # GloVe's and the classifier's batchers


def test_word2vec_takes_the_prefetch_setting(group_corpus, monkeypatch):
    """``Word2Vec(prefetch=...)`` reaches the loop: None decides (corpus-order cbow_neg:
    a producer), False keeps one process, True asks for one; the model is the same."""
    monkeypatch.setattr(prefetch, "MIN_WORDS", 0)
    calls, real = [], loop.prefetched
    monkeypatch.setattr(loop, "prefetched", lambda *a, **k: calls.append(1) or real(*a, **k))
    models = []
    for setting, used in ((None, True), (False, False), (True, True)):
        calls.clear()
        models.append(Word2Vec(group_corpus, type="cbow_neg", vector_size=8, window=3,
                               min_count=1, epochs=1, batch_size=48, progress=False, seed=3,
                               prefetch=setting))
        assert bool(calls) == used, setting
    for other in models[1:]:
        np.testing.assert_array_equal(other.model.params["W_in"], models[0].model.params["W_in"])


@pytest.mark.parametrize("front", ["glove", "fasttext"])
def test_other_trainers_with_a_producer_change_nothing(group_corpus, monkeypatch, front):
    """GloVe (its own optimiser, entry batches) and FastText (subword inputs): the
    producer only makes their batches."""
    from w2v_numpy import FastText, GloVe

    def fit():
        if front == "glove":
            return GloVe(group_corpus, vector_size=6, window=3, min_count=1, epochs=2,
                         batch_size=64, progress=False, seed=2)
        return FastText(group_corpus, sg=0, vector_size=8, window=3, min_count=1, bucket=97,
                        epochs=1, batch_size=64, progress=False, seed=2)

    here = fit()
    monkeypatch.setattr(loop, "wanted", lambda prefetch, batcher: True)
    there = fit()
    for name, value in here.model.params.items():
        np.testing.assert_array_equal(there.model.params[name], value)
    assert there.state.batch_losses == here.state.batch_losses


def arrays_in(obj):
    """Every NumPy array in nested tuples, lists and dicts (batches, plans, prepared work)."""
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from arrays_in(value)
    elif isinstance(obj, (tuple, list)):
        for value in obj:
            yield from arrays_in(value)
    elif isinstance(obj, RowPlan):
        yield from (obj.index, obj.take, obj.rows)
        yield from arrays_in(obj.tail_sum)


@pytest.mark.parametrize("type_, formulation, shuffle", CASES)
def test_what_the_producer_sends_goes_through_shared_memory(tmp_path, monkeypatch, type_,
                                                            formulation, shuffle):
    """Every array of a batch, its plans and its prepared work is contiguous, so pickle
    hands it over out of band (copied into a slot) instead of through the pipe; the
    pickle itself stays small."""
    rng = np.random.default_rng(8)              # 400 words, long-tailed: Huffman paths of 10+
    words = np.minimum(rng.zipf(1.3, 6000), 400)
    text = tmp_path / "zipf.txt"
    name = [f"w{chr(97 + k % 26)}{chr(97 + k // 26)}" for k in range(401)]   # letters only
    text.write_text("\n".join(" ".join(name[k] for k in line) for line in words.reshape(-1, 20)))
    w2v = trained(str(text), monkeypatch, False, type_, formulation, shuffle)
    batcher, model = w2v.make_batcher(), w2v.model
    assert int(model.tree.lengths.max()) > 8 if hasattr(model, "tree") else True
    for item in batcher.iter_epoch(0):
        message = (item, kernels.step_plans(model, item[-1]))
        for a in arrays_in(message):
            assert a.flags.c_contiguous or a.flags.f_contiguous, a.shape
        data, places = prefetch._pack(message, bytearray(prefetch.SLOT_BYTES))
        assert places is not None and len(data) < 4096


@pytest.mark.parametrize("slot_bytes", [prefetch.SLOT_BYTES, 4096], ids=["slot", "pipe"])
def test_received_arrays_have_numpys_own_dtypes(group_corpus, monkeypatch, slot_bytes):
    """What the producer sends (through a slot or the pipe) comes back with NumPy's
    built-in dtype instances, not equal copies: np.add.at takes its slow path for
    the copies (the scatter-add's tail of cbow_neg 20x slower)."""
    monkeypatch.setattr(prefetch, "SLOT_BYTES", slot_bytes)
    w2v = trained(group_corpus, monkeypatch, False, "cbow_hs", shuffle=True)
    batcher, model = w2v.make_batcher(), w2v.model
    seen = 0
    for item in prefetch.prefetched(batcher, (0, 0, 0), lambda b: kernels.step_plans(model, b)):
        for a in arrays_in(item):
            assert a.dtype is np.dtype(a.dtype.str), a.dtype
            seen += 1
    floats = np.ones(3, np.float32)
    assert seen and prefetch.pickle.loads(prefetch.pickle.dumps(floats)).dtype is not floats.dtype


def test_arrays_round_trip_through_the_producers_pickler():
    """Contiguous arrays go as ``np.ndarray(shape, dtype, buffer)`` calls, the rest as NumPy
    pickles them; either way, out of band or in the pickle, they come back equal, with
    NumPy's own dtype instances."""
    arrays = [np.zeros(0, np.int64), np.zeros((0, 5), np.float32), np.array(3.5),
              np.ones((2, 3), bool), np.arange(6, dtype=np.int8).reshape(2, 3),
              np.array(["ab", "c"]), np.asfortranarray(np.ones((3, 2))),
              np.arange(12.0).reshape(3, 4)[:, ::2]]
    buffers = []
    out_of_band = prefetch.pickle.loads(
        prefetch._dumps(arrays, protocol=5, buffer_callback=buffers.append),
        buffers=[b.raw() for b in buffers])
    in_band = prefetch.pickle.loads(prefetch._dumps(arrays, protocol=5))
    for a, b, c in zip(arrays, out_of_band, in_band):
        for got in (b, c):
            np.testing.assert_array_equal(got, a)
            assert got.shape == a.shape and got.dtype == a.dtype
            if a.dtype.isbuiltin:
                assert got.dtype is np.dtype(a.dtype.str)
