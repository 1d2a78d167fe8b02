"""Backends: the same training code on NumPy and on a strict CuPy-like wrapper."""
import numpy as np
import pytest

from w2v_numpy import Word2Vec, backend
from w2v_numpy.batching import Batch
from w2v_numpy.teaching.gradcheck import check
from w2v_numpy.models import VARIANTS, create, window_types

from strict_backend import HostDeviceLeak, strict_scatter_add, xp as strict_xp

TYPES = window_types()   # every type Word2Vec and the trainer accept
#: ... in every formulation (sgram_neg and sgram_hs: the per-pair and the window form).
FORMS = sorted((t, f) for t, f in VARIANTS if t in TYPES)


@pytest.fixture
def strict():
    backend.register_backend("strict", strict_xp, strict_scatter_add)
    backend.set_backend("strict")
    yield strict_xp
    backend.set_backend("numpy")


def test_the_strict_backend_catches_leaks(strict):
    dev = strict.zeros((3, 2))
    with pytest.raises(HostDeviceLeak):
        dev + np.ones((3, 2))
    with pytest.raises(HostDeviceLeak):
        dev[np.array([0, 1])]
    with pytest.raises(HostDeviceLeak):
        strict.concatenate([dev, np.ones((1, 2))])
    with pytest.raises(HostDeviceLeak):
        dev[0] = np.ones(2)
    assert type(backend.to_numpy(dev)) is np.ndarray


@pytest.mark.parametrize("type_, formulation", FORMS)
def test_training_on_the_strict_backend_matches_numpy(type_, formulation, group_corpus, strict):
    # float64: the two backends add repeated rows in different orders, and in float32 that
    # rounding alone drifts by 1e-5 over an epoch; in float64 any real difference still shows.
    kw = dict(type=type_, vector_size=8, window=2, min_count=1, epochs=1, seed=4, progress=False,
              cbow_update="word2vec" if type_ == "cbow_neg" else "exact", formulation=formulation,
              dtype=np.float64)
    on_device = Word2Vec(group_corpus, **kw)
    W = on_device.model.params["W_in"]
    assert type(W).__name__ == "StrictArray"
    host = backend.to_numpy(W)
    backend.set_backend("numpy")
    on_host = Word2Vec(group_corpus, **kw)
    np.testing.assert_allclose(host, on_host.model.params["W_in"], rtol=1e-9, atol=1e-12)
    assert on_device.state.batch_losses == pytest.approx(on_host.state.batch_losses, rel=1e-9)
    assert on_device.wv.vectors.shape == host.shape


@pytest.mark.parametrize("scatter", [backend._numpy_scatter_add, backend._numpy_scatter_add_elementwise])
@pytest.mark.parametrize("shape", [(9, 3), (9,), "strided"])
def test_numpy_scatter_add_accumulates_every_repeat(shape, scatter):
    """Rows repeated once, a few times and many times (past the plain-add rounds)
    all receive every update, as a Python loop gives them."""
    rng = np.random.default_rng(0)
    index = np.concatenate([np.full(40, 2), np.full(5, 7), [0, 1, 1, 3, 3, 3], rng.integers(0, 9, 30)])
    rng.shuffle(index)
    if shape == "strided":
        target = rng.normal(size=(9, 6))[:, ::2]
    else:
        target = rng.normal(size=shape)
    values = rng.normal(size=(index.size,) + target.shape[1:])
    expected = target.copy()
    for i, v in zip(index, values):
        expected[i] += v
    scatter(target, index, values)
    np.testing.assert_allclose(target, expected, rtol=1e-12, atol=1e-12)
    scatter(target, index[:0], values[:0])                         # nothing to add
    np.testing.assert_allclose(target, expected, rtol=1e-12, atol=1e-12)


def test_gradcheck_on_the_strict_backend(strict):
    model = create("cbow_neg", 6, 3, dtype=np.float64)
    model.params["W_out"][:] = strict.asarray(np.random.default_rng(0).normal(size=(6, 3)))
    batch = Batch(*(strict.asarray(a) for a in (np.array([[1, 2, 2]]), np.array([[True, True, False]]),
                                                np.array([3]), np.array([[4, 4]]))))
    assert check(model, batch) < 1e-6


