# %% [markdown]
# # FastText classification: one training step, number by number
#
# **The question.** The vectors of notebooks 01-07 describe words. How do we
# use the same machinery to sort whole texts into classes, such as positive
# and negative reviews?
#
# **The intuition.** A text becomes one vector: the mean of its words'
# vectors, each word built from n-grams as in notebook 07. Each class has a
# vector too. The score of a class is the dot product of the two. Training
# pushes the score of the right class up and the scores of the wrong ones
# down, with the same sigmoid losses as negative sampling (notebook 03). The
# model has no idea of word order, which is why it is fast, and why it needs
# help (word pairs, section 8) to read «not good».
#
# **What it assumes.** Character n-grams (notebook 07) and the negative
# sampling loss and its gradients (notebook 03).
#
# **The worked example.** We replay a worked example of **the textbook
# chapter**: Chapter 2, «Управление данными и векторизация в NLP» (data
# handling and vectorisation in NLP), of a Russian NLP course; a reference
# document that does not ship with the package (`docs/references.md` says
# where it is). Below, "the document" is this chapter, and the example is its
# section «Аналитический пример FastText: Пошаговые вычисления» (worked
# example of FastText: step-by-step computation): document «хороший фильм»
# (good film), true class «позитив» (positive), one negative class «негатив»
# (negative), $d = 2$, $\eta = 0.1$. `w2v_numpy.models.fasttext_supervised`
# (whose docstring has the math) computes every quantity; `compare` (from
# `nbhelpers.py`) prints it beside the document's value and asserts that they
# agree. The inputs come from `EXAMPLES["fasttext"]()` in
# `w2v_numpy.teaching.worked_examples`, and the numbers of the step from
# `w2v_numpy.teaching.trace.trace`.
#
# Two exercises, each with a template for you, a hidden solution cell (tagged
# `solution`) and a check against the library.

# %%
import numpy as np

from nbhelpers import compare, erratum, trace_rows
from w2v_numpy.teaching import worked_examples as examples
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.teaching.trace import format_trace, trace

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## The whole step at once
#
# **Warning: the document's n-grams are wrong.** Its table of n-gram vectors
# has rows named `гий`, `илм`, `рог`, `оги`, `лм>`: these strings do not occur
# in `<хороший>` or `<фильм>` (`гий` would come from «хорогий», `илм` from
# «филм»), and its list of a word's n-grams mixes true and false ones. To
# reproduce the document's numbers we keep its table and its lists unchanged,
# so read the row names below as labels, not as n-grams to learn from.
# Notebook 07 computes the true n-grams; the Appendix compares the two.
#
# The full trace of the step, before we take it apart: the rows of $E$ are
# named by the document's n-grams and the rows of $U$ by the classes.
# `python -m w2v_numpy trace --example fasttext` prints exactly this text.

# %%
ex = EXAMPLES["fasttext"]()
t = trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels, title=ex.title)
print(format_trace(t))

# %% [markdown]
# ## 1. The document's table of n-gram vectors and class vectors
#
# The example's «Инициализация» (initialisation), with its table of n-gram
# vectors and «Векторы весов классов» (the class weight vectors).

# %%
from w2v_numpy.models import fasttext_supervised as ft  # noqa: E402

model, eta = ex.model, ex.alpha
table = examples.FASTTEXT_TABLE                      # n-gram -> its vector, as printed
assert list(table) == ex.labels["E"]                 # the rows of E, in this order
row = {g: r for r, g in enumerate(table)}           # n-gram -> row of E
E = model.params["E"].copy()                         # (11, 2) n-gram vectors
classes = ex.labels["U"]                             # позитив, негатив
U = model.params["U"].copy()                         # (2, 2) class vectors
for gram, r in row.items():
    print(f"{gram:>5} {E[r]}")
print("U:", dict(zip(classes, U.tolist())))
words = ["хороший", "фильм"]
target, negatives = classes.index("позитив"), [classes.index("негатив")]

