"""One training step of the worked examples in the textbook chapter (Chapter 2,
data handling and vectorisation in NLP; see docs/references.md), computed by the
library and compared at the document's printed precision."""
import numpy as np
import pytest

from w2v_numpy.batching import Batch
from w2v_numpy.models import create


def approx(x, digits):
    return pytest.approx(x, abs=0.6 * 10.0 ** -digits)


def test_skipgram_full_softmax_step():
    # "кот сидит на коврике": кот=0, сидит=1, на=2, коврике=3; the chapter's «8. Аналитический
    # пример: Пошаговое вычисление Skip-gram» (worked example: Skip-gram step by step).
    m = create("sgram", 4, 2, dtype=np.float64)
    m.params["W_in"][:] = [[0.1, 0.3], [0.5, 0.7], [0.2, 0.4], [0.6, 0.8]]
    m.params["W_out"][:] = np.array([[0.05, 0.15, 0.25, 0.35], [0.10, 0.20, 0.30, 0.40]]).T
    batch = Batch(np.array([[1]]), None, np.array([0]), None)   # centre сидит -> context кот
    f = m.forward(batch)
    np.testing.assert_allclose(f["z"][0], [0.095, 0.215, 0.335, 0.455], atol=1e-12)
    assert f["p"][0, 0] == approx(0.2069, 4)
    # The document divides 4-digit rounded exponentials, so its P(сидит) = 0.2334
    # where exact arithmetic gives 0.23334: agreement within one unit of the 4th digit.
    np.testing.assert_allclose(f["p"][0], [0.2069, 0.2334, 0.2631, 0.2966], atol=1e-4)
    grad = m.grad(batch)
    np.testing.assert_allclose(grad["W_in"][1], [0.16494, 0.16494], atol=6e-6)
    loss = m.step(batch, alpha=0.01)
    assert loss == approx(1.575, 3)
    np.testing.assert_allclose(m.params["W_in"][1], [0.49835, 0.69835], atol=6e-6)
    np.testing.assert_allclose(m.params["W_out"][0], [0.05397, 0.10555], atol=6e-6)
    np.testing.assert_allclose(m.params["W_out"][1], [0.14883, 0.19837], atol=6e-6)
    np.testing.assert_allclose(m.params["W_in"][[0, 2, 3]], [[0.1, 0.3], [0.2, 0.4], [0.6, 0.8]])


def test_cbow_full_softmax_step():
    # "я люблю кошек собак": context люблю(1), собак(3) -> target кошек(2); the chapter's
    # «Аналитический пример математической архитектуры CBOW» (worked example of CBOW).
    m = create("cbow", 4, 2, dtype=np.float64)
    m.params["W_in"][:] = [[0.1, 0.3], [0.5, 0.7], [0.2, 0.4], [0.6, 0.8]]
    m.params["W_out"][:] = np.array([[0.9, 0.8, 0.7, 0.6], [0.5, 0.4, 0.3, 0.2]]).T
    batch = Batch(np.array([[1, 3]]), None, np.array([2]), None)
    f = m.forward(batch)
    np.testing.assert_allclose(f["h"][0], [0.55, 0.75], atol=1e-12)
    np.testing.assert_allclose(f["z"][0], [0.870, 0.740, 0.610, 0.480], atol=1e-12)
    # The document prints P(люблю) = 0.2641; exact arithmetic gives 0.26403 -> 0.2640.
    np.testing.assert_allclose(f["p"][0], [0.3006, 0.2640, 0.2318, 0.2036], atol=6e-5)
    E_H = (f["p"][0] - np.eye(4)[2]) @ m.params["W_out"]
    np.testing.assert_allclose(E_H, [0.0662, 0.0662], atol=6e-5)
    loss = m.step(batch, alpha=0.01)
    assert loss == approx(1.462, 3)
    # exact gradient of the mean: each context row gets E_H / 2
    np.testing.assert_allclose(m.params["W_in"][1], [0.499669, 0.699669], atol=6e-7)
    np.testing.assert_allclose(m.params["W_out"][2], [0.704225, 0.305762], atol=6e-7)
