# %% [markdown]
# # FastText: word vectors built from pieces of words
#
# **The question.** Word2vec gives each word its own row, learnt only from
# that word's own occurrences. What about a word it never saw, like
# "unconstitutional" when only "constitution" was in the text? And why should
# "film" and "films" learn everything twice?
#
# **The intuition.** FastText cuts each word into overlapping character
# n-grams: `<film>` (with `<` and `>` marking the start and end) gives `<fi`,
# `fil`, `ilm`, `lm>`, `<fil`, ... Every n-gram has a vector, and a word's
# vector is the mean of its own row and its n-gram rows. Words that share
# spelling share n-grams, so they share what they learn; an unseen word still
# has n-grams, so it still gets a vector.
#
# **What it assumes.** Skip-gram and CBOW (notebooks 01 and 02), negative
# sampling (notebook 03), and a real training run judged by its neighbours
# (notebook 05). Notebook 08 uses the same n-grams to classify texts.
#
# **The sources.** The n-grams follow **the textbook chapter** (Chapter 2,
# «Управление данными и векторизация в NLP», data handling and vectorisation
# in NLP, of a Russian NLP course; a reference document that does not ship
# with the package, see `docs/references.md`), its FastText theory, and the
# lecture notes on text representations, section "FastText". Warning: the
# chapter's worked example lists n-grams that are wrong. We compute the true
# ones here; the **Appendix** at the end shows the document's lists next to
# them.
#
# Three exercises, each with a template for you, a hidden solution cell
# (tagged `solution`) and a check against the library.

# %%
import numpy as np

from nbhelpers import compare, erratum
from w2v_numpy.models import fasttext_supervised as ft
from w2v_numpy.text.ngrams import fasttext_ngrams, ft_hash_many, ngram_hashes

np.set_printoptions(precision=4, suppress=True, threshold=8, edgeitems=3)   # long vectors in short

# %% [markdown]
# ## 1. Character n-grams
#
# Write the word between `<` and `>`, then take every substring of length
# `min_n` to `max_n`. The markers make the n-grams at the start and end
# special: `<fi` ("a word starting with fi") is not the `fi` inside "profit".
# fastText uses lengths 3 to 6. The two Russian words of the chapter's
# example, «хороший» (good) and «фильм» (film), have these 3-grams:

# %%
for w in ("хороший", "фильм"):
    print(f"{w}: 3-grams {ft.char_ngrams(w, minn=3, maxn=3)}")
print("фильм, lengths 3-4, in fastText's order:", fasttext_ngrams("фильм", 3, 4))

# %% [markdown]
# ### Exercise 1: n-grams by hand
#
# Write `ngrams(word, min_n, max_n)`: the n-grams of `<word>` in fastText's
# order (by start position, then by length). Leave out a lone `<` or `>`
# (this only matters when `min_n` is 1).

# %%
# def ngrams(word, min_n, max_n):
#     s = "<" + word + ">"
#     out = []
#     for start in range(len(s)):
#         for n in range(min_n, max_n + 1):
#             ...
#     return out

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def ngrams(word, min_n, max_n):
    s = "<" + word + ">"
    out = []
    for start in range(len(s)):
        for n in range(min_n, max_n + 1):
            gram = s[start:start + n]
            if start + n <= len(s) and gram not in ("<", ">"):
                out.append(gram)
    return out


# %%
for w in ("фильм", "films", "a", "unconstitutional"):
    for lo, hi in ((3, 6), (1, 2), (3, 3)):
        assert ngrams(w, lo, hi) == fasttext_ngrams(w, lo, hi), (w, lo, hi)
print("ngrams agrees with fasttext_ngrams;", len(ngrams("unconstitutional", 3, 6)),
      "n-grams for 'unconstitutional'")

# %% [markdown]
# ## 2. Hashing n-grams into buckets
#
# There are far too many possible n-grams to give each its own row. fastText
# does not even keep a list of them: it hashes each n-gram's UTF-8 bytes with
# FNV-1a to a 32-bit number and takes it modulo `bucket` (2,000,000 by
# default). The row is that remainder. These are the same ids as gensim's
# `ft_ngram_hashes`, Cyrillic included (the tests check that).
#
# FNV-1a starts from 2166136261; for each byte it XORs the byte in, then
# multiplies by 16777619, keeping 32 bits. One quirk, kept for compatibility:
# fastText reads each byte as a *signed* char, so a byte of 128 or more
# (every byte of a Cyrillic letter) enters as `byte | 0xFFFFFF00`.