# %% [markdown]
# ## 2. Word vectors and the document vector
#
# The example's steps «Шаг 1» (each word's n-grams: the sets $G_w$, taken
# as printed, see the warning above), «Шаг 2» (their vectors, from the table),
# «Шаг 3» (a word vector as the sum of its n-gram vectors) and «Шаг 4» (the
# document vector $\mathbf v_D$ as the mean of the word vectors).
#
# The document sums the n-gram vectors of a word (`combine="sum"`); fastText's
# own word vectors use their mean (`combine="mean"`, shown for comparison).

# %%
G = examples.FASTTEXT_G
print("G_w, as the document uses them:", G)
doc = [np.array([row[g] for g in G[w]]) for w in words]   # n-gram ids per word
v_D = t.value("v_D")[0]
compare("v_хороший", ft.word_vector(E, doc[0], "sum"), [0.55, 0.4], digits=2)
compare("v_фильм", ft.word_vector(E, doc[1], "sum"), [0.55, 0.35], digits=2)
compare("v_D", v_D, [0.55, 0.375], digits=3)
print("v_D with combine='mean':", ft.document_vector(E, doc, combine="mean"))

# %% [markdown]
# ## 3. Scores, sigmoids and the loss
#
# The example's steps «Шаг 5: Выбор отрицательных классов» (choosing the
# negative classes), «Шаг 6: Вычисление счетов и сигмоидов» (scores and
# sigmoids) and «Шаг 7: Вычисление функции потерь» (the loss). The score of a
# class $c$ is $s_c = \mathbf u_c \cdot \mathbf v_D$. The loss wants
# $\sigma(s_{true})$ near 1 and $\sigma(-s_{neg})$ near 1:
# $L = -\log\sigma(s_{true}) - \log\sigma(-s_{neg})$.

# %%
scores, sigma, losses = t.value("scores")[0], t.value("sigma")[0], t.value("losses")[0]
compare("s_true", scores[0], 0.0175, digits=4)
compare("s_neg", scores[1], -0.00875, digits=5)
compare("p_true = sigma(s_true)", sigma[0], 0.5044, digits=4)
compare("p_neg = sigma(-s_neg)", sigma[1], 0.5022, digits=4)
compare("log p_true", -losses[0], -0.6844, digits=4)
compare("log p_neg", -losses[1], -0.6888, digits=4)
compare("loss L", t.value("loss")[0], 1.3732, digits=4)

# %% [markdown]
# ### Exercise 1: the forward pass by hand
#
# From `E`, `U`, the n-gram ids `doc` (one array per word), `target` and
# `negatives`, compute the document vector (sum within a word, mean over the
# words) and the loss. Store the loss in `my_loss`.

# %%
# word_vectors = [E[ids].sum(axis=0) for ids in doc]
# v = ...
# s = U @ v
# my_loss = ...

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
word_vectors = [E[ids].sum(axis=0) for ids in doc]
v = np.mean(word_vectors, axis=0)
s = U @ v
my_loss = -np.log(1 / (1 + np.exp(-s[target]))) - sum(np.log(1 / (1 + np.exp(s[n]))) for n in negatives)

# %%
compare("my loss", my_loss, ft.loss_and_grad(E, U, doc, target, negatives, "sum")[0], digits=12,
        label="library")
compare("my loss", my_loss, t.loss, digits=12, label="trace")

# %% [markdown]
# ## 4. Gradients
#
# The example's «2. Backpropagation (Обратное распространение ошибки)»
# (backward pass). Step 1, the class vectors: with the score error
# $\gamma_c = \sigma(s_c) - 1$ for the true class and $\sigma(s_c)$ for a
# negative one, $\partial L / \partial \mathbf u_c = \gamma_c \mathbf v_D$.
# Step 2, the document vector: $\delta_D = \sum_c \gamma_c \mathbf u_c$. Step
# 3, the n-gram vectors: each n-gram of word $w$ gets $\delta_D$ divided by the
# number of words (the mean), and the same for every n-gram (the sum).
#
# The document rounds $\sigma$ to 4 decimals before it multiplies, so a few
# checks allow a tolerance of that size; the Appendix explains it.

