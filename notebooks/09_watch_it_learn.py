# %% [markdown]
# # Watch it learn: hundreds of steps, every number kept
#
# **The question.** Notebooks 01-04 follow *one* SGD step by hand. What do a
# few hundred of those steps do to the vectors, and can we still see each
# step's numbers while they do it?
#
# **The intuition.** Each step moves only a few rows: the input word's row of
# `W_in`, the target's row of `W_out` and the negatives' rows (negative
# sampling). Words that appear in the same windows receive pushes in the same
# direction, again and again, so their vectors drift together. Watching the
# rows and the map step by step shows that drift being built.
#
# **What it assumes.** Skip-gram with negative sampling (notebook 03); PCA as
# "the best 2-D shadow of the vectors" (notebook 05).
#
# **What we do.** `w2v_numpy.teaching.explore.record` trains the reference
# model one example per step on a toy corpus and keeps, for every step, the
# output of `trace` (the same symbols and numbers `python -m w2v_numpy trace`
# prints), the rows the step wrote and the word vectors after it. `page` turns
# that into one HTML file that needs nothing else: the command line does the
# same with
#
# ```
# python -m w2v_numpy explore --type sgram_neg --preset fruit -o fruit.html
# ```
#
# Two exercises follow the page. Each has a template for you, a hidden
# solution cell (tagged `solution`) and a check against the library.

# %%
import numpy as np
from IPython.display import HTML, display

from w2v_numpy.teaching import explore

print("presets:", explore.presets())
sentences = explore.preset_sentences("fruit")
print(sentences)

# %% [markdown]
# ## The recording and the page
#
# 300 steps of `sgram_neg` (two negatives, 5 dimensions, window 3: one word
# each side) take well under a second, and the page is about 2 MB.

# %%
rec = explore.record("sgram_neg", sentences, vector_dim=5, window=3, neg_samples=2,
                     alpha=0.3, steps=300, seed=0)
html = explore.page(rec)
print(f"{len(rec['steps'])} steps, {len(rec['words'])} words, page {len(html) / 1e6:.2f} MB")
display(HTML(explore.iframe(html)))

# %% [markdown]
# **What to watch for.**
#
# * **Step 1.** The loss is exactly $3 \log 2 \approx 2.07944$: `W_out` starts
#   at zero (as in word2vec.c), so every score $s$ is 0 and every
#   $\sigma(s) = 1/2$. For the same reason $\partial L/\partial h = 0$ and the
#   input row does not move: its $\Delta$ is blank. Only the output rows learn
#   at first; the input rows start moving once the output rows are not zero.
# * **Signs.** The target's output row moves *along* $h$ (its $g_0 < 0$) and
#   each negative's row moves *against* it ($g_i > 0$): compare the sign
#   patterns of the $\Delta$ strips with the input row.
# * **The map.** Its axes come from the final vectors and never change, so a
#   dot moves only when its vector does. After a few passes the drinks (juice,
#   milk, water) and the foods (apple, rice, orange) sit apart: they share
#   their neighbours ("drink" or "eat").
# * **The loss curve.** One example's loss jumps about (its negatives are
#   random, and "drink" really is followed by several words); the mean over a
#   pass is what falls.
#
# The recording is plain data. Step $n$ (1-based) is `rec["steps"][n - 1]`;
# `rec["vectors"][n]` are the word vectors after it (`rec["vectors"][0]`:
# before training).

# %%
step = rec["steps"][0]
print("example of step 1:", step["example"])
print("loss of step 1:", step["loss"], " 3 log 2 =", 3 * np.log(2))
assert np.isclose(step["loss"], 3 * np.log(2))
print("rows written:", step["touched"])


# %% [markdown]
# The parameters after any step: start from `rec["initial"]` and write, step
# after step, the rows each step wrote (the page's script does the same).

# %%
def params_at(rec, n):
    """Every parameter after the first n steps, rebuilt from the recording."""
    params = {name: np.array(rows, dtype=float) for name, rows in rec["initial"].items()}
    for step in rec["steps"][:n]:
        updates = [s for s in step["trace"]["steps"] if s["section"] == "update"]
        for (name, row), update in zip(step["touched"], updates):
            params[name][row] = update["value"][1]          # (old, new): the new row
    return params


assert np.allclose(params_at(rec, 300)["W_in"], rec["vectors"][300], atol=1e-5)

# %% [markdown]
# ### Exercise 1: which word moved?
#
# In skip-gram with negative sampling a step changes one row of `W_in`: the
# centre word's. Using only `rec["vectors"]`, find for step `n = 120` the word
# whose vector moved most (Euclidean distance between `rec["vectors"][n - 1]`
# and `rec["vectors"][n]`).

# %%
n = 120
# moved = ...            # the word, a string

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
distance = np.linalg.norm(np.array(rec["vectors"][n]) - np.array(rec["vectors"][n - 1]), axis=1)
moved = rec["words"][int(distance.argmax())]

# %%
print("moved most:", moved, "| centre of step", n, ":", rec["steps"][n - 1]["example"]["inputs"])
assert moved == rec["steps"][n - 1]["example"]["inputs"][0]
others = np.delete(distance, rec["words"].index(moved))
assert np.allclose(others, 0, atol=1e-5), "only the centre's row of W_in moves"

# %% [markdown]
# ### Exercise 2: the loss of step 100, by hand
#
# With `P = params_at(rec, 99)` (the parameters before step 100) and the
# example of step 100 (`rec["steps"][99]["example"]`: the centre in
# `inputs`, the `target`, the `negatives`), compute
# $L = -\log\sigma(u_{target}\cdot h) - \sum_i \log\sigma(-u_{neg_i}\cdot h)$
# with $h$ the centre's row of `W_in` and $u$ rows of `W_out`.

# %%
P = params_at(rec, 99)
example = rec["steps"][99]["example"]
word_id = {w: i for i, w in enumerate(rec["words"])}
# loss_100 = ...

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


h = P["W_in"][word_id[example["inputs"][0]]]
s_target = P["W_out"][word_id[example["target"]]] @ h
s_negatives = np.array([P["W_out"][word_id[w]] @ h for w in example["negatives"]])
loss_100 = -log_sigmoid(s_target) - np.sum(log_sigmoid(-s_negatives))

# %%
print(f"by hand {loss_100:.7f}   the page (the library's loss_and_grad) "
      f"{rec['steps'][99]['loss']:.7f}")
assert np.isclose(loss_100, rec["steps"][99]["loss"], rtol=1e-7)

# %% [markdown]
# ## Other models, other corpora
#
# Every type the trainer trains records the same way: `--type cbow_hs` shows
# the Huffman path of each target, `glove` the co-occurrence entry of each
# step, `fasttext_sgram` the character n-grams whose rows share the update.
# The presets are `fruit`, `royals` and `animals`; `--sentences "drink juice,
# eat apple"` or `--data_file FILE` take your own. Trained vectors of a real
# model can be looked at in TensorFlow's Embedding Projector:
# `python -m w2v_numpy export MODEL DIR --format projector` writes the
# `vectors.tsv` and `metadata.tsv` it loads.
