# %% [markdown]
# # CBOW with a full softmax: one training step, number by number
#
# This notebook replays a worked example of **the textbook chapter**: Chapter 2,
# «Управление данными и векторизация в NLP» (data handling and vectorisation in
# NLP), of a Russian NLP course. The chapter is a reference document that does
# not ship with the package; `docs/references.md` says where to find it and
# where each of its sections is. Below, "the document" is this chapter. The
# example is its section «Аналитический пример математической архитектуры
# Continuous Bag-of-Words (CBOW)» (worked example of the CBOW architecture),
# and we replay it with the library's `cbow` model: «я люблю кошек собак»,
# target «кошек», context «люблю» and «собак» ($C = 1$, two context words),
# $N = 2$, $\eta = 0.01$. The math is in the docstring of
# `w2v_numpy.models.cbow`.
#
# The inputs come from `w2v_numpy.teaching.worked_examples` (`EXAMPLES["cbow"]()`); every
# intermediate comes from `w2v_numpy.teaching.trace.trace`, which records what the
# model itself computes.
#
# Symbols: the document's $W$ is `params["W_in"]`; its $W'$ ($N \times V$, a
# column per word) is `params["W_out"].T`; its scores $u$ are the model's `z`;
# its loss $E$ is our loss; its $E_H$ is $\partial L / \partial \mathbf h$.
#
# `compare`, `erratum` and `trace_rows` come from `nbhelpers.py` in this folder.

# %%
import numpy as np

from nbhelpers import compare, erratum, trace_rows
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.teaching.trace import format_trace, trace

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## The whole step at once
#
# The full trace of the step comes first; the sections below check its numbers
# against the document one at a time. `python -m w2v_numpy trace --example cbow`
# prints exactly this text.

# %%
ex = EXAMPLES["cbow"]()
t = trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels, title=ex.title)
print(format_trace(t))

# %% [markdown]
# ## 1. Parameters and the training example
#
# The example's sub-heading «1. Исходные данные и параметры» (inputs and
# parameters).

# %%
model, batch, eta, vocab = ex.model, ex.batch, ex.alpha, ex.words
target = vocab.index("кошек")
context = [vocab.index("люблю"), vocab.index("собак")]
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
print("W (V x N):\n", W_in_old)
print("W' as the document prints it (N x V, a column per word):\n", W_out_old.T)

# %% [markdown]
# ## 2. Forward pass
#
# The example's sub-heading «2. Прямой проход» (forward pass), down to its step
# «2.5. Функция потерь: Кросс-энтропия» (loss: cross-entropy).
#
# The document divides exponentials rounded to 3 decimals, which moves its
# probabilities by a few units of the 5th decimal; three of them still round
# correctly. The fourth does not, even with the document's own numbers:

# %%
compare("v_люблю, v_собак", W_in_old[context].ravel(), [0.5, 0.7, 0.6, 0.8], digits=1)
compare("h (mean of the two)", t.value("h")[0], [0.55, 0.75], digits=2)
compare("scores u", t.value("z")[0], [0.870, 0.740, 0.610, 0.480], digits=3)
p = t.value("p")[0]
P_documented = np.array([0.3006, 0.2641, 0.2318, 0.2036])
keep = [0, 2, 3]
compare("P(я), P(кошек), P(собак)", p[keep], P_documented[keep], digits=4)
erratum("P(люблю)", p[1], P_documented[1], digits=4,
        note="2.096 / 7.938 = 0.26405, which rounds to 0.2640 (exact: 0.26399); "
             "the document prints 0.2641. Everything built on it below inherits 1e-4.")
compare("loss E = -log P(кошек)", t.value("loss")[0], 1.462, digits=3)

# %% [markdown]
# ## 3. Backward pass
#
# The example's sub-heading «3. Обратный проход» (backward pass): «3.1.
# Градиенты для W'» (gradients for the output weights) and «3.2. Градиенты
# для W» (gradients for the input weights).
#
# The errors are $\delta_k = P_k - y_k$ (the trace's `e`). Gradients and
# products that use $\delta_1$ inherit the slip above; the others agree within
# the rounding of the document's 4-decimal $\delta$, scaled by what it is
# multiplied with. The terms
# $\delta_k W'_k$ of $E_H$ are formed from the trace's errors; their sum is the
# trace's $\partial L / \partial \mathbf h$.

# %%
delta = t.value("e")[0]
compare("delta (k = 0, 2, 3)", delta[keep], [0.3006, -0.7682, 0.2036], digits=4)
erratum("delta_1", delta[1], 0.2641, digits=4, note="inherits P(люблю).")

