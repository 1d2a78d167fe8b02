# %% [markdown]
# # Skip-gram with a full softmax: one training step, number by number
#
# **The question.** A Skip-gram model reads one word and guesses its
# neighbours. What exactly happens in *one* step of training: which numbers
# are computed, and which vectors move, and why in that direction?
#
# **The intuition.** Every word has two vectors: an *input* vector $\mathbf v$
# (a row of $W_{in}$) used when the word is the centre, and an *output* vector
# $\mathbf u$ (a row of $W_{out}$) used when it is the word to guess. The
# score of a candidate word is a dot product $\mathbf u^\top \mathbf v$. A
# softmax turns the scores into probabilities. Training nudges the vectors so
# that the true neighbour gets a higher probability. Words that share
# neighbours end up with similar vectors; that is all an embedding is.
#
# **What you need.** NumPy arrays and the chain rule. This is the first
# notebook; nothing earlier is assumed.
#
# **Our source.** We replay a worked example of **the textbook chapter**:
# Chapter 2, «Управление данными и векторизация в NLP» (data handling and
# vectorisation in NLP), of a Russian NLP course. It does not ship with the
# package; `docs/references.md` says where to find it. Below, "the document"
# is this chapter. The example is its section «8. Аналитический пример:
# Пошаговое вычисление Skip-gram» (worked example: Skip-gram step by step):
# sentence «кот сидит на коврике», centre word «сидит», context word «кот»,
# vectors of size $N = 2$, learning rate $\eta = 0.01$. We run it with the
# library's `sgram` model; its docstring (`w2v_numpy.models.sgram`) has the
# math.
#
# **How the checks work.** The inputs come from
# `w2v_numpy.teaching.worked_examples`. `w2v_numpy.teaching.trace.trace`
# records every number the model computes. `compare` (from `nbhelpers.py` in
# this folder) prints our number next to the document's and fails if they
# disagree. Where the document rounds or slips, the check allows for it, and
# the **Appendix** at the end explains why.
#
# One detail: the document writes $W_{out}$ as $N \times V$, one *column* per
# word. The library keeps one *row* per word, so it stores the transpose.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nbhelpers import compare, trace_rows
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.teaching.trace import format_trace, trace

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## The whole step at once
#
# Here is the full trace of the step. The sections below take its numbers one
# by one. `python -m w2v_numpy trace --example skipgram` prints the same text.

# %%
ex = EXAMPLES["skipgram"]()
t = trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels, title=ex.title)
print(format_trace(t))

# %% [markdown]
# ## 1. Parameters and the training pair
#
# The example's sub-headings «1. Исходные данные и инициализация» (inputs and
# initialisation) and «2. Выбор обучающей пары» (choosing the training pair).
# The pair is (centre «сидит», context «кот»): we feed «сидит» in and want
# «кот» out.

# %%
model, batch, eta, vocab = ex.model, ex.batch, ex.alpha, ex.words
centre, context = vocab.index("сидит"), vocab.index("кот")
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
print("W_in (V x N):\n", W_in_old)
print("W_out as the document prints it (N x V, a column per word):\n", W_out_old.T)
compare("v_сидит (row 1 of W_in)", W_in_old[centre], [0.5, 0.7], digits=1)
compare("u_кот (column 0 of W_out)", W_out_old[context], [0.05, 0.10], digits=2)

# %% [markdown]
# ## 2. Forward pass
#
# The example's sub-headings «3. Прямой проход» (forward pass) and «4. Функция
# потерь» (loss function).
#
# * the hidden vector is the centre's input row: $\mathbf h = \mathbf v_{сидит}$;
# * one score per word: $z_j = \mathbf u_j^\top \mathbf h$;
# * softmax: $P(w_j \mid сидит) = e^{z_j} / \sum_k e^{z_k}$;
# * loss: $L = -\log P(кот \mid сидит)$.
#
# The document rounds its probabilities, so they are checked within $10^{-4}$
# (Appendix, A.2).

