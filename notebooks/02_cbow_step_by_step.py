# %% [markdown]
# # CBOW with a full softmax: one training step, number by number
#
# **The question.** Skip-gram (notebook 01) reads one word and guesses its
# neighbours. CBOW ("continuous bag of words") turns this around: it reads
# the neighbours and guesses the word in the middle. How does one training
# step work when the input is *several* words, and how is the gradient shared
# between them?
#
# **The intuition.** CBOW averages the input vectors of the context words
# into one hidden vector $\mathbf h$. From there on it is exactly notebook 01:
# scores $z_j = \mathbf u_j^\top \mathbf h$, a softmax, the loss
# $-\log P(\text{target})$. On the way back, $\mathbf h$ is an average, so
# each context word gets an equal share of its gradient. The order of the
# context words does not matter: it is a *bag* of words.
#
# **What you need.** Notebook 01 (the softmax, the errors $P - y$, the SGD
# step), NumPy and the chain rule.
#
# **Our source.** We replay a worked example of **the textbook chapter**:
# Chapter 2, «Управление данными и векторизация в NLP» (data handling and
# vectorisation in NLP), of a Russian NLP course. It does not ship with the
# package; `docs/references.md` says where to find it. Below, "the document"
# is this chapter. The example is its section «Аналитический пример
# математической архитектуры Continuous Bag-of-Words (CBOW)» (worked example
# of the CBOW architecture): «я люблю кошек собак», target «кошек», context
# «люблю» and «собак» ($C = 1$ word on each side), $N = 2$, $\eta = 0.01$.
# We run it with the library's `cbow` model; the math is in the docstring of
# `w2v_numpy.models.cbow`.
#
# The inputs come from `w2v_numpy.teaching.worked_examples`; every
# intermediate comes from `w2v_numpy.teaching.trace.trace`. `compare` (from
# `nbhelpers.py`) asserts that our number agrees with the document's. The
# document rounds early and slips once in the 4th decimal; the checks allow
# for that, and the **Appendix** at the end shows each case.
#
# Symbols: the document's $W$ is `params["W_in"]`; its $W'$ ($N \times V$, a
# column per word) is `params["W_out"].T`; its scores $u$ are the model's `z`;
# its loss $E$ is our loss; its $E_H$ is $\partial L / \partial \mathbf h$.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nbhelpers import compare, erratum, trace_rows
from w2v_numpy.batching import Batch
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.teaching.trace import format_trace, trace

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## The whole step at once
#
# The full trace of the step comes first; the sections below take its numbers
# one at a time. `python -m w2v_numpy trace --example cbow` prints the same
# text.

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
# «2.5. Функция потерь: Кросс-энтропия» (loss: cross-entropy):
#
# $$\mathbf h = \tfrac12(\mathbf v_{люблю} + \mathbf v_{собак}), \quad
#   u_j = W'^\top_j \mathbf h, \quad P_j = \mathrm{softmax}(u)_j, \quad
#   E = -\log P_{кошек}.$$
#
# Three of the four probabilities agree with the document to its 4 decimals.
# The document's $P(люблю)$ is one unit off in the 4th decimal: it is checked
# in the Appendix (A.1).

# %%
compare("v_люблю, v_собак", W_in_old[context].ravel(), [0.5, 0.7, 0.6, 0.8], digits=1)
compare("h (mean of the two)", t.value("h")[0], [0.55, 0.75], digits=2)
compare("scores u", t.value("z")[0], [0.870, 0.740, 0.610, 0.480], digits=3)
p = t.value("p")[0]
P_documented = np.array([0.3006, 0.2641, 0.2318, 0.2036])
keep = [0, 2, 3]
compare("P(я), P(кошек), P(собак)", p[keep], P_documented[keep], digits=4)
compare("loss E = -log P(кошек)", t.value("loss")[0], 1.462, digits=3)

# %% [markdown]
# ### Why the average: a picture in two dimensions
#
# With $N = 2$ we can draw every vector. $\mathbf h$ (black) lies halfway
# between the two context vectors (blue). A word's score is the dot product
# of its output vector (orange) with $\mathbf h$: the longer the output
# vector's shadow on $\mathbf h$, the higher the score. Here «я» has the
# largest score, not the target «кошек»; training has to change that.

