# %% [markdown]
# # Hierarchical softmax: the Huffman tree and one skip-gram step, number by number
#
# This notebook takes the four-word example of notebook 01 («кот сидит на
# коврике», centre word «сидит», context word «кот», $N = 2$, $\eta = 0.01$)
# and replaces the full softmax with **hierarchical softmax** (`sgram_hs`).
# Our source is **the textbook chapter**: Chapter 2, «Управление данными и
# векторизация в NLP» (data handling and vectorisation in NLP), of a Russian
# NLP course, a reference document that does not ship with the package (see
# `docs/references.md`); below, "the document" is this chapter. In its section
# «Оптимизации Word2Vec» (Word2Vec optimisations), the paragraph
# «Иерархический Softmax» (hierarchical softmax) describes the method in words
# only: the words are the leaves of a Huffman tree, and a word's probability
# is a product of binary decisions along the path from the root. It prints no
# numbers for it, so **every value below is ours**: each one is computed by the
# library and checked against a slow loop written here straight from the
# formula. The math is in the docstring of `w2v_numpy.models.cbow_hs`, the
# tree construction in `w2v_numpy.models.huffman`.
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
# word2vec.c computes `g = (1 - code - f) * alpha` with `f` $= \sigma(s_l)$:
# that is $-\eta\,e_l$, and its `syn1 += g * h` is our `W_out -= eta * grad`.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nbhelpers import SKIPGRAM_VOCAB, SKIPGRAM_W_IN, compare
from w2v_numpy.batching import Batch
from w2v_numpy.models import create

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
            ax.text(x, y - 0.15, f"{words[i]}\n{codes[i]}", ha="center", va="top", fontsize=11)
    ax.set_ylim(-max(tree.lengths) - 0.9, 0.4)
    ax.axis("off")


fig, ax = plt.subplots(figsize=(6, 3.6))
draw_tree(tree, vocab, ax)
ax.set_title("Huffman tree: inner nodes 0..2 (rows of W_out), codes under the words")
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
