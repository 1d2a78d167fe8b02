# %% [markdown]
# # FastText classification: one training step, number by number
#
# This notebook replays the FastText worked example of `003_24886efe243728b3.txt`
# (lines 6227-6570) with `w2v_numpy.models.fasttext`: document «хороший фильм», true
# class «позитив», one negative class «негатив», $d = 2$, $\eta = 0.1$.
# The library computes every quantity; `compare` asserts agreement with the
# document's printed value, and `erratum` flags what does not hold.
# The math is in the docstring of `w2v_numpy.models.fasttext`.
#
# `compare` and `erratum` come from `nbhelpers.py` in this folder.

# %%
import numpy as np

from nbhelpers import compare, erratum

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## 1. The document's table of n-gram vectors and class vectors (lines 6248-6271)

# %%
from w2v_numpy.models import fasttext as ft

table = {"<хор": [0.1, 0.2], "хор": [0.05, 0.15], "оро": [0.2, 0.1], "рог": [0.1, 0.05],
         "оги": [0.15, 0.25], "гий": [0.25, 0.0], "ий>": [0.0, 0.1], "<фил": [0.3, 0.1],
         "фил": [0.1, 0.3], "илм": [0.2, 0.2], "лм>": [0.05, 0.05]}
row = {g: r for r, g in enumerate(table)}           # n-gram -> row of E
E = np.array(list(table.values()))                   # (11, 2) n-gram vectors
classes = ["позитив", "негатив"]
U = np.array([[0.1, -0.1], [-0.05, 0.05]])           # (2, 2) class vectors
words = ["хороший", "фильм"]
target, negatives, eta = 0, [1], 0.1

# %% [markdown]
# ## 2. Character n-grams (lines 6281-6293)
#
# Erratum: the document's table is not the set of 3-grams of its words. Its
# list of "full 3-grams" is mostly 4-grams, its table holds strings that do
# not occur in `<хороший>` or `<фильм>` at all (`рог`, `оги`, `гий` would come
# from «хорогий», `илм`, `лм>` from «филм»), and the sets $G_w$ it then uses
# mix true and false n-grams. `ft.char_ngrams` returns the true ones. To
# reproduce the document's numbers we keep its table and its $G_w$ unchanged;
# the step functions accept any n-gram ids.

# %%
listed = {"хороший": ["<хор", "хоро", "орош", "роши", "оший", "ший>", "ий>"],   # line 6284
          "фильм": ["<фил", "филь", "ильм", "лм>"]}                            # line 6289
G = {"хороший": ["<хор", "оро", "гий", "ий>"], "фильм": ["<фил", "илм", "лм>"]}  # lines 6286, 6291
for w in words:
    true = ft.char_ngrams(w, minn=3, maxn=3)
    erratum(f"3-grams of {w}", true, listed[w],
            note="the document lists 4-grams (and drops the ь of фильм); ours are the true 3-grams.")
    print(f"    G_{w} used by the document: {G[w]}; true 3-grams among them: "
          f"{[g for g in G[w] if g in true]}")
all_true = {g for w in words for g in ft.char_ngrams(w, 3, 3)}
print("table rows that are true 3-grams:", [g for g in table if g in all_true])
print("ids the true n-grams would pick from this table:",
      {w: [list(table)[r] for r in ft.ngram_ids(w, row, 3, 3)] for w in words})

# %% [markdown]
# ## 3. Word vectors and the document vector (lines 6295-6338)
#
# The document sums the n-gram vectors of a word (`combine="sum"`); fastText's
# own word vectors use their mean (`combine="mean"`, shown for comparison).

# %%
doc = [np.array([row[g] for g in G[w]]) for w in words]   # n-gram ids per word
f = ft.forward(E, U, doc, target, negatives, combine="sum")
compare("v_хороший", f["word_vectors"][0], [0.55, 0.4], digits=2)
compare("v_фильм", f["word_vectors"][1], [0.55, 0.35], digits=2)
compare("v_D", f["v_D"], [0.55, 0.375], digits=3)
print("v_D with combine='mean':", ft.document_vector(E, doc, combine="mean"))

# %% [markdown]
# ## 4. Scores, sigmoids and the loss (lines 6340-6406)

# %%
compare("s_true", f["scores"][0], 0.0175, digits=4)
compare("s_neg", f["scores"][1], -0.00875, digits=5)
compare("p_true = sigma(s_true)", f["sigma"][0], 0.5044, digits=4)
compare("p_neg = sigma(-s_neg)", f["sigma"][1], 0.5022, digits=4)
compare("log p_true", -f["losses"][0], -0.6844, digits=4)
compare("log p_neg", -f["losses"][1], -0.6888, digits=4)
compare("loss L", f["loss"], 1.3732, digits=4)

