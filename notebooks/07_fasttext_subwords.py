# %% [markdown]
# # FastText classification: one training step, number by number
#
# This notebook replays a worked example of **the textbook chapter**: Chapter 2,
# «Управление данными и векторизация в NLP» (data handling and vectorisation in
# NLP), of a Russian NLP course. The chapter is a reference document that does
# not ship with the package; `docs/references.md` says where to find it and
# where each of its sections is. Below, "the document" is this chapter. The
# example is its section «Аналитический пример FastText: Пошаговые вычисления»
# (worked example of FastText: step-by-step computation), and we replay it with
# `w2v_numpy.models.fasttext_supervised`: document «хороший фильм», true
# class «позитив», one negative class «негатив», $d = 2$, $\eta = 0.1$.
# The library computes every quantity; `compare` asserts agreement with the
# document's printed value, and `erratum` flags what does not hold.
# The math is in the docstring of `w2v_numpy.models.fasttext_supervised`.
#
# The inputs (the document's n-gram table, its sets $G_w$, the class vectors)
# come from `w2v_numpy.teaching.worked_examples` (`EXAMPLES["fasttext"]()`); the numbers of the
# step come from `w2v_numpy.teaching.trace.trace`, which records what the
# `fasttext_supervised` model computes in its own `forward`, `loss_and_grad`
# and `step`.
#
# `compare`, `erratum` and `trace_rows` come from `nbhelpers.py` in this folder.

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
# The example's sub-heading «Инициализация» (initialisation), with its table of
# n-gram vectors and «Векторы весов классов» (the class weight vectors).

# %%
from w2v_numpy.models import fasttext_supervised as ft

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
# ## 2. Character n-grams
#
# The example's forward pass («1. Прямой проход»), step «Шаг 1: Извлечение
# n-грамм для каждого слова» (step 1: extracting each word's n-grams).
#
# Erratum: the document's table is not the set of 3-grams of its words. Its
# list of "full 3-grams" is mostly 4-grams, its table holds strings that do
# not occur in `<хороший>` or `<фильм>` at all (`рог`, `оги`, `гий` would come
# from «хорогий», `илм`, `лм>` from «филм»), and the sets $G_w$ it then uses
# mix true and false n-grams. `ft.char_ngrams` returns the true ones. To
# reproduce the document's numbers we keep its table and its $G_w$ unchanged;
# the step functions accept any n-gram ids.

# %%
# Step 1's lists of "Полные 3-граммы" (full 3-grams), as printed, and the sets G_w it then uses.
listed = {"хороший": ["<хор", "хоро", "орош", "роши", "оший", "ший>", "ий>"],
          "фильм": ["<фил", "филь", "ильм", "лм>"]}
G = examples.FASTTEXT_G
print("G_w:", G)
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
# ## 3. Word vectors and the document vector
#
# The example's steps «Шаг 2» (the n-gram vectors, from the table), «Шаг 3»
# (a word vector as the sum of its n-gram vectors) and «Шаг 4» (the document
# vector as the mean of the word vectors).
#
# The document sums the n-gram vectors of a word (`combine="sum"`); fastText's
# own word vectors use their mean (`combine="mean"`, shown for comparison).
# The trace starts at $\mathbf v_D$; the two word vectors come from
# `ft.word_vector`.

# %%
doc = [np.array([row[g] for g in G[w]]) for w in words]   # n-gram ids per word
v_D = t.value("v_D")[0]
compare("v_хороший", ft.word_vector(E, doc[0], "sum"), [0.55, 0.4], digits=2)
compare("v_фильм", ft.word_vector(E, doc[1], "sum"), [0.55, 0.35], digits=2)
compare("v_D", v_D, [0.55, 0.375], digits=3)
print("v_D with combine='mean':", ft.document_vector(E, doc, combine="mean"))

# %% [markdown]
# ## 4. Scores, sigmoids and the loss
#
# The example's steps «Шаг 5: Выбор отрицательных классов» (choosing the
# negative classes), «Шаг 6: Вычисление счетов и сигмоидов» (scores and
# sigmoids) and «Шаг 7: Вычисление функции потерь» (the loss).

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
# ## 5. Gradients
#
# The example's sub-heading «2. Backpropagation (Обратное распространение
# ошибки)» (backward pass): step 1, the class vectors $\mathbf u_c$; step 2,
# the document vector $\mathbf v_D$; step 3, the n-gram vectors $\mathbf v_g$.
#
# A rounding note, not an erratum: the document rounds $\sigma$ to 4 decimals
# and then prints products with $\mathbf v_D$ to 5-6 decimals. Our exact
# $\sigma$ can differ by up to $5\cdot10^{-5}$, so such products may move by
# $0.55 \cdot 5\cdot10^{-5}$; that is the tolerance used for them. Rounding our
# $\sigma$ the same way reproduces the document's digits exactly.

# %%
gamma = t.value("gamma")[0]                        # dL/ds, the document's score errors
compare("sigma(s_true) - 1", gamma[0], -0.4956, digits=4)
compare("1 - sigma(-s_neg)", gamma[1], 0.4978, digits=4)

sigma_tol = 0.55 * 5e-5
compare("dL/du_позитив", t.value("U[позитив]", "gradient"), [-0.27258, -0.18585], tol=sigma_tol)
compare("dL/du_негатив", t.value("U[негатив]", "gradient"), [0.27379, 0.186675], tol=sigma_tol)
rounded = np.round(gamma, 4)
compare("same, sigma rounded: позитив", rounded[0] * v_D, [-0.27258, -0.18585], digits=5)
compare("same, sigma rounded: негатив", rounded[1] * v_D, [0.27379, 0.186675], digits=6)

