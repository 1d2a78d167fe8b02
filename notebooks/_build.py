"""Write the step-by-step notebooks of this folder from the sources below.

Usage (from the repository root)::

    python notebooks/_build.py            # rewrite every notebook, outputs cleared
    python notebooks/_build.py 03 04      # only the notebooks whose name starts so

Each notebook is a text in which a line ``%% md`` or ``%% code`` starts a new
cell and ``%% include NAME`` inserts one of the shared helper cells. Edit the
text here, rebuild, and commit the ``.ipynb`` files with their outputs cleared
(``tests/test_notebooks.py`` runs them and checks that).
"""
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

SHARED = {}

SHARED["COMPARE"] = r'''
# Helpers: print our number next to the document's and check the agreement.
import numpy as np

np.set_printoptions(precision=7, suppress=True)


def _fmt(x):
    a = np.asarray(x)
    if a.dtype.kind not in "fiu":
        return str(x)
    if a.ndim > 1:
        return f"array of shape {a.shape}"
    return np.array2string(a.astype(float), precision=7, suppress_small=True)


def _agree(ours, documented, digits, tol):
    if digits is None and tol is None:
        return list(ours) == list(documented)
    tol = 0.5 * 10.0 ** -digits + 1e-12 if tol is None else tol
    return bool(np.allclose(np.asarray(ours, dtype=float), documented, rtol=0, atol=tol))


def compare(name, ours, documented, digits=None, tol=None, label="document"):
    """Assert agreement to the document's printed precision: half a unit of its
    last digit (``digits`` decimals), or an explicit ``tol`` where the document's
    own rounding of an earlier step carries over (explained next to the call)."""
    ok = _agree(ours, documented, digits, tol)
    print(f"{name:<30} ours {_fmt(ours):<28} {label} {_fmt(documented):<24} {'ok' if ok else 'MISMATCH'}")
    assert ok, f"{name}: ours {ours} vs documented {documented}"


def erratum(name, ours, documented, note, digits=None, tol=None):
    """A documented value that exact arithmetic does not give: show both and why."""
    assert not _agree(ours, documented, digits, tol), f"{name} agrees after all"
    print(f"{name:<30} ours {_fmt(ours):<28} document {_fmt(documented):<24} ERRATUM")
    print(f"    Erratum: {note}")
'''

SHARED["GRADCHECK"] = r'''
# Adapter: the library's gradient checker (w2v_numpy.gradcheck, written for the
# word2vec models) only needs .params, .loss, .grad and .astype.
from w2v_numpy.gradcheck import check_report


class Problem:
    """Any ``loss_and_grad(params) -> (loss, grads)`` as a model-like object."""

    def __init__(self, loss_and_grad, params):
        self.loss_and_grad, self.params = loss_and_grad, params

    def astype(self, dtype):
        return Problem(self.loss_and_grad, {k: v.astype(dtype) for k, v in self.params.items()})

    def loss(self, batch):
        return self.loss_and_grad(self.params)[0]

    def grad(self, batch):
        return self.loss_and_grad(self.params)[1]
'''

SHARED["SKIPGRAM_SETUP"] = r"""
# The document's Skip-gram setup (lines 4352-4445), for any skip-gram model type.
from w2v_numpy.batching import Batch
from w2v_numpy.models import create

vocab = ["кот", "сидит", "на", "коврике"]
V, N, eta = 4, 2, 0.01
centre, context = vocab.index("сидит"), vocab.index("кот")


def document_model(model_type):
    # a float64 model holding the document's W_in (V x N) and W_out (N x V, stored transposed)
    model = create(model_type, vocab_size=V, vector_dim=N, dtype=np.float64)
    model.params["W_in"][:] = [[0.1, 0.3], [0.5, 0.7], [0.2, 0.4], [0.6, 0.8]]
    W_out_document = np.array([[0.05, 0.15, 0.25, 0.35],
                               [0.10, 0.20, 0.30, 0.40]])     # N x V, one column per word
    model.params["W_out"][:] = W_out_document.T              # ours: one row per word
    return model
"""

NOTEBOOKS = {}