# %%
fig, ax = plt.subplots(figsize=(4.5, 4))
h = t.value("h")[0]
for j, word in enumerate(vocab):
    if j in context:
        ax.annotate("", W_in_old[j], (0, 0), arrowprops=dict(color="tab:blue", arrowstyle="->"))
        ax.text(*W_in_old[j] + ([0.02, 0.02] if word == "собак" else [-0.3, 0.0]), f"v_{word}",
                color="tab:blue")
    ax.annotate("", W_out_old[j], (0, 0), arrowprops=dict(color="tab:orange", arrowstyle="->"))
    ax.text(*W_out_old[j] + [0.02, -0.05], f"u_{word} ({t.value('z')[0][j]:.2f})",
            color="tab:orange", fontsize=8)
ax.annotate("", h, (0, 0), arrowprops=dict(color="black", arrowstyle="->", lw=2))
ax.text(*h + [0.03, -0.06], "h")
ax.set_xlim(0, 1.05)
ax.set_ylim(0, 0.9)
ax.set_aspect("equal")
ax.set_title("context vectors, h and output vectors (score)", fontsize=9)
plt.show()

# %% [markdown]
# ### Exercise 1: the forward pass yourself
#
# Write `cbow_forward(W_in, W_out, context, target)`. It returns `h`, the
# probabilities `p` and the loss. `context` is a list of word ids. Notebook
# 01's softmax is a good start. The check cell compares your three results
# with the model.

# %%
# def cbow_forward(W_in, W_out, context, target):
#     h = ...                       # your code: the mean of the context rows
#     z = ...                       # your code: one score per word
#     p = ...                       # your code: softmax of z
#     return h, p, ...              # your code: the loss -log p[target]

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def cbow_forward(W_in, W_out, context, target):
    h = W_in[context].mean(axis=0)
    z = W_out @ h
    p = np.exp(z - z.max())
    p /= p.sum()
    return h, p, -np.log(p[target])


# %%
h_yours, p_yours, loss_yours = cbow_forward(W_in_old, W_out_old, context, target)
compare("your h", h_yours, t.value("h")[0], digits=12, label="model")
compare("your p", p_yours, p, digits=12, label="model")
compare("your loss", loss_yours, model.loss(batch), digits=12, label="model")

# %% [markdown]
# ## 3. Backward pass
#
# The example's sub-heading «3. Обратный проход» (backward pass): «3.1.
# Градиенты для W'» (gradients for the output weights) and «3.2. Градиенты
# для W» (gradients for the input weights).
#
# As in notebook 01, the errors are $\delta_k = P_k - y_k$ (the trace's `e`),
# the gradient of row $k$ of $W'$ is $\delta_k \mathbf h$, and
# $E_H = \partial E / \partial \mathbf h = \sum_k \delta_k W'_k$. We form the
# four terms $\delta_k W'_k$ from the trace's errors. The values that use
# $\delta_1$ (word «люблю») carry the document's slip and are checked in the
# Appendix; the others agree within the rounding of its 4-decimal $\delta$
# (A.2).

# %%
delta = t.value("e")[0]
compare("delta (k = 0, 2, 3)", delta[keep], [0.3006, -0.7682, 0.2036], digits=4)

dW_prime_documented = np.array([[0.16533, 0.22545], [0.14526, 0.19808],
                                [-0.42251, -0.57615], [0.11198, 0.15270]])
terms = delta[:, None] * W_out_old               # delta_k W'_k, the terms of E_H
terms_documented = np.array([[0.27054, 0.15030], [0.21128, 0.10564],
                             [-0.53774, -0.23046], [0.12216, 0.04072]])
for k in keep:
    word = vocab[k]
    compare(f"dE/dW'_{k} ({word})", t.value(f"W_out[{word}]", "gradient"),
            dW_prime_documented[k], tol=0.75 * 5e-5)
    compare(f"delta_{k} W'_{k}", terms[k], terms_documented[k], tol=0.9 * 5e-5)
E_H = t.value("dh")[0]
compare("sum of the terms", terms.sum(axis=0), E_H, digits=12, label="trace")
compare("E_H = dE/dh", E_H, [0.0662, 0.0662], digits=4)