# %%
for w in ("фильм", "films"):
    grams = fasttext_ngrams(w, 3, 4)
    print(w, list(zip(grams, ngram_hashes(w, 3, 4, bucket=2_000_000).tolist())))

# %% [markdown]
# ### Exercise 2: FNV-1a by hand
#
# Write `bucket_of(gram, bucket)` with plain Python integers. Use
# `gram.encode("utf-8")` for the bytes and `& 0xFFFFFFFF` to keep 32 bits.

# %%
# def bucket_of(gram, bucket):
#     h = 2166136261
#     for byte in gram.encode("utf-8"):
#         if byte >= 128:
#             byte = ...           # the signed-char quirk
#         h = ...
#     return h % bucket

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def bucket_of(gram, bucket):
    h = 2166136261
    for byte in gram.encode("utf-8"):
        if byte >= 128:
            byte |= 0xFFFFFF00
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h % bucket


# %%
for w in ("фильм", "films", "хороший", "naïve"):
    for bucket in (2_000_000, 1000):
        assert [bucket_of(g, bucket) for g in fasttext_ngrams(w, 3, 6)] == \
            ngram_hashes(w, 3, 6, bucket).tolist(), (w, bucket)
print("bucket_of agrees with ngram_hashes")

# %% [markdown]
# ## 3. A small model, and the vectors of unseen words
#
# We train a small CBOW FastText model (`w2v_numpy.FastText`, `sg=0`). The
# text: the first 100,000 tokens of `wiki2m.txt.xz` (Wikipedia) when the
# project's shared data folder is there, else the shipped `data/synthetic.txt`.
# One epoch, so the vectors are rough.
#
# A word's input vector is the mean of its own row (`W_in`) and its n-gram
# rows (`W_ngram`). A word never seen in training has no row of its own, so its
# vector is the mean of its n-gram rows alone. The first check rebuilds a
# known word's vector by hand.

# %%
import lzma  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402

warnings.filterwarnings("ignore", message="IProgress not found")
from w2v_numpy import FastText  # noqa: E402

BUCKET = 100_000
shared = Path.cwd().parent.parent / "shared" / "data" / "wiki2m.txt.xz"
workdir = Path(tempfile.mkdtemp())
if shared.exists():
    text, count = workdir / "slice.txt", 0
    with lzma.open(shared, "rt", encoding="utf-8") as src, open(text, "w", encoding="utf-8") as out:
        for line in src:
            out.write(line)
            count += len(line.split())
            if count >= 100_000:
                break
    unseen = ["electrified", "footballers", "unconstitutional"]
else:
    text, unseen = Path.cwd().parent / "data" / "synthetic.txt", ["kingly", "catlike", "pianos"]
t0 = time.perf_counter()
sub = FastText(str(text), sg=0, vector_size=32, epochs=1, bucket=BUCKET, min_count=3,
               alpha=0.05, progress=False)
wv, P = sub.wv, sub.model.params
print(wv, f"({time.perf_counter() - t0:.1f} s); n-gram table:", P["W_ngram"].shape,
      P["W_ngram"].dtype, f"{P['W_ngram'].nbytes / 1e6:.1f} MB")

word = wv.index_to_key[100]
ids = ngram_hashes(word, 3, 6, BUCKET)
by_hand = (P["W_in"][sub.vocab.key_to_index[word]] + P["W_ngram"][ids].sum(axis=0)) / (1 + len(ids))
compare(f"wv[{word!r}] = mean of its row and {len(ids)} n-gram rows", wv[word], by_hand, tol=1e-6,
        label="by hand")

# %% [markdown]
# ### Exercise 3: the vector of an unseen word
#
# Write `unseen_vector(word)`: the vector fastText gives a word that has no
# row of its own, from `P["W_ngram"]`, `ngram_hashes` and `BUCKET`.

# %%
# def unseen_vector(word):
#     rows = ngram_hashes(word, 3, 6, BUCKET)
#     return ...

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def unseen_vector(word):
    rows = ngram_hashes(word, 3, 6, BUCKET)
    return P["W_ngram"][rows].mean(axis=0)


# %%
for w in unseen:
    assert w not in wv.key_to_index
    compare(f"wv[{w!r}] (unseen) = mean of its n-gram rows", wv[w], unseen_vector(w), tol=1e-6,
            label="by hand")
    print(f"    neighbours of {w}:", [n for n, _ in wv.most_similar(w, topn=5)])

