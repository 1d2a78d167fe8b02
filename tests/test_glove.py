"""GloVe math (w2v_numpy.models.glove): counts, the worked example of
the textbook chapter (section «Аналитический пример модели GloVe: Пошаговые вычисления»,
worked example of the GloVe model: step-by-step computation) and finite-difference checks."""
import numpy as np
import pytest

from w2v_numpy.models import glove

# The worked example: vocabulary cat chases mouse runs from, D = 2.
DOC_W = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8], [0.9, 1.0]])
DOC_W_CTX = np.array([[0.05, 0.15], [0.25, 0.35], [0.45, 0.55], [0.65, 0.75], [0.85, 0.95]])
DOC_B = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
DOC_KW = {"x_max": 10.0, "alpha": 0.75, "target": "log1p"}


def printed(value, digits):
    """Agreement at the document's printed precision (half a unit of the last digit)."""
    return pytest.approx(value, abs=0.5 * 10.0 ** -digits + 1e-12)


def max_fd_error(loss, params, grads, eps=1e-6):
    """Largest |num - ana| / max(1, |num|, |ana|) over every entry of ``params``,
    with central differences of ``loss()`` (params are perturbed in place)."""
    worst = 0.0
    for key, p in params.items():
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            up = loss()
            p[idx] = old - eps
            down = loss()
            p[idx] = old
            num, ana = (up - down) / (2 * eps), float(np.asarray(grads[key])[idx])
            worst = max(worst, abs(num - ana) / max(1.0, abs(num), abs(ana)))
    return worst


def doc_params():
    return {"W": DOC_W.copy(), "W_ctx": DOC_W_CTX.copy(), "b": DOC_B.copy(), "b_ctx": DOC_B.copy()}


# ---------------------------------------------------------------- weighting, target
def test_weighting_values():
    assert float(glove.weighting(1.0, 10.0, 0.75)) == printed(0.1778, 4)
    np.testing.assert_allclose(glove.weighting([0.0, 5.0, 10.0, 50.0], 10.0, 0.5),
                               [0.0, np.sqrt(0.5), 1.0, 1.0])
    f = glove.weighting(np.linspace(0, 120, 50))            # default x_max=100
    assert np.all(np.diff(f) >= 0) and f.max() == 1.0


def test_log_target_options():
    assert float(glove.log_target(np.e, "log")) == pytest.approx(1.0)
    assert float(glove.log_target(1.0, "log1p")) == printed(0.6931, 4)
    assert float(glove.log_target(0.0, "log1p")) == 0.0
    with pytest.raises(ValueError):
        glove.log_target([1.0, 0.0], "log")
    with pytest.raises(ValueError):
        glove.log_target(1.0, "sqrt")


# ---------------------------------------------------------------- co-occurrence
def test_cooccurrence_matches_document_matrix():
    # cat=0 chases=1 mouse=2 runs=3 from=4; window 1, symmetric (the example's
    # «1.3. Матрица со-встречаемости X», the co-occurrence matrix)
    X = glove.to_dense(glove.cooccurrence([[0, 1, 2], [2, 3, 4, 0]], window=1), 5)
    expected = np.array([[0, 1, 0, 0, 1],
                         [1, 0, 1, 0, 0],
                         [0, 1, 0, 1, 0],
                         [0, 0, 1, 0, 1],
                         [1, 0, 0, 1, 0]], dtype=float)
    np.testing.assert_array_equal(X, expected)


def test_cooccurrence_window_distance_and_direction():
    sents = [[0, 1, 2]]
    plain = glove.cooccurrence(sents, window=2)
    assert plain == {(1, 0): 1.0, (0, 1): 1.0, (2, 1): 1.0, (1, 2): 1.0, (2, 0): 1.0, (0, 2): 1.0}
    weighted = glove.cooccurrence(sents, window=2, distance_weighting=True)
    assert weighted[(0, 2)] == 0.5 and weighted[(2, 0)] == 0.5 and weighted[(0, 1)] == 1.0
    left_only = glove.cooccurrence(sents, window=2, symmetric=False)
    assert left_only == {(1, 0): 1.0, (2, 1): 1.0, (2, 0): 1.0}


def test_cooccurrence_repeats_and_sentence_boundaries():
    counts = glove.cooccurrence([[3, 3, 1], [1, 3]], window=5)
    assert counts[(3, 3)] == 2.0                 # each 3 sees the other
    assert counts[(3, 1)] == 3.0                 # two 3s with the first 1, one pair in sentence 2
    assert glove.cooccurrence([[0], [1]], window=3) == {}
    rows, cols, vals = glove.to_coo(counts)
    assert list(zip(rows, cols)) == sorted(counts)
    np.testing.assert_array_equal(vals, [counts[k] for k in sorted(counts)])
    with pytest.raises(ValueError):
        glove.cooccurrence([[0, 1]], window=0)