# %% [markdown]
# **The 1/2 split.** $\mathbf h$ is the mean of 2 context rows, each with
# weight $1/2C = 1/2$. By the chain rule each context row receives
# $E_H / 2$. (word2vec.c adds the undivided $E_H$ to every context row
# instead; the library uses the exact gradient of the mean, see the
# docstring of `w2v_numpy.models.cbow`.) Words outside the context get no
# gradient at all in $W$.

# %%
for c in context:
    compare(f"dE/dv_{vocab[c]} = E_H / 2", t.value(f"W_in[{vocab[c]}]", "gradient"),
            [0.0331, 0.0331], digits=4)
compare("E_H / 2 from the sum above", E_H / 2, t.value("W_in[люблю]", "gradient"), digits=12,
        label="trace")
assert trace_rows(t, "W_in") == ["люблю", "собак"], "я and кошек are not context words"
assert not np.any(model.grad(batch)["W_in"][[0, 2]]), "so their gradient rows are zero"

# %% [markdown]
# ### Exercise 2: the gradients yourself, with the split
#
# Write `cbow_grads(W_in, W_out, context, target)`. It returns a dict with
# `"W_in"` and `"W_out"` shaped like the weights. Remember the $1/n$ share of
# each of the $n$ context words. If a word appeared twice in the context, it
# would get two shares: `np.add.at` adds repeated rows, while
# `dW_in[context] += ...` would count it once. The check compares your
# result with `model.grad(batch)`, then with a context in which «собак»
# appears twice.

# %%
# def cbow_grads(W_in, W_out, context, target):
#     h, p, _ = cbow_forward(W_in, W_out, context, target)
#     e = ...                                    # your code: p minus the one-hot target
#     dW_out = ...                               # your code: e_j * h in row j
#     dW_in = np.zeros_like(W_in)
#     np.add.at(dW_in, context, ...)             # your code: each context row's share of dL/dh
#     return {"W_in": dW_in, "W_out": dW_out}

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def cbow_grads(W_in, W_out, context, target):
    h, p, _ = cbow_forward(W_in, W_out, context, target)
    e = p - np.eye(len(p))[target]
    dW_in = np.zeros_like(W_in)
    np.add.at(dW_in, context, (e @ W_out) / len(context))
    return {"W_in": dW_in, "W_out": np.outer(e, h)}


# %%
for ctx in (context, [1, 3, 3]):
    ours = cbow_grads(W_in_old, W_out_old, ctx, target)
    library = EXAMPLES["cbow"]().model.grad(Batch(np.array([ctx]), None, np.array([target]), None))
    for name in ("W_in", "W_out"):
        gap = np.abs(ours[name] - library[name]).max()
        compare(f"context {[vocab[c] for c in ctx]}: your dE/d{name}, largest gap", gap, 0.0,
                tol=1e-12, label="zero")

# %% [markdown]
# ## 4. SGD update
#
# The example's steps «Обновление весов W'» (updating W', under 3.1) and
# «Обновление весов W» (updating W, under 3.2). Each row moves by $-\eta$
# times its gradient. The document's $W'_2$ is checked with a slightly wider
# tolerance, because it comes from a rounded gradient (A.2).

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
# ### The probabilities before and after
#
# The step raises $P(кошек)$ and lowers the others, each in proportion to its
# probability, as in notebook 01. With $\eta = 0.01$ the change is tiny, so
# the plot adds one step with $\eta = 1$ taken on a fresh copy.

# %%
def probs_after(eta_, ctx=context):
    m = EXAMPLES["cbow"]().model
    b = Batch(np.array([ctx]), None, np.array([target]), None)
    before = m.forward(b)["p"][0]
    m.step(b, alpha=eta_)
    return before, m.forward(b)["p"][0]


x = np.arange(len(vocab))
fig, ax = plt.subplots(figsize=(5.5, 2.8))
bars = [("before", p), ("eta = 0.01", probs_after(eta)[1]), ("eta = 1", probs_after(1.0)[1])]
for shift, (label, probs) in zip((-0.27, 0, 0.27), bars):
    ax.bar(x + shift, probs, width=0.27, label=label)
