# %% [markdown]
# # GloVe: one training step, number by number
#
# This notebook replays a worked example of **the textbook chapter**: Chapter 2,
# «Управление данными и векторизация в NLP» (data handling and vectorisation in
# NLP), of a Russian NLP course. The chapter is a reference document that does
# not ship with the package; `docs/references.md` says where to find it and
# where each of its sections is. Below, "the document" is this chapter. The
# example is its section «Аналитический пример модели GloVe: Пошаговые
# вычисления» (worked example of the GloVe model: step-by-step computation),
# and we replay it with `w2v_numpy.models.glove`. The library computes every
# quantity; each is printed next to the value the document prints, and
# `compare` asserts that they agree to the document's printed precision. Where
# the document's arithmetic is off, `erratum` shows both values and says why.
# The inputs are exactly the document's (`EXAMPLES["glove"]()` in
# `w2v_numpy.teaching.worked_examples`); nothing is adjusted to make numbers match. The numbers
# of the step come from `w2v_numpy.teaching.trace.trace`, which records what the model
# computes in its own `forward`, `loss_and_grad` and `step`.
#
# The math (loss, weighting, gradients) is in the docstring of
# `w2v_numpy.models.glove`.
#
# `compare` and `erratum` come from `nbhelpers.py` in this folder.

# %%
import numpy as np

from nbhelpers import compare, erratum
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.teaching.trace import format_trace, trace

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## The whole step at once
#
# First the full trace of the update of the entry (cat, chases); the sections
# below go through it against the document, errata included. `python -m
# w2v_numpy trace --example glove` prints exactly this text.

# %%
ex = EXAMPLES["glove"]()
t = trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels, title=ex.title)
print(format_trace(t))

# %% [markdown]
# ## 1. Corpus, vocabulary and co-occurrence counts
#
# The example's sub-heading «1. Исходные данные» (input data): «1.1. Корпус
# текстов» (the corpus), «1.2. Словарь» (the vocabulary) and «1.3. Матрица
# со-встречаемости X» (the co-occurrence matrix).
#
# Window radius 1, context counted on both sides, one count per neighbour.
# The trace starts from one entry of $X$; this is where that entry comes from.

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

# %% [markdown]
# ## 2. Parameters
#
# The example's sub-heading «1.4. Инициализация параметров» (initialising the
# parameters).
#
# The document gives one list of biases and uses it for both roles, so the
# word biases `b` and the context biases `b_ctx` start from the same values.

# %%
model = ex.model
W, W_ctx = model.params["W"].copy(), model.params["W_ctx"].copy()           # v_i, v'_j
b, b_ctx = model.params["b"].copy(), model.params["b_ctx"].copy()
print("W:\n", W, "\nW_ctx:\n", W_ctx, "\nb:", b, " b_ctx:", b_ctx)
eta, x_max, alpha = ex.alpha, model.x_max, model.alpha
print("eta =", eta, " x_max =", x_max, " alpha =", alpha)

i, j = int(ex.batch.rows[0]), int(ex.batch.cols[0])
x = ex.batch.counts[0]
print("pair (i, j) =", (i, j), (vocab[i], vocab[j]), " X_ij =", x)
compare("X_ij of the example's batch", x, X[word_id["cat"], word_id["chases"]], digits=12,
        label="X above")

# %% [markdown]
# ## 3. Forward pass
#
# The example's sub-heading «3. Прямой проход» (forward pass).
#
# The chapter's GloVe theory, section «GloVe: Глобальные векторы для
# представления слов» (GloVe: global vectors for word representation), states
# the objective in its sub-heading «2.2. Функция потерь GloVe» (the GloVe loss
# function): the formula regresses on $\log X_{ij}$, and the list of symbols
# under it adds that $\log(1 + X_{ij})$ is used in practice. The example uses
# $\log(1 + X_{ij})$ (its step «3.3. Вычисление целевого значения», computing
# the target value). `w2v_numpy.models.glove` offers both through
# `target="log"` / `target="log1p"`; the example's model follows the example.
# The trace does not show the formula's $\log X$, so that one value comes from
# `glove.pair_forward`.

# %%
kw = dict(x_max=x_max, alpha=alpha, target=model.target)
print("target:", kw["target"])
f = {key: t.value(key)[0] for key in ("dot", "prediction", "target", "error", "weight",
                                      "loss", "scale")}

compare("v_0 . v'_1", f["dot"], 0.095, digits=3)
compare("prediction", f["prediction"], 0.125, digits=3)
compare("target log(1 + X_01)", f["target"], 0.6931, digits=4)
compare("error", f["error"], -0.5681, digits=4)
compare("weight f(X_01)", f["weight"], 0.1778, digits=4)

