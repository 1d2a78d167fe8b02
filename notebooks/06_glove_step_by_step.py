# %% [markdown]
# # GloVe: embeddings from a table of counts
#
# **The question.** Word2vec (notebooks 01-05) reads the text one window at a
# time. Could we instead count, once, how often each pair of words appears
# together, and fit vectors to that table? That is GloVe ("global vectors").
#
# **The intuition.** Let $X_{ij}$ be how often word $j$ appears near word $i$.
# GloVe asks the dot product of two vectors, plus two biases, to equal the
# logarithm of that count:
# $\mathbf v_i \cdot \mathbf v'_j + b_i + b'_j \approx \log X_{ij}$.
# Differences of logs are logs of ratios, so vector differences learn ratios
# like "how much more often does *ice* meet *solid* than *steam* does". Each
# pair's squared error gets a weight $f(X_{ij})$ (section 3), so that rare,
# noisy pairs and very common pairs do not dominate.
#
# **What it assumes.** A gradient step on a dot-product model (notebook 01)
# and what trained vectors look like and how we judge them (notebook 05).
#
# **The worked example.** We replay the GloVe worked example of **the
# textbook chapter**: Chapter 2, «Управление данными и векторизация в NLP»
# (data handling and vectorisation in NLP), of a Russian NLP course. It is a
# reference document that does not ship with the package; `docs/references.md`
# says where it is. Below, "the document" is this chapter, and the example is
# its section «Аналитический пример модели GloVe: Пошаговые вычисления»
# (worked example of the GloVe model: step-by-step computation). The library
# (`w2v_numpy.models.glove`, whose docstring has the math) computes every
# quantity, and `compare` (from `nbhelpers.py`) prints it next to the
# document's value and asserts that they agree to the printed precision. A few
# of the document's numbers are arithmetic slips; the main text only says
# where, and the **Appendix** at the end shows each one and why.
#
# Two exercises follow sections 3 and 4. Each has a template for you, a
# hidden solution cell (tagged `solution`) and a check against the library.

# %%
import numpy as np

from nbhelpers import compare, erratum
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.teaching.trace import format_trace, trace

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## The whole step at once
#
# The full trace of one update, of the entry (cat, chases); the sections below
# take it apart. `python -m w2v_numpy trace --example glove` prints exactly
# this text. (Its "alpha" is the learning rate of the step.)

# %%
ex = EXAMPLES["glove"]()
t = trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels, title=ex.title)
print(format_trace(t))

# %% [markdown]
# ## 1. Corpus, vocabulary and co-occurrence counts
#
# The example's «1.1. Корпус текстов» (the corpus), «1.2. Словарь» (the
# vocabulary) and «1.3. Матрица со-встречаемости X» (the co-occurrence matrix).
#
# Window radius 1, context counted on both sides, one count per neighbour.
# Counting both sides makes $X$ symmetric: $X_{ij} = X_{ji}$. Keep that in mind
# for section 7.

# %%
from w2v_numpy.models import glove

vocab = ex.words                                    # cat, chases, mouse, runs, from
word_id = {w: i for i, w in enumerate(vocab)}
corpus = ["cat chases mouse", "mouse runs from cat"]
sentences = [[word_id[w] for w in line.split()] for line in corpus]

counts = glove.cooccurrence(sentences, window=1, symmetric=True)
X = glove.to_dense(counts, len(vocab))
X_documented = np.array([[0, 1, 0, 0, 1],
                         [1, 0, 1, 0, 0],
                         [0, 1, 0, 1, 0],
                         [0, 0, 1, 0, 1],
                         [1, 0, 0, 1, 0]])
print(X)
compare("co-occurrence matrix X", X, X_documented, digits=0)
assert np.array_equal(X, X.T)

# %% [markdown]
# ## 2. Parameters
#
# The example's «1.4. Инициализация параметров» (initialising the
# parameters). Each word has two vectors: $\mathbf v_i$ (rows of `W`) when it
# is the word, $\mathbf v'_j$ (rows of `W_ctx`) when it is the context. The
# document gives one list of biases for both roles, so the word biases `b`
# and the context biases `b_ctx` start equal.
#
# GloVe's weight has two settings: $x_{max}$ and an exponent, which we call
# the **weighting exponent**. The library names it `alpha` (as the GloVe
# paper does); do not confuse it with the learning rate $\eta$.