# %% [markdown]
# ## 5. Gradients (lines 6410-6505)
#
# A rounding note, not an erratum: the document rounds $\sigma$ to 4 decimals
# and then prints products with $\mathbf v_D$ to 5-6 decimals. Our exact
# $\sigma$ can differ by up to $5\cdot10^{-5}$, so such products may move by
# $0.55 \cdot 5\cdot10^{-5}$; that is the tolerance used for them. Rounding our
# $\sigma$ the same way reproduces the document's digits exactly.

# %%
loss, g = ft.loss_and_grad(E, U, doc, target, negatives, combine="sum")
compare("sigma(s_true) - 1", g["score_error"][0], -0.4956, digits=4)
compare("1 - sigma(-s_neg)", g["score_error"][1], 0.4978, digits=4)

sigma_tol = 0.55 * 5e-5
compare("dL/du_позитив", g["U_rows"][0], [-0.27258, -0.18585], tol=sigma_tol)
compare("dL/du_негатив", g["U_rows"][1], [0.27379, 0.186675], tol=sigma_tol)
rounded = np.round(g["score_error"], 4)
compare("same, sigma rounded: позитив", rounded[0] * f["v_D"], [-0.27258, -0.18585], digits=5)
compare("same, sigma rounded: негатив", rounded[1] * f["v_D"], [0.27379, 0.186675], digits=6)

compare("delta_D = dL/dv_D", g["v_D"], [-0.07445, 0.07445], digits=5)
# The document halves its 5-digit delta_D, so its 6th digit carries +-2.5e-6.
print("n-gram rows with gradient:", [list(table)[r] for r in g["E_index"]])
assert np.array_equal(g["E_rows"], np.tile(g["E_rows"][0], (7, 1)))   # the same for all seven
compare("dL/dv_g (each of the seven)", g["E_rows"][0], [-0.037225, 0.037225], tol=3e-6)

# %% [markdown]
# ## 6. SGD update (lines 6446-6553)
#
# One in-place `sgd_step` on copies of $E$ and $U$. All gradients come from the
# old values, so $\delta_D$ uses the old class vectors, as in the document.
# The tolerances are the ones above, times $\eta$.

# %%
E_new, U_new = E.copy(), U.copy()
loss = ft.sgd_step(E_new, U_new, doc, target, negatives, eta, combine="sum")
compare("loss before the step", loss, 1.3732, digits=4)
compare("u_позитив new", U_new[0], [0.127258, -0.081415], tol=eta * sigma_tol)
compare("u_негатив new", U_new[1], [-0.077379, 0.0313325], tol=eta * sigma_tol)

documented_new = {"<хор": [0.1037225, 0.1962775], "оро": [0.2037225, 0.0962775],
                  "гий": [0.2537225, -0.0037225], "ий>": [0.0037225, 0.0962775],
                  "<фил": [0.3037225, 0.0962775], "илм": [0.2037225, 0.1962775],
                  "лм>": [0.0537225, 0.0462775]}
for gram, value in documented_new.items():
    compare(f"v_{gram} new", E_new[row[gram]], value, tol=eta * 3e-6)
untouched = [row[gram] for gram in table if gram not in documented_new]
assert np.array_equal(E_new[untouched], E[untouched])
print("rows not in the document left unchanged:", [list(table)[r] for r in untouched])

# %% [markdown]
# ## 7. Gradient check on the same problem
#
# Central differences against `ft.loss_and_grad` for both ways of building a
# word vector, in float64.
#
# `w2v_numpy.gradcheck.check_gradient` takes the loss and the gradient as two
# functions of the parameter dict, so it checks any objective, not only the
# word2vec models.

# %%
from w2v_numpy.gradcheck import check_gradient

for combine in ("sum", "mean"):
    def loss_fn(p, combine=combine):
        return ft.loss_and_grad(p["E"], p["U"], doc, target, negatives, combine)[0]

    def grad_fn(p, combine=combine):
        grads = ft.loss_and_grad(p["E"], p["U"], doc, target, negatives, combine)[1]
        return ft.to_dense(grads, p["E"].shape, p["U"].shape)

    report = check_gradient(loss_fn, grad_fn, {"E": E.copy(), "U": U.copy()})
    print(f"combine={combine}: {report}")
    assert report.max_error < 1e-6