f_formula = glove.pair_forward(W[i], W_ctx[j], b[i], b_ctx[j], x, x_max=x_max, alpha=alpha,
                               target="log")
erratum("target, formula's log X", f_formula["target"], 0.6931, digits=4,
        note="the objective (the chapter's «2.2. Функция потерь GloVe», the GloVe loss) "
             "says log X, which is 0 for X = 1; the example quietly uses log(1 + X). "
             "We keep the example's choice from here on.")

# %% [markdown]
# The squared error and the loss are where the document's arithmetic slips.
# The exact loss is checked once more by plain arithmetic, independent of the library.

# %%
erratum("error ** 2", f["error"] ** 2, 0.32276, digits=5,
        note="(-0.5681)**2 is 0.32274 and the exact error gives 0.32279; 0.32276 is neither.")
erratum("loss L_01", f["loss"], 0.05747, digits=5,
        note="0.1778 * 0.32276 is 0.057387 and exact arithmetic gives 0.057401; "
             "the printed 0.05747 is a slip.")
assert np.isclose(f["loss"], 0.1 ** 0.75 * (0.125 - np.log(2)) ** 2, rtol=1e-14)
print("exact L_01 =", f["loss"])

# %% [markdown]
# ## 4. Gradients
#
# The example's sub-heading «4. Обратное распространение ошибки» (backward
# pass).
#
# All four gradients share the factor $2 f(X_{ij})\,e_{ij}$ (`scale`). The
# document's factor is wrong, and each gradient inherits that error.

# %%
g = {"w_i": t.value(f"W[{vocab[i]}]", "gradient"),         # dL/dv_0
     "w_j": t.value(f"W_ctx[{vocab[j]}]", "gradient"),     # dL/dv'_1
     "b_i": t.value(f"b[{vocab[i]}]", "gradient"),
     "b_j": t.value(f"b_ctx[{vocab[j]}]", "gradient")}
factor_documented = -0.2023
erratum("factor 2 f error", f["scale"], factor_documented, digits=4,
        note="2 * 0.1778 * (-0.5681) = -0.20202 even with the rounded inputs; exact "
             "arithmetic gives -0.202065. The gradients and updates below inherit this.")

grad_documented = {"w_i": [-0.050575, -0.070805], "w_j": [-0.02023, -0.04046],
                   "b_i": -0.2023, "b_j": -0.2023}
labels = {"w_i": "dL/dv_0", "w_j": "dL/dv'_1", "b_i": "dL/db_0", "b_j": "dL/db_1"}
for key, label in labels.items():
    erratum(label, g[key], grad_documented[key], digits=6, note="inherits the factor.")

# %% [markdown]
# The gradient *formulas* are right: each of our gradients divided by our
# factor, and each of the document's gradients divided by its factor, gives the
# same vector ($\mathbf v'_1$ for $\mathbf v_0$, $\mathbf v_0$ for
# $\mathbf v'_1$, and 1 for the biases).

# %%
direction = {"w_i": W_ctx[j], "w_j": W[i], "b_i": 1.0, "b_j": 1.0}
for key, label in labels.items():
    compare(label + " / factor", g[key] / f["scale"], direction[key], digits=12)
    compare(label + " / factor (document)",
            np.asarray(grad_documented[key]) / factor_documented, direction[key], digits=6)

# %% [markdown]
# ## 5. SGD update
#
# The example's sub-heading «5. Обновление параметров» (updating the
# parameters).

# %%
v0_new, v1_new, b0_new, b1_new = (t.value(f"{name}[{vocab[row]}]", "update")[1]
                                  for name, row in (("W", i), ("W_ctx", j), ("b", i), ("b_ctx", j)))
note = "inherits the factor; with the document's gradients the update rule gives its value."
erratum("v_0 new", v0_new, [0.10050575, 0.20070805], digits=8, note=note)
erratum("v'_1 new", v1_new, [0.2502023, 0.3504046], digits=7, note=note)
erratum("b_0 new", b0_new, 0.012023, digits=6, note=note)
erratum("b_1 new", b1_new, 0.022023, digits=6, note=note)

# the update rule applied to the document's own gradients reproduces its numbers
compare("v_0 - eta * documented grad", W[i] - eta * np.array(grad_documented["w_i"]),
        [0.10050575, 0.20070805], digits=8)
compare("b_0 - eta * documented grad", b[i] - eta * grad_documented["b_i"], 0.012023, digits=6)

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
#
# `w2v_numpy.teaching.gradcheck.check_gradient` takes the loss and the gradient as two
# functions of the parameter dict, so it checks any objective, not only the
# word2vec models.

