# %% [markdown]
# # Skip-gram with negative sampling: one training step
#
# Our source is **the textbook chapter**: Chapter 2, «Управление данными и
# векторизация в NLP» (data handling and vectorisation in NLP), of a Russian
# NLP course. The chapter is a reference document that does not ship with the
# package; `docs/references.md` says where to find it and where each of its
# sections is. Below, "the document" is this chapter. Its Skip-gram worked
# example, section «8. Аналитический пример: Пошаговое вычисление Skip-gram»
# (worked example: Skip-gram step by step), ends with the sub-heading «7.
# Краткое упоминание Negative Sampling» (a brief mention of negative
# sampling), which sketches the same step with negative sampling, $k = 1$ and
# the negative word «на», but prints no numbers. So this notebook takes the
# setup of notebook 01 with that negative added (`EXAMPLES["negative_sampling"]()`
# in `w2v_numpy.teaching.worked_examples`), traces one step of the library's `sgram_neg` model
# with `w2v_numpy.teaching.trace.trace`, and checks each traced number against the
# formulas of the chapter's Skip-gram theory («Математические основы модели
# Skip-gram», the mathematics of the Skip-gram model), its section «6.
# Оптимизация: Negative Sampling» (optimisation: negative sampling), evaluated
# directly with NumPy (column "formula"). The math is in the docstring of
# `w2v_numpy.models.sgram_neg`.
#
# `compare` and `trace_rows` come from `nbhelpers.py` in this folder.

# %%
import numpy as np

from nbhelpers import compare, trace_rows
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.teaching.trace import format_trace, trace

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## The whole step at once
#
# The full trace of the step; below, each of its numbers is recomputed from
# the formulas. `python -m w2v_numpy trace --example negative_sampling` prints
# exactly this text.

# %%
ex = EXAMPLES["negative_sampling"]()
t = trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels, title=ex.title)
print(format_trace(t))

# %%
# The worked example's setup («1. Исходные данные и инициализация», inputs and initialisation),
# as in notebook 01, with «на» as the negative.
model, batch, eta, vocab = ex.model, ex.batch, ex.alpha, ex.words
centre, context, negative = vocab.index("сидит"), vocab.index("кот"), vocab.index("на")
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
print("W_in (V x N):\n", W_in_old)
print("W_out as the document prints it (N x V, a column per word):\n", W_out_old.T)


def sigma(x):                                   # plain logistic function, for the formulas
    return 1.0 / (1.0 + np.exp(-x))


v, u_pos, u_neg = W_in_old[centre], W_out_old[context], W_out_old[negative]

# %% [markdown]
# ## 1. Forward pass
#
# The theory's «6.2. Функция потерь с Negative Sampling» (the loss with
# negative sampling):
#
# $\mathcal L_{NS} = -\log\sigma(\mathbf v_{w_t}^\top \mathbf u_{w_c}) - \log\sigma(-\mathbf v_{w_t}^\top \mathbf u_{на})$

# %%
s, s_neg = t.value("s")[0]                    # scores of the positive and the negative word
compare("s = v_сидит . u_кот", s, v @ u_pos, digits=12, label="formula")
compare("s_1 = v_сидит . u_на", s_neg, v @ u_neg, digits=12, label="formula")
print("    (the same dot products as z_кот = 0.095 and z_на = 0.335 in notebook 01)")
L = -np.log(sigma(v @ u_pos)) - np.log(sigma(-(v @ u_neg)))
compare("loss L_NS", t.value("loss")[0], L, digits=12, label="formula")
print(f"    full-softmax loss of the same pair (notebook 01): 1.575; L_NS = {t.loss:.4f}")

# %% [markdown]
# ## 2. Gradients
#
# The theory's «6.3. Обратное распространение с Negative Sampling»
# (backpropagation with negative sampling), for the positive word and for
# each negative word.
#
# Both scores share one pattern: $\partial L / \partial s$ is $\sigma(s) - 1$
# for the positive word and $\sigma(s_1)$ for the negative one (the trace's
# `dL/ds`). Only three vectors get a gradient: $\mathbf v_{сидит}$,
# $\mathbf u_{кот}$ and $\mathbf u_{на}$.