# %%
model = ex.model
W, W_ctx = model.params["W"].copy(), model.params["W_ctx"].copy()           # v_i, v'_j
b, b_ctx = model.params["b"].copy(), model.params["b_ctx"].copy()
print("W:\n", W, "\nW_ctx:\n", W_ctx, "\nb:", b, " b_ctx:", b_ctx)
eta, x_max, exponent = ex.alpha, model.x_max, model.alpha     # learning rate, x_max, weighting exponent
print("eta =", eta, " x_max =", x_max, " weighting exponent =", exponent)

i, j = int(ex.batch.rows[0]), int(ex.batch.cols[0])
x = ex.batch.counts[0]
print("pair (i, j) =", (i, j), (vocab[i], vocab[j]), " X_ij =", x)
compare("X_ij of the example's batch", x, X[word_id["cat"], word_id["chases"]], digits=12,
        label="X above")

# %% [markdown]
# ## 3. Forward pass
#
# The example's «3. Прямой проход» (forward pass): the prediction
# $\mathbf v_i \cdot \mathbf v'_j + b_i + b'_j$, the target, the error
# (prediction minus target), the weight $f(X_{ij})$ and the loss
# $f(X_{ij})\,e_{ij}^2$.
#
# The target: the chapter's GloVe theory («2.2. Функция потерь GloVe», the
# GloVe loss) writes $\log X_{ij}$ and remarks that $\log(1 + X_{ij})$ is used
# in practice; the example uses $\log(1 + X_{ij})$. The library offers both
# (`target="log"` / `"log1p"`), and the example's model follows the example.
# The document's squared error and loss are off in the last digits (see the
# Appendix); the exact loss is checked here by plain arithmetic.

# %%
kw = dict(x_max=x_max, alpha=exponent, target=model.target)     # alpha: the weighting exponent
print("target:", kw["target"])
f = {key: t.value(key)[0] for key in ("dot", "prediction", "target", "error", "weight",
                                      "loss", "scale")}

compare("v_0 . v'_1", f["dot"], 0.095, digits=3)
compare("prediction", f["prediction"], 0.125, digits=3)
compare("target log(1 + X_01)", f["target"], 0.6931, digits=4)
compare("error", f["error"], -0.5681, digits=4)
compare("weight f(X_01)", f["weight"], 0.1778, digits=4)
assert np.isclose(f["loss"], 0.1 ** 0.75 * (0.125 - np.log(2)) ** 2, rtol=1e-14)
print("exact L_01 =", f["loss"])

# %% [markdown]
# ### Why the weight $f(x)$?
#
# $$f(x) = \min\bigl(1, (x / x_{max})^{\text{exponent}}\bigr)$$
#
# * A pair seen once or twice is mostly chance; its $\log X$ is noisy. A small
#   weight keeps it from pulling the vectors around.
# * A pair like (of, the) is seen millions of times. Without the cap at 1 it
#   would dominate the loss; with it, every pair above $x_{max}$ counts the same.
# * Pairs never seen ($X = 0$, where $\log X$ is $-\infty$) get $f(0) = 0$: GloVe
#   simply skips them, which also makes it fast.
#
# The GloVe paper uses $x_{max} = 100$ and a weighting exponent of 0.75; glove.c's
# demo uses $x_{max} = 10$ on small corpora. An exponent of 1 would be a straight
# line up to $x_{max}$; a smaller exponent lifts the rare pairs.

# %%
import matplotlib.pyplot as plt  # noqa: E402

xs_plot = np.linspace(0, 150, 600)
fig, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
for e in (0.5, 0.75, 1.0):
    axes[0].plot(xs_plot, glove.weighting(xs_plot, x_max=100, alpha=e), label=f"exponent {e}")
for xm in (10, 50, 100):
    axes[1].plot(xs_plot, glove.weighting(xs_plot, x_max=xm, alpha=0.75), label=f"x_max {xm}")
axes[0].set(title="x_max = 100", xlabel="count x", ylabel="f(x)")
axes[1].set(title="weighting exponent 0.75", xlabel="count x")
for ax in axes:
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ### Exercise 1: the weight by hand
#
# Write `weight(x, x_max, exponent)` with NumPy, for an array of counts `x`.
# It must give 0 for $x = 0$ and 1 for every $x \ge x_{max}$.

# %%
# def weight(x, x_max, exponent):
#     x = np.asarray(x, dtype=float)
#     return ...

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def weight(x, x_max, exponent):
    x = np.asarray(x, dtype=float)
    return np.minimum(1.0, (x / x_max) ** exponent)


# %%
counts_to_try = np.array([0, 0.5, 1, 3, 10, 99, 100, 1000])
for xm, e in ((100, 0.75), (10, 0.5), (10, 1.0)):
    assert np.allclose(weight(counts_to_try, xm, e), glove.weighting(counts_to_try, x_max=xm, alpha=e))