compare("delta_D = dL/dv_D", t.value("dv_D")[0], [-0.07445, 0.07445], digits=5)
# The document halves its 5-digit delta_D, so its 6th digit carries +-2.5e-6.
grams = trace_rows(t, "E")
print("n-gram rows with gradient:", grams)
E_rows = np.array([t.value(f"E[{gram}]", "gradient") for gram in grams])
assert np.array_equal(E_rows, np.tile(E_rows[0], (7, 1)))   # the same for all seven
compare("dL/dv_g (each of the seven)", E_rows[0], [-0.037225, 0.037225], tol=3e-6)

# %% [markdown]
# ## 6. SGD update
#
# The example's «Обновление весов классов» (updating the class weights, under
# backward step 1) and «Обновление весов n-грамм» (updating the n-gram
# weights, under backward step 3).
#
# The trace ran one `model.step` on a copy of the model. All gradients come
# from the old values, so $\delta_D$ uses the old class vectors, as in the
# document. The tolerances are the ones above, times $\eta$.

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
# ## 7. Gradient check on the same problem
#
# Central differences against `ft.loss_and_grad` for both ways of building a
# word vector, in float64.
#
# `w2v_numpy.teaching.gradcheck.check_gradient` takes the loss and the gradient as two
# functions of the parameter dict, so it checks any objective, not only the
# word2vec models.

# %%
from w2v_numpy.teaching.gradcheck import check_gradient

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
# ## 8. Subword vectors: fastText's unsupervised models
#
# The classifier above looks n-grams up in a small table. fastText's word
# vectors (`type="fasttext_sgram"` / `"fasttext_cbow"`, the `FastText` class)
# do not keep a table of n-grams at all: every n-gram of `<word>` (lengths
# `min_n`..`max_n`, 3..6 by default) is hashed with FNV-1a on its UTF-8 bytes
# into one of `bucket` rows. These are the same ids as gensim's
# `ft_ngram_hashes`, Cyrillic included (the tests check that).

# %%
from w2v_numpy.text.ngrams import fasttext_ngrams, ngram_hashes

for w in ("фильм", "films"):
    grams = fasttext_ngrams(w, 3, 4)
    print(w, list(zip(grams, ngram_hashes(w, 3, 4, bucket=2_000_000).tolist())))

# %% [markdown]
# A word's input vector is the mean of its own row and its n-gram rows; a
# word never seen in training has no row of its own, so its vector is the
# mean of its n-gram rows alone. We train a small CBOW model and rebuild both
# by hand. The text: the first 100,000 tokens of `wiki2m.txt.xz` when the
# shared data folder is there, else the shipped synthetic corpus. One epoch,
# so the vectors are rough; shared spelling is what the neighbours of an
# unseen word show first.

# %%
import lzma
import tempfile
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message="IProgress not found")
from w2v_numpy import FastText  # noqa: E402

shared = Path.cwd().parent.parent / "shared" / "data" / "wiki2m.txt.xz"
if shared.exists():
    text, count = Path(tempfile.mkdtemp()) / "slice.txt", 0
    with lzma.open(shared, "rt", encoding="utf-8") as src, open(text, "w", encoding="utf-8") as out:
        for line in src:
            out.write(line)
            count += len(line.split())
            if count >= 100_000:
                break
    unseen = ["electrified", "footballers", "unconstitutional"]
else:
    text, unseen = Path.cwd().parent / "data" / "synthetic.txt", ["kingly", "catlike", "pianos"]
sub = FastText(str(text), sg=0, vector_size=32, epochs=1, bucket=100_000, min_count=3,
               alpha=0.05, progress=False)
wv, P = sub.wv, sub.model.params
np.set_printoptions(precision=4, threshold=8, edgeitems=3)     # vectors shown in short
print(wv, "; n-gram table:", P["W_ngram"].shape, P["W_ngram"].dtype,
      f"{P['W_ngram'].nbytes / 1e6:.1f} MB")

word = wv.index_to_key[100]
ids = ngram_hashes(word, 3, 6, 100_000)
by_hand = (P["W_in"][sub.vocab.key_to_index[word]] + P["W_ngram"][ids].sum(axis=0)) / (1 + len(ids))
compare(f"wv[{word!r}] = mean of its row and {len(ids)} n-gram rows", wv[word], by_hand, tol=1e-6,
        label="by hand")
for w in unseen:
    assert w not in wv.key_to_index
    compare(f"wv[{w!r}] (unseen) = mean of its n-gram rows", wv[w],
            P["W_ngram"][ngram_hashes(w, 3, 6, 100_000)].mean(axis=0), tol=1e-6, label="by hand")
    print(f"    neighbours of {w}:", [n for n, _ in wv.most_similar(w, topn=5)])

# %% [markdown]
# ## 9. The classifier trained for real
#
# `w2v_numpy.classifier.train_supervised` trains the classifier of the worked
# example on `__label__X text` lines (what `python -m w2v_numpy supervised`
# does), with a softmax over the labels by default. The shipped reviews
# (`data/labelled_*.txt`, written by `data/make_labelled.py`) carry their
# sentiment in an opinion word that is negated a third of the time, so word
# bigrams (`wordNgrams=2`) are needed to read «not good» right.

# %%
from w2v_numpy.classifier import train_supervised

data = Path.cwd().parent / "data"
for n in (1, 2):
    clf = train_supervised(data / "labelled_train.txt", dim=16, epoch=5, lr=0.5, wordNgrams=n,
                           bucket=20_011, batch_size=64)
    N, p_at_1, r_at_1 = clf.test(data / "labelled_test.txt")
    print(f"wordNgrams={n}: N={N}, P@1={p_at_1:.3f}, R@1={r_at_1:.3f}")
print(clf.predict(["the soup was not good", "the staff was not rude"], k=1))
assert p_at_1 > 0.9