# %%
gamma = t.value("gamma")[0]                        # dL/ds, the document's score errors
compare("sigma(s_true) - 1", gamma[0], -0.4956, digits=4)
compare("1 - sigma(-s_neg)", gamma[1], 0.4978, digits=4)

sigma_tol = 0.55 * 5e-5                            # see the Appendix
compare("dL/du_позитив", t.value("U[позитив]", "gradient"), [-0.27258, -0.18585], tol=sigma_tol)
compare("dL/du_негатив", t.value("U[негатив]", "gradient"), [0.27379, 0.186675], tol=sigma_tol)

compare("delta_D = dL/dv_D", t.value("dv_D")[0], [-0.07445, 0.07445], digits=5)
grams = trace_rows(t, "E")
print("n-gram rows with gradient:", grams)
E_rows = np.array([t.value(f"E[{gram}]", "gradient") for gram in grams])
assert np.array_equal(E_rows, np.tile(E_rows[0], (7, 1)))   # the same for all seven
compare("dL/dv_g (each of the seven)", E_rows[0], [-0.037225, 0.037225], tol=3e-6)

# %% [markdown]
# ## 5. SGD update
#
# The example's «Обновление весов классов» (updating the class weights) and
# «Обновление весов n-грамм» (updating the n-gram weights). The trace ran one
# `model.step` on a copy of the model. All gradients come from the old
# values, so $\delta_D$ uses the old class vectors, as in the document. The
# tolerances are the ones above, times $\eta$.

# %%
compare("loss before the step", t.loss, 1.3732, digits=4)
compare("u_позитив new", t.value("U[позитив]", "update")[1], [0.127258, -0.081415],
        tol=eta * sigma_tol)
compare("u_негатив new", t.value("U[негатив]", "update")[1], [-0.077379, 0.0313325],
        tol=eta * sigma_tol)

documented_new = {"<хор": [0.1037225, 0.1962775], "оро": [0.2037225, 0.0962775],
                  "гий": [0.2537225, -0.0037225], "ий>": [0.0037225, 0.0962775],
                  "<фил": [0.3037225, 0.0962775], "илм": [0.2037225, 0.1962775],
                  "лм>": [0.0537225, 0.0462775]}
for gram, value in documented_new.items():
    compare(f"v_{gram} new", t.value(f"E[{gram}]", "update")[1], value, tol=eta * 3e-6)
assert trace_rows(t, "E", "update") == list(documented_new)

# %% [markdown]
# ### Exercise 2: the update by hand
#
# Using the formulas of section 4, compute the new class vectors `U_after`
# (both rows) and the new vector of the n-gram `<хор` (`e_after`), from the
# old `E`, `U`, `v` (your document vector) and `s` (your scores) of exercise 1
# and the learning rate `eta`.

# %%
# sig = 1 / (1 + np.exp(-s))
# g_c = ...                     # gamma: sigma - 1 for the target, sigma for the negative
# U_after = U - eta * ...
# delta_D = ...
# e_after = E[row["<хор"]] - eta * ...

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
sig = 1 / (1 + np.exp(-s))
g_c = sig.copy()
g_c[target] -= 1.0
U_after = U - eta * np.outer(g_c, v)
delta_D = g_c @ U                               # uses the old class vectors
e_after = E[row["<хор"]] - eta * delta_D / len(words)

# %%
compare("u_позитив after, by hand", U_after[0], t.value("U[позитив]", "update")[1], digits=12,
        label="trace")
compare("u_негатив after, by hand", U_after[1], t.value("U[негатив]", "update")[1], digits=12,
        label="trace")