# ---------------------------------------------------------------- worked example
def test_document_forward_pass():
    f = glove.pair_forward(DOC_W[0], DOC_W_CTX[1], DOC_B[0], DOC_B[1], 1.0, **DOC_KW)
    assert float(f["dot"]) == printed(0.095, 3)
    assert float(f["prediction"]) == printed(0.125, 3)
    assert float(f["target"]) == printed(0.6931, 4)
    assert float(f["error"]) == printed(-0.5681, 4)
    assert float(f["weight"]) == printed(0.1778, 4)
    # exact arithmetic; the document prints L = 0.05747 and factor -0.2023 (erratum)
    assert float(f["loss"]) == printed(0.057401, 6)
    assert float(f["scale"]) == printed(-0.202065, 6)
    assert abs(float(f["loss"]) - 0.05747) > 5e-5
    assert abs(float(f["scale"]) - -0.2023) > 5e-5


def test_document_update():
    loss, v0, v1, b0, b1 = glove.pair_sgd_update(DOC_W[0], DOC_W_CTX[1], DOC_B[0], DOC_B[1],
                                                 1.0, 0.01, **DOC_KW)
    np.testing.assert_allclose(v0, [0.1005052, 0.2007072], atol=5e-8)  # exact: 0.20070723
    assert float(loss) == printed(0.057401, 6)
    assert float(b0) == printed(0.0120206, 7)
    np.testing.assert_allclose(v1, [0.2502021, 0.3504041], atol=5e-8)
    assert float(b1) == printed(0.0220206, 7)


def test_document_update_through_batched_step():
    params = doc_params()
    before = {k: v.copy() for k, v in params.items()}
    loss = glove.sgd_step(params, np.array([0]), np.array([1]), np.array([1.0]), 0.01, **DOC_KW)
    assert loss == printed(0.057401, 6)
    np.testing.assert_allclose(params["W"][0], [0.1005052, 0.2007072], atol=5e-8)
    assert params["b"][0] == printed(0.0120206, 7)
    # untouched rows stay exactly as they were
    np.testing.assert_array_equal(params["W"][1:], before["W"][1:])
    np.testing.assert_array_equal(np.delete(params["W_ctx"], 1, axis=0),
                                  np.delete(before["W_ctx"], 1, axis=0))


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("target", ["log", "log1p"])
def test_pair_gradient_check(target):
    rng = np.random.default_rng(0)
    p = {"w_i": rng.normal(size=3), "w_j": rng.normal(size=3),
         "b_i": np.array(0.3), "b_j": np.array(-0.2)}
    x = 4.0

    def loss():
        return float(glove.pair_forward(p["w_i"], p["w_j"], p["b_i"], p["b_j"], x,
                                        x_max=10.0, target=target)["loss"])

    _, grads = glove.pair_loss_and_grad(p["w_i"], p["w_j"], p["b_i"], p["b_j"], x,
                                        x_max=10.0, target=target)
    assert max_fd_error(loss, p, grads) < 1e-6


@pytest.mark.parametrize("target", ["log", "log1p"])
def test_batch_gradient_check_with_repeated_ids(target):
    rng = np.random.default_rng(1)
    params = glove.init_params(6, 3, seed=2)
    for v in params.values():
        v[:] = rng.normal(size=v.shape)
    rows = np.array([0, 0, 2, 5, 2, 0])           # word 0 three times, 2 twice
    cols = np.array([1, 3, 1, 1, 4, 1])           # context 1 four times; (0, 1) twice
    x = np.array([1.0, 3.0, 12.0, 150.0, 2.0, 7.0])   # 150 is past x_max: weight 1

    def loss():
        return glove.loss_and_grad(params, rows, cols, x, x_max=10.0, target=target)[0]

    _, grads = glove.loss_and_grad(params, rows, cols, x, x_max=10.0, target=target)
    assert max_fd_error(loss, params, grads) < 1e-6


def test_sgd_step_equals_dense_gradient_step():
    params = glove.init_params(5, 4, seed=3)
    rows, cols = np.array([1, 1, 4, 2]), np.array([0, 2, 0, 0])
    x = np.array([2.0, 5.0, 1.0, 3.0])
    loss, grads = glove.loss_and_grad(params, rows, cols, x)
    expected = {k: v - 0.05 * grads[k] for k, v in params.items()}
    assert glove.sgd_step(params, rows, cols, x, 0.05) == pytest.approx(loss)
    for k in params:
        np.testing.assert_allclose(params[k], expected[k], rtol=0, atol=1e-15)


def test_training_fits_log_counts():
    # A few hundred full-batch steps on the document's corpus drive the loss down.
    counts = glove.cooccurrence([[0, 1, 2], [2, 3, 4, 0]], window=2, distance_weighting=True)
    rows, cols, x = glove.to_coo(counts)
    params = glove.init_params(5, 4, seed=0)
    first = glove.sgd_step(params, rows, cols, x, 0.1, x_max=2.0, target="log1p")
    for _ in range(300):
        last = glove.sgd_step(params, rows, cols, x, 0.1, x_max=2.0, target="log1p")
    assert last < 0.05 * first
