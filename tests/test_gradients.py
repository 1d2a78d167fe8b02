"""Gradient checks: hand-derived gradients against finite differences and a slow loop."""
import numpy as np
import pytest

from w2v_numpy.batching import Batch
from w2v_numpy.functional import log_sigmoid, log_softmax, sigmoid
from w2v_numpy.teaching.gradcheck import check, check_gradient, check_report, numeric_grad
from w2v_numpy.models import MODELS, VARIANTS, create, densify

from conftest import family_batch, options_for, randomize, slow_ngram_ids, vocab_words

#: Every (type, formulation): a type or a formulation is tested the day it is registered.
TYPES = [pytest.param(v, id=v[0] if v[1] in (None, "pair") else "-".join(v))
         for v in sorted(VARIANTS, key=str)]
assert {p.values[0][0] for p in TYPES} == set(MODELS)


def tiny(variant, rng, V=7, d=3, B=5, masked=True):
    type_, formulation = variant
    model = randomize(create(type_, V, d, dtype=np.float64, counts=word_counts(rng, V),
                             formulation=formulation, **options_for(type_, V)), rng)
    return model, family_batch(model, rng, B=B, masked=masked)


def word_counts(rng, V):
    """Random counts, a tie included, so that Huffman paths differ in length."""
    counts = np.sort(rng.integers(1, 60, V))[::-1].copy()
    counts[-2:] = counts[-1]
    return counts


@pytest.mark.parametrize("type_", TYPES)
@pytest.mark.parametrize("masked", [True, False])
def test_gradcheck_below_1e6(type_, masked, rng):
    model, batch = tiny(type_, rng, masked=masked)
    report = check_report(model, batch)
    assert report.checked == sum(p.size for p in model.params.values())
    assert report.max_error < 1e-6, str(report)


@pytest.mark.parametrize("type_", TYPES)
def test_gradcheck_catches_a_wrong_gradient(type_, rng):
    """The checker must be able to fail: break the gradient and it notices."""
    model, batch = tiny(type_, rng)
    good = model.grad
    name = model.vectors_param

    def broken(b):
        g = good(b)
        g[name] = g[name] * 1.01
        return g

    model.grad = broken
    report = check_report(model, batch)
    assert report.max_error > 1e-4 and report.param == name


def test_check_gradient_works_for_any_function(rng):
    """The generic checker on a plain function: f(A, b) = sum((A @ b)^2)."""
    params = {"A": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}

    def loss(p):
        return float(np.sum((p["A"] @ p["b"]) ** 2))

    def grad(p):
        r = 2 * (p["A"] @ p["b"])
        return {"A": np.outer(r, p["b"]), "b": p["A"].T @ r}

    assert check_gradient(loss, grad, params).max_error < 1e-8
    wrong = check_gradient(loss, lambda p: {**grad(p), "b": -grad(p)["b"]}, params)
    assert wrong.param == "b" and wrong.max_error > 1e-2
    num = numeric_grad(loss, params)
    np.testing.assert_allclose(num["A"], grad(params)["A"], rtol=1e-6)
    sampled = check_gradient(loss, grad, params, max_entries=2)
    assert sampled.checked == 4        # 2 of the 6 entries of A, both of b


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


def slow_window(model, batch):
    """Window-batched skip-gram: every real context slot is one pair (context -> centre)
    with the window's negatives, straight from the formula, one pair at a time."""
    W_in, W_out = model.params["W_in"], model.params["W_out"]
    gin, gout = np.zeros_like(W_in), np.zeros_like(W_out)
    total = 0.0
    for b, t, w in real_slots(batch):
        for o, label in [(t, 1.0)] + [(n, 0.0) for n in batch.negatives[b]]:
            s = W_in[w] @ W_out[o]
            p = 1 / (1 + np.exp(-s))
            total += -np.log(p if label else 1 - p)
            gin[w] += (p - label) * W_out[o]
            gout[o] += (p - label) * W_in[w]
    return total, {"W_in": gin, "W_out": gout}