# %%
from w2v_numpy.teaching.gradcheck import check_gradient

rows, cols, xs = glove.to_coo(counts)
params = {"W": W.copy(), "W_ctx": W_ctx.copy(), "b": b.copy(), "b_ctx": b_ctx.copy()}
report = check_gradient(lambda p: glove.loss_and_grad(p, rows, cols, xs, **kw)[0],
                        lambda p: glove.loss_and_grad(p, rows, cols, xs, **kw)[1],
                        params, eps=1e-6)
print(report)
assert report.max_error < 1e-6

# %% [markdown]
# ## 7. Training GloVe on real text
#
# One step is what the document shows; a trainer repeats it over every
# non-zero entry of $X$, many times. `w2v_numpy.GloVe` does the whole job:
#
# 1. it counts $X_{ij}$ over the corpus, window by window, with each pair
#    weighted by $1/\text{distance}$ and no window crossing a line
#    (`w2v_numpy.text.cooccurrence.count_cooccurrences`, which gives the same
#    numbers as the small `glove.cooccurrence` used above, in memory that grows
#    with the number of distinct pairs);
# 2. it fits the same loss, with the paper's target $\log X_{ij}$ instead of
#    the worked example's $\log(1 + X_{ij})$ (`target="log1p"` keeps the
#    document's variant), using AdaGrad as the reference tool `glove.c` does
#    (`w2v_numpy.training.adagrad`: each coordinate's step is divided by the square root
#    of its accumulated squared steps), over shuffled mini-batches of entries;
# 3. its word vectors are $\mathbf v_i + \mathbf v'_i$, word plus context
#    vector (glove.c's `-model 2`).
#
# The text: the first 300k tokens of `wiki2m.txt.xz` when the shared data
# folder is present, else the synthetic corpus shipped in `data/`. The
# settings are kept small (a window of 8 words each side, $x_{max} = 10$ as
# glove.c's demo uses on small corpora, 10 passes) so the cell runs in a few
# seconds; `benchmarks/RESULTS.md` has full runs against glove.c.

# %%
import lzma
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt

from nbhelpers import show_neighbours
from w2v_numpy import GloVe
from w2v_numpy.text.corpus import whitespace_tokenize

REPO = Path.cwd().parent                       # this notebook runs in notebooks/
WIKI = REPO.parent / "shared" / "data" / "wiki2m.txt.xz"
workdir = Path(tempfile.mkdtemp())
if WIKI.exists():
    text, n = workdir / "wiki_slice.txt", 0
    with lzma.open(WIKI, "rt", encoding="utf-8") as src, open(text, "w", encoding="utf-8") as out:
        for line in src:                       # whole lines until 300k tokens
            out.write(line)
            n += len(line.split())
            if n >= 300_000:
                break
    source, probes = f"wiki2m.txt.xz, first {n:,} tokens", ["three", "war", "france", "music"]
    sanity = ("three", {"one", "two", "four", "five", "six", "seven", "eight", "nine", "zero"})
else:
    text, source = REPO / "data" / "synthetic.txt", "data/synthetic.txt (shipped synthetic corpus)"
    probes = ["paris", "king", "red", "three"]
    sanity = ("red", {"blue", "green", "purple", "grey", "brown", "yellow", "black", "white"})

t0 = time.perf_counter()
g = GloVe(corpus_file=str(text), vector_size=50, window=8, x_max=10.0, epochs=10,
          batch_size=4096, seed=0, tokenizer=whitespace_tokenize, progress=False)
print(f"{source}: {len(g.vocab):,} words, {g.cooccurrences.nnz:,} non-zero entries of X, "
      f"{time.perf_counter() - t0:.1f} s")
print("mean loss f(X) (prediction - log X)^2 per entry, per pass:", np.round(g.state.epoch_losses, 4))
assert g.state.epoch_losses[-1] < 0.5 * g.state.epoch_losses[0]

# %% [markdown]
# The loss curve: one point per mini-batch (the mean loss of its entries), with
# the ends of the passes dotted.

# %%
losses = np.asarray(g.state.batch_losses)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(losses, lw=0.7)
for end in g.state.epoch_batch_index[:-1]:
    ax.axvline(end, color="grey", ls=":")
ax.set(xlabel="batch", ylabel="mean loss per entry", yscale="log", title="GloVe on " + source)
plt.show()

# %% [markdown]
# Nearest neighbours by cosine similarity of $\mathbf v_i + \mathbf v'_i$. With
# so little text they are rough, but words of one kind (numbers, countries)
# already gather.

# %%
wv = g.wv
show_neighbours(wv, probes, sanity)

# %%
import shutil

shutil.rmtree(workdir)