def test_unavailable_cupy_is_a_clear_error(monkeypatch):
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed here")
    except ImportError:
        pass
    with pytest.raises(ValueError, match="backend='cupy' is not available"):
        backend.set_backend("cupy")
    monkeypatch.setenv("W2V_BACKEND", "cupy")
    with pytest.raises(ValueError, match="cupy"):
        backend.set_backend()
    backend.set_backend("numpy")
    with pytest.raises(ValueError, match="backend"):
        backend.set_backend("tpu")


def test_glove_training_on_the_strict_backend_matches_numpy(strict, tmp_path):
    from w2v_numpy import GloVe
    from strict_backend import StrictArray

    text = tmp_path / "t.txt"
    text.write_text("\n".join(" ".join(f"w{(i * 7 + j * j) % 13}" for j in range(9))
                              for i in range(60)))
    kw = dict(vector_size=6, window=3, min_count=1, epochs=2, batch_size=64, x_max=5.0,
              progress=False, seed=2)
    on_device = GloVe(str(text), **kw)
    assert isinstance(on_device.model.params["W"], StrictArray)
    assert isinstance(on_device.optimizer.accumulators["b"], StrictArray)
    host = {k: backend.to_numpy(v) for k, v in on_device.model.params.items()}
    backend.set_backend("numpy")
    on_host = GloVe(str(text), **kw)
    for name, value in on_host.model.params.items():
        np.testing.assert_allclose(host[name], value, rtol=1e-5, atol=1e-7)
    assert on_device.state.batch_losses == pytest.approx(on_host.state.batch_losses, rel=1e-5)


def test_a_row_plan_changes_nothing_but_the_bookkeeping():
    rng = np.random.default_rng(0)
    index = rng.integers(0, 9, size=40)
    values = rng.normal(size=(40, 3))
    plan = backend.row_plan(index, 9)
    for target_shape, vals in (((9, 3), values), ((9,), values[:, 0])):
        plain, planned = np.zeros(target_shape), np.zeros(target_shape)
        backend.scatter_add(plain, index, vals)
        backend.scatter_add(planned, index, vals, plan)
        slow = np.zeros(target_shape)
        for i, v in zip(index, vals):
            slow[i] += v
        np.testing.assert_array_equal(planned, plain)
        np.testing.assert_allclose(planned, slow, rtol=1e-12)


def test_a_row_plan_deals_every_position_once_and_survives_pickling():
    """What the batch producer sends: rounds of distinct rows plus the tail, each
    position of the index exactly once, the same after a trip through pickle."""
    import pickle

    rng = np.random.default_rng(3)
    index = np.concatenate([np.full(30, 4), rng.integers(0, 50, 200)])
    rng.shuffle(index)
    plan = pickle.loads(pickle.dumps(backend.RowPlan(index), protocol=5))
    taken = [take for _, take in plan.rounds] + [plan.tail]
    np.testing.assert_array_equal(np.sort(np.concatenate(taken)), np.arange(index.size))
    for rows, take in plan.rounds:
        assert np.unique(rows).size == rows.size
        np.testing.assert_array_equal(rows, index[take])
    np.testing.assert_array_equal(plan.tail_rows, index[plan.tail])
    # rounds while enough rows reach them, then the tail: row 4's many later occurrences
    sizes = [rows.size for rows, _ in plan.rounds]
    assert 1 <= len(sizes) <= backend.SCATTER_ROUNDS
    assert all(size >= backend.MIN_ROUND_ROWS for size in sizes[1:])
    assert np.unique(plan.tail_rows).size < backend.MIN_ROUND_ROWS
    assert 4 in plan.tail_rows and plan.tail.size >= 30 - len(sizes)
    values = rng.normal(size=(index.size, 2))
    planned, plain = np.zeros((50, 2)), np.zeros((50, 2))
    backend.scatter_add(planned, index, values, plan)
    np.add.at(plain, index, values)
    np.testing.assert_allclose(planned, plain, rtol=1e-12)


def test_a_row_plan_makes_a_round_of_every_rank_that_enough_rows_reach():
    """40 rows that each occur 8 times: 8 rounds of 40 and no tail; one row more often
    than that, alone past them: the tail."""
    rng = np.random.default_rng(5)
    rows = np.repeat(np.arange(100, 100 + backend.MIN_ROUND_ROWS + 8), 8)
    index = np.concatenate([rows, np.full(20, 7)])
    rng.shuffle(index)
    plan = backend.RowPlan(index)
    sizes = [r.size for r, _ in plan.rounds]
    assert sizes == [backend.MIN_ROUND_ROWS + 9] * 8
    np.testing.assert_array_equal(plan.tail_rows, np.full(12, 7))
    target, plain = np.zeros((200, 3)), np.zeros((200, 3))
    values = rng.normal(size=(index.size, 3))
    backend.scatter_add(target, index, values, plan)
    np.add.at(plain, index, values)
    np.testing.assert_allclose(target, plain, rtol=1e-12)