compare("weight(1, x_max, exponent)", weight(1, x_max, exponent), f["weight"], digits=12,
        label="trace")

# %% [markdown]
# ### Exercise 2: the forward pass of another pair
#
# Compute the prediction, error, weight and loss of the pair
# (mouse, runs) with the example's parameters (`W`, `W_ctx`, `b`, `b_ctx`) and
# its target $\log(1 + X_{ij})$. Store the loss in `loss_mouse_runs`.

# %%
# m, r = word_id["mouse"], word_id["runs"]
# prediction = ...
# error = prediction - np.log1p(X[m, r])
# loss_mouse_runs = ...

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
m, r = word_id["mouse"], word_id["runs"]
prediction = W[m] @ W_ctx[r] + b[m] + b_ctx[r]
error = prediction - np.log1p(X[m, r])
loss_mouse_runs = weight(X[m, r], x_max, exponent) * error ** 2

# %%
library = glove.pair_forward(W[m], W_ctx[r], b[m], b_ctx[r], X[m, r], x_max=x_max, alpha=exponent,
                             target="log1p")
compare("loss of (mouse, runs)", loss_mouse_runs, library["loss"], digits=12, label="library")

# %% [markdown]
# ## 4. Gradients
#
# The example's «4. Обратное распространение ошибки» (backward pass).
#
# All four gradients share the factor $2 f(X_{ij})\,e_{ij}$ (`scale`):
# $\partial L/\partial\mathbf v_i = 2 f e\,\mathbf v'_j$,
# $\partial L/\partial\mathbf v'_j = 2 f e\,\mathbf v_i$, and $2 f e$ for each
# bias. The document miscomputes this factor, so all its gradients and
# updates are off in the fourth digit (Appendix). The formulas themselves are
# right: each of our gradients, divided by our factor, is the vector the
# formula names.

# %%
grads = {"w_i": t.value(f"W[{vocab[i]}]", "gradient"),         # dL/dv_0
         "w_j": t.value(f"W_ctx[{vocab[j]}]", "gradient"),     # dL/dv'_1
         "b_i": t.value(f"b[{vocab[i]}]", "gradient"),
         "b_j": t.value(f"b_ctx[{vocab[j]}]", "gradient")}
labels = {"w_i": "dL/dv_0", "w_j": "dL/dv'_1", "b_i": "dL/db_0", "b_j": "dL/db_1"}
direction = {"w_i": W_ctx[j], "w_j": W[i], "b_i": 1.0, "b_j": 1.0}
print("factor 2 f e =", f["scale"])
for key, label in labels.items():
    compare(label + " / factor", grads[key] / f["scale"], direction[key], digits=12,
            label="formula")

# %% [markdown]
# ## 5. SGD update
#
# The example's «5. Обновление параметров» (updating the parameters): each of
# the four changes by $-\eta$ times its gradient. Nothing else changes.

# %%
v0_new, v1_new, b0_new, b1_new = (t.value(f"{name}[{vocab[row]}]", "update")[1]
                                  for name, row in (("W", i), ("W_ctx", j), ("b", i), ("b_ctx", j)))
compare("v_0 new = v_0 - eta dL/dv_0", v0_new, W[i] - eta * grads["w_i"], digits=15, label="by hand")
compare("v'_1 new", v1_new, W_ctx[j] - eta * grads["w_j"], digits=15, label="by hand")
compare("b_0 new, b_1 new", [b0_new, b1_new],
        [b[i] - eta * grads["b_i"], b_ctx[j] - eta * grads["b_j"]], digits=15, label="by hand")

# %% [markdown]
# The same step through the batched, in-place `glove.sgd_step` (the function
# a full trainer uses) gives the trace's values and changes these four
# values (six entries) and nothing else.

# %%
params = {"W": W.copy(), "W_ctx": W_ctx.copy(), "b": b.copy(), "b_ctx": b_ctx.copy()}
glove.sgd_step(params, np.array([i]), np.array([j]), np.array([x]), eta, **kw)
compare("batched: v_0 new", params["W"][i], v0_new, digits=15, label="trace")
compare("batched: v'_1 new", params["W_ctx"][j], v1_new, digits=15, label="trace")
compare("batched: b_0, b_1 new", [params["b"][i], params["b_ctx"][j]], [b0_new, b1_new],
        digits=15, label="trace")
changed = sum(int(np.sum(params[k] != v)) for k, v in
              {"W": W, "W_ctx": W_ctx, "b": b, "b_ctx": b_ctx}.items())
