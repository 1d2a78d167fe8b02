# %% [markdown]
# # Skip-gram with negative sampling: one training step
#
# **The question.** In notebook 01 the softmax needed a score for *every*
# word of the vocabulary, at every step. With 4 words that is nothing; with
# 100 000 words it is 100 000 dot products and 100 000 updated output rows
# per training pair. Can we learn the same kind of vectors while touching
# only a handful of words per step?
#
# **The intuition.** Negative sampling replaces the question "which of the
# $V$ words is the neighbour?" by a few yes/no questions. "Is «кот» a real
# neighbour of «сидит»?" (yes). "Is «на», a word drawn at random, a
# neighbour?" (we pretend: no). Each answer is one sigmoid of one dot product.
# With $k$ random "negative" words, a step costs $k + 1$ dot products, however
# large the vocabulary.
#
# **What you need.** Notebook 01: the same sentence, the same $W_{in}$ and
# $W_{out}$, the same pair (centre «сидит», context «кот»), $\eta = 0.01$.
# Also the logistic function $\sigma(x) = 1 / (1 + e^{-x})$ and NumPy.
#
# **What changes from notebook 01.**
#
# * The softmax over 4 words becomes $k + 1$ separate sigmoids; here $k = 1$
#   and the negative word is «на».
# * Only $k + 1$ rows of $W_{out}$ get a gradient (here «кот» and «на»),
#   instead of all $V$ rows.
# * The loss is a *different function*. Its value is not comparable with
#   notebook 01's loss; section 1 shows why.
#
# **Our source.** **The textbook chapter**: Chapter 2, «Управление данными и
# векторизация в NLP» (data handling and vectorisation in NLP), of a Russian
# NLP course; it does not ship with the package (`docs/references.md` says
# where to find it). Below, "the document" is this chapter. Its Skip-gram
# worked example, section «8. Аналитический пример: Пошаговое вычисление
# Skip-gram» (worked example: Skip-gram step by step), ends with the
# sub-heading «7. Краткое упоминание Negative Sampling» (a brief mention of
# negative sampling). It sketches this very step, $k = 1$ and the negative
# «на», but prints no numbers. So we check every traced number against the
# formulas of the chapter's «6. Оптимизация: Negative Sampling»
# (optimisation: negative sampling), in its Skip-gram theory, evaluated
# directly with NumPy (column "formula"). The library's model is `sgram_neg`;
# its docstring (`w2v_numpy.models.sgram_neg`) has the math. `compare` and
# `trace_rows` come from `nbhelpers.py` in this folder.

# %%
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from nbhelpers import compare, trace_rows
from w2v_numpy.batching import Batch
from w2v_numpy.batching.negatives import NegativeSampler
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.teaching.trace import format_trace, trace

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## The whole step at once
#
# The full trace of the step; below, each of its numbers is recomputed from
# the formulas. `python -m w2v_numpy trace --example negative_sampling` prints
# the same text.

# %%
ex = EXAMPLES["negative_sampling"]()
t = trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels, title=ex.title)
print(format_trace(t))

# %%
# The worked example's setup («1. Исходные данные и инициализация», inputs and initialisation),
# as in notebook 01, with «на» as the negative.
model, batch, eta, vocab = ex.model, ex.batch, ex.alpha, ex.words
centre, context, negative = vocab.index("сидит"), vocab.index("кот"), vocab.index("на")
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
print("W_in (V x N):\n", W_in_old)
print("W_out as the document prints it (N x V, a column per word):\n", W_out_old.T)


def sigma(x):                                   # plain logistic function, for the formulas
    return 1.0 / (1.0 + np.exp(-x))


v, u_pos, u_neg = W_in_old[centre], W_out_old[context], W_out_old[negative]

# %% [markdown]
# ## 1. Forward pass
#
# The theory's «6.2. Функция потерь с Negative Sampling» (the loss with
# negative sampling):
#
# $$\mathcal L_{NS} = -\log\sigma(\mathbf v_{w_t}^\top \mathbf u_{w_c})
#   - \log\sigma(-\mathbf v_{w_t}^\top \mathbf u_{на})$$
#
# The first term is small when the real pair scores high; the second is
# small when the random pair scores low ($\sigma(-s) = 1 - \sigma(s)$).