NOTEBOOKS["03_glove_step_by_step"] = r'''
%% md
# GloVe: one training step, number by number

This notebook replays the GloVe worked example of `003_24886efe243728b3.txt`
(lines 5613-5912) with `w2v_numpy.glove`. The library computes every
quantity; each is printed next to the value the document prints, and
`compare` asserts that they agree to the document's printed precision. Where
the document's arithmetic is off, `erratum` shows both values and says why.
The inputs are exactly the document's; nothing is adjusted to make numbers match.

The math (loss, weighting, gradients) is in the docstring of `w2v_numpy.glove`.
%% include COMPARE
%% md
## 1. Corpus, vocabulary and co-occurrence counts (lines 5619-5669)

Window radius 1, context counted on both sides, one count per neighbour.
%% code
from w2v_numpy import glove

vocab = ["cat", "chases", "mouse", "runs", "from"]
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
%% md
## 2. Parameters (lines 5671-5706)

The document gives one list of biases and uses it for both roles, so the
word biases `b` and the context biases `b_ctx` start from the same values.
%% code
W = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8], [0.9, 1.0]])          # v_i
W_ctx = np.array([[0.05, 0.15], [0.25, 0.35], [0.45, 0.55], [0.65, 0.75], [0.85, 0.95]])  # v'_j
b = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
b_ctx = b.copy()
eta, x_max, alpha = 0.01, 10.0, 0.75

i, j = word_id["cat"], word_id["chases"]
x = X[i, j]
print("pair (i, j) =", (i, j), " X_ij =", x)
%% md
## 3. Forward pass (lines 5716-5782)

The objective at line 5301 regresses on $\log X_{ij}$ (line 5309 adds that
$\log(1 + X_{ij})$ is used in practice), and the example uses
$\log(1 + X_{ij})$ at line 5746. `w2v_numpy.glove` offers both through
`target="log"` / `target="log1p"`; we follow the example.
%% code
kw = dict(x_max=x_max, alpha=alpha, target="log1p")
f = glove.pair_forward(W[i], W_ctx[j], b[i], b_ctx[j], x, **kw)

compare("v_0 . v'_1", f["dot"], 0.095, digits=3)
compare("prediction", f["prediction"], 0.125, digits=3)
compare("target log(1 + X_01)", f["target"], 0.6931, digits=4)
compare("error", f["error"], -0.5681, digits=4)
compare("weight f(X_01)", f["weight"], 0.1778, digits=4)

f_formula = glove.pair_forward(W[i], W_ctx[j], b[i], b_ctx[j], x, x_max=x_max, alpha=alpha,
                               target="log")
erratum("target, formula's log X", f_formula["target"], 0.6931, digits=4,
        note="the objective (line 5301) says log X, which is 0 for X = 1; the example "
             "quietly uses log(1 + X). We keep the example's choice from here on.")
%% md
The squared error and the loss are where the document's arithmetic slips.
The exact loss is checked once more by plain arithmetic, independent of the library.
%% code
erratum("error ** 2", f["error"] ** 2, 0.32276, digits=5,
        note="(-0.5681)**2 is 0.32274 and the exact error gives 0.32279; 0.32276 is neither.")
erratum("loss L_01", f["loss"], 0.05747, digits=5,
        note="0.1778 * 0.32276 is 0.057387 and exact arithmetic gives 0.057401; "
             "the printed 0.05747 is a slip.")
assert np.isclose(f["loss"], 0.1 ** 0.75 * (0.125 - np.log(2)) ** 2, rtol=1e-14)
print("exact L_01 =", f["loss"])
%% md
## 4. Gradients (lines 5784-5841)

All four gradients share the factor $2 f(X_{ij})\,e_{ij}$ (`scale`). The
document's factor is wrong, and each gradient inherits that error.
%% code
loss, g = glove.pair_loss_and_grad(W[i], W_ctx[j], b[i], b_ctx[j], x, **kw)
factor_documented = -0.2023
erratum("factor 2 f error", f["scale"], factor_documented, digits=4,
        note="2 * 0.1778 * (-0.5681) = -0.20202 even with the rounded inputs; exact "
             "arithmetic gives -0.202065. The gradients and updates below inherit this.")

grad_documented = {"w_i": [-0.050575, -0.070805], "w_j": [-0.02023, -0.04046],
                   "b_i": -0.2023, "b_j": -0.2023}
labels = {"w_i": "dL/dv_0", "w_j": "dL/dv'_1", "b_i": "dL/db_0", "b_j": "dL/db_1"}
for key, label in labels.items():
    erratum(label, g[key], grad_documented[key], digits=6, note="inherits the factor.")
%% md
The gradient *formulas* are right: each of our gradients divided by our
factor, and each of the document's gradients divided by its factor, gives the
same vector ($\mathbf v'_1$ for $\mathbf v_0$, $\mathbf v_0$ for
$\mathbf v'_1$, and 1 for the biases).
%% code
direction = {"w_i": W_ctx[j], "w_j": W[i], "b_i": 1.0, "b_j": 1.0}
for key, label in labels.items():
    compare(label + " / factor", g[key] / f["scale"], direction[key], digits=12)
    compare(label + " / factor (document)",
            np.asarray(grad_documented[key]) / factor_documented, direction[key], digits=6)
%% md
## 5. SGD update (lines 5843-5903)
%% code
loss, v0_new, v1_new, b0_new, b1_new = glove.pair_sgd_update(W[i], W_ctx[j], b[i], b_ctx[j], x,
                                                             eta, **kw)
note = "inherits the factor; with the document's gradients the update rule gives its value."
erratum("v_0 new", v0_new, [0.10050575, 0.20070805], digits=8, note=note)
erratum("v'_1 new", v1_new, [0.2502023, 0.3504046], digits=7, note=note)
erratum("b_0 new", b0_new, 0.012023, digits=6, note=note)
erratum("b_1 new", b1_new, 0.022023, digits=6, note=note)

# the update rule applied to the document's own gradients reproduces its numbers
compare("v_0 - eta * documented grad", W[i] - eta * np.array(grad_documented["w_i"]),
        [0.10050575, 0.20070805], digits=8)
compare("b_0 - eta * documented grad", b[i] - eta * grad_documented["b_i"], 0.012023, digits=6)
%% md
The same step through the batched, in-place `sgd_step` (the one a full
trainer uses) changes exactly these four values and nothing else.
%% code
params = {"W": W.copy(), "W_ctx": W_ctx.copy(), "b": b.copy(), "b_ctx": b_ctx.copy()}
glove.sgd_step(params, np.array([i]), np.array([j]), np.array([x]), eta, **kw)
compare("batched: v_0 new", params["W"][i], v0_new, digits=15)
compare("batched: v'_1 new", params["W_ctx"][j], v1_new, digits=15)
compare("batched: b_0, b_1 new", [params["b"][i], params["b_ctx"][j]], [b0_new, b1_new], digits=15)
changed = sum(int(np.sum(params[k] != v)) for k, v in
              {"W": W, "W_ctx": W_ctx, "b": b, "b_ctx": b_ctx}.items())
print("entries changed:", changed)
assert changed == 6
%% md
## 6. Gradient check on the same problem

Central differences of the loss summed over all ten non-zero pairs of $X$,
against `glove.loss_and_grad`, in float64.
%% include GRADCHECK
%% code
rows, cols, xs = glove.to_coo(counts)
params = {"W": W.copy(), "W_ctx": W_ctx.copy(), "b": b.copy(), "b_ctx": b_ctx.copy()}
problem = Problem(lambda p: glove.loss_and_grad(p, rows, cols, xs, **kw), params)
report = check_report(problem, batch=None, eps=1e-6)
print(report)
assert report.max_error < 1e-6
'''