print("entries changed:", changed)
assert changed == 6

# %% [markdown]
# ## 6. Gradient check on the same problem
#
# Central differences of the loss summed over all ten non-zero pairs of $X$,
# against `glove.loss_and_grad`, in float64.
# `w2v_numpy.teaching.gradcheck.check_gradient` takes the loss and the
# gradient as two functions of the parameter dict, so it checks any objective.

# %%
from w2v_numpy.teaching.gradcheck import check_gradient  # noqa: E402

rows, cols, xs = glove.to_coo(counts)
params = {"W": W.copy(), "W_ctx": W_ctx.copy(), "b": b.copy(), "b_ctx": b_ctx.copy()}
report = check_gradient(lambda p: glove.loss_and_grad(p, rows, cols, xs, **kw)[0],
                        lambda p: glove.loss_and_grad(p, rows, cols, xs, **kw)[1],
                        params, eps=1e-6)
print(report)
assert report.max_error < 1e-6

# %% [markdown]
# ## 7. Why the final vectors are $\mathbf W + \widetilde{\mathbf W}$
#
# Because $X$ is symmetric, the loss does not care which copy is "word" and
# which is "context": swap `W` with `W_ctx` (and `b` with `b_ctx`) and the
# total loss is the same. The cell below checks this on the example. So after
# training, $\mathbf v_i$ and $\mathbf v'_i$ are two equally good estimates of
# the same thing, which differ only because they started from different random
# numbers. Adding them averages out part of that noise (the GloVe paper,
# Pennington et al. 2014, section 4.2 "Corpora and training details", reports
# a small gain). glove.c's `-model 2`, and
# `w2v_numpy.GloVe.wv`, return the sum.

# %%
total = glove.loss_and_grad(params, rows, cols, xs, **kw)[0]
swapped = {"W": params["W_ctx"], "W_ctx": params["W"], "b": params["b_ctx"], "b_ctx": params["b"]}
compare("loss with W and W_ctx swapped", glove.loss_and_grad(swapped, rows, cols, xs, **kw)[0],
        total, digits=12, label="not swapped")

# %% [markdown]
# Now a real training run. `w2v_numpy.GloVe` counts $X$ over the corpus (each
# pair weighted by $1/\text{distance}$, no window crossing a line), fits the
# loss with the paper's target $\log X_{ij}$ (`target="log1p"` keeps the
# example's), and steps with AdaGrad as glove.c does (each coordinate's step
# is divided by the root of its summed squared gradients). The text is the
# shipped `data/synthetic.txt`, so we can score the vectors with the test files
# of notebook 05. Settings: 32 dimensions, a window of 8, $x_{max} = 10$, 10
# passes. `benchmarks/RESULTS.md` has full runs against glove.c.

# %%
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from nbhelpers import show_neighbours  # noqa: E402
from w2v_numpy import GloVe  # noqa: E402
from w2v_numpy.text.corpus import whitespace_tokenize  # noqa: E402
from w2v_numpy.vectors.keyedvectors import KeyedVectors  # noqa: E402

DATA = Path.cwd().parent / "data"              # this notebook runs in notebooks/
t0 = time.perf_counter()
glv = GloVe(corpus_file=str(DATA / "synthetic.txt"), vector_size=32, window=8, x_max=10.0,
            epochs=10, batch_size=4096, seed=0, tokenizer=whitespace_tokenize, progress=False)
print(f"{len(glv.vocab):,} words, {glv.cooccurrences.nnz:,} non-zero entries of X, "
      f"{time.perf_counter() - t0:.1f} s")
print("mean loss f(X) (prediction - log X)^2 per entry, per pass:", np.round(glv.state.epoch_losses, 4))
assert glv.state.epoch_losses[-1] < 0.5 * glv.state.epoch_losses[0]

losses = np.asarray(glv.state.batch_losses)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(losses, lw=0.7)
for end in glv.state.epoch_batch_index[:-1]:
    ax.axvline(end, color="grey", ls=":")
ax.set(xlabel="batch", ylabel="mean loss per entry", yscale="log", title="GloVe on synthetic.txt")
plt.show()

# %% [markdown]
# The three choices of final vectors, scored as in notebook 05 (analogy
# accuracy and Spearman correlation with the planted pair scores). The two
# halves score about the same, as the symmetry predicts; the sum is at least
# as good as the weaker half.

