# %% [markdown]
# # Hierarchical softmax: the Huffman tree and one skip-gram step, number by number
#
# **The question.** Negative sampling (notebook 03) made a step cheap by
# giving up the softmax's probability distribution. Can we keep a true
# probability over all $V$ words, and still pay far less than $V$ dot
# products per step?
#
# **The intuition.** Play "twenty questions". Put the words at the leaves of
# a binary tree. To reach a word from the root you answer one left/right
# question per inner node, and each answer is a sigmoid of one dot product.
# A word's probability is the product of the answers along its path. At every
# node the two branches add up to 1, so the leaves add up to 1: a real
# distribution. A step touches only the nodes on one path, about $\log_2 V$
# of them. A **Huffman** tree makes frequent words' paths shorter still.
#
# **What you need.** Notebook 01 (the setup, the softmax step) and notebook
# 03 (sigmoids, "probability minus label" errors). NumPy and the chain rule.
#
# **What changes from notebook 01.**
#
# * $W_{out}$ now has one row per *inner node* of the tree ($V - 1$ rows),
#   not one per word.
# * The score of a word is replaced by $L$ node scores along its path, and
#   the softmax by a product of sigmoids.
# * The loss is still $-\log P(кот \mid сидит)$ with $P$ summing to 1 over
#   the words, but $P$ comes from a different model, so its value differs
#   from notebook 01's 1.575.
#
# **Our source.** We keep the four-word example of notebook 01 («кот сидит
# на коврике», centre «сидит», context «кот», $N = 2$, $\eta = 0.01$) and
# use the library's `sgram_hs` model. **The textbook chapter** (Chapter 2,
# «Управление данными и векторизация в NLP», data handling and vectorisation
# in NLP, of a Russian NLP course; it does not ship with the package, see
# `docs/references.md`) describes the method in words only, in the paragraph
# «Иерархический Softmax» (hierarchical softmax) of its section «Оптимизации
# Word2Vec» (Word2Vec optimisations). It prints no numbers, so **every value
# below is ours**: each is computed by the library and checked against a
# slow loop written here straight from the formula. The math is in the
# docstring of `w2v_numpy.models.cbow_hs`, the tree in
# `w2v_numpy.models.huffman`.
#
# For a word with path nodes $n_1 \dots n_L$ ($n_1$ the root), branch bits
# $c_1 \dots c_L$ and scores $s_l = \mathbf u_{n_l}^\top \mathbf h$:
#
# $$P(w \mid \mathbf h) = \prod_{l=1}^{L} \sigma\big((1 - 2c_l)\,s_l\big), \qquad
#   L = -\sum_l \log\sigma\big((1 - 2c_l)\,s_l\big), \qquad
#   e_l = \frac{\partial L}{\partial s_l} = \sigma(s_l) - (1 - c_l)$$
#
# $$\frac{\partial L}{\partial \mathbf u_{n_l}} = e_l\,\mathbf h, \qquad
#   \frac{\partial L}{\partial \mathbf h} = \sum_l e_l\,\mathbf u_{n_l}$$
#
# Bit 0 means "go left", with probability $\sigma(s_l)$; bit 1 "go right",
# with probability $1 - \sigma(s_l) = \sigma(-s_l)$. Each node is a small
# logistic regression whose label is $1 - c_l$.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nbhelpers import SKIPGRAM_VOCAB, SKIPGRAM_W_IN, compare
from w2v_numpy.batching import Batch
from w2v_numpy.models import create, huffman

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## 1. Word counts and the Huffman tree
#
# We need word counts, which the document does not give: we take
# «на» 5, «сидит» 3, «кот» 2, «коврике» 1 (a preposition is the most
# frequent word of a real corpus). The tree is built as word2vec.c's
# `CreateBinaryTree` builds it: repeatedly join the two lightest nodes; the
# lighter one gets bit 0; inner nodes are numbered 0, 1, 2 in the order they
# are made, so the root is node $V - 2 = 2$.
#
# * «коврике» (1) + «кот» (2) → node 0 (weight 3)
# * node 0 (3) + «сидит» (3) → node 1 (weight 6); on a tie the inner node
#   comes first, as in the C code
# * «на» (5) + node 1 (6) → node 2, the root (weight 11)