NOTEBOOKS["04_fasttext_step_by_step"] = r'''
%% md
# FastText classification: one training step, number by number

This notebook replays the FastText worked example of `003_24886efe243728b3.txt`
(lines 6227-6570) with `w2v_numpy.fasttext`: document «хороший фильм», true
class «позитив», one negative class «негатив», $d = 2$, $\eta = 0.1$.
The library computes every quantity; `compare` asserts agreement with the
document's printed value, and `erratum` flags what does not hold.
The math is in the docstring of `w2v_numpy.fasttext`.
%% include COMPARE
%% md
## 1. The document's table of n-gram vectors and class vectors (lines 6248-6271)
%% code
from w2v_numpy import fasttext as ft

table = {"<хор": [0.1, 0.2], "хор": [0.05, 0.15], "оро": [0.2, 0.1], "рог": [0.1, 0.05],
         "оги": [0.15, 0.25], "гий": [0.25, 0.0], "ий>": [0.0, 0.1], "<фил": [0.3, 0.1],
         "фил": [0.1, 0.3], "илм": [0.2, 0.2], "лм>": [0.05, 0.05]}
row = {g: r for r, g in enumerate(table)}           # n-gram -> row of E
E = np.array(list(table.values()))                   # (11, 2) n-gram vectors
classes = ["позитив", "негатив"]
U = np.array([[0.1, -0.1], [-0.05, 0.05]])           # (2, 2) class vectors
words = ["хороший", "фильм"]
target, negatives, eta = 0, [1], 0.1
%% md
## 2. Character n-grams (lines 6281-6293)

Erratum: the document's table is not the set of 3-grams of its words. Its
list of "full 3-grams" is mostly 4-grams, its table holds strings that do
not occur in `<хороший>` or `<фильм>` at all (`рог`, `оги`, `гий` would come
from «хорогий», `илм`, `лм>` from «филм»), and the sets $G_w$ it then uses
mix true and false n-grams. `ft.char_ngrams` returns the true ones. To
reproduce the document's numbers we keep its table and its $G_w$ unchanged;
the step functions accept any n-gram ids.
%% code
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
%% md
## 3. Word vectors and the document vector (lines 6295-6338)

The document sums the n-gram vectors of a word (`combine="sum"`); fastText's
own word vectors use their mean (`combine="mean"`, shown for comparison).
%% code
doc = [np.array([row[g] for g in G[w]]) for w in words]   # n-gram ids per word
f = ft.forward(E, U, doc, target, negatives, combine="sum")
compare("v_хороший", f["word_vectors"][0], [0.55, 0.4], digits=2)
compare("v_фильм", f["word_vectors"][1], [0.55, 0.35], digits=2)
compare("v_D", f["v_D"], [0.55, 0.375], digits=3)
print("v_D with combine='mean':", ft.document_vector(E, doc, combine="mean"))
%% md
## 4. Scores, sigmoids and the loss (lines 6340-6406)
%% code
compare("s_true", f["scores"][0], 0.0175, digits=4)
compare("s_neg", f["scores"][1], -0.00875, digits=5)
compare("p_true = sigma(s_true)", f["sigma"][0], 0.5044, digits=4)
compare("p_neg = sigma(-s_neg)", f["sigma"][1], 0.5022, digits=4)
compare("log p_true", -f["losses"][0], -0.6844, digits=4)
compare("log p_neg", -f["losses"][1], -0.6888, digits=4)
compare("loss L", f["loss"], 1.3732, digits=4)
%% md
## 5. Gradients (lines 6410-6505)

A rounding note, not an erratum: the document rounds $\sigma$ to 4 decimals
and then prints products with $\mathbf v_D$ to 5-6 decimals. Our exact
$\sigma$ can differ by up to $5\cdot10^{-5}$, so such products may move by
$0.55 \cdot 5\cdot10^{-5}$; that is the tolerance used for them. Rounding our
$\sigma$ the same way reproduces the document's digits exactly.
%% code
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
%% md
## 6. SGD update (lines 6446-6553)

One in-place `sgd_step` on copies of $E$ and $U$. All gradients come from the
old values, so $\delta_D$ uses the old class vectors, as in the document.
The tolerances are the ones above, times $\eta$.
%% code
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
%% md
## 7. Gradient check on the same problem

Central differences against `ft.loss_and_grad` for both ways of building a
word vector, in float64.
%% include GRADCHECK
%% code
for combine in ("sum", "mean"):
    def loss_and_dense_grad(p, combine=combine):
        loss, g = ft.loss_and_grad(p["E"], p["U"], doc, target, negatives, combine)
        return loss, ft.to_dense(g, p["E"].shape, p["U"].shape)

    report = check_report(Problem(loss_and_dense_grad, {"E": E.copy(), "U": U.copy()}), batch=None)
    print(f"combine={combine}: {report}")
    assert report.max_error < 1e-6
'''