# %%
s, s_neg = t.value("s")[0]                    # scores of the positive and the negative word
compare("s = v_сидит . u_кот", s, v @ u_pos, digits=12, label="formula")
compare("s_1 = v_сидит . u_на", s_neg, v @ u_neg, digits=12, label="formula")
print("    (the same dot products as z_кот = 0.095 and z_на = 0.335 in notebook 01)")
L = -np.log(sigma(v @ u_pos)) - np.log(sigma(-(v @ u_neg)))
compare("loss L_NS", t.value("loss")[0], L, digits=12, label="formula")

# %% [markdown]
# ### Why the two losses are not comparable numbers
#
# Notebook 01's loss for this pair is $-\log P(кот \mid сидит) = 1.575$. The
# loss above is 1.52, a little lower. It is tempting to say "negative
# sampling fits this pair better". That would be wrong: the two are different
# functions, so their values cannot be set side by side. With $k = 2$ the
# same pair would give about 2.4 on average, and nothing about the vectors
# would have changed.
#
# * The softmax loss is the negative log of a probability over all $V$
#   words. At the start of training (all scores 0) it is $\log V$.
# * The negative-sampling loss is a sum of $k + 1$ binary losses. With all
#   scores 0 each is $\log 2$, so it starts at $(k + 1)\log 2$, whatever $V$.
#   It grows with $k$, and it depends on *which* negatives were drawn.
#
# The left plot takes our pair and draws $k$ negatives at random from the
# three other words (dots: single draws, line: the average over draws). The
# softmax loss is one number (dashed); that $k = 1$ lands near it is a
# coincidence of this toy example. The right
# plot shows the starting values for growing $V$: the softmax loss rises
# like $\log V$, the negative-sampling loss stays flat. Compare each loss
# only with itself: over training, or between runs with the same $k$.

# %%
rng = np.random.default_rng(0)
ks, others = np.arange(1, 11), [w for w in range(len(vocab)) if w != context]
expected = -np.log(sigma(s)) + ks * np.mean(-np.log(sigma(-(W_out_old[others] @ v))))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
for k in ks:
    draws = rng.choice(others, size=(20, k))                 # 20 draws of k negatives
    b = Batch(np.full((20, 1), centre), None, np.full(20, context), draws)
    ax1.scatter(np.full(20, k), model.forward(b)["loss"], s=8, color="tab:blue", alpha=0.4)
ax1.plot(ks, expected, color="tab:blue", label="negative sampling (k negatives)")
ax1.axhline(1.575, color="tab:red", ls="--", label="full softmax, notebook 01")
ax1.set_xlabel("k")
ax1.set_title("loss of the pair (сидит, кот)", fontsize=10)
ax1.legend(fontsize=8)
Vs = np.logspace(1, 6, 20)
ax2.plot(Vs, np.log(Vs), color="tab:red", ls="--", label="full softmax: log V")
for k in (5, 15):
    ax2.plot(Vs, np.full_like(Vs, (k + 1) * np.log(2)), label=f"negative sampling, k = {k}")
ax2.set_xscale("log")
ax2.set_xlabel("vocabulary size V")
ax2.set_title("loss at the start (all scores 0)", fontsize=10)
ax2.legend(fontsize=8)
plt.tight_layout()
plt.show()
print(f"softmax loss (notebook 01): 1.575; negative-sampling loss with k = 1: {t.loss:.4f}. "
      "Different functions: do not compare them.")

# %% [markdown]
# ## 2. Gradients
#
# The theory's «6.3. Обратное распространение с Negative Sampling»
# (backpropagation with negative sampling), for the positive word and for
# each negative word.
#
# Both scores share one pattern: $\partial L / \partial s$ is $\sigma(s) - 1$
# for the positive word and $\sigma(s_1)$ for the negative one (the trace's
# `dL/ds`). It is notebook 01's "probability minus label", with a sigmoid in
# place of the softmax. Only three vectors get a gradient:
# $\mathbf v_{сидит}$, $\mathbf u_{кот}$ and $\mathbf u_{на}$.

