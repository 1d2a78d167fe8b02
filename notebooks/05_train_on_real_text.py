# %% [markdown]
# # Training on real text
#
# The earlier notebooks checked single steps against hand calculations. Here
# the same `sgram_neg` model (skip-gram with negative sampling) trains on real
# text through `w2v_numpy.Word2Vec`, and we look at the loss curve, nearest
# neighbours and a few analogies.
#
# Which text: the first 600k tokens of `wiki2m.txt.xz` (Wikipedia, see
# `../shared/data/README.md`) when the shared data folder is present; otherwise
# the synthetic corpus shipped in `data/`; otherwise a tiny corpus generated
# below. The settings are kept small so that the notebook runs in about a
# minute on two CPU cores.

# %%
import lzma
import tempfile
import time
from pathlib import Path

import warnings

import matplotlib.pyplot as plt
import numpy as np

# tqdm.auto warns in Jupyter when ipywidgets is missing; we train without a progress bar
warnings.filterwarnings("ignore", message="IProgress not found")
from nbhelpers import show_neighbours  # noqa: E402
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
    n_tokens = write_slice(SHARED_DATA / "wiki2m.txt.xz", corpus, 600_000)
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

# %% [markdown]
# ## 1. Train
#
# Skip-gram with 5 negatives, a window of up to 5 words each side, words seen
# fewer than 5 times dropped, frequent words sub-sampled, and the learning rate
# decaying linearly from 0.025: gensim's defaults, apart from the vector size
# and the number of epochs.
#
# `Word2Vec` trains `sgram_neg` in its default *window* formulation: one
# example is a centre word with all its context words, scored against
# negatives shared by that window, and by default by 7 more windows spread
# over the batch (same pairs as notebook 05's per-pair objective, several
# times faster; see the README, "Training semantics").
# So "one example" below is one window, and its loss is the sum over the
# window's pairs. `formulation="pair"` trains notebook 05's objective.

# %%
t0 = time.perf_counter()
w2v = Word2Vec(corpus_file=str(corpus), type="sgram_neg", window=5, min_count=5, negative=5,
               batch_size=1024, seed=0, progress=False, **settings)
seconds = time.perf_counter() - t0
print(f"{len(w2v.vocab):,} words in the vocabulary, {settings['epochs']} epochs, {seconds:.1f} s")
print("mean loss per example, per epoch:", np.round(w2v.state.epoch_losses, 4))

# %% [markdown]
# ## 2. The loss curve
#
# Each point is the mean loss per example of one batch; the dotted lines mark
# the ends of epochs.

# %%
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

# %% [markdown]
# ## 3. Nearest neighbours
#
# Cosine similarity between input vectors (`W_in`), as in gensim's
# `most_similar`.

# %%
wv = w2v.wv
show_neighbours(wv, probes, sanity)

# %% [markdown]
# ## 4. Analogies
#
# "a is to b as c is to ?" is answered by the word nearest to
# $\mathbf b - \mathbf a + \mathbf c$. With a corpus this small most analogies
# fail (gensim reaches about 0.36 on 17M tokens and 5 epochs, see the data
# README); a few that are well covered by the text already work.

# %%
for a, b, c in analogies:
    if all(w in wv for w in (a, b, c)):
        guesses = [w for w, _ in wv.most_similar(positive=[b, c], negative=[a], topn=3)]
        print(f"{a} : {b} :: {c} : ?   ->  {guesses}")

if analogy_file is not None:
    t0 = time.perf_counter()
    score, sections = wv.evaluate_word_analogies(str(analogy_file), restrict_vocab=10000)
    print(f"\naccuracy on {analogy_file.name} (first 10,000 words): {score:.3f} "
          f"({time.perf_counter() - t0:.1f} s)")

# %%
import shutil

shutil.rmtree(workdir)        # the corpus slice written above