# %%
vocab = SKIPGRAM_VOCAB                                   # ["кот", "сидит", "на", "коврике"]
counts = np.array([2, 3, 5, 1])                          # ours: кот, сидит, на, коврике
V, N = SKIPGRAM_W_IN.shape
model = create("sgram_hs", vocab_size=V, vector_dim=N, dtype=np.float64, counts=counts)
tree = model.tree
for w, word in enumerate(vocab):
    n = tree.lengths[w]
    print(f"{word:<8} count {counts[w]}  code {''.join(map(str, tree.codes[w, :n])):<4} "
          f"path (inner nodes) {tree.points[w, :n].tolist()}")

codes = ["".join(map(str, tree.codes[w, :tree.lengths[w]])) for w in range(V)]
compare("codes", codes, ["101", "11", "0", "100"], label="hand")
compare("expected code length", (counts * tree.lengths).sum() / counts.sum(), 20 / 11,
        digits=6, label="hand")

# %% [markdown]
# The picture: inner nodes are circles holding their id (one row of `W_out`
# each), leaves are the words; the left edge of a node is bit 0, the right
# edge bit 1.

# %%
def draw_tree(tree, words, ax):
    """Lay the tree out from the paths (depth = row, leaves spread evenly) and draw it."""
    V = len(words)
    children = {}                                            # inner node -> {bit: child}
    for w in range(V):
        n = tree.lengths[w]
        path = [("node", int(p)) for p in tree.points[w, :n]] + [("word", w)]
        for l in range(n):
            children.setdefault(path[l][1], {})[int(tree.codes[w, l])] = path[l + 1]
    pos, leaf_x = {}, iter(range(V))

    def place(item, depth):
        kind, i = item
        if kind == "word":
            pos[item] = (next(leaf_x), -depth)
        else:
            kids = [place(children[i][b], depth + 1) for b in (0, 1)]
            pos[item] = (sum(x for x, _ in kids) / 2, -depth)
        return pos[item]

    place(("node", V - 2), 0)
    for i, kids in children.items():
        x0, y0 = pos[("node", i)]
        for bit, child in kids.items():
            x1, y1 = pos[child]
            ax.plot([x0, x1], [y0, y1], color="grey", zorder=1)
            ax.text((x0 + x1) / 2 + (-0.12 if bit == 0 else 0.08), (y0 + y1) / 2, str(bit),
                    color="tab:red", fontsize=12)
    for (kind, i), (x, y) in pos.items():
        if kind == "node":
            ax.scatter([x], [y], s=700, color="tab:blue", zorder=2)
            ax.text(x, y, str(i), color="white", ha="center", va="center", fontsize=12)
        else:
            code = "".join(map(str, tree.codes[i, :tree.lengths[i]]))
            ax.text(x, y - 0.15, f"{words[i]}\n{code}", ha="center", va="top", fontsize=11)
    ax.set_ylim(-max(tree.lengths) - 0.9, 0.4)
    ax.axis("off")


fig, ax = plt.subplots(figsize=(6, 3.6))
draw_tree(tree, vocab, ax)
ax.set_title("Huffman tree: inner nodes 0..2 (rows of W_out), codes under the words")
plt.show()

# %% [markdown]
# ### Why a Huffman tree: shorter paths for frequent words
#
# A step costs one dot product per node on the path. In a balanced tree
# every path has about $\log_2 V$ nodes. Huffman gives frequent words short
# codes, so the *expected* path length, weighted by how often each word
# occurs, is lower. No binary tree can beat the entropy
# $H = -\sum_w p_w \log_2 p_w$ of the word frequencies, and Huffman is
# always within 1 of it. The plot uses Zipf counts (the $r$-th most frequent
# word occurs about $1/r$ as often as the first), which is roughly how real
# text behaves, and builds each tree with `w2v_numpy.models.huffman.build`.

# %%
def expected_length(counts, lengths):
    return (counts * lengths).sum() / counts.sum()