ax.set_xticks(x, vocab)
ax.set_ylim(0, 0.52)
ax.legend(fontsize=8, ncol=3, loc="upper center")
ax.set_title("P(w | люблю, собак) before and after one step")
plt.show()
assert model.forward(batch)["p"][0, target] > p[target]

# %% [markdown]
# ### Try changing the context
#
# Add «я» to the context (`ctx_try = [0, 1, 3]`) or keep only «собак»
# (`ctx_try = [3]`), and change `eta_try`. How does $\mathbf h$ move? Does
# one step help «кошек» more or less when it has more context words to share
# the gradient with?

# %%
ctx_try, eta_try = [1, 3], 1.0                        # try [0, 1, 3], [3]; eta 0.1, 5
before, after = probs_after(eta_try, ctx_try)
print("context", [vocab[c] for c in ctx_try], " h =", W_in_old[ctx_try].mean(axis=0))
print(f"P(кошек): {before[target]:.4f} -> {after[target]:.4f} after one step with eta = {eta_try}")

# %% [markdown]
# ## 5. Gradient check on the same problem
#
# The numerical derivative of notebook 01, on this example:
# `w2v_numpy.teaching.gradcheck.check` compares `model.grad` with central
# differences of `model.loss`.

# %%
from w2v_numpy.teaching.gradcheck import check

error = check(EXAMPLES["cbow"]().model, batch, eps=1e-6, verbose=True)
assert error < 1e-6

# %% [markdown]
# **Next:** notebook 03 goes back to Skip-gram and makes the step cheap with
# negative sampling.
#
# ## Appendix: where the document differs
#
# Everything here is about the 4th or 5th decimal. None of it changes the
# method; it only explains why some checks above carry a tolerance or are
# missing a value.
#
# **A.1 One probability is off by one unit.** The document divides
# exponentials that it rounded to 3 decimals. That moves its probabilities by
# a few units of the 5th decimal; three of them still round correctly. The
# fourth, $P(люблю)$, does not, even from the document's own numbers:
# $2.096 / 7.938 = 0.26405$ rounds to 0.2640 (exact: 0.26399), but the
# document prints 0.2641. The error $\delta_1 = P(люблю)$ inherits the slip,
# and so do the gradient of $W'_1$ and the term $\delta_1 W'_1$.
# `erratum` asserts that ours and the document's really differ (so a
# stale note would fail) and prints why.

# %%
erratum("P(люблю)", p[1], P_documented[1], digits=4,
        note="2.096 / 7.938 = 0.26405, which rounds to 0.2640 (exact: 0.26399); "
             "the document prints 0.2641. Everything built on it below inherits 1e-4.")
erratum("delta_1", delta[1], 0.2641, digits=4, note="inherits P(люблю).")
erratum("dE/dW'_1 (люблю)", t.value("W_out[люблю]", "gradient"), dW_prime_documented[1],
        tol=0.75 * 5e-5, note="0.2641 * [0.55, 0.75]; with 0.2640 it would agree.")
erratum("delta_1 W'_1", terms[1], terms_documented[1], tol=0.9 * 5e-5,
        note="the same slip, times [0.8, 0.4].")

# %% [markdown]
# **A.2 Rounding that carries over.** The document's $\delta$ has 4 decimals,
# so any product with it can be off by half a unit ($5 \cdot 10^{-5}$) times
# the largest factor: $0.75$ for $\delta_k \mathbf h$, $0.9$ for
# $\delta_k W'_k$. That is the tolerance of those checks above. Its $E_H$ is
# printed as 0.0662 in both components; its 5-digit components 0.06624 and
# 0.06620 carry the rounded $\delta$ and the slip of A.1, while the exact
# components are equal. Its updated $W'_2$ is printed to 6 decimals from its
# rounded gradient, so it inherits that rounding times $\eta$: the check
# uses a tolerance of $0.5 \cdot 10^{-6} + \eta \cdot 0.75 \cdot 5 \cdot
# 10^{-5}$.

# %%
print("exact E_H:", E_H, "  document: 0.06624, 0.06620 (5 digits)")
erratum("E_H to 5 digits", E_H, [0.06624, 0.06620], digits=5,
        note="the document's 5-digit E_H sums its rounded terms, slip included; "
             "both exact components round to 0.0662.")