# %%
compare("dL/ds, dL/ds_1", t.value("g")[0], [sigma(v @ u_pos) - 1, sigma(v @ u_neg)], digits=12,
        label="formula")
grad = {"W_in[сидит]": t.value("W_in[сидит]", "gradient"),
        "W_out[кот]": t.value("W_out[кот]", "gradient"),
        "W_out[на]": t.value("W_out[на]", "gradient")}
compare("dL/dv_сидит", grad["W_in[сидит]"],
        (sigma(v @ u_pos) - 1) * u_pos + sigma(v @ u_neg) * u_neg, digits=12, label="formula")
compare("dL/dh from the trace", t.value("dh")[0], grad["W_in[сидит]"], digits=12,
        label="dL/dv_сидит")
compare("dL/du_кот", grad["W_out[кот]"], (sigma(v @ u_pos) - 1) * v, digits=12, label="formula")
compare("dL/du_на", grad["W_out[на]"], sigma(v @ u_neg) * v, digits=12, label="formula")
dense = model.grad(batch)                         # the full gradient matrices, for the zero rows
nonzero = {k: sorted(set(np.nonzero(g)[0].tolist())) for k, g in dense.items()}
print("rows with a gradient:", {k: [vocab[r] for r in rows] for k, rows in nonzero.items()})
assert nonzero == {"W_in": [centre], "W_out": sorted([context, negative])}
assert {k: trace_rows(t, k) for k in nonzero} == {"W_in": ["сидит"], "W_out": ["кот", "на"]}

# %% [markdown]
# ### Exercise 1: loss and gradients for $k$ negatives
#
# Write `ns_loss_and_grads(W_in, W_out, centre, context, negatives)`, where
# `negatives` is a list of word ids (it may repeat a word). It returns the
# loss and a dict of gradients `{"W_in": ..., "W_out": ...}` shaped like the
# weights. Careful: a word drawn twice is pushed away twice, so its row
# collects two contributions (`np.add.at` does that; `dW[rows] += ...` does
# not). The check uses $k = 3$ negatives «на», «коврике», «на».

# %%
# def ns_loss_and_grads(W_in, W_out, centre, context, negatives):
#     v = W_in[centre]
#     rows = [context] + list(negatives)
#     s = ...                               # your code: k + 1 scores
#     labels = ...                          # your code: 1 for the context word, 0 for negatives
#     loss = ...                            # your code: -log sigma(s_0) - sum log sigma(-s_i)
#     g = ...                               # your code: sigma(s) - labels, dL/ds
#     dW_in, dW_out = np.zeros_like(W_in), np.zeros_like(W_out)
#     ...                                   # your code: fill row centre and the rows in `rows`
#     return loss, {"W_in": dW_in, "W_out": dW_out}

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def ns_loss_and_grads(W_in, W_out, centre, context, negatives):
    v = W_in[centre]
    rows = np.array([context] + list(negatives))
    s = W_out[rows] @ v
    labels = np.zeros(len(rows))
    labels[0] = 1.0
    loss = -np.log(sigma(s[0])) - np.sum(np.log(sigma(-s[1:])))
    g = sigma(s) - labels
    dW_in, dW_out = np.zeros_like(W_in), np.zeros_like(W_out)
    dW_in[centre] = g @ W_out[rows]
    np.add.at(dW_out, rows, np.outer(g, v))
    return loss, {"W_in": dW_in, "W_out": dW_out}


# %%
negatives3 = [negative, vocab.index("коврике"), negative]
batch3 = Batch(np.array([[centre]]), None, np.array([context]), np.array([negatives3]))
loss3, ours = ns_loss_and_grads(W_in_old, W_out_old, centre, context, negatives3)
compare("your loss, k = 3", loss3, model.loss(batch3), digits=12, label="model.loss")
library = model.grad(batch3)
for name in ("W_in", "W_out"):
    compare(f"your dL/d{name}, largest gap", np.abs(ours[name] - library[name]).max(), 0.0,
            tol=1e-12, label="zero")