Vs = 2 ** np.arange(2, 17)
huff, entropy = [], []
for V_ in Vs:
    zipf = np.maximum(1, np.round(1e7 / np.arange(1, V_ + 1)))      # counts, most frequent first
    huff.append(expected_length(zipf, huffman.build(zipf).lengths))
    f_ = zipf / zipf.sum()
    entropy.append(-(f_ * np.log2(f_)).sum())
fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(Vs, np.log2(Vs), "--", label="balanced tree: log2 V")
ax.plot(Vs, huff, "o-", ms=3, label="Huffman, Zipf counts: expected length")
ax.plot(Vs, entropy, ":", label="entropy of the counts (lower bound)")
ax.set_xscale("log", base=2)
ax.set_xlabel("vocabulary size V")
ax.set_ylabel("nodes per step")
ax.legend(fontsize=8)
plt.show()
print(f"V = {Vs[-1]}: balanced {np.log2(Vs[-1]):.1f} nodes, Huffman {huff[-1]:.2f}, "
      f"entropy {entropy[-1]:.2f}; a full softmax would score all {Vs[-1]} words")
assert all(h_ < np.log2(V_) for h_, V_ in zip(huff, Vs) if V_ >= 8)
assert all(e_ <= h_ < e_ + 1 for e_, h_ in zip(entropy, huff))

# %% [markdown]
# ### Exercise 1: Huffman code lengths with a heap
#
# Write `huffman_lengths(counts)`, which returns the path length (code
# length) of every word. Use Python's `heapq`: push `(weight, tie_breaker,
# list_of_words)` for each word; then, while more than one item is left, pop
# the two lightest, add 1 to the length of every word in both, and push their
# union with the summed weight.
#
# When two weights are equal, your tree may differ from word2vec.c's (which
# the library copies), so single lengths may differ. But every Huffman tree
# has the same, smallest possible, expected length. The check compares that.

# %%
# import heapq
#
# def huffman_lengths(counts):
#     lengths = np.zeros(len(counts), dtype=int)
#     heap = [...]                         # your code: one (count, id, [id]) per word
#     heapq.heapify(heap)
#     while len(heap) > 1:
#         ...                              # your code: pop two, lengthen, push the union
#     return lengths

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
import heapq