def real_slots(batch):
    """``(window, centre, context word)`` for every real context slot of a window batch."""
    for b, t in enumerate(batch.targets):
        for c, w in enumerate(batch.inputs[b]):
            if batch.mask is None or batch.mask[b, c]:
                yield b, t, w


def slow_glove(model, batch):
    """GloVe's loss and gradient, one entry at a time, from the formulas."""
    P = model.params
    grads = {k: np.zeros_like(v) for k, v in P.items()}
    total = 0.0
    for i, j, x in zip(batch.rows, batch.cols, batch.counts):
        f = min(1.0, (x / model.x_max) ** model.alpha)
        err = P["W"][i] @ P["W_ctx"][j] + P["b"][i] + P["b_ctx"][j] - np.log(x)
        total += f * err ** 2
        grads["W"][i] += 2 * f * err * P["W_ctx"][j]
        grads["W_ctx"][j] += 2 * f * err * P["W"][i]
        grads["b"][i] += 2 * f * err
        grads["b_ctx"][j] += 2 * f * err
    return total, grads


def slow_documents(model, batch, output):
    """A classifier's loss and gradient, one document at a time: ``v`` is the weighted
    sum of its rows of E; ``output(U, v, b, gU)`` gives its loss and dL/dv (adding dL/dU to gU)."""
    E, U = model.params["E"], model.params["U"]
    grads = {"E": np.zeros_like(E), "U": np.zeros_like(U)}
    total = 0.0
    for b in range(len(batch.targets)):
        mine = batch.doc == b
        v = sum(w * E[i] for i, w in zip(batch.ids[mine], batch.weights[mine]))
        loss, dv = output(U, v, b, grads["U"])
        total += loss
        for i, w in zip(batch.ids[mine], batch.weights[mine]):
            grads["E"][i] += w * dv
    return total, grads


def slow_classifier(model, batch):
    """The fastText classifier with negative sampling over the labels."""
    def output(U, v, b, gU):
        labels = [batch.targets[b]] + list(batch.negatives[b])
        signs = [1.0] + [-1.0] * len(batch.negatives[b])
        loss, dv = 0.0, np.zeros_like(v)
        for label, sign in zip(labels, signs):
            s = U[label] @ v
            loss += np.log1p(np.exp(-sign * s))
            g = 1 / (1 + np.exp(-s)) - (1.0 if sign > 0 else 0.0)
            gU[label] += g * v
            dv += g * U[label]
        return loss, dv

    return slow_documents(model, batch, output)


def slow_classifier_softmax(model, batch):
    """The classifier with a softmax over the labels."""
    def output(U, v, b, gU):
        z = U @ v
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        e = p.copy()
        e[batch.targets[b]] -= 1
        gU += np.outer(e, v)
        return -np.log(p[batch.targets[b]]), U.T @ e

    return slow_documents(model, batch, output)


def slow_hs(model, batch):
    """Hierarchical softmax, one example and one tree node at a time, from the formula
    L = -sum_l log sigma((1 - 2 c_l) u_{n_l} . h); the path is read from the tree."""
    W_in, W_out = model.params["W_in"], model.params["W_out"]
    gin, gout = np.zeros_like(W_in), np.zeros_like(W_out)
    total = 0.0
    for b, t in enumerate(batch.targets):
        words = [w for c, w in enumerate(batch.inputs[b]) if batch.mask is None or batch.mask[b, c]]
        h = sum(W_in[w] for w in words) / len(words)
        dh = np.zeros_like(h)
        for l in range(model.tree.lengths[t]):
            node, code = model.tree.points[t, l], model.tree.codes[t, l]
            s = W_out[node] @ h
            p_branch = 1 / (1 + np.exp(-s)) if code == 0 else 1 / (1 + np.exp(s))
            total += -np.log(p_branch)
            e = 1 / (1 + np.exp(-s)) - (1 - code)
            gout[node] += e * h
            dh += e * W_out[node]
        for w in words:
            gin[w] += dh / len(words)
    return total, {"W_in": gin, "W_out": gout}