# %% [markdown]
# ## 3. SGD update
#
# `model.step` changes exactly those three rows, each by $-\eta$ times its
# gradient: first in the trace (on a copy), then on `ex.model` itself.

# %%
compare("loss before the step", t.loss, L, digits=12, label="formula")
compare("v_сидит new", t.value("W_in[сидит]", "update")[1], v - eta * grad["W_in[сидит]"],
        digits=12, label="formula")
compare("u_кот new", t.value("W_out[кот]", "update")[1], u_pos - eta * grad["W_out[кот]"],
        digits=12, label="formula")
compare("u_на new", t.value("W_out[на]", "update")[1], u_neg - eta * grad["W_out[на]"],
        digits=12, label="formula")

loss = model.step(batch, alpha=eta)
compare("model.step: loss", loss, t.loss, digits=12, label="trace")
for name, ours in (("W_in[сидит]", model.params["W_in"][centre]),
                   ("W_out[кот]", model.params["W_out"][context]),
                   ("W_out[на]", model.params["W_out"][negative])):
    compare(f"model.step: {name}", ours, t.value(name, "update")[1], digits=12, label="trace")
changed = {k: np.nonzero(np.any(model.params[k] != old, axis=1))[0].tolist()
           for k, old in (("W_in", W_in_old), ("W_out", W_out_old))}
print("rows changed:", {k: [vocab[r] for r in rows] for k, rows in changed.items()})
assert changed == {"W_in": [centre], "W_out": sorted([context, negative])}
print("loss after the step:", model.loss(batch))
assert model.loss(batch) < loss

# %% [markdown]
# ## 4. Where the negatives come from
#
# Which words should play the "random" role? word2vec draws them from the
# word counts raised to the power $3/4$:
#
# $$P_n(w) = \frac{\mathrm{count}(w)^{0.75}}{\sum_{w'} \mathrm{count}(w')^{0.75}}$$
#
# Power 1 would be plain word frequency: «the» would be almost every
# negative, and rare words would almost never be pushed away. Power 0 would
# be uniform: rare words, which carry little signal, would be drawn as often
# as common ones. The power $0.75$ sits in between: it lowers the share of
# the most frequent words and raises that of rare ones. The plot uses the
# word counts of the shipped corpus `data/synthetic.txt` (ranked by count;
# note the log scale). `NegativeSampler` in `w2v_numpy.batching.negatives`
# is the library's sampler.

# %%
counts_by_word = Counter(open("../data/synthetic.txt", encoding="utf-8").read().split())
words, counts = zip(*counts_by_word.most_common())
counts = np.array(counts, dtype=np.float64)
print(f"{len(words)} distinct words, {int(counts.sum())} tokens; most frequent:", words[:5])

fig, ax = plt.subplots(figsize=(6, 3))
for power in (1.0, 0.75, 0.0):
    probs = NegativeSampler(counts, power=power, table_size=1000).probs
    ax.plot(np.arange(1, len(counts) + 1), probs, label=f"power {power}")
    print(f"power {power}: P_n('{words[0]}') = {probs[0]:.4f}, "
          f"P_n('{words[-1]}') = {probs[-1]:.5f}, top 10 words' share {probs[:10].sum():.2f}")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("rank of the word (1 = most frequent)")
ax.set_ylabel("P_n(w)")
ax.legend(fontsize=8)
ax.set_title("noise distribution at three powers", fontsize=10)
plt.show()

# %% [markdown]
# ### Exercise 2: the noise distribution
#
# Write `noise_distribution(counts, power)`, which returns $P_n$ as an array
# that sums to 1. Then draw 20 000 negatives from it with
# `rng.choice(len(counts), size=..., p=...)`. The check compares your
# probabilities with the library's sampler, and the share of «the» among
# your draws with $P_n(\text{the})$.

# %%
# def noise_distribution(counts, power):
#     weights = ...                        # your code
#     return ...                           # your code: normalise
#
# draws = rng.choice(...)                  # your code: 20 000 word ids

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def noise_distribution(counts, power):
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


draws = rng.choice(len(counts), size=20_000, p=noise_distribution(counts, 0.75))

