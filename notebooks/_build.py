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


def compare(name, ours, documented, digits=None, tol=None):
    """Assert agreement to the document's printed precision: half a unit of its
    last digit (``digits`` decimals), or an explicit ``tol`` where the document's
    own rounding of an earlier step carries over (explained next to the call)."""
    ok = _agree(ours, documented, digits, tol)
    print(f"{name:<30} ours {_fmt(ours):<28} document {_fmt(documented):<24} {'ok' if ok else 'MISMATCH'}")
    assert ok, f"{name}: ours {ours} vs documented {documented}"


def erratum(name, ours, documented, note, digits=None):
    """A documented value that exact arithmetic does not give: show both and why."""
    assert not _agree(ours, documented, digits, None), f"{name} agrees after all"
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