# %%
P, words = glv.model.params, list(glv.vocab.words)
choices = {"W": P["W"], "W_ctx": P["W_ctx"], "W + W_ctx": P["W"] + P["W_ctx"]}
scores = {}
for name, V in choices.items():
    kv = KeyedVectors(words, np.asarray(V))
    acc, _ = kv.evaluate_word_analogies(str(DATA / "synthetic_analogies.txt"))
    rho = kv.evaluate_word_pairs(str(DATA / "synthetic_pairs.tsv"))[1].statistic
    scores[name] = (acc, rho)
    print(f"{name:>10}: analogies {acc:.3f}, Spearman {rho:.3f}")
assert np.allclose(glv.wv.vectors, P["W"] + P["W_ctx"])
assert all(scores["W + W_ctx"][k] >= min(scores["W"][k], scores["W_ctx"][k]) - 0.02 for k in (0, 1))

fig, ax = plt.subplots(figsize=(6, 2.8))
pos = np.arange(len(scores))
ax.bar(pos - 0.2, [s[0] for s in scores.values()], 0.4, label="analogy accuracy")
ax.bar(pos + 0.2, [s[1] for s in scores.values()], 0.4, label="Spearman")
ax.set(xticks=pos, xticklabels=list(scores), ylim=(0, 1), title="which vectors to keep")
ax.legend(fontsize=8)
plt.show()

show_neighbours(glv.wv, ["paris", "king", "red", "cat"],
                ("red", {"blue", "green", "purple", "grey", "brown", "yellow", "black", "white"}))

# %% [markdown]
# *Try changing the training:* set `epochs=25` and run the two cells again.
# The loss keeps falling, but the analogy score collapses: on a small corpus
# GloVe overfits the counts. Then try `x_max=100` (the paper's value).

# %% [markdown]
# ## Appendix: where the document differs
#
# Each value below is one the document prints but exact arithmetic does not
# give. `erratum` prints ours beside the document's, with the reason, and
# fails if the two agree after all (so a fixed document would be noticed).
#
# **The target.** The objective (the chapter's «2.2. Функция потерь GloVe», the
# GloVe loss) writes $\log X$, which is 0 for $X = 1$; the example quietly uses
# $\log(1 + X)$.
#
# **The squared error and the loss** are arithmetic slips.
#
# **The factor $2 f e$** is wrong, and every gradient and update inherits it.
# Dividing the document's own gradients by its own factor still gives the
# right directions, and its update rule applied to its own gradients gives its
# printed updates: the method is right, one multiplication is not.

# %%
f_formula = glove.pair_forward(W[i], W_ctx[j], b[i], b_ctx[j], x, x_max=x_max, alpha=exponent,
                               target="log")
erratum("target, formula's log X", f_formula["target"], 0.6931, digits=4,
        note="the objective (the chapter's «2.2. Функция потерь GloVe», the GloVe loss) "
             "says log X, which is 0 for X = 1; the example quietly uses log(1 + X). "
             "We keep the example's choice.")
erratum("error ** 2", f["error"] ** 2, 0.32276, digits=5,
        note="(-0.5681)**2 is 0.32274 and the exact error gives 0.32279; 0.32276 is neither.")
erratum("loss L_01", f["loss"], 0.05747, digits=5,
        note="0.1778 * 0.32276 is 0.057387 and exact arithmetic gives 0.057401; "
             "the printed 0.05747 is a slip.")

factor_documented = -0.2023
erratum("factor 2 f error", f["scale"], factor_documented, digits=4,
        note="2 * 0.1778 * (-0.5681) = -0.20202 even with the rounded inputs; exact "
             "arithmetic gives -0.202065. The gradients and updates below inherit this.")
grad_documented = {"w_i": [-0.050575, -0.070805], "w_j": [-0.02023, -0.04046],
                   "b_i": -0.2023, "b_j": -0.2023}
for key, label in labels.items():
    erratum(label, grads[key], grad_documented[key], digits=6, note="inherits the factor.")
for key, label in labels.items():
    compare(label + " / factor (document)",
            np.asarray(grad_documented[key]) / factor_documented, direction[key], digits=6)

note = "inherits the factor; with the document's gradients the update rule gives its value."
erratum("v_0 new", v0_new, [0.10050575, 0.20070805], digits=8, note=note)
erratum("v'_1 new", v1_new, [0.2502023, 0.3504046], digits=7, note=note)
erratum("b_0 new", b0_new, 0.012023, digits=6, note=note)
erratum("b_1 new", b1_new, 0.022023, digits=6, note=note)
compare("v_0 - eta * documented grad", W[i] - eta * np.array(grad_documented["w_i"]),
        [0.10050575, 0.20070805], digits=8)
compare("b_0 - eta * documented grad", b[i] - eta * grad_documented["b_i"], 0.012023, digits=6)