compare("v_<хор after, by hand", e_after, t.value("E[<хор]", "update")[1], digits=12, label="trace")

# %% [markdown]
# The same step on `ex.model` itself, and the one-document `ft.sgd_step` on
# copies of $E$ and $U$, both write the trace's rows and leave the n-grams
# the document does not use alone.

# %%
E_new, U_new = E.copy(), U.copy()
loss = ft.sgd_step(E_new, U_new, doc, target, negatives, eta, combine="sum")
model.step(ex.batch, alpha=eta)
compare("ft.sgd_step: loss", loss, t.loss, digits=12, label="trace")
for name, ours in (("E", E_new), ("U", U_new)):
    compare(f"{name} after model.step", model.params[name], ours, digits=12, label="sgd_step")
compare("ft.sgd_step: u_позитив new", U_new[0], t.value("U[позитив]", "update")[1], digits=12,
        label="trace")
compare("ft.sgd_step: v_<хор new", E_new[row["<хор"]], t.value("E[<хор]", "update")[1],
        digits=12, label="trace")
untouched = [row[gram] for gram in table if gram not in documented_new]
assert np.array_equal(E_new[untouched], E[untouched])
print("rows not in the document left unchanged:", [list(table)[r] for r in untouched])

# %% [markdown]
# ## 6. Gradient check on the same problem
#
# Central differences against `ft.loss_and_grad` for both ways of building a
# word vector, in float64. `w2v_numpy.teaching.gradcheck.check_gradient` takes
# the loss and the gradient as two functions of the parameter dict.

# %%
from w2v_numpy.teaching.gradcheck import check_gradient  # noqa: E402

for combine in ("sum", "mean"):
    def loss_fn(p, combine=combine):
        return ft.loss_and_grad(p["E"], p["U"], doc, target, negatives, combine)[0]

    def grad_fn(p, combine=combine):
        grads = ft.loss_and_grad(p["E"], p["U"], doc, target, negatives, combine)[1]
        return ft.to_dense(grads, p["E"].shape, p["U"].shape)

    report = check_gradient(loss_fn, grad_fn, {"E": E.copy(), "U": U.copy()})
    print(f"combine={combine}: {report}")
    assert report.max_error < 1e-6

# %% [markdown]
# ## 7. The classifier trained for real
#
# `w2v_numpy.classifier.train_supervised` trains this model on
# `__label__X text` lines (what `python -m w2v_numpy supervised` does), with a
# softmax over the labels by default. The shipped reviews
# (`data/labelled_*.txt`, written by `data/make_labelled.py`) carry their
# sentiment in one opinion word, which is negated («not good») a third of the
# time.
#
# **Why word pairs?** The document vector is a mean, so «not good» and «good
# not» give the same vector, and «not» alone says nothing about the class.
# With `wordNgrams=2`, each pair of neighbouring words («not good») gets its
# own (hashed) vector too. The plot splits the test reviews into those whose
# opinion word is negated and the rest. (Some reviews carry a decoy «not»
# elsewhere, so «not» alone is no clue either.)

# %%
import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402

from w2v_numpy.classifier import train_supervised  # noqa: E402

data = Path.cwd().parent / "data"
test_lines = [line.split(maxsplit=1) for line in open(data / "labelled_test.txt", encoding="utf-8")]
gold = [label.replace("__label__", "") for label, _ in test_lines]
texts = [text.strip() for _, text in test_lines]
# the opinion words, from the script that wrote the data
spec = importlib.util.spec_from_file_location("make_labelled", data / "make_labelled.py")
make_labelled = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_labelled)
opinion = set(make_labelled.PRAISE) | set(make_labelled.COMPLAINT)
negated = np.array([any(a == "not" and b in opinion for a, b in zip(t.split(), t.split()[1:]))
                    for t in texts])                # "not" right before the opinion word