def slow_hs_window(model, batch):
    """Window-batched skip-gram HS: every real context word's own row walks the centre
    word's path, one (context slot, node) score at a time, from the formula."""
    W_in, W_out = model.params["W_in"], model.params["W_out"]
    gin, gout = np.zeros_like(W_in), np.zeros_like(W_out)
    total = 0.0
    for _, t, w in real_slots(batch):
        for l in range(model.tree.lengths[t]):
            node, code = model.tree.points[t, l], model.tree.codes[t, l]
            s = W_in[w] @ W_out[node]
            total += -np.log(1 / (1 + np.exp(-(1 - 2 * code) * s)))
            e = 1 / (1 + np.exp(-s)) - (1 - code)
            gin[w] += e * W_out[node]
            gout[node] += e * W_in[w]
    return total, {"W_in": gin, "W_out": gout}


def slow_subword(model, batch):
    """Subword skip-gram/CBOW: each example's rows (word rows and n-gram rows, the
    n-grams hashed from the spelling by the slow hash), h their mean, then
    negative sampling, one example and one row at a time."""
    P = model.params
    words = vocab_words(model.vocab_size)
    grads = {k: np.zeros_like(v) for k, v in P.items()}
    total = 0.0
    for b, t in enumerate(batch.targets):
        rows = []
        for c, w in enumerate(batch.inputs[b]):
            if batch.mask is None or batch.mask[b, c]:
                rows.append(("W_in", w))
                rows += [("W_ngram", g) for g in slow_ngram_ids(words[w], model.min_n,
                                                                model.max_n, model.bucket)]
        h = sum(P[name][i] for name, i in rows) / len(rows)
        dh = np.zeros_like(h)
        for o, label in [(t, 1.0)] + [(n, 0.0) for n in batch.negatives[b]]:
            s = P["W_out"][o] @ h
            total += -np.log(1 / (1 + np.exp(-s))) if label else -np.log(1 / (1 + np.exp(s)))
            e = 1 / (1 + np.exp(-s)) - label
            grads["W_out"][o] += e * h
            dh += e * P["W_out"][o]
        for name, i in rows:
            grads[name][i] += dh / len(rows)
    return total, grads


#: (batch family, output layer, formulation) -> independent slow reference; a new kind
#: needs its own.
SLOW = {("sgram", "softmax", "pair"): slow_loss_and_grad, ("cbow", "softmax", "pair"): slow_loss_and_grad,
        ("sgram", "negative_sampling", "pair"): slow_loss_and_grad,
        ("cbow", "negative_sampling", "pair"): slow_loss_and_grad,
        ("cbow", "negative_sampling", "window"): slow_window,
        ("sgram", "hierarchical_softmax", "pair"): slow_hs,
        ("cbow", "hierarchical_softmax", "window"): slow_hs_window, ("cbow", "hierarchical_softmax", "pair"): slow_hs,
        ("cooccurrence", None, None): slow_glove, ("documents", "negative_sampling", None): slow_classifier,
        ("documents", "softmax", None): slow_classifier_softmax}
#: The same for models whose input layer is ``"subwords"``.
SLOW_SUBWORD = {("sgram", "negative_sampling", "pair"): slow_subword,
                ("cbow", "negative_sampling", "pair"): slow_subword}


@pytest.mark.parametrize("type_", TYPES)
def test_grad_equals_slow_loop(type_, rng):
    model, batch = tiny(type_, rng, B=9)
    kind = (model.batch_family, model.output_layer, model.formulation)
    table = SLOW if model.input_layer == "words" else SLOW_SUBWORD
    assert kind in table, f"write a slow reference for {kind!r}"
    loss, ref = table[kind](model, batch)
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