NOTEBOOKS["01_skipgram_step_by_step"] = r"""
%% md
# Skip-gram with a full softmax: one training step, number by number

This notebook replays the Skip-gram worked example of `003_24886efe243728b3.txt`
(lines 4346-4645) with the library's `sgram` model: sentence «кот сидит на
коврике», centre word «сидит», context word «кот», $N = 2$, $\eta = 0.01$.
The model computes every quantity; `compare` asserts agreement with the
document's printed value. The math is in the docstring of
`w2v_numpy.models.sgram`.

One symbol to keep in mind: the document's $W_{out}$ is $N \times V$ with a
column per word, while `model.params["W_out"]` has a row per word, so we
store the document's matrix transposed.
%% include COMPARE
%% md
## 1. Parameters and the training pair (lines 4352-4445)

The 003 file itself corrects one initial value (line 4414): an earlier
version of its text gave $\mathbf v_{сидит} = [0.3, 0.4]$, which is not the
second row of its $W_{in}$. The corrected row $[0.5, 0.7]$ is the one its
computation uses, and so do we.
%% include SKIPGRAM_SETUP
%% code
model = document_model("sgram")
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
batch = Batch(inputs=np.array([[centre]]), mask=None, targets=np.array([context]), negatives=None)
compare("v_сидит (row 1 of W_in)", W_in_old[centre], [0.5, 0.7], digits=1)
compare("u_кот (column 0 of W_out)", W_out_old[context], [0.05, 0.10], digits=2)
%% md
## 2. Forward pass (lines 4447-4521)

Rounding note: the document rounds each exponential to 4 decimals before
dividing (and prints 0.20695 as 0.2069), so its probabilities can be off by
one unit of the 4th decimal. They are compared with a tolerance of $10^{-4}$.
%% code
f = model.forward(model.params["W_in"], model.params["W_out"], batch)
compare("h = v_сидит", f["h"][0], [0.5, 0.7], digits=1)
compare("scores z", f["z"][0], [0.095, 0.215, 0.335, 0.455], digits=3)
compare("P(w | сидит)", f["p"][0], [0.2069, 0.2334, 0.2631, 0.2966], tol=1e-4)
compare("P sums to 1", f["p"][0].sum(), 1.0, digits=4)
compare("loss -log P(кот | сидит)", f["loss"][0], 1.575, digits=3)
compare("model.loss(batch)", model.loss(batch), 1.575, digits=3)
%% md
## 3. Backward pass (lines 4523-4601)

The errors are $e_j = P(w_j \mid w_t) - y_j$. The model does not return them
separately, so we form them from its probabilities. Products of the
document's 4-decimal errors with $\mathbf h$ or $\mathbf u_j$ inherit the
$10^{-4}$ tolerance, scaled by the largest entry they are multiplied with.
%% code
e = f["p"][0] - np.eye(V)[context]
compare("errors e", e, [-0.7931, 0.2334, 0.2631, 0.2966], tol=1e-4)

grad = model.grad(batch)
compare("dL/du_кот = e_кот h", grad["W_out"][0], [-0.39655, -0.55517], tol=0.7e-4)
compare("dL/du_сидит = e_сидит h", grad["W_out"][1], [0.1167, 0.16338], tol=0.7e-4)
print("dL/du_на, dL/du_коврике (not printed in the document):\n", grad["W_out"][2:])

terms = e[:, None] * W_out_old                    # e_j u_j, the terms of dL/dh
terms_documented = [[-0.039655, -0.07931], [0.03501, 0.04668],
                    [0.065775, 0.07893], [0.10381, 0.11864]]
for word, ours, documented in zip(vocab, terms, terms_documented):
    compare(f"e_{word} u_{word}", ours, documented, tol=0.4e-4)
compare("dL/dh (sum of the terms)", terms.sum(axis=0), [0.16494, 0.16494], digits=5)
compare("dL/dv_сидит from model.grad", grad["W_in"][centre], [0.16494, 0.16494], digits=5)
assert not np.any(np.delete(grad["W_in"], centre, axis=0)), "only the centre row has gradient"
%% md
## 4. SGD update (lines 4543-4615)

`model.step` computes every gradient from the old parameters, then updates
in place. The updated values agree with the document at its printed
precision (5 decimals).
%% code
loss = model.step(batch, alpha=eta)
compare("loss before the step", loss, 1.575, digits=3)
compare("u_кот new", model.params["W_out"][0], [0.05397, 0.10555], digits=5)
compare("u_сидит new", model.params["W_out"][1], [0.14883, 0.19837], digits=5)
compare("v_сидит new", model.params["W_in"][centre], [0.49835, 0.69835], digits=5)
print("u_на, u_коврике new (not printed in the document):\n", model.params["W_out"][2:])
assert np.array_equal(np.delete(model.params["W_in"], centre, 0), np.delete(W_in_old, centre, 0))

p_after = model.forward(model.params["W_in"], model.params["W_out"], batch)["p"][0, context]
print(f"P(кот | сидит): {f['p'][0, context]:.6f} -> {p_after:.6f}")
assert p_after > f["p"][0, context]
%% md
## 5. Gradient check on the same problem

`w2v_numpy.gradcheck.check` compares `model.grad` with central differences
of `model.loss` in float64 and returns the largest relative error.
%% code
from w2v_numpy.gradcheck import check

error = check(document_model("sgram"), batch, eps=1e-6, verbose=True)
assert error < 1e-6
"""

