# %% [markdown]
# # Training word2vec on a corpus, and judging the result
#
# **The question.** Notebooks 01-04 took one training step by hand. What
# happens when we repeat that step millions of times over a whole corpus? And
# once it is done, how do we tell good vectors from bad ones?
#
# **The intuition.** Training slides a window over the text. Each centre word
# is pulled towards the words around it and pushed away from a few random
# "negative" words. Words that keep the same company end up with similar
# vectors. We cannot look at 32 numbers per word and judge them, so we ask the
# vectors questions whose answers we know: which words are close, what
# completes "paris is to france as berlin is to ?", and do people agree with
# the similarities.
#
# **What it assumes.** Skip-gram (notebook 01) and negative sampling (notebook
# 03). The trainer follows the word2vec.c walkthrough, sections "Two vectors per
# word" and "The negative-sampling loop" (see `docs/references.md`).
#
# **The text.** We train on the corpus shipped in `data/synthetic.txt`
# (153,000 tokens, 365 words). It is made-up text with planted relations
# (capital : country, male : female, singular : plural), so we know what a
# good model should find, and `data/` has test files for exactly those
# relations. Section 6 trains on a slice of real Wikipedia text when the
# project's shared data folder is there.
#
# The notebook has three exercises. Each has a template for you, a hidden
# solution cell (tagged `solution`) and a check cell that tests the solution
# against the library.

# %%
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

# tqdm.auto warns in Jupyter when ipywidgets is missing; we train without a progress bar
warnings.filterwarnings("ignore", message="IProgress not found")
from nbhelpers import show_neighbours  # noqa: E402
from w2v_numpy import Word2Vec  # noqa: E402
from w2v_numpy.vectors import evaluation  # noqa: E402

REPO = Path.cwd().parent                       # this notebook runs in notebooks/
DATA = REPO / "data"
corpus = DATA / "synthetic.txt"
analogy_file = DATA / "synthetic_analogies.txt"
pairs_file = DATA / "synthetic_pairs.tsv"
print(corpus.name, f"{sum(len(line.split()) for line in open(corpus, encoding='utf-8')):,} tokens")

# %% [markdown]
# ## 1. Train
#
# Skip-gram with 5 negatives, a window of up to 5 words each side, words seen
# fewer than 5 times dropped, frequent words sub-sampled (`sample=1e-3`,
# section 3), and a learning rate that falls linearly from 0.025 to almost 0.
# These are gensim's defaults, apart from the vector size and the number of
# epochs.
#
# `Word2Vec` trains `sgram_neg` in its *window* formulation: one example is a
# centre word with all its context words, scored against negatives shared by
# that window (same pairs as notebook 03's per-pair objective, several times
# faster; see the README, "Training semantics"). So "one example" below is
# one window, and its loss is the sum over the window's pairs.

# %%
settings = dict(type="sgram_neg", vector_size=32, window=5, min_count=5, negative=5,
                sample=1e-3, epochs=5, batch_size=1024, seed=0, progress=False)
t0 = time.perf_counter()
w2v = Word2Vec(corpus_file=str(corpus), **settings)
print(f"{len(w2v.vocab):,} words in the vocabulary, {settings['epochs']} epochs, "
      f"{time.perf_counter() - t0:.1f} s")
print("mean loss per example, per epoch:", np.round(w2v.state.epoch_losses, 4))

# %% [markdown]
# ## 2. The loss curve
#
# Each point is the mean loss per example of one batch; the dotted lines mark
# the ends of epochs. The loss falls fast at first, while the vectors leave
# their random start, then slowly. It never reaches 0: the negatives are
# random, and a word can honestly appear next to many different words.