# %%
p = t.value("p")[0]
compare("h = v_сидит", t.value("h")[0], [0.5, 0.7], digits=1)
compare("scores z", t.value("z")[0], [0.095, 0.215, 0.335, 0.455], digits=3)
compare("P(w | сидит)", p, [0.2069, 0.2334, 0.2631, 0.2966], tol=1e-4)
compare("P sums to 1", p.sum(), 1.0, digits=4)
compare("loss -log P(кот | сидит)", t.value("loss")[0], 1.575, digits=3)
compare("model.loss(batch)", model.loss(batch), 1.575, digits=3)

# %% [markdown]
# ### Exercise 1: the forward pass yourself
#
# Write `softmax(z)` and `sgram_loss(W_in, W_out, centre, context)`, which
# returns $-\log P(\text{context} \mid \text{centre})$. Use only NumPy. Tip:
# subtract `z.max()` before `np.exp`; the result does not change, and large
# scores no longer overflow. Uncomment the template and fill it in; the check
# cell below tests it against the model.

# %%
# def softmax(z):
#     ...                                   # your code: exp, then divide by the sum
#
# def sgram_loss(W_in, W_out, centre, context):
#     h = ...                               # your code: the centre's input row
#     z = ...                               # your code: one score per word
#     return ...                            # your code: -log of the context's probability

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def sgram_loss(W_in, W_out, centre, context):
    h = W_in[centre]
    z = W_out @ h
    return -np.log(softmax(z)[context])


# %%
compare("your softmax", softmax(W_out_old @ W_in_old[centre]), p, digits=12, label="model")
compare("your loss", sgram_loss(W_in_old, W_out_old, centre, context), model.loss(batch),
        digits=12, label="model")

# %% [markdown]
# ## 3. Backward pass
#
# The example's sub-heading «5. Обратное распространение ошибки» (backward
# pass), steps «5.1. Вычисление ошибок» (the errors $e_j$), «5.2. Обновление
# выходных эмбеддингов» (updating the output embeddings, for the gradients) and
# «5.3. Вычисление градиента по скрытому слою» (the gradient with respect to
# the hidden layer).
#
# The errors are $e_j = P(w_j \mid w_t) - y_j$ (the trace's `e`), where $y$ is
# 1 for «кот» and 0 for the others. Then
# $\partial L / \partial \mathbf u_j = e_j \mathbf h$ and
# $\partial L / \partial \mathbf h = \sum_j e_j \mathbf u_j$. The document
# also prints the four terms $e_j \mathbf u_j$ of that sum; we form them from
# the trace's errors. Its products carry its 4-decimal rounding (A.2).

# %%
e = t.value("e")[0]
compare("errors e", e, [-0.7931, 0.2334, 0.2631, 0.2966], tol=1e-4)

compare("dL/du_кот = e_кот h", t.value("W_out[кот]", "gradient"), [-0.39655, -0.55517],
        tol=0.7e-4)
compare("dL/du_сидит = e_сидит h", t.value("W_out[сидит]", "gradient"), [0.1167, 0.16338],
        tol=0.7e-4)
print("dL/du_на, dL/du_коврике (not printed in the document):\n",
      np.array([t.value("W_out[на]", "gradient"), t.value("W_out[коврике]", "gradient")]))

terms = e[:, None] * W_out_old                    # e_j u_j, the terms of dL/dh
terms_documented = [[-0.039655, -0.07931], [0.03501, 0.04668],
                    [0.065775, 0.07893], [0.10381, 0.11864]]
for word, ours, documented in zip(vocab, terms, terms_documented):
    compare(f"e_{word} u_{word}", ours, documented, tol=0.4e-4)
compare("dL/dh (sum of the terms)", terms.sum(axis=0), [0.16494, 0.16494], digits=5)
compare("dL/dh from the trace", t.value("dh")[0], [0.16494, 0.16494], digits=5)
compare("dL/dv_сидит", t.value("W_in[сидит]", "gradient"), [0.16494, 0.16494], digits=5)
assert trace_rows(t, "W_in") == ["сидит"], "only the centre row has gradient"
assert not np.any(np.delete(model.grad(batch)["W_in"], centre, axis=0)), "the others are zero"