dW_prime_documented = np.array([[0.16533, 0.22545], [0.14526, 0.19808],
                                [-0.42251, -0.57615], [0.11198, 0.15270]])
terms = delta[:, None] * W_out_old               # delta_k W'_k, the terms of E_H
terms_documented = np.array([[0.27054, 0.15030], [0.21128, 0.10564],
                             [-0.53774, -0.23046], [0.12216, 0.04072]])
for k, word in enumerate(vocab):
    if k == 1:
        erratum(f"dE/dW'_{k} ({word})", t.value(f"W_out[{word}]", "gradient"),
                dW_prime_documented[k], tol=0.75 * 5e-5,
                note="0.2641 * [0.55, 0.75]; with 0.2640 it would agree.")
        erratum(f"delta_{k} W'_{k}", terms[k], terms_documented[k], tol=0.9 * 5e-5,
                note="the same slip, times [0.8, 0.4].")
    else:
        compare(f"dE/dW'_{k} ({word})", t.value(f"W_out[{word}]", "gradient"),
                dW_prime_documented[k], tol=0.75 * 5e-5)
        compare(f"delta_{k} W'_{k}", terms[k], terms_documented[k], tol=0.9 * 5e-5)
E_H = t.value("dh")[0]
compare("sum of the terms", terms.sum(axis=0), E_H, digits=12, label="trace")
compare("E_H = dE/dh", E_H, [0.0662, 0.0662], digits=4)
print("    (its 5-digit components 0.06624, 0.06620 carry the rounded delta and the slip)")

# %% [markdown]
# Each context word enters $\mathbf h$ with weight $1/2C = 1/2$, so each
# receives $E_H / 2$. (word2vec.c adds the undivided $E_H$ to every context
# row instead; the library uses the exact gradient of the mean, see the
# docstring of `w2v_numpy.models.cbow`.)

# %%
for c in context:
    compare(f"dE/dv_{vocab[c]} = E_H / 2", t.value(f"W_in[{vocab[c]}]", "gradient"),
            [0.0331, 0.0331], digits=4)
compare("E_H / 2 from the sum above", E_H / 2, t.value("W_in[люблю]", "gradient"), digits=12,
        label="trace")
assert trace_rows(t, "W_in") == ["люблю", "собак"], "я and кошек are not context words"
assert not np.any(model.grad(batch)["W_in"][[0, 2]]), "so their gradient rows are zero"

# %% [markdown]
# ## 4. SGD update
#
# The example's steps «Обновление весов W'» (updating W', under 3.1) and
# «Обновление весов W» (updating W, under 3.2).
#
# The document's $W'_2$ update is printed to 6 decimals from its rounded
# gradient, so it inherits that rounding times $\eta$.

# %%
new = {name: t.value(name, "update")[1] for name in
       ("W_out[кошек]", "W_in[люблю]", "W_in[собак]", "W_out[я]", "W_out[люблю]", "W_out[собак]")}
compare("loss before the step", t.loss, 1.462, digits=3)
compare("W'_2 (кошек) new", new["W_out[кошек]"], [0.704225, 0.305762],
        tol=0.5e-6 + eta * 0.75 * 5e-5)
compare("W_1 (люблю) new", new["W_in[люблю]"], [0.499669, 0.699669], digits=6)
compare("W_3 (собак) new", new["W_in[собак]"], [0.599669, 0.799669], digits=6)
print("W'_0, W'_1, W'_3 new (the document only says they change alike):\n",
      np.array([new["W_out[я]"], new["W_out[люблю]"], new["W_out[собак]"]]))

# %% [markdown]
# The trace ran `model.step` on a copy. The same step on `ex.model` writes the
# same rows and leaves the rows of «я» and «кошек» in $W$ alone.

# %%
loss = model.step(batch, alpha=eta)
compare("model.step: loss", loss, t.loss, digits=12, label="trace")
compare("model.step: W'_2 (кошек) new", model.params["W_out"][target], new["W_out[кошек]"],
        digits=12, label="trace")
assert np.array_equal(model.params["W_in"][[0, 2]], W_in_old[[0, 2]])

# %% [markdown]
# ## 5. Gradient check on the same problem

# %%
from w2v_numpy.teaching.gradcheck import check

error = check(EXAMPLES["cbow"]().model, batch, eps=1e-6, verbose=True)
assert error < 1e-6