NOTEBOOKS["02_cbow_step_by_step"] = r"""
%% md
# CBOW with a full softmax: one training step, number by number

This notebook replays the CBOW worked example of `003_24886efe243728b3.txt`
(lines 4886-5190) with the library's `cbow` model: «я люблю кошек собак»,
target «кошек», context «люблю» and «собак» ($C = 1$, two context words),
$N = 2$, $\eta = 0.01$. The math is in the docstring of
`w2v_numpy.models.cbow`.

Symbols: the document's $W$ is `params["W_in"]`; its $W'$ ($N \times V$, a
column per word) is `params["W_out"].T`; its scores $u$ are the model's `z`;
its loss $E$ is our loss; its $E_H$ is $\partial L / \partial \mathbf h$.
%% include COMPARE
%% md
## 1. Parameters and the training example (lines 4890-4949)
%% code
from w2v_numpy.batching import Batch
from w2v_numpy.models import create

vocab = ["я", "люблю", "кошек", "собак"]
V, N, eta = 4, 2, 0.01
target = vocab.index("кошек")
context = [vocab.index("люблю"), vocab.index("собак")]

model = create("cbow", vocab_size=V, vector_dim=N, dtype=np.float64)
model.params["W_in"][:] = [[0.1, 0.3], [0.5, 0.7], [0.2, 0.4], [0.6, 0.8]]
W_prime = np.array([[0.9, 0.8, 0.7, 0.6],
                    [0.5, 0.4, 0.3, 0.2]])            # the document's W' (N x V)
model.params["W_out"][:] = W_prime.T                  # ours: one row per word
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
batch = Batch(inputs=np.array([context]), mask=None, targets=np.array([target]), negatives=None)
%% md
## 2. Forward pass (lines 4951-5084)

The document divides exponentials rounded to 3 decimals, which moves its
probabilities by a few units of the 5th decimal; three of them still round
correctly. The fourth does not, even with the document's own numbers:
%% code
f = model.forward(model.params["W_in"], model.params["W_out"], batch)
compare("v_люблю, v_собак", W_in_old[context].ravel(), [0.5, 0.7, 0.6, 0.8], digits=1)
compare("h (mean of the two)", f["h"][0], [0.55, 0.75], digits=2)
compare("scores u", f["z"][0], [0.870, 0.740, 0.610, 0.480], digits=3)
p = f["p"][0]
P_documented = np.array([0.3006, 0.2641, 0.2318, 0.2036])
keep = [0, 2, 3]
compare("P(я), P(кошек), P(собак)", p[keep], P_documented[keep], digits=4)
erratum("P(люблю)", p[1], P_documented[1], digits=4,
        note="2.096 / 7.938 = 0.26405, which rounds to 0.2640 (exact: 0.26399); "
             "the document prints 0.2641. Everything built on it below inherits 1e-4.")
compare("loss E = -log P(кошек)", f["loss"][0], 1.462, digits=3)
%% md
## 3. Backward pass (lines 5086-5156)

The errors are $\delta_k = P_k - y_k$ (formed from the model's
probabilities). Gradients and products that use $\delta_1$ inherit the
slip above; the others agree within the rounding of the document's
4-decimal $\delta$, scaled by what it is multiplied with.
%% code
delta = p - np.eye(V)[target]
compare("delta (k = 0, 2, 3)", delta[keep], [0.3006, -0.7682, 0.2036], digits=4)
erratum("delta_1", delta[1], 0.2641, digits=4, note="inherits P(люблю).")

grad = model.grad(batch)
dW_prime_documented = np.array([[0.16533, 0.22545], [0.14526, 0.19808],
                                [-0.42251, -0.57615], [0.11198, 0.15270]])
terms = delta[:, None] * W_out_old               # delta_k W'_k, the terms of E_H
terms_documented = np.array([[0.27054, 0.15030], [0.21128, 0.10564],
                             [-0.53774, -0.23046], [0.12216, 0.04072]])
for k, word in enumerate(vocab):
    if k == 1:
        erratum(f"dE/dW'_{k} ({word})", grad["W_out"][k], dW_prime_documented[k], tol=0.75 * 5e-5,
                note="0.2641 * [0.55, 0.75]; with 0.2640 it would agree.")
        erratum(f"delta_{k} W'_{k}", terms[k], terms_documented[k], tol=0.9 * 5e-5,
                note="the same slip, times [0.8, 0.4].")
    else:
        compare(f"dE/dW'_{k} ({word})", grad["W_out"][k], dW_prime_documented[k], tol=0.75 * 5e-5)
        compare(f"delta_{k} W'_{k}", terms[k], terms_documented[k], tol=0.9 * 5e-5)
E_H = terms.sum(axis=0)
compare("E_H = dE/dh", E_H, [0.0662, 0.0662], digits=4)
print("    (its 5-digit components 0.06624, 0.06620 carry the rounded delta and the slip)")
%% md
Each context word enters $\mathbf h$ with weight $1/2C = 1/2$, so each
receives $E_H / 2$. (word2vec.c adds the undivided $E_H$ to every context
row instead; the library uses the exact gradient of the mean, see the
docstring of `w2v_numpy.models.cbow`.)
%% code
for c in context:
    compare(f"dE/dv_{vocab[c]} = E_H / 2", grad["W_in"][c], [0.0331, 0.0331], digits=4)
compare("E_H / 2 from the sum above", E_H / 2, grad["W_in"][context[0]], digits=12, label="model")
assert not np.any(grad["W_in"][[0, 2]]), "я and кошек are not context words"
%% md
## 4. SGD update (lines 5116-5174)

The document's $W'_2$ update is printed to 6 decimals from its rounded
gradient, so it inherits that rounding times $\eta$.
%% code
loss = model.step(batch, alpha=eta)
compare("loss before the step", loss, 1.462, digits=3)
compare("W'_2 (кошек) new", model.params["W_out"][target], [0.704225, 0.305762],
        tol=0.5e-6 + eta * 0.75 * 5e-5)
compare("W_1 (люблю) new", model.params["W_in"][1], [0.499669, 0.699669], digits=6)
compare("W_3 (собак) new", model.params["W_in"][3], [0.599669, 0.799669], digits=6)
assert np.array_equal(model.params["W_in"][[0, 2]], W_in_old[[0, 2]])
print("W'_0, W'_1, W'_3 new (the document only says they change alike):\n",
      model.params["W_out"][[0, 1, 3]])
%% md
## 5. Gradient check on the same problem
%% code
from w2v_numpy.gradcheck import check

fresh = create("cbow", vocab_size=V, vector_dim=N, dtype=np.float64)
fresh.params["W_in"][:], fresh.params["W_out"][:] = W_in_old, W_out_old
error = check(fresh, batch, eps=1e-6, verbose=True)
assert error < 1e-6
"""