# %% [markdown]
# ### Why the errors point the right way
#
# The error $e_j = P_j - y_j$ is the gradient of the loss with respect to the
# score $z_j$. For «кот» it is negative, so a step *against* the gradient
# raises $z_{кот}$. For every other word it is positive and equal to its
# probability: the more likely a wrong word was, the harder it is pushed
# down. The left plot shows the errors. The right plot shows the
# probabilities before and after one step. With $\eta = 0.01$ the change is
# too small to see, so we also show one step with $\eta = 1$ (on a copy).

# %%
def after_one_step(eta_):
    m = EXAMPLES["skipgram"]().model
    m.step(batch, alpha=eta_)
    return m.forward(batch)["p"][0]


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
ax1.bar(vocab, e, color=["tab:green" if j == context else "tab:red" for j in range(len(vocab))])
ax1.axhline(0, color="black", lw=0.8)
ax1.set_title("errors e = dL/dz = P - y")
x = np.arange(len(vocab))
bars = [("before", p), ("eta = 0.01", after_one_step(eta)), ("eta = 1", after_one_step(1.0))]
for shift, (label, probs) in zip((-0.27, 0, 0.27), bars):
    ax2.bar(x + shift, probs, width=0.27, label=label)
ax2.set_xticks(x, vocab)
ax2.set_title("P(w | сидит) before and after one step")
ax2.set_ylim(0, 0.45)
ax2.legend(fontsize=8, ncol=3, loc="upper center")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise 2: the gradients yourself
#
# Write `sgram_grads(W_in, W_out, centre, context)`. It returns a dict with
# `"W_in"` and `"W_out"`, two arrays of the same shapes as the weights, holding
# $\partial L / \partial W_{in}$ and $\partial L / \partial W_{out}$. Only one
# row of `W_in` is non-zero. The check compares it with `model.grad(batch)`.

# %%
# def sgram_grads(W_in, W_out, centre, context):
#     h = W_in[centre]
#     p = ...                        # your code: the probabilities
#     e = ...                        # your code: p minus the one-hot vector of the context
#     dW_out = ...                   # your code: one row e_j * h per word (np.outer helps)
#     dW_in = np.zeros_like(W_in)
#     dW_in[centre] = ...            # your code: the sum of e_j u_j
#     return {"W_in": dW_in, "W_out": dW_out}

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def sgram_grads(W_in, W_out, centre, context):
    h = W_in[centre]
    p = softmax(W_out @ h)
    e = p - np.eye(len(p))[context]
    dW_in = np.zeros_like(W_in)
    dW_in[centre] = e @ W_out
    return {"W_in": dW_in, "W_out": np.outer(e, h)}


# %%
ours, library = sgram_grads(W_in_old, W_out_old, centre, context), model.grad(batch)
compare("your dL/dv_сидит", ours["W_in"][centre], library["W_in"][centre], digits=12,
        label="model.grad")
assert np.allclose(ours["W_in"], library["W_in"], rtol=0, atol=1e-12), "other rows: zero"
for j, word in enumerate(vocab):
    compare(f"your dL/du_{word}", ours["W_out"][j], library["W_out"][j], digits=12,
            label="model.grad")

# %% [markdown]
# ## 4. SGD update
#
# The example's steps «5.2. Обновление выходных эмбеддингов» (updating the
# output embeddings) and «5.4. Обновление входного эмбеддинга» (updating the
# input embedding).
#
# Each parameter moves by $-\eta$ times its gradient. `model.step` (which the
# trace ran on a copy of the model) first computes every gradient from the
# old parameters, then updates in place. The new values agree with the
# document at its printed precision (5 decimals).

# %%
compare("loss before the step", t.loss, 1.575, digits=3)
compare("u_кот new", t.value("W_out[кот]", "update")[1], [0.05397, 0.10555], digits=5)
compare("u_сидит new", t.value("W_out[сидит]", "update")[1], [0.14883, 0.19837], digits=5)
compare("v_сидит new", t.value("W_in[сидит]", "update")[1], [0.49835, 0.69835], digits=5)
print("u_на, u_коврике new (not printed in the document):\n",
      np.array([t.value("W_out[на]", "update")[1], t.value("W_out[коврике]", "update")[1]]))

