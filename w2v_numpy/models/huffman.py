r"""The Huffman tree of hierarchical softmax, built the way word2vec.c builds it.

Notes
-----
Hierarchical softmax puts the V words at the leaves of a binary tree with
V - 1 inner nodes, each holding one output vector. A word is reached from the
root by a path of inner nodes :math:`n_1 \dots n_L` (:math:`n_1` the root) and
a code of bits :math:`c_1 \dots c_L`, :math:`c_l` being the branch taken at
:math:`n_l`. A Huffman tree built from the word counts gives frequent words
short paths, so the expected path length :math:`\sum_w f_w L_w / \sum_w f_w`
is the smallest any binary tree can have (the optimal prefix code).

The construction follows word2vec.c's ``CreateBinaryTree`` step by step. The
words are taken in count-descending order (ties by id; the vocabulary's ids
already are in that order, so for it nothing moves). Two queues are merged:
the leaves, read from the rarest up, and the new inner nodes, which come out
in non-decreasing weight. At step :math:`a = 0 \dots V-2` the two lightest
heads are joined into inner node :math:`a`; the lighter one gets bit 0, the
other bit 1, and on equal weights a leaf is taken only if it is strictly
lighter than the inner node at the head (``count[pos1] < count[pos2]`` in the
C code). So the inner nodes are numbered 0..V-2 in order of creation, the root
is node V-2 and is the first entry of every path, and the bits are those of
word2vec.c's ``vocab[w].code`` with ``vocab[w].point`` as node ids.

**Code length bound.** A path never has more than V - 1 nodes, and a Huffman
tree is never deep unless the counts grow like the Fibonacci numbers: with
integer counts >= 1 (a vocabulary's), a word at depth :math:`L` forces the
total count :math:`N \ge F_{L+2}` (:math:`F_1 = F_2 = 1`; counts 1, 1, 2, 3,
5, ... reach it, and a test checks both). So
:math:`L \le \max\{L : F_{L+2} \le N\}`, about :math:`1.44 \log_2 N`: 34
for the 17M tokens of wiki17m, 40 (word2vec.c's fixed ``MAX_CODE_LENGTH``)
only beyond 267M tokens. :func:`max_code_length` computes
the bound. Our arrays are sized by the actual longest path, so there is no
fixed limit to overflow (word2vec.c does not check its 40-entry arrays).
"""
from typing import NamedTuple

import numpy as np

from ..errors import W2VError


class HuffmanTree(NamedTuple):
    """Root-first paths of every word, padded to the longest one.

    Attributes
    ----------
    points : int64 (V, L)   inner-node ids (0..V-2) on the path, root (V-2) first; 0 past the end
    codes : int8 (V, L)     the bit taken at each of those nodes; 0 past the end
    lengths : int64 (V,)    path length of each word (>= 1)
    """

    points: np.ndarray
    codes: np.ndarray
    lengths: np.ndarray


def merge_order(counts):
    """word2vec.c's two-queue merge, on the words in count-descending order.

    Returns
    -------
    order : int64 (V,)      word id at each sorted position
    parent : int64 (2V-2,)  parent node of each node (leaves 0..V-1 in sorted order, then
                            inner node a at V + a)
    bit : int8 (2V-2,)      the bit on the edge from each node to its parent
    """
    V = counts.size
    order = np.argsort(-counts, kind="stable")
    weight = counts[order].tolist() + [0] * (V - 1)
    parent = [0] * (2 * V - 2)
    bit = [0] * (2 * V - 2)
    leaf, inner = V - 1, V               # heads of the two queues
    for a in range(V - 1):
        picked = []
        for _ in range(2):
            if leaf >= 0 and (inner >= V + a or weight[leaf] < weight[inner]):
                picked.append(leaf)
                leaf -= 1
            else:
                picked.append(inner)
                inner += 1
        weight[V + a] = weight[picked[0]] + weight[picked[1]]
        parent[picked[0]] = parent[picked[1]] = V + a
        bit[picked[1]] = 1
    return order, np.array(parent, dtype=np.int64), np.array(bit, dtype=np.int8)


def build(counts):
    """The Huffman tree of a vocabulary's word counts (see the module Notes).

    Parameters
    ----------
    counts : array (V,)
        Non-negative counts, one per word id.

    Returns
    -------
    HuffmanTree

    Raises
    ------
    W2VError
        If there are fewer than 2 words (a tree needs a root with two
        children), or the counts are not a 1-D array of finite numbers >= 0.
    """
    counts = np.asarray(counts)
    if counts.ndim != 1 or not np.issubdtype(counts.dtype, np.number) \
            or not np.isfinite(counts).all() or (counts < 0).any():
        raise W2VError("must be a 1-D array of finite word counts >= 0", param="counts")
    V = counts.size
    if V < 2:
        raise W2VError(f"hierarchical softmax needs at least 2 words in the vocabulary, got {V}",
                       param="counts")
    order, parent, bit = merge_order(counts)
    root = 2 * V - 2
    # Walk every leaf up to the root at once, recording (parent, bit) leaf-first.
    node = np.arange(V)
    up_nodes, up_bits = [], []
    lengths = np.zeros(V, dtype=np.int64)
    while (node != root).any():
        climbing = node != root
        lengths += climbing
        up_bits.append(np.where(climbing, bit[np.minimum(node, root - 1)], 0))
        node = np.where(climbing, parent[np.minimum(node, root - 1)], root)
        up_nodes.append(node - V)
    up_nodes, up_bits = np.stack(up_nodes, axis=1), np.stack(up_bits, axis=1)   # (V, L) leaf-first
    L = up_nodes.shape[1]
    # Reverse each row's first lengths[v] entries: root first.
    j = np.arange(L)
    src = np.clip(lengths[:, None] - 1 - j, 0, L - 1)                            # (V, L)
    inside = j < lengths[:, None]
    points = np.where(inside, np.take_along_axis(up_nodes, src, axis=1), 0)
    codes = np.where(inside, np.take_along_axis(up_bits, src, axis=1), 0).astype(np.int8)
    # Rows are in sorted order; put them back in word-id order.
    out = HuffmanTree(np.empty_like(points), np.empty_like(codes), np.empty_like(lengths))
    for target, source in zip(out, (points, codes, lengths)):
        target[order] = source
    return out


def top_nodes(tree, levels):
    """The inner nodes less than ``levels`` steps below the root, and where each one sits.

    Returns
    -------
    top : int64 (t,)   their ids, ascending (t <= 2**levels - 1)
    col : int64 (V-1,) position of each inner node in ``top``; t for the deeper ones
    """
    V = tree.lengths.shape[0]
    on = np.arange(tree.points.shape[1])[None, :] < tree.lengths[:, None]      # (V, L)
    depth = np.zeros(V - 1, dtype=np.int64)
    depth[tree.points[on]] = np.nonzero(on)[1]              # a node sits at one depth in every path
    top = np.flatnonzero(depth < levels)
    col = np.full(V - 1, top.size, dtype=np.int64)
    col[top] = np.arange(top.size)
    return top, col


def max_code_length(total):
    """The largest path length a Huffman tree over counts summing to ``total`` can have:
    the largest L with F(L + 2) <= total (Fibonacci numbers, F(1) = F(2) = 1)."""
    fib, L = [1, 1, 2], 0              # fib[k] = F(k + 1): fib[L + 1] = F(L + 2)
    while fib[L + 2] <= total:
        L += 1
        fib.append(fib[-1] + fib[-2])
    return L