NOTEBOOKS["05_negative_sampling_step_by_step"] = r"""
%% md
# Skip-gram with negative sampling: one training step

Section 7 of the Skip-gram example in `003_24886efe243728b3.txt`
(lines 4627-4645) sketches the same step with negative sampling, $k = 1$ and
the negative word «на», but prints no numbers. So this notebook takes the
setup of notebook 01, runs the library's `sgram_neg` model, and checks each
number against the formulas of lines 4286-4331 evaluated directly with NumPy
(column "formula"). The math is in the docstring of
`w2v_numpy.models.sgram_neg`.
%% include COMPARE
%% include SKIPGRAM_SETUP
%% code
negative = vocab.index("на")
model = document_model("sgram_neg")
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
batch = Batch(inputs=np.array([[centre]]), mask=None, targets=np.array([context]),
              negatives=np.array([[negative]]))


def sigma(x):                                   # plain logistic function, for the formulas
    return 1.0 / (1.0 + np.exp(-x))


v, u_pos, u_neg = W_in_old[centre], W_out_old[context], W_out_old[negative]
%% md
## 1. Forward pass (lines 4286-4299)

$\mathcal L_{NS} = -\log\sigma(\mathbf v_{w_t}^\top \mathbf u_{w_c}) - \log\sigma(-\mathbf v_{w_t}^\top \mathbf u_{на})$
%% code
f = model.forward(model.params["W_in"], model.params["W_out"], batch)
s, s_neg = f["s"][0]                          # scores of the positive and the negative word
compare("s = v_сидит . u_кот", s, v @ u_pos, digits=12, label="formula")
compare("s_1 = v_сидит . u_на", s_neg, v @ u_neg, digits=12, label="formula")
print("    (the same dot products as z_кот = 0.095 and z_на = 0.335 in notebook 01)")
L = -np.log(sigma(v @ u_pos)) - np.log(sigma(-(v @ u_neg)))
compare("loss L_NS", model.loss(batch), L, digits=12, label="formula")
print(f"    full-softmax loss of the same pair (notebook 01): 1.575; L_NS = {model.loss(batch):.4f}")
%% md
## 2. Gradients (lines 4301-4326)

Only three vectors get a gradient: $\mathbf v_{сидит}$, $\mathbf u_{кот}$
and $\mathbf u_{на}$.
%% code
grad = model.grad(batch)
compare("dL/dv_сидит", grad["W_in"][centre],
        (sigma(v @ u_pos) - 1) * u_pos + sigma(v @ u_neg) * u_neg, digits=12, label="formula")
compare("dL/du_кот", grad["W_out"][context], (sigma(v @ u_pos) - 1) * v, digits=12, label="formula")
compare("dL/du_на", grad["W_out"][negative], sigma(v @ u_neg) * v, digits=12, label="formula")
nonzero = {k: sorted(set(np.nonzero(g)[0].tolist())) for k, g in grad.items()}
print("rows with a gradient:", {k: [vocab[r] for r in rows] for k, rows in nonzero.items()})
assert nonzero == {"W_in": [centre], "W_out": sorted([context, negative])}
%% md
## 3. SGD update

`model.step` changes exactly those three rows, each by $-\eta$ times its
gradient.
%% code
loss = model.step(batch, alpha=eta)
compare("loss before the step", loss, L, digits=12, label="formula")
compare("v_сидит new", model.params["W_in"][centre], v - eta * grad["W_in"][centre],
        digits=12, label="formula")
compare("u_кот new", model.params["W_out"][context], u_pos - eta * grad["W_out"][context],
        digits=12, label="formula")
compare("u_на new", model.params["W_out"][negative], u_neg - eta * grad["W_out"][negative],
        digits=12, label="formula")
changed = {k: np.nonzero(np.any(model.params[k] != old, axis=1))[0].tolist()
           for k, old in (("W_in", W_in_old), ("W_out", W_out_old))}
print("rows changed:", {k: [vocab[r] for r in rows] for k, rows in changed.items()})
assert changed == {"W_in": [centre], "W_out": sorted([context, negative])}
print("loss after the step:", model.loss(batch))
assert model.loss(batch) < loss
%% md
## 4. Gradient check

On the same problem, and on a batch of two pairs with $k = 3$ in which a
negative repeats, so that repeated rows must accumulate.
%% code
from w2v_numpy.gradcheck import check

assert check(document_model("sgram_neg"), batch, verbose=True) < 1e-6
batch2 = Batch(inputs=np.array([[1], [3]]), mask=None, targets=np.array([0, 2]),
               negatives=np.array([[2, 2, 3], [0, 1, 2]]))
assert check(document_model("sgram_neg"), batch2, verbose=True) < 1e-6
"""