def test_rows_listed_in_scatter_order_are_added_from_slices():
    """``arranged_plan`` lists an index round by round after rows given first: its plan
    is ``in_order`` (the rounds are slices of the values), equal to the plan made from
    the arranged rows, and the sum is the same; a shuffled index's plan is not in order."""
    rng = np.random.default_rng(11)
    index = np.concatenate([np.full(40, 3), rng.integers(0, 60, 300)])
    rng.shuffle(index)
    first = np.array([70, 65, 90])
    assert not backend.RowPlan(index).in_order
    import pickle

    order, plan = backend.arranged_plan(index, first)
    sent = pickle.dumps(plan, protocol=5)            # as the producer sends it: no ``take``
    assert len(sent) < len(pickle.dumps(backend.RowPlan(index), protocol=5))
    plan = pickle.loads(sent)
    np.testing.assert_array_equal(np.sort(order), np.arange(index.size))
    arranged = np.concatenate([first, index[order]])
    np.testing.assert_array_equal(plan.index, arranged)
    made = backend.RowPlan(arranged)                 # dealt from scratch: the same rounds
    assert plan.in_order and not made.in_order and len(plan.rounds) > 1 and plan.tail.size
    assert plan.bounds == made.bounds
    np.testing.assert_array_equal(plan.take, np.arange(arranged.size))
    np.testing.assert_array_equal(plan.tail_sum[1], made.tail_sum[1])
    values = rng.normal(size=(arranged.size, 3))
    planned, reference = np.zeros((100, 3)), np.zeros((100, 3))
    backend.scatter_add(planned, arranged, values, plan)
    np.add.at(reference, arranged, values)
    np.testing.assert_allclose(planned, reference, rtol=1e-12)
    # the flag trusts the plan, so a plan is still checked against its index
    with pytest.raises(ValueError, match="another index"):
        backend.scatter_add(planned, np.concatenate([first, index]), values, plan)


@pytest.mark.parametrize("distinct", [3, backend.TAIL_SUM_ROWS, backend.TAIL_SUM_ROWS + 1])
def test_a_tail_is_summed_by_a_product_while_it_has_few_rows(distinct):
    """Rows past the last round: summed by the plan's 0/1 matrix up to TAIL_SUM_ROWS
    distinct rows, by ``np.add.at`` beyond; the same sums either way, float32 and 64."""
    rng = np.random.default_rng(distinct)
    often = np.repeat(np.arange(distinct) * 3, backend.SCATTER_ROUNDS + 2)   # past every round
    index = np.concatenate([often, rng.integers(0, 400, 500)])
    rng.shuffle(index)
    plan = backend.RowPlan(index)
    assert plan.tail.size >= 2 * distinct
    assert (plan.tail_sum is None) == (distinct > backend.TAIL_SUM_ROWS)
    for dtype in (np.float32, np.float64):
        values = rng.normal(size=(index.size, 4)).astype(dtype)
        planned, reference = np.zeros((400, 4), dtype), np.zeros((400, 4), dtype)
        backend.scatter_add(planned, index, values, plan)
        np.add.at(reference, index, values)
        tol = 1e-5 if dtype == np.float32 else 1e-12   # float32: sums of ~20 in another order
        np.testing.assert_allclose(planned, reference, rtol=tol, atol=tol)


def test_a_row_writer_writes_what_the_plain_assignment_writes():
    """Whole rows as one ``void`` item each, where the table allows it; the plain
    assignment for a column slice and a 1-D table."""
    rng = np.random.default_rng(2)
    rows = rng.choice(50, 20, replace=False)
    for table in [rng.normal(size=(50, 7)).astype(np.float32), rng.normal(size=(50, 7)),
                  rng.normal(size=(50, 9))[:, 1:8], rng.normal(size=50)]:
        values = rng.normal(size=(20,) + table.shape[1:]).astype(table.dtype)
        want, got = table.copy(), table.copy() if table.flags.c_contiguous else table
        want[rows] = values
        backend.row_writer(got)(rows, values)
        np.testing.assert_array_equal(got, want)