def huffman_lengths(counts):
    lengths = np.zeros(len(counts), dtype=int)
    heap = [(c, i, [i]) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    tie = len(counts)
    while len(heap) > 1:
        w1, _, words1 = heapq.heappop(heap)
        w2, _, words2 = heapq.heappop(heap)
        lengths[words1 + words2] += 1
        heapq.heappush(heap, (w1 + w2, tie, words1 + words2))
        tie += 1
    return lengths


# %%
compare("your lengths, our four words", huffman_lengths(counts).tolist(), tree.lengths.tolist(),
        label="library")
for V_ in (10, 100, 1000):
    zipf = np.maximum(1, np.round(1e4 / np.arange(1, V_ + 1)))
    compare(f"expected length, Zipf V = {V_}", expected_length(zipf, huffman_lengths(zipf)),
            expected_length(zipf, huffman.build(zipf).lengths), digits=12, label="library")

# %% [markdown]
# ### Try changing the counts
#
# Give all four words the same count (`counts_try = [1, 1, 1, 1]`): the tree
# becomes balanced. Try `[1, 2, 4, 8]`, or make «коврике» the most frequent
# word. Which word gets the shortest code, and what happens to the expected
# length?

# %%
counts_try = np.array([2, 3, 5, 1])                 # кот, сидит, на, коврике; try [1, 1, 1, 1]
tree_try = huffman.build(counts_try)
fig, ax = plt.subplots(figsize=(5, 3))
draw_tree(tree_try, vocab, ax)
ax.set_title(f"counts {counts_try.tolist()}: expected length "
             f"{expected_length(counts_try, tree_try.lengths):.3f}", fontsize=10)
plt.show()

# %% [markdown]
# ## 2. Parameters and the training pair
#
# `W_in` is the document's (notebook 01). `W_out` now has one row per inner
# node, $V - 1 = 3$ rows; we give them the values of the document's first
# three output columns (our choice: the document has no such matrix).

# %%
W_out_start = np.array([[0.05, 0.10], [0.15, 0.20], [0.25, 0.30]])   # ours: nodes 0, 1, 2
model.params["W_in"][:] = SKIPGRAM_W_IN
model.params["W_out"][:] = W_out_start
centre, context = vocab.index("сидит"), vocab.index("кот")
batch = Batch(inputs=np.array([[centre]]), mask=None, targets=np.array([context]), negatives=None)
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
print("W_in:\n", W_in_old, "\nW_out (one row per inner node):\n", W_out_old)

# %% [markdown]
# ## 3. The slow loop, straight from the formula
#
# One node at a time along the path of «кот» (nodes 2, 1, 0; bits 1, 0, 1).

# %%
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def slow_step(W_in, W_out, centre, context, eta):
    """Every intermediate of one skip-gram HS step, computed one node at a time."""
    h = W_in[centre].copy()
    n = tree.lengths[context]
    nodes, bits = tree.points[context, :n], tree.codes[context, :n]
    out = {"nodes": nodes, "s": [], "sigma": [], "e": [], "loss": 0.0, "dh": np.zeros(N)}
    W_out_new = W_out.copy()
    for node, c in zip(nodes, bits):
        s = W_out[node] @ h
        out["s"].append(s)
        out["sigma"].append(sigmoid(s))
        out["loss"] += -np.log(sigmoid((1 - 2 * c) * s))
        e = sigmoid(s) - (1 - c)
        out["e"].append(e)
        out["dh"] += e * W_out[node]
        W_out_new[node] -= eta * e * h
    out["h"], out["W_out_new"] = h, W_out_new
    out["v_new"] = W_in[centre] - eta * out["dh"]
    return out


slow = slow_step(W_in_old, W_out_old, centre, context, eta=0.01)

# %% [markdown]
# ## 4. Forward pass with the library
#
# `model.forward` pads the paths of a batch to its longest path (here one
# example, so no padding) and returns the intermediates by name.

# %%
f = model.forward(batch)
compare("path of кот (nodes)", f["nodes"][0].tolist(), slow["nodes"].tolist(), label="slow loop")
compare("bits of кот", f["codes"][0].tolist(), [1, 0, 1], label="slow loop")
compare("h = v_сидит", f["h"][0], slow["h"], digits=12, label="slow loop")
compare("node scores s", f["s"][0], slow["s"], digits=12, label="slow loop")
compare("sigma(s)", f["sigma"][0], slow["sigma"], digits=12, label="slow loop")
compare("per-node errors e", f["e"][0], slow["e"], digits=12, label="slow loop")
compare("loss", f["loss"][0], slow["loss"], digits=12, label="slow loop")
p_words = [np.exp(-model.forward(Batch(batch.inputs, None, np.array([w]), None))["loss"][0])
           for w in range(V)]
print("P(w | сидит) for кот, сидит, на, коврике:", np.round(p_words, 6))
compare("P sums to 1 over the leaves", sum(p_words), 1.0, digits=12, label="exact")

# %% [markdown]
# ### Exercise 2: a word's probability from its path
#
# Write `hs_probability(h, W_out, nodes, bits)`: the product, over the
# path, of $\sigma(s_l)$ where the bit is 0 and $1 - \sigma(s_l)$ where it
# is 1. The check computes it for all four words, compares each with the
# model's loss (as $e^{-L}$) and checks that the four add up to 1.

# %%
# def hs_probability(h, W_out, nodes, bits):
#     s = ...                                  # your code: one score per node on the path
#     return ...                               # your code: product of sigma((1 - 2 c) s)

# %% tags=["solution"] jupyter={"source_hidden": true}
# solution
def hs_probability(h, W_out, nodes, bits):
    s = W_out[nodes] @ h
    return np.prod(sigmoid((1 - 2 * np.asarray(bits)) * s))


# %%
yours = [hs_probability(W_in_old[centre], W_out_old, tree.points[w, :tree.lengths[w]],
                        tree.codes[w, :tree.lengths[w]]) for w in range(V)]
compare("your P(w | сидит)", yours, p_words, digits=12, label="model")
compare("your P sums to 1", sum(yours), 1.0, digits=12, label="exact")

# %% [markdown]
# ## 5. Backward pass and the SGD step
#
# `model.grad` is dense for teaching: only the three node rows on the path of
# «кот» and the row of «сидит» in `W_in` receive gradient.

# %%
grad = model.grad(batch)
compare("dL/dh", grad["W_in"][centre], slow["dh"], digits=12, label="slow loop")
for l, node in enumerate(slow["nodes"]):
    compare(f"dL/du_node{node} = e h", grad["W_out"][node], slow["e"][l] * slow["h"], digits=12,
            label="slow loop")

loss = model.step(batch, alpha=0.01)
compare("loss returned by step", loss, slow["loss"], digits=12, label="slow loop")
compare("v_сидит new", model.params["W_in"][centre], slow["v_new"], digits=12, label="slow loop")
compare("W_out new", model.params["W_out"].ravel(), slow["W_out_new"].ravel(), digits=12,
        label="slow loop")
print("W_out after the step:\n", model.params["W_out"])
print("v_сидит after the step:", model.params["W_in"][centre])
p_after = np.exp(-model.forward(batch)["loss"][0])
print(f"P(кот | сидит): {p_words[context]:.6f} -> {p_after:.6f}")
assert p_after > p_words[context]

# %% [markdown]
# ## 6. Gradient check
#
# `w2v_numpy.teaching.gradcheck.check` compares `model.grad` with central differences
# of `model.loss` in float64, here on a batch of all 4 x 3 (centre, context)
# pairs of the sentence, so that the root's row collects many contributions.

# %%
from w2v_numpy.teaching.gradcheck import check

pairs = [(c, o) for c in range(V) for o in range(V) if c != o]
full = Batch(np.array([[c] for c, _ in pairs]), None, np.array([o for _, o in pairs]), None)
error = check(model, full, eps=1e-6, verbose=True)
assert error < 1e-6

# %% [markdown]
# ## 7. What the trainer runs, and where to go next
#
# As with negative sampling (notebook 03, section 5), `Word2Vec` and the
# command line train `sgram_hs` by default in the **window** formulation
# (`w2v_numpy/models/sgram_hs_window.py`): each context word's input row
# walks the *centre* word's path, as in word2vec.c, and a whole window is
# one small matrix product. The per-node formula is the one above.
#
# Hierarchical softmax or negative sampling? Both make a step cost about
# $\log_2 V$ or $k$ dot products instead of $V$. Hierarchical softmax keeps a
# true probability over the vocabulary; its rare words sit deep in the tree.
# Negative sampling is simpler and is the usual default. Notebook 05 trains
# on real text.
#
# ## Appendix: where the document differs
#
# The document describes hierarchical softmax in words only, so there are no
# printed numbers to disagree with. Three things here are our choices, not
# the document's:
#
# * **The word counts** «на» 5, «сидит» 3, «кот» 2, «коврике» 1. The
#   document gives none; a Huffman tree needs them.
# * **The node vectors** `W_out`: the document has no such matrix, so we
#   took the first three output columns of its Skip-gram example.
# * **The sign of the update.** word2vec.c writes `g = (1 - code - f) *
#   alpha`, with `f` $= \sigma(s_l)$. That is $-\eta\,e_l$, so its
#   `syn1 += g * h` is our `W_out -= eta * grad`. The cell below checks that
#   the two conventions give the same new node rows.

# %%
c_bits = tree.codes[context, :tree.lengths[context]]
f_ = sigmoid(W_out_old[slow["nodes"]] @ slow["h"])
g_c = (1 - c_bits - f_) * 0.01                            # word2vec.c's g, one per node
syn1 = W_out_old.copy()
syn1[slow["nodes"]] += g_c[:, None] * slow["h"]
compare("word2vec.c's syn1 += g h", syn1.ravel(), slow["W_out_new"].ravel(), digits=12,
        label="ours")
