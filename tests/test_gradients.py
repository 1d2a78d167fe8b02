"""Gradient checks: hand-derived gradients against finite differences and a slow loop."""
import numpy as np
import pytest

from w2v_numpy.batching import Batch
from w2v_numpy.functional import log_sigmoid, log_softmax, sigmoid
from w2v_numpy.gradcheck import check, check_report
from w2v_numpy.models import MODELS, create

from conftest import random_batch, randomize

TYPES = ["cbow", "cbow_neg", "sgram", "sgram_neg"]


def tiny(type_, rng, V=7, d=3, B=5, C=4, K=3, masked=True):
    model = randomize(create(type_, V, d, dtype=np.float64), rng)
    C = 1 if type_.startswith("sgram") else C
    K = K if type_.endswith("_neg") else 0
    return model, random_batch(rng, V, B, C, K, masked=masked)


@pytest.mark.parametrize("type_", TYPES)
@pytest.mark.parametrize("masked", [True, False])
def test_gradcheck_below_1e6(type_, masked, rng):
    model, batch = tiny(type_, rng, masked=masked)
    report = check_report(model, batch)
    assert report.checked == 2 * 7 * 3
    assert report.max_error < 1e-6, str(report)


@pytest.mark.parametrize("type_", TYPES)
def test_gradcheck_catches_a_wrong_gradient(type_, rng):
    """The checker must be able to fail: break the gradient and it notices."""
    model, batch = tiny(type_, rng)
    good = model.grad

    def broken(b):
        g = good(b)
        g["W_in"] = g["W_in"] * 1.01
        return g

    model.grad = broken
    report = check_report(model, batch)
    assert report.max_error > 1e-4 and report.param == "W_in"


def slow_loss_and_grad(model, batch):
    """An independent per-example implementation, straight from the formulas."""
    W_in, W_out = model.params["W_in"], model.params["W_out"]
    gin, gout = np.zeros_like(W_in), np.zeros_like(W_out)
    total = 0.0
    for b in range(len(batch.targets)):
        slots = [c for c in range(batch.inputs.shape[1]) if batch.mask is None or batch.mask[b, c]]
        words = [batch.inputs[b, c] for c in slots]
        h = sum(W_in[w] for w in words) / len(words)
        t = batch.targets[b]
        if batch.negatives is None:
            z = W_out @ h
            p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
            total += -np.log(p[t])
            e = p.copy()
            e[t] -= 1
            gout += np.outer(e, h)
            dh = W_out.T @ e
        else:
            s0 = W_out[t] @ h
            total += -np.log(1 / (1 + np.exp(-s0)))
            g0 = 1 / (1 + np.exp(-s0)) - 1
            gout[t] += g0 * h
            dh = g0 * W_out[t]
            for n in batch.negatives[b]:
                s = W_out[n] @ h
                total += -np.log(1 / (1 + np.exp(s)))
                g = 1 / (1 + np.exp(-s))
                gout[n] += g * h
                dh = dh + g * W_out[n]
        for w in words:
            gin[w] += dh / len(words)
    return total, {"W_in": gin, "W_out": gout}


@pytest.mark.parametrize("type_", TYPES)
def test_grad_equals_slow_loop(type_, rng):
    model, batch = tiny(type_, rng, B=9)
    loss, ref = slow_loss_and_grad(model, batch)
    assert model.loss(batch) == pytest.approx(loss, rel=1e-12)
    grad = model.grad(batch)
    for k in ref:
        np.testing.assert_allclose(grad[k], ref[k], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("type_", TYPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_step_equals_params_minus_alpha_grad(type_, dtype, rng):
    model, batch = tiny(type_, rng, B=9)
    model = model.astype(dtype)
    alpha = 0.05
    before = {k: v.copy() for k, v in model.params.items()}
    expected_loss = model.loss(batch)
    grad = model.grad(batch)
    returned = model.step(batch, alpha)
    assert returned == expected_loss
    tol = 1e-12 if dtype == np.float64 else 1e-6
    for k in before:
        assert model.params[k].dtype == dtype
        np.testing.assert_allclose(model.params[k], before[k] - alpha * grad[k], rtol=tol, atol=tol)


def test_repeated_indices_accumulate(rng):
    """Two identical examples in one batch move the rows twice as far as one."""
    one = randomize(create("sgram_neg", 6, 2, dtype=np.float64), rng)
    two = one.astype(np.float64)
    b1 = Batch(np.array([[1]]), None, np.array([2]), np.array([[3, 3]]))
    b2 = Batch(np.array([[1], [1]]), None, np.array([2, 2]), np.array([[3, 3], [3, 3]]))
    start = {k: v.copy() for k, v in one.params.items()}
    one.step(b1, 0.1)
    two.step(b2, 0.1)
    for k in start:
        np.testing.assert_allclose(two.params[k] - start[k], 2 * (one.params[k] - start[k]))


@pytest.mark.parametrize("type_", TYPES)
def test_no_overflow_at_huge_scores(type_, rng):
    model, batch = tiny(type_, rng)
    randomize(model, rng, scale=300.0)
    loss = model.loss(batch)
    grads = model.grad(batch)
    assert np.isfinite(loss) and loss > 1000
    assert all(np.isfinite(g).all() for g in grads.values())


def test_stable_functions_match_naive_where_naive_works():
    x = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(log_sigmoid(x), np.log(1 / (1 + np.exp(-x))), rtol=1e-9, atol=1e-12)
    assert log_sigmoid(np.array([-1000.0]))[0] == -1000.0
    assert sigmoid(np.array([1000.0, -1000.0])).tolist() == [1.0, 0.0]
    z = np.array([[1000.0, 0.0, -1000.0]])
    assert np.allclose(np.exp(log_softmax(z)).sum(), 1.0) and np.isfinite(log_softmax(z)).all()


def test_registry_and_create():
    assert set(MODELS) == set(TYPES)
    m = create("cbow", 10, 4)
    assert m.params["W_in"].shape == (10, 4) and m.params["W_out"].shape == (10, 4)
    assert m.params["W_in"].dtype == np.float32
    assert np.all(np.abs(m.params["W_in"]) <= 0.5 / 4) and not m.params["W_out"].any()
    assert check(create("sgram", 3, 2, dtype=np.float64), Batch(np.array([[0]]), None, np.array([1]), None)) < 1e-6


@pytest.mark.parametrize("kwargs, name", [
    (dict(type="cbow", vocab_size=0, vector_dim=3), "vocab_size"),
    (dict(type="cbow", vocab_size=3, vector_dim=0), "vector_dim"),
    (dict(type="skipgram", vocab_size=3, vector_dim=2), "type"),
])
def test_create_rejects_bad_sizes(kwargs, name):
    with pytest.raises(ValueError, match=name):
        create(**kwargs)


def test_neg_model_needs_negatives():
    m = create("cbow_neg", 5, 2)
    with pytest.raises(ValueError, match="neg"):
        m.loss(Batch(np.array([[0, 1]]), None, np.array([2]), None))