# %%
probs = NegativeSampler(counts, power=0.75, table_size=1000).probs
compare("your P_n, largest gap", np.abs(noise_distribution(counts, 0.75) - probs).max(), 0.0,
        tol=1e-12, label="zero")
compare("share of 'the' in your draws", np.mean(draws == 0), probs[0], tol=0.01,
        label="P_n(the)")

# %% [markdown]
# ### Try changing $k$ and the power
#
# The cell below trains the toy pair for 30 steps with $\eta = 0.5$, each
# step with $k$ fresh negatives from the three other words. It prints
# $\sigma(s)$ for the real pair, the model's "yes, a neighbour" probability,
# and the same for the other three words.
# Change `k_try` (1, 5, 20): more negatives push harder against the other
# words. For a real corpus, change `power_try` in the plot above and watch
# the top 10 words' share.

# %%
k_try, power_try = 5, 0.75                       # try k 1, 20; power 0, 1 in the plot above
m = EXAMPLES["negative_sampling"]().model
for _ in range(30):
    m.step(Batch(np.array([[centre]]), None, np.array([context]),
                 rng.choice(others, size=(1, k_try))), alpha=0.5)
yes = sigma(m.params["W_out"] @ m.params["W_in"][centre])
print(f"k = {k_try}: sigma(v_сидит . u_кот) = {yes[context]:.3f} (start {sigma(s):.3f}); "
      f"for the other words {np.round(yes[others], 3)} "
      f"(start {np.round(sigma(W_out_old[others] @ v), 3)})")

# %% [markdown]
# ## 5. What the trainer runs: the "window" formulation
#
# This notebook steps one (centre, context) pair with its own $k$
# negatives: the documents' formula, the `sgram_neg` model of this notebook.
# When you train with `Word2Vec` or the command line, skip-gram with negative
# sampling runs by default in the **window** formulation
# (`w2v_numpy/models/sgram_neg_window.py`). There, one example is a whole
# window: a centre word and all its context words. The roles are swapped, as
# in word2vec.c: each *context* word's input row predicts the *centre* word.
# And the window's pairs **share one draw** of $k$ negatives. Over a corpus
# the same pairs are seen, and each pair's loss is the formula above. Sharing
# the negatives means fewer rows to gather and update, and the scores become
# one small matrix product, which is much faster in NumPy. So when the
# notebook on real text (05) trains `sgram_neg`, it is this form that runs.

# %%
from w2v_numpy.training.policy import default_formulation

print("sgram_neg trains by default in the formulation:", default_formulation("sgram_neg"))
assert default_formulation("sgram_neg") == "window"

# %% [markdown]
# ## 6. Gradient check
#
# On the same problem, and on a batch of two pairs with $k = 3$ in which a
# negative repeats, so that repeated rows must accumulate.

# %%
from w2v_numpy.teaching.gradcheck import check

assert check(EXAMPLES["negative_sampling"]().model, batch, verbose=True) < 1e-6
batch2 = Batch(inputs=np.array([[1], [3]]), mask=None, targets=np.array([0, 2]),
               negatives=np.array([[2, 2, 3], [0, 1, 2]]))
assert check(EXAMPLES["negative_sampling"]().model, batch2, verbose=True) < 1e-6

# %% [markdown]
# **Next:** notebook 04 makes the softmax cheap in another way, with a tree.
#
# ## Appendix: where the document differs
#
# There is nothing to correct here, because the document prints no numbers
# for this step. Its worked example's «7. Краткое упоминание Negative
# Sampling» only names the setup ($k = 1$, negative «на»). Every value above
# is checked against its formulas of «6.2» and «6.3», computed with NumPy.
# Two remarks:
#
# * The document and this notebook put the *centre* word in and score the
#   *context* word. word2vec.c, and the library's default window formulation
#   (section 5), do the reverse. Over a corpus every pair is seen in both
#   directions, so both learn the same kind of vectors.
# * The document draws negatives "from the noise distribution" and does not
#   say what happens when a negative equals the context word. The library's
#   sampler draws again in that case (see the docstring of
#   `w2v_numpy.batching.negatives.NegativeSampler`), as word2vec.c skips it.
#   In this notebook the negatives are fixed by hand, so it does not arise.