# %%
compare("dL/ds, dL/ds_1", t.value("g")[0], [sigma(v @ u_pos) - 1, sigma(v @ u_neg)], digits=12,
        label="formula")
grad = {"W_in[сидит]": t.value("W_in[сидит]", "gradient"),
        "W_out[кот]": t.value("W_out[кот]", "gradient"),
        "W_out[на]": t.value("W_out[на]", "gradient")}
compare("dL/dv_сидит", grad["W_in[сидит]"],
        (sigma(v @ u_pos) - 1) * u_pos + sigma(v @ u_neg) * u_neg, digits=12, label="formula")
compare("dL/dh from the trace", t.value("dh")[0], grad["W_in[сидит]"], digits=12,
        label="dL/dv_сидит")
compare("dL/du_кот", grad["W_out[кот]"], (sigma(v @ u_pos) - 1) * v, digits=12, label="formula")
compare("dL/du_на", grad["W_out[на]"], sigma(v @ u_neg) * v, digits=12, label="formula")
dense = model.grad(batch)                         # the full gradient matrices, for the zero rows
nonzero = {k: sorted(set(np.nonzero(g)[0].tolist())) for k, g in dense.items()}
print("rows with a gradient:", {k: [vocab[r] for r in rows] for k, rows in nonzero.items()})
assert nonzero == {"W_in": [centre], "W_out": sorted([context, negative])}
assert {k: trace_rows(t, k) for k in nonzero} == {"W_in": ["сидит"], "W_out": ["кот", "на"]}

# %% [markdown]
# ## 3. SGD update
#
# `model.step` changes exactly those three rows, each by $-\eta$ times its
# gradient: first in the trace (on a copy), then on `ex.model` itself.

# %%
compare("loss before the step", t.loss, L, digits=12, label="formula")
compare("v_сидит new", t.value("W_in[сидит]", "update")[1], v - eta * grad["W_in[сидит]"],
        digits=12, label="formula")
compare("u_кот new", t.value("W_out[кот]", "update")[1], u_pos - eta * grad["W_out[кот]"],
        digits=12, label="formula")
compare("u_на new", t.value("W_out[на]", "update")[1], u_neg - eta * grad["W_out[на]"],
        digits=12, label="formula")

loss = model.step(batch, alpha=eta)
compare("model.step: loss", loss, t.loss, digits=12, label="trace")
for name, ours in (("W_in[сидит]", model.params["W_in"][centre]),
                   ("W_out[кот]", model.params["W_out"][context]),
                   ("W_out[на]", model.params["W_out"][negative])):
    compare(f"model.step: {name}", ours, t.value(name, "update")[1], digits=12, label="trace")
changed = {k: np.nonzero(np.any(model.params[k] != old, axis=1))[0].tolist()
           for k, old in (("W_in", W_in_old), ("W_out", W_out_old))}
print("rows changed:", {k: [vocab[r] for r in rows] for k, rows in changed.items()})
assert changed == {"W_in": [centre], "W_out": sorted([context, negative])}
print("loss after the step:", model.loss(batch))
assert model.loss(batch) < loss

# %% [markdown]
# ## 4. Gradient check
#
# On the same problem, and on a batch of two pairs with $k = 3$ in which a
# negative repeats, so that repeated rows must accumulate.

# %%
from w2v_numpy.teaching.gradcheck import check

from w2v_numpy.batching import Batch

assert check(EXAMPLES["negative_sampling"]().model, batch, verbose=True) < 1e-6
batch2 = Batch(inputs=np.array([[1], [3]]), mask=None, targets=np.array([0, 2]),
               negatives=np.array([[2, 2, 3], [0, 1, 2]]))
assert check(EXAMPLES["negative_sampling"]().model, batch2, verbose=True) < 1e-6