NOTEBOOKS["06_train_on_real_text"] = r"""
%% md
# Training on real text

The earlier notebooks checked single steps against hand calculations. Here
the same `sgram_neg` model (skip-gram with negative sampling) trains on real
text through `w2v_numpy.Word2Vec`, and we look at the loss curve, nearest
neighbours and a few analogies.

Which text: the first 1.2M tokens of `wiki2m.txt.xz` (Wikipedia, see
`../shared/data/README.md`) when the shared data folder is present; otherwise
the synthetic corpus shipped in `data/`; otherwise a tiny corpus generated
below. The settings are kept small so that the notebook runs in about a
minute on two CPU cores.
%% code
import lzma
import tempfile
import time
from pathlib import Path

import warnings

import matplotlib.pyplot as plt
import numpy as np

# tqdm.auto warns in Jupyter when ipywidgets is missing; we train without a progress bar
warnings.filterwarnings("ignore", message="IProgress not found")
from w2v_numpy import Word2Vec  # noqa: E402

REPO = Path.cwd().parent                       # this notebook runs in notebooks/
SHARED_DATA = REPO.parent / "shared" / "data"
workdir = Path(tempfile.mkdtemp())
NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}


def write_slice(src, dst, n_tokens):
    # copy whole lines of an .xz text until n_tokens tokens are written
    count = 0
    with lzma.open(src, "rt", encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        for line in f:
            out.write(line)
            count += len(line.split())
            if count >= n_tokens:
                break
    return count


def write_tiny_corpus(dst, n_sentences=3000, seed=0):
    # sentences drawn from one topic at a time, so topic words share contexts
    groups = {"animal": ["cat", "dog", "cow", "horse", "sheep"],
              "colour": ["red", "green", "blue", "yellow", "black"],
              "number": ["one", "two", "three", "four", "five"]}
    rng = np.random.default_rng(seed)
    with open(dst, "w", encoding="utf-8") as out:
        for _ in range(n_sentences):
            topic = list(groups)[rng.integers(len(groups))]
            words = list(rng.choice(groups[topic], 6)) + [topic, "the", "a"]
            out.write(" ".join(rng.permutation(words)) + "\n")


if (SHARED_DATA / "wiki2m.txt.xz").exists():
    corpus = workdir / "wiki_slice.txt"
    n_tokens = write_slice(SHARED_DATA / "wiki2m.txt.xz", corpus, 1_200_000)
    source = f"wiki2m.txt.xz, first {n_tokens:,} tokens"
    settings = dict(vector_size=64, epochs=2)
    analogy_file = SHARED_DATA / "questions-words.txt"
    probes = ["one", "france", "war", "music", "king"]
    analogies = [("france", "paris", "germany"), ("two", "four", "three"), ("he", "his", "she"),
                 ("germany", "german", "france"), ("man", "king", "woman")]
    sanity = ("three", NUMBERS)
elif (REPO / "data" / "synthetic.txt").exists():
    corpus = REPO / "data" / "synthetic.txt"
    source = "data/synthetic.txt (shipped synthetic corpus)"
    settings = dict(vector_size=32, epochs=5)
    analogy_file = REPO / "data" / "synthetic_analogies.txt"
    probes = ["paris", "king", "cat", "red"]
    analogies = [("paris", "france", "berlin"), ("king", "queen", "man"), ("cat", "cats", "apple")]
    sanity = ("red", {"blue", "green", "purple", "grey", "brown", "yellow", "black", "white"})
else:
    corpus = workdir / "tiny.txt"
    write_tiny_corpus(corpus)
    source = "a tiny generated corpus"
    settings = dict(vector_size=16, epochs=5)
    analogy_file, analogies = None, []
    probes = ["cat", "red", "one"]
    sanity = ("cat", {"dog", "cow", "horse", "sheep"})
print("training on", source)
%% md
## 1. Train

Skip-gram with 5 negatives, a window of up to 5 words each side, words seen
fewer than 5 times dropped, frequent words sub-sampled, and the learning rate
decaying linearly from 0.025: gensim's defaults, apart from the vector size
and the number of epochs.
%% code
t0 = time.perf_counter()
w2v = Word2Vec(corpus_file=str(corpus), type="sgram_neg", window=5, min_count=5, negative=5,
               batch_size=1024, seed=0, progress=False, **settings)
seconds = time.perf_counter() - t0
print(f"{len(w2v.vocab):,} words in the vocabulary, {settings['epochs']} epochs, {seconds:.1f} s")
print("mean loss per example, per epoch:", np.round(w2v.state.epoch_losses, 4))
%% md
## 2. The loss curve

Each point is the mean loss per example of one batch; the dotted lines mark
the ends of epochs.
%% code
losses = np.asarray(w2v.state.batch_losses)
k = max(1, len(losses) // 100)
smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(losses, lw=0.5, alpha=0.35, label="per batch")
ax.plot(np.arange(k - 1, len(losses)), smooth, label=f"moving mean of {k} batches")
for end in w2v.state.epoch_batch_index[:-1]:
    ax.axvline(end, color="grey", ls=":")
ax.set(xlabel="batch", ylabel="mean loss per example", title="sgram_neg on " + source)
ax.legend()
plt.show()

tenth = max(1, len(losses) // 10)
print(f"first tenth of the batches: {losses[:tenth].mean():.4f}, last tenth: {losses[-tenth:].mean():.4f}")
assert losses[-tenth:].mean() < losses[:tenth].mean()
%% md
## 3. Nearest neighbours

Cosine similarity between input vectors (`W_in`), as in gensim's
`most_similar`.
%% code
wv = w2v.wv
for word in probes:
    if word in wv:
        print(f"{word:>8}: " + ", ".join(f"{w} ({s:.2f})" for w, s in wv.most_similar(word, topn=6)))

word, related = sanity
found = {w for w, _ in wv.most_similar(word, topn=6)} & related
print(f"related words among the 6 neighbours of {word!r}: {sorted(found)}")
assert len(found) >= 2
%% md
## 4. Analogies

"a is to b as c is to ?" is answered by the word nearest to
$\mathbf b - \mathbf a + \mathbf c$. With a corpus this small most analogies
fail (gensim reaches about 0.36 on 17M tokens and 5 epochs, see the data
README); a few that are well covered by the text already work.
%% code
for a, b, c in analogies:
    if all(w in wv for w in (a, b, c)):
        guesses = [w for w, _ in wv.most_similar(positive=[b, c], negative=[a], topn=3)]
        print(f"{a} : {b} :: {c} : ?   ->  {guesses}")

if analogy_file is not None:
    t0 = time.perf_counter()
    score, sections = wv.evaluate_word_analogies(str(analogy_file), restrict_vocab=10000)
    print(f"\naccuracy on {analogy_file.name} (first 10,000 words): {score:.3f} "
          f"({time.perf_counter() - t0:.1f} s)")
%% code
import shutil

shutil.rmtree(workdir)        # the corpus slice written above
"""


def cells(source):
    """Split a notebook text into nbformat cells."""
    out, kind, lines = [], None, []

    def flush():
        text = "\n".join(lines).strip("\n")
        if kind == "md":
            out.append(nbformat.v4.new_markdown_cell(text))
        elif kind == "code":
            out.append(nbformat.v4.new_code_cell(text))

    for line in source.splitlines():
        if line.startswith("%% "):
            flush()
            kind, lines = line[3:].strip(), []
            if kind.startswith("include "):
                out.append(nbformat.v4.new_code_cell(SHARED[kind.split()[1]].strip("\n")))
                kind = None
        else:
            lines.append(line)
    flush()
    return out


def build(name, source):
    nb = nbformat.v4.new_notebook(cells=cells(source))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:2]}-{i:02d}"           # stable ids: clean diffs on rebuild
    nbformat.validate(nb)
    path = HERE / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def main(prefixes):
    for name, source in NOTEBOOKS.items():
        if not prefixes or any(name.startswith(p) for p in prefixes):
            print("wrote", build(name, source).relative_to(HERE.parent))


if __name__ == "__main__":
    main(sys.argv[1:])