# %% [markdown]
# ### Where unseen words land
#
# The unseen words (red) and their three nearest known words (blue), projected
# on the two main directions of these vectors. After one epoch, shared
# spelling is what the neighbours of an unseen word show first: the vector is
# built from pieces of the spelling, so it lands next to words spelt alike,
# whether or not they mean the same.

# %%
from w2v_numpy.vectors.plotting import pca_2d  # noqa: E402

near = {w: [n for n, _ in wv.most_similar(w, topn=3)] for w in unseen}
shown = unseen + sorted({n for ns in near.values() for n in ns})
coords, _ = pca_2d(np.array([wv.get_vector(w, norm=True) for w in shown]))
fig, ax = plt.subplots(figsize=(5.5, 3.5))
for (x, y), w in zip(coords, shown):
    colour = "tab:red" if w in unseen else "tab:blue"
    ax.scatter(x, y, color=colour, s=14)
    ax.annotate(w, (x, y), fontsize=8, color=colour, textcoords="offset points", xytext=(3, 3))
ax.set(title="unseen words (red) and their nearest known words", xticks=[], yticks=[])
plt.show()

# %% [markdown]
# ## 4. Why the bucket count matters: hash collisions
#
# Hashing is cheap, but two different n-grams can land in the same row. They
# then share one vector, and each blurs what the other learns. The fewer the
# buckets, the more n-grams share. The plot counts, for the distinct n-grams
# (lengths 3-6) of our vocabulary, the fraction that share their bucket with
# at least one other n-gram. The dashed line is what purely random buckets
# would give: $1 - (1 - 1/B)^{N-1}$ for $N$ n-grams and $B$ buckets.

# %%
grams = sorted({g for w in wv.index_to_key for g in fasttext_ngrams(w, 3, 6)})
h32 = ft_hash_many(grams).astype(np.int64)         # one 32-bit hash per distinct n-gram
buckets = np.array([1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 2_000_000])
shared_frac = []
for B in buckets:
    _, inverse, per_bucket = np.unique(h32 % B, return_inverse=True, return_counts=True)
    shared_frac.append(float(np.mean(per_bucket[inverse] > 1)))
expected = 1 - (1 - 1 / buckets) ** (len(grams) - 1)
for B, s, e in zip(buckets, shared_frac, expected):
    print(f"bucket {B:>9,}: {s:6.1%} of the {len(grams):,} n-grams share a row (random: {e:6.1%})")
assert np.allclose(shared_frac, expected, atol=0.03)

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(buckets, shared_frac, "o-", label="our vocabulary's n-grams")
ax.plot(buckets, expected, "--", label="random buckets")
ax.axvline(BUCKET, color="grey", ls=":", label=f"this notebook: {BUCKET:,}")
ax.set(xscale="log", xlabel="bucket count B", ylabel="share of n-grams in a shared row")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# *Try changing the bucket count:* train with `BUCKET = 1_000` and look at
# the neighbours of the unseen words again. Then try `min_n=2` or `max_n=4`
# in `FastText(...)` (and in `ngram_hashes`): which n-grams carry the meaning?

# %%
shutil.rmtree(workdir)

# %% [markdown]
# ## Appendix: where the document differs
#
# The chapter's worked example («Аналитический пример FastText: Пошаговые
# вычисления», worked example of FastText: step-by-step computation), step
# «Шаг 1: Извлечение n-грамм для каждого слова» (step 1: extracting each word's
# n-grams), lists "Полные 3-граммы" (full 3-grams) that are not the 3-grams
# of its words. **Do not learn n-grams from these lists.** Most of them are
# 4-grams, and «фильм» lost its «ь». The sets $G_w$ the example then uses mix
# true n-grams with strings that do not occur in `<хороший>` or `<фильм>` at
# all (`гий` would come from «хорогий», `илм` from «филм»). Notebook 08 keeps
# the document's table only to reproduce its numbers.

# %%
from w2v_numpy.teaching import worked_examples as examples  # noqa: E402

listed = {"хороший": ["<хор", "хоро", "орош", "роши", "оший", "ший>", "ий>"],
          "фильм": ["<фил", "филь", "ильм", "лм>"]}
G = examples.FASTTEXT_G
for w in ("хороший", "фильм"):
    true = ft.char_ngrams(w, minn=3, maxn=3)
    erratum(f"3-grams of {w}", true, listed[w],
            note="the document lists 4-grams (and drops the ь of фильм); ours are the true 3-grams.")
    print(f"    G_{w} used by the document: {G[w]}; true 3-grams among them: "
          f"{[g for g in G[w] if g in true]}")