# %% [markdown]
# The trace left `ex.model` as it was. Taking the same step on it gives the
# trace's rows, leaves the other rows of $W_{in}$ alone and makes «кот» more
# likely next to «сидит».

# %%
loss = model.step(batch, alpha=eta)
compare("model.step: loss", loss, t.loss, digits=12, label="trace")
compare("model.step: v_сидит new", model.params["W_in"][centre],
        t.value("W_in[сидит]", "update")[1], digits=12, label="trace")
assert np.array_equal(np.delete(model.params["W_in"], centre, 0), np.delete(W_in_old, centre, 0))

p_after = model.forward(batch)["p"][0, context]
print(f"P(кот | сидит): {p[context]:.6f} -> {p_after:.6f}")
assert p_after > p[context]

# %% [markdown]
# ### Try changing the learning rate
#
# The cell below repeats the step 20 times on a fresh copy and prints
# $P(кот \mid сидит)$. Change `eta_try` to 0.1, 1 or 10 and run it again.
# A small $\eta$ creeps; a larger one gets there in a few steps. With
# $\eta = 10$ the first step overshoots: $P(кот \mid сидит)$ falls to almost
# 0 and the weights grow huge. Which value would you choose for a real
# corpus, where the next pair pulls the vectors somewhere else?

# %%
eta_try = 0.5                                   # try 0.01, 0.1, 1, 10
m = EXAMPLES["skipgram"]().model
history = [m.forward(batch)["p"][0, context]]
for _ in range(20):
    m.step(batch, alpha=eta_try)
    history.append(m.forward(batch)["p"][0, context])
print(f"eta = {eta_try}: P(кот | сидит) after 0, 1, 5, 10, 20 steps:",
      np.round([history[i] for i in (0, 1, 5, 10, 20)], 4))
print("largest |weight| now:", np.abs(m.params["W_in"]).max())

# %% [markdown]
# ## 5. Gradient check on the same problem
#
# How do we know `model.grad` is right at all? Nudge each parameter by a tiny
# $\pm\varepsilon$ and see how the loss changes: that is a numerical
# derivative. `w2v_numpy.teaching.gradcheck.check` compares it with
# `model.grad` in float64 and returns the largest relative error (the last
# line of the trace above is the same check).

# %%
from w2v_numpy.teaching.gradcheck import check

error = check(EXAMPLES["skipgram"]().model, batch, eps=1e-6, verbose=True)
assert error < 1e-6

# %% [markdown]
# **Next:** notebook 02 does the same step for CBOW, which turns the roles
# around: several context words in, one centre word out. Notebook 03 keeps
# this very setup and replaces the softmax by negative sampling.
#
# ## Appendix: where the document differs
#
# **A.1 A corrected input row.** The chapter corrects one of its own initial
# values, in a warning note «Ошибка в оригинале» (error in the original)
# under its matrix $W_{in}$. An earlier version of its text gave
# $\mathbf v_{сидит} = [0.3, 0.4]$, which is not the second row of its
# $W_{in}$. The corrected row $[0.5, 0.7]$ is the one its computation uses,
# and so do we (section 1 checks it).
#
# **A.2 Rounding.** The document rounds each exponential to 4 decimals before
# dividing, and prints 0.20695 as 0.2069. So its probabilities can be off by
# one unit of the 4th decimal, and we compare them with a tolerance of
# $10^{-4}$. Its errors $e_j$ are those probabilities minus $y_j$, with the
# same tolerance. Its gradients multiply a 4-decimal error by $\mathbf h$ or
# by $\mathbf u_j$, so the tolerance is scaled by the largest entry they are
# multiplied with ($0.7 \cdot 10^{-4}$ for $e_j \mathbf h$, $0.4 \cdot
# 10^{-4}$ for $e_j \mathbf u_j$). The updated vectors need no allowance:
# $\eta = 0.01$ shrinks the rounding below their 5th decimal.
#
# The cell below shows the size of that rounding: the document's
# probabilities minus ours.

# %%
p_documented = np.array([0.2069, 0.2334, 0.2631, 0.2966])
print("document - ours:", p_documented - p)
compare("largest rounding gap", np.abs(p_documented - p).max(), 0.0, tol=1e-4, label="zero")