# %%
losses = np.asarray(w2v.state.batch_losses)
k = max(1, len(losses) // 50)
smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(losses, lw=0.5, alpha=0.35, label="per batch")
ax.plot(np.arange(k - 1, len(losses)), smooth, label=f"moving mean of {k} batches")
for end in w2v.state.epoch_batch_index[:-1]:
    ax.axvline(end, color="grey", ls=":")
ax.set(xlabel="batch", ylabel="mean loss per example", title="sgram_neg on " + corpus.name)
ax.legend()
plt.show()

tenth = max(1, len(losses) // 10)
print(f"first tenth of the batches: {losses[:tenth].mean():.4f}, last tenth: {losses[-tenth:].mean():.4f}")
assert losses[-tenth:].mean() < losses[:tenth].mean()

# %% [markdown]
# *Try changing the settings:* set `epochs=1` or `vector_size=8` in
# `settings` above and run the notebook again. Watch the loss curve and the
# analogy score in section 5.

# %% [markdown]
# ## 3. Why frequent words are sub-sampled
#
# "the", "of" and "and" sit next to almost every word. A pair like
# (cat, the) teaches the model very little, yet such pairs would fill most of
# each epoch. So each time the trainer meets a word $w$ it keeps it only with
# a probability that falls as the word gets more frequent. Let $f(w)$ be the
# word's share of all tokens and $t$ the `sample` setting.
#
# * The word2vec paper (Mikolov et al. 2013, "Distributed Representations of
#   Words and Phrases and their Compositionality", section 2.3) *discards* a
#   word with probability $1 - \sqrt{t/f(w)}$, so it keeps it with
#   probability $\sqrt{t/f(w)}$.
# * The released word2vec.c code, and gensim after it, keep it with
#   probability $\sqrt{t/f(w)} + t/f(w)$ (capped at 1). The extra $t/f$ keeps
#   a little more of every word.
#
# `w2v_numpy.text.vocab.Vocab.keep_probs` uses the word2vec.c rule. The plot
# shows both rules, and each word of our vocabulary as a dot.

# %%
vocab = w2v.vocab
t_sample = settings["sample"]
freq = vocab.counts / vocab.total                      # f(w) of each vocabulary word
keep = vocab.keep_probs(t_sample)                      # the library's keep probability
assert np.allclose(keep, np.minimum(1.0, np.sqrt(t_sample / freq) + t_sample / freq))

f_grid = np.logspace(-5, -0.5, 200)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(f_grid, np.minimum(1, np.sqrt(t_sample / f_grid) + t_sample / f_grid),
        label=r"word2vec.c: $\sqrt{t/f} + t/f$")
ax.plot(f_grid, np.minimum(1, np.sqrt(t_sample / f_grid)), ls="--",
        label=r"paper: $\sqrt{t/f}$")
ax.scatter(freq, keep, s=8, color="black", zorder=3, label="our words")
for i in range(3):                                     # name the three most frequent words
    ax.annotate(vocab.words[i], (freq[i], keep[i]), textcoords="offset points", xytext=(4, 4))
ax.set(xscale="log", xlabel="word frequency f(w)", ylabel="keep probability",
       title=f"sub-sampling with t = {t_sample:g}")
ax.legend(fontsize=8)
plt.show()

kept = float((vocab.counts * keep).sum() / vocab.total)
print(f"an epoch keeps about {kept:.0%} of the tokens; 'the' is kept {keep[0]:.0%} of the time")

# %% [markdown]
# ### Exercise 1: the keep probability by hand
#
# Write `keep_prob(count, total, t)`: the word2vec.c keep probability of a word
# seen `count` times among `total` tokens, capped at 1. It should work on
# NumPy arrays of counts.

# %%
# def keep_prob(count, total, t):
#     f = ...                   # the word's share of all tokens
#     return ...

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def keep_prob(count, total, t):
    f = np.asarray(count) / total
    return np.minimum(1.0, np.sqrt(t / f) + t / f)


# %%
for t in (1e-3, 1e-4):
    assert np.allclose(keep_prob(vocab.counts, vocab.total, t), vocab.keep_probs(t))
print("keep_prob agrees with Vocab.keep_probs")

# %% [markdown]
# ### Exercise 2: from which frequency on is a word dropped?
#
# With the word2vec.c rule, a word is always kept while
# $\sqrt{t/f} + t/f \ge 1$. Find the frequency `f_star` above which a word
# starts being dropped, as a multiple of $t$. Hint: put $r = t/f$ and solve
# $\sqrt r + r = 1$ (a quadratic in $\sqrt r$).

# %%
# r_star = ...                  # the r with sqrt(r) + r = 1
# f_star = t_sample / r_star

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
r_star = ((np.sqrt(5) - 1) / 2) ** 2        # sqrt(r) = (sqrt(5) - 1) / 2, about 0.618
f_star = t_sample / r_star                  # about 2.62 t


# %%
print(f"f_star = {f_star:.6f} = {f_star / t_sample:.3f} t")
assert np.all(vocab.keep_probs(t_sample)[freq < f_star * 0.999] == 1.0)
assert np.all(vocab.keep_probs(t_sample)[freq > f_star * 1.001] < 1.0)
assert np.isclose(keep_prob(f_star * 1e6, 1e6, t_sample), 1.0)

# %% [markdown]
# *Try changing `sample`:* train with `sample=0` (no sub-sampling) and with
# `sample=1e-4`. How many tokens does an epoch keep, and what happens to the
# neighbours of "the"?

# %% [markdown]
# ## 4. Cosine similarity and nearest neighbours
#
# Two vectors point the same way when their cosine is 1:
# $\cos(\mathbf a, \mathbf b) = \mathbf a \cdot \mathbf b / (\lVert\mathbf a\rVert\,\lVert\mathbf b\rVert)$.
# The cosine ignores the length of the vectors. That matters, because length
# tracks how often a word was seen more than what it means. The vectors are
# the input vectors (`W_in`), as in gensim's `most_similar`.

# %%
wv = w2v.wv
a, b = wv["red"], wv["blue"]
by_hand = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
print(f"cos(red, blue) = {by_hand:.4f}, cos(red, king) = {wv.similarity('red', 'king'):.4f}")
assert np.isclose(by_hand, wv.similarity("red", "blue"), atol=1e-5)
show_neighbours(wv, ["paris", "king", "cat", "red"],
                ("red", {"blue", "green", "purple", "grey", "brown", "yellow", "black", "white"}))

# %% [markdown]
# ## 5. Evaluation
#
# ### 5.1 Analogies with 3CosAdd
#
# "a is to b as c is to ?" Take the offset from a to b and add it to c. The
# answer is the word whose unit vector has the highest cosine with
# $\mathbf b - \mathbf a + \mathbf c$. Levy and Goldberg (2014, "Linguistic
# Regularities in Sparse and Explicit Word Representations") call this
# **3CosAdd**. With unit vectors, it is the same as maximising
# $\cos(x, b) - \cos(x, a) + \cos(x, c)$.
#
# **Why the three question words are excluded.** The offset is small
# compared with the vectors, so $\mathbf b - \mathbf a + \mathbf c$ usually
# lies closest to $\mathbf c$ or $\mathbf b$ themselves. Without the rule, the
# "answer" would often be a question word. The next cell counts how often.

# %%
unit = wv.get_normed_vectors()
row = wv.key_to_index
questions = [line.split() for line in open(analogy_file, encoding="utf-8")
             if not line.startswith(":") and len(line.split()) == 4]
questions = [q for q in questions if all(w in row for w in q)]
ids = np.array([[row[w] for w in q] for q in questions])          # (n, 4): a, b, c, expected
cos_a, cos_b, cos_c = (unit[ids[:, k]] @ unit.T for k in range(3))   # (n, V) each
add = cos_b - cos_a + cos_c
top_all = add.argmax(axis=1)
print(f"{len(questions)} questions; the best word is a question word in "
      f"{np.mean((top_all[:, None] == ids[:, :3]).any(axis=1)):.0%} of them")


def accuracy(scores):
    scores = scores.copy()
    np.put_along_axis(scores, ids[:, :3], -np.inf, axis=1)        # exclude a, b, c
    return float(np.mean(scores.argmax(axis=1) == ids[:, 3]))


acc_add = accuracy(add)
score, sections = wv.evaluate_word_analogies(str(analogy_file))
print(f"3CosAdd accuracy, ours: {acc_add:.3f}; the library's evaluate_word_analogies: {score:.3f}")
assert abs(acc_add - score) < 0.01
for s in sections[:-1]:
    n = len(s["correct"]) + len(s["incorrect"])
    print(f"    {s['section']:<18} {len(s['correct']) / n:.2f} of {n}")

# %% [markdown]
# ### Exercise 3: 3CosMul
#
# 3CosAdd lets one large cosine outweigh the others. Levy and Goldberg's
# **3CosMul** multiplies instead:
#
# $$\text{score}(x) = \frac{\cos'(x, b)\,\cos'(x, c)}{\cos'(x, a) + \varepsilon},
# \qquad \cos' = \frac{1 + \cos}{2} \in [0, 1],\ \varepsilon = 10^{-6}.$$
#
# Write `cosmul(a, b, c)`: the best word for "a is to b as c is to ?" by
# 3CosMul, over the whole vocabulary, with `a`, `b`, `c` excluded. Use
# `unit` (the unit vectors, one row per word) and `wv.index_to_key`.

# %%
# def cosmul(a, b, c):
#     shifted = {w: (1 + unit @ unit[row[w]]) / 2 for w in (a, b, c)}
#     score = ...
#     ...                       # exclude a, b and c
#     return wv.index_to_key[...]

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def cosmul(a, b, c):
    shifted = {w: (1 + unit @ unit[row[w]]) / 2 for w in (a, b, c)}
    score = shifted[b] * shifted[c] / (shifted[a] + 1e-6)
    score[[row[a], row[b], row[c]]] = -np.inf
    return wv.index_to_key[int(score.argmax())]


# %%
for a, b, c, _ in questions[::40]:
    assert cosmul(a, b, c) == wv.most_similar_cosmul(positive=[b, c], negative=[a], topn=1)[0][0]
print("paris : france :: berlin :", cosmul("paris", "france", "berlin"))
mul = ((1 + cos_b) / 2) * ((1 + cos_c) / 2) / ((1 + cos_a) / 2 + 1e-6)
print(f"accuracy on all {len(questions)} questions: 3CosAdd {acc_add:.3f}, 3CosMul {accuracy(mul):.3f}")

# %% [markdown]
# ### 5.2 Word-pair similarity: Spearman correlation
#
# A pairs file lists word pairs with a similarity score given by people (here,
# planted by the corpus generator). We compute the cosine of each pair and ask
# whether the two lists are in the same *order*. Spearman's correlation is the
# ordinary (Pearson) correlation of the ranks: 1 means the same order, 0 no
# relation. Ranks are used because a cosine of 0.6 and a score of 8.5 are on
# different scales; only the order can be compared.

# %%
pearson, spearman, oov = wv.evaluate_word_pairs(str(pairs_file))
print(f"Spearman {spearman.statistic:.3f} (Pearson {pearson.statistic:.3f}), "
      f"{oov:.0f}% of the pairs have an unknown word")
pairs = [line.split("\t") for line in open(pairs_file, encoding="utf-8") if not line.startswith("#")]
human = np.array([float(p[2]) for p in pairs])
cosine = np.array([wv.similarity(p[0], p[1]) for p in pairs])
ranks = [evaluation.rankdata(v) for v in (human, cosine)]      # ties get their mean rank
by_hand = np.corrcoef(ranks[0], ranks[1])[0, 1]
print(f"Spearman by hand (Pearson of the ranks): {by_hand:.3f}")
assert np.isclose(by_hand, spearman.statistic, atol=1e-6)

# %% [markdown]
# ### 5.3 Where these benchmarks mislead
#
# * **Small test sets.** 133 pairs or 810 questions are few. Resample the
#   pairs with replacement and the correlation moves; the spread below is how
#   much a different but equally fair test set could change the number. Two
#   models whose scores differ by less than that are not really different.
# * **Frequency.** Frequent words get more updates, so their vectors are
#   better. A test full of frequent words flatters a model. Below, the
#   questions whose answer is among the more frequent half of the answers do
#   better than the rest.
# * **`restrict_vocab`.** The evaluators (as gensim's) only look at the most
#   frequent words and *skip* any question with a word outside them. The score
#   is the accuracy on the questions left, so a smaller vocabulary answers
#   fewer questions, and the easier ones. Always report how many questions
#   were scored.

# %%
rng = np.random.default_rng(0)
boot = [evaluation.spearman(human[s], cosine[s]).statistic
        for s in (rng.integers(0, len(human), len(human)) for _ in range(200))]
lo, hi = np.percentile(boot, [2.5, 97.5])
print(f"Spearman {spearman.statistic:.3f}; 95% of resampled test sets give {lo:.3f} .. {hi:.3f}")

answer_count = vocab.counts[ids[:, 3]]
scores = add.copy()
np.put_along_axis(scores, ids[:, :3], -np.inf, axis=1)
hit = scores.argmax(axis=1) == ids[:, 3]
frequent = answer_count >= np.median(answer_count)
print(f"3CosAdd accuracy, answer among the frequent half: {hit[frequent].mean():.2f}, "
      f"rare half: {hit[~frequent].mean():.2f}")

fig, ax = plt.subplots(figsize=(6, 2.8))
for restrict in (220, 260, 300, len(wv)):
    s, secs = wv.evaluate_word_analogies(str(analogy_file), restrict_vocab=restrict)
    n = len(secs[-1]["correct"]) + len(secs[-1]["incorrect"])
    print(f"restrict_vocab={restrict:>4}: accuracy {s:.3f} on {n} questions")
    ax.bar(str(restrict), s, color="tab:blue")
    ax.text(str(restrict), s, f"{n} q.", ha="center", va="bottom", fontsize=8)
ax.set(xlabel="restrict_vocab", ylabel="analogy accuracy", ylim=(0, 1.1),
       title="the score is over the questions left")
plt.show()

# %% [markdown]
# ## 6. The same on real text
#
# When the project's shared data folder is there (`../shared/data`, see the
# data README), we train once more on the first 600,000 tokens of
# `wiki2m.txt.xz`, Wikipedia text, and score the vectors on WordSim-353, a
# real human-rated pairs set. With so little text, most analogies fail and
# many WordSim pairs and analogy questions hold an unknown word and are
# skipped: look at how few are scored, as section 5.3 warned. (gensim reaches about 0.36 on
# Google's analogies and 0.66 on WordSim-353 with 17M tokens and 5 epochs.)
# Without the shared folder, this section prints a note and does nothing.

# %%
import lzma  # noqa: E402
import shutil  # noqa: E402

WIKI = REPO.parent / "shared" / "data" / "wiki2m.txt.xz"
if WIKI.exists():
    workdir = Path(tempfile.mkdtemp())
    text, n_tokens = workdir / "wiki_slice.txt", 0
    with lzma.open(WIKI, "rt", encoding="utf-8") as src, open(text, "w", encoding="utf-8") as out:
        for line in src:                       # whole lines until 600k tokens
            out.write(line)
            n_tokens += len(line.split())
            if n_tokens >= 600_000:
                break
    t0 = time.perf_counter()
    real = Word2Vec(corpus_file=str(text), **{**settings, "vector_size": 64, "epochs": 2})
    print(f"wiki2m, first {n_tokens:,} tokens: {len(real.vocab):,} words, "
          f"{time.perf_counter() - t0:.1f} s")
    show_neighbours(real.wv, ["one", "france", "war", "music"],
                    ("three", {"one", "two", "four", "five", "six", "seven", "eight", "nine", "zero"}))
    _, rho, oov = real.wv.evaluate_word_pairs(str(WIKI.with_name("wordsim353.tsv")))
    print(f"WordSim-353: Spearman {rho.statistic:.3f} with {100 - oov:.0f}% of the pairs scored")
    s, secs = real.wv.evaluate_word_analogies(str(WIKI.with_name("questions-words.txt")),
                                              restrict_vocab=10000)
    n = len(secs[-1]["correct"]) + len(secs[-1]["incorrect"])
    print(f"Google analogies: accuracy {s:.3f} on the {n:,} of 19,544 questions it could score")
    shutil.rmtree(workdir)
else:
    print("no shared data folder: skipped")

# %% [markdown]
# ## Appendix: where the documents differ
#
# No reference document prints numbers for a full training run, so nothing
# here is checked against one. One difference matters for section 3: the
# word2vec paper's sub-sampling rule (discard with probability
# $1 - \sqrt{t/f}$, with $t$ around $10^{-5}$) is not the rule of the
# word2vec.c code ($\sqrt{t/f} + t/f$, default $t = 10^{-3}$). The library,
# like gensim, follows the code. At the same $t$ the code keeps more of
# every frequent word, and it never drops a word with $f < 2.62\,t$ (exercise
# 2), where the paper's rule spares only words with $f < t$.
