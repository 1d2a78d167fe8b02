# %% [markdown]
# # Skip-gram with a full softmax: one training step, number by number
#
# This notebook replays a worked example of **the textbook chapter**: Chapter 2,
# «Управление данными и векторизация в NLP» (data handling and vectorisation in
# NLP), of a Russian NLP course. The chapter is a reference document that does
# not ship with the package; `docs/references.md` says where to find it and
# where each of its sections is. Below, "the document" is this chapter. The
# example is its section «8. Аналитический пример: Пошаговое вычисление
# Skip-gram» (worked example: Skip-gram step by step), and we replay it with
# the library's `sgram` model: sentence «кот сидит на коврике», centre word
# «сидит», context word «кот», $N = 2$, $\eta = 0.01$.
# The math is in the docstring of `w2v_numpy.models.sgram`.
#
# The inputs come from `w2v_numpy.teaching.worked_examples` (`EXAMPLES["skipgram"]()`), the
# one place that holds the document's numbers. Every intermediate comes from
# `w2v_numpy.teaching.trace.trace`, which records what the model's own `forward`,
# `loss_and_grad` and `step` compute; `compare` asserts agreement with the
# document's printed value.
#
# One symbol to keep in mind: the document's $W_{out}$ is $N \times V$ with a
# column per word, while `model.params["W_out"]` has a row per word, so the
# example stores the document's matrix transposed.
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
# Here is the full trace of the step; the sections below take its numbers one
# by one and hold them against the document. `python -m w2v_numpy trace
# --example skipgram` prints exactly this text.

# %%
ex = EXAMPLES["skipgram"]()
t = trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels, title=ex.title)
print(format_trace(t))

# %% [markdown]
# ## 1. Parameters and the training pair
#
# The example's sub-headings «1. Исходные данные и инициализация» (inputs and
# initialisation) and «2. Выбор обучающей пары» (choosing the training pair).
#
# The chapter itself corrects one initial value, in a warning note «Ошибка в
# оригинале» (error in the original) under its matrix $W_{in}$: an earlier
# version of its text gave $\mathbf v_{сидит} = [0.3, 0.4]$, which is not the
# second row of its $W_{in}$. The corrected row $[0.5, 0.7]$ is the one its
# computation uses, and so do we.

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
# Rounding note: the document rounds each exponential to 4 decimals before
# dividing (and prints 0.20695 as 0.2069), so its probabilities can be off by
# one unit of the 4th decimal. They are compared with a tolerance of $10^{-4}$.

# %%
p = t.value("p")[0]
compare("h = v_сидит", t.value("h")[0], [0.5, 0.7], digits=1)
compare("scores z", t.value("z")[0], [0.095, 0.215, 0.335, 0.455], digits=3)
compare("P(w | сидит)", p, [0.2069, 0.2334, 0.2631, 0.2966], tol=1e-4)
compare("P sums to 1", p.sum(), 1.0, digits=4)
compare("loss -log P(кот | сидит)", t.value("loss")[0], 1.575, digits=3)
compare("model.loss(batch)", model.loss(batch), 1.575, digits=3)

# %% [markdown]
# ## 3. Backward pass
#
# The example's sub-heading «5. Обратное распространение ошибки» (backward
# pass), steps «5.1. Вычисление ошибок» (the errors $e_j$), «5.2. Обновление
# выходных эмбеддингов» (updating the output embeddings, for the gradients) and
# «5.3. Вычисление градиента по скрытому слою» (the gradient with respect to
# the hidden layer).
#
# The errors are $e_j = P(w_j \mid w_t) - y_j$ (the trace's `e`). Products of
# the document's 4-decimal errors with $\mathbf h$ or $\mathbf u_j$ inherit
# the $10^{-4}$ tolerance, scaled by the largest entry they are multiplied
# with. The trace gives $\partial L / \partial \mathbf h$ as one vector; the
# document also prints the four terms $e_j \mathbf u_j$ of its sum, which we
# form from the trace's errors.

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
# ## 4. SGD update
#
# The example's steps «5.2. Обновление выходных эмбеддингов» (updating the
# output embeddings) and «5.4. Обновление входного эмбеддинга» (updating the
# input embedding).
#
# `model.step` (which the trace ran on a copy of the model) computes every
# gradient from the old parameters, then updates in place. The updated values
# agree with the document at its printed precision (5 decimals).

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
# ## 5. Gradient check on the same problem
#
# `w2v_numpy.teaching.gradcheck.check` compares `model.grad` with central differences
# of `model.loss` in float64 and returns the largest relative error (the last
# line of the trace above is the same check).

# %%
from w2v_numpy.teaching.gradcheck import check

error = check(EXAMPLES["skipgram"]().model, batch, eps=1e-6, verbose=True)
assert error < 1e-6