accuracy = {}
for n in (1, 2):
    clf = train_supervised(data / "labelled_train.txt", dim=16, epoch=5, lr=0.5, wordNgrams=n,
                           bucket=20_011, batch_size=64)
    N, p_at_1, r_at_1 = clf.test(data / "labelled_test.txt")
    print(f"wordNgrams={n}: N={N}, P@1={p_at_1:.3f}, R@1={r_at_1:.3f}")
    predicted = np.array([p[0].replace("__label__", "") for p in clf.predict(texts, k=1)[0]])
    right = predicted == np.array(gold)
    accuracy[n] = (right[negated].mean(), right[~negated].mean())
    compare(f"wordNgrams={n}: accuracy by hand", right.mean(), p_at_1, digits=12, label="test()")
print(clf.predict(["the soup was not good", "the staff was not rude"], k=1))
assert p_at_1 > 0.9
assert accuracy[2][0] > accuracy[1][0] + 0.3          # word pairs fix the negated reviews

fig, ax = plt.subplots(figsize=(5.5, 2.8))
pos = np.arange(2)
for k, n in enumerate((1, 2)):
    ax.bar(pos + (k - 0.5) * 0.4, accuracy[n], 0.4, label=f"wordNgrams={n}")
ax.set(xticks=pos, xticklabels=[f"negated opinion ({negated.sum()})", f"plain opinion ({(~negated).sum()})"],
       ylabel="test accuracy", ylim=(0, 1.05), title="single words cannot read negation")
ax.legend(fontsize=8, loc="lower right")
plt.show()

# %% [markdown]
# On negated reviews the single-word model does worse than a coin: it reads
# «good» as positive even after «not». The word pairs fix that.
#
# *Try changing the model:* train with `wordNgrams=3`, `dim=2` or
# `epoch=1`, or with `loss="ns"` (the negative-sampling loss of the worked
# example). Which setting hurts the negated reviews most?

# %% [markdown]
# ## Appendix: where the document differs
#
# **The n-gram table.** Step «Шаг 1» of the example («Извлечение n-грамм для
# каждого слова», extracting each word's n-grams) gives sets $G_w$ and a table
# that are not the 3-grams of «хороший» and «фильм» (notebook 07's Appendix
# shows its lists beside the true 3-grams). Only some table rows are true
# 3-grams, and the true 3-grams would pick other rows of this table.
#
# **Rounding.** The document rounds $\sigma$ to 4 decimals and then prints its
# products with $\mathbf v_D$ to 5-6 decimals. Our exact $\sigma$ can differ by
# up to $5\cdot10^{-5}$, so such products may move by
# $0.55 \cdot 5\cdot10^{-5}$: that is the tolerance `sigma_tol` of sections 4
# and 5. Rounding our $\sigma$ the same way reproduces the document's digits
# exactly, as the cell checks. Likewise the document halves its 5-digit
# $\delta_D$, so its 6th digit carries $\pm 2.5\cdot10^{-6}$ (the tolerance
# `3e-6` of the n-gram gradients).

# %%
all_true = {g for w in words for g in ft.char_ngrams(w, 3, 3)}
true_rows = [g for g in table if g in all_true]
print("table rows that are true 3-grams:", true_rows)
print("ids the true n-grams would pick from this table:",
      {w: [list(table)[r] for r in ft.ngram_ids(w, row, 3, 3)] for w in words})
for w in words:
    erratum(f"G_{w}", ft.char_ngrams(w, 3, 3), G[w],
            note="ours: the word's true 3-grams; the document's set mixes a few of them "
                 "with 4-grams and strings that are not in the word.")

rounded = np.round(gamma, 4)
compare("same, sigma rounded: позитив", rounded[0] * v_D, [-0.27258, -0.18585], digits=5)
compare("same, sigma rounded: негатив", rounded[1] * v_D, [0.27379, 0.186675], digits=6)