def test_registry_and_capabilities():
    """Every registered class states its capabilities; create() builds each one."""
    for name, cls in MODELS.items():
        assert cls.type_name == name
        assert cls.batch_family in ("sgram", "cbow", "cooccurrence", "documents")
        assert cls.output_layer in ("softmax", "negative_sampling", "hierarchical_softmax", None)
        assert cls.uses_negatives == (cls.output_layer == "negative_sampling")
        assert cls.input_layer in ("words", "subwords")
        assert cls.needs_counts == (cls.output_layer == "hierarchical_softmax")
        assert cls.formulation == (None if cls.batch_family in ("cooccurrence", "documents") else "pair")
        model = create(name, 5, 3, counts=np.arange(5, 0, -1), **options_for(name, 5))
        assert model.vocab_size == 5 and model.vector_dim == 3
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


def test_model_options_are_checked():
    with pytest.raises(ValueError, match="cbow_update"):
        create("cbow", 3, 2, cbow_update="both")
    with pytest.raises(TypeError, match="cbow_update"):
        create("glove", 3, 2, cbow_update="exact")
    with pytest.raises(TypeError, match="x_max"):
        create("fasttext_supervised", 3, 2, x_max=10)
    with pytest.raises(ValueError, match="n_labels"):
        create("fasttext_supervised", 3, 2, n_labels=1)


def test_window_form_is_the_per_pair_form_on_the_same_pairs(rng):
    """sgram_neg's window formulation = the documents' per-pair objective summed over the
    window's (context -> centre) pairs, each pair given the window's negatives; the
    gradient of W_out there arrives through one window-sized product."""
    window, batch = tiny(("sgram_neg", "window"), rng, B=6)
    pair = create("sgram_neg", 7, 3, dtype=np.float64)
    pair.params = {k: v.copy() for k, v in window.params.items()}
    rows, cols = np.nonzero(batch.mask)
    pairs = Batch(batch.inputs[rows, cols][:, None], None, batch.targets[rows], batch.negatives[rows])
    assert window.loss(batch) == pytest.approx(pair.loss(pairs), rel=1e-12)
    for k, g in window.grad(batch).items():
        np.testing.assert_allclose(g, pair.grad(pairs)[k], rtol=1e-10, atol=1e-12)


def test_formulations_are_checked():
    from w2v_numpy.models import formulations, model_class

    assert formulations("sgram_neg") == ["pair", "window"] and formulations("cbow") == ["pair"]
    assert model_class("sgram_neg", "window").batch_family == "cbow"
    assert model_class("sgram_neg") is MODELS["sgram_neg"]
    with pytest.raises(ValueError, match="formulation"):
        create("cbow", 3, 2, formulation="window")


def test_hs_window_form_is_the_per_pair_form_on_the_same_pairs(rng):
    """sgram_hs's window formulation is exactly the per-pair objective on the pairs
    (context word in, centre word's path out): nothing is drawn, so loss and gradient
    agree to rounding (the trainer's kernel, which sums the top path levels per node, is
    checked against this reference in test_kernels.py)."""
    V = 40
    window = randomize(create("sgram_hs", V, 3, dtype=np.float64, counts=word_counts(rng, V),
                              formulation="window"), rng)
    batch = family_batch(window, rng, B=12)
    pair = create("sgram_hs", V, 3, dtype=np.float64, counts=word_counts(rng, V))
    pair.tree = window.tree
    pair.params = {k: v.copy() for k, v in window.params.items()}
    rows, cols = np.nonzero(batch.mask)
    pairs = Batch(batch.inputs[rows, cols][:, None], None, batch.targets[rows], None)
    assert window.loss(batch) == pytest.approx(pair.loss(pairs), rel=1e-12)
    want = pair.grad(pairs)
    for k, g in window.grad(batch).items():
        np.testing.assert_allclose(g, want[k], rtol=1e-10, atol=1e-12)
