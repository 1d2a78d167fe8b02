"""The Huffman tree and the hierarchical-softmax models built on it."""
import heapq
import tracemalloc

import numpy as np
import pytest

from w2v_numpy import Word2Vec
from w2v_numpy.batching import Batch
from w2v_numpy.functional import sigmoid
from w2v_numpy.teaching.gradcheck import check
from w2v_numpy import kernels
from w2v_numpy.kernels import hierarchical_softmax
from w2v_numpy.models import MODELS, create, densify
from w2v_numpy.models.huffman import build, max_code_length

from conftest import family_batch, randomize
from test_gradients import slow_hs

HS_TYPES = sorted(t for t, cls in MODELS.items() if cls.output_layer == "hierarchical_softmax")


def random_counts(rng):
    V = int(rng.integers(2, 40))
    return np.sort(rng.integers(1, int(rng.choice([3, 30, 5000])), V))[::-1]


def huffman_cost(counts):
    """The optimal expected code length times the total count, independently: the sum
    of the weights merged by a heap (each merge adds one bit to every leaf below it)."""
    heap = [int(c) for c in counts]
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


def code_strings(tree):
    return ["".join(map(str, tree.codes[w, :n])) for w, n in enumerate(tree.lengths)]


def test_a_small_tree_by_hand():
    """Counts 5, 3, 2, 1: merge 1+2 (inner node 0), then node 0 (weight 3) with the
    word of count 3 (the inner node comes first on a tie, as in word2vec.c), then the root."""
    tree = build([5, 3, 2, 1])
    assert code_strings(tree) == ["0", "11", "101", "100"]
    assert tree.lengths.tolist() == [1, 2, 3, 3]
    assert [tree.points[w, :n].tolist() for w, n in enumerate(tree.lengths)] == \
        [[2], [2, 1], [2, 1, 0], [2, 1, 0]]


def test_codes_are_prefix_free_optimal_and_paths_consistent(rng):
    for _ in range(200):
        counts = random_counts(rng)
        V = counts.size
        tree = build(counts)
        codes = code_strings(tree)
        assert len(set(codes)) == V
        assert not any(a != b and b.startswith(a) for a in codes for b in codes)
        assert int((counts * tree.lengths).sum()) == huffman_cost(counts)
        assert (tree.points[:, 0] == V - 2).all()                # the root starts every path
        assert tree.points.min() >= 0 and tree.points.max() <= V - 2
        assert tree.lengths.max() <= min(V - 1, max_code_length(int(counts.sum())))
        # The same code prefix always leads to the same inner node.
        node_of = {}
        for w, code in enumerate(codes):
            for l in range(len(code)):
                assert node_of.setdefault(code[:l], tree.points[w, l]) == tree.points[w, l]
        assert len(node_of) == V - 1                             # every inner node is used


def test_unsorted_counts_give_the_same_tree_as_sorted(rng):
    counts = random_counts(rng)
    perm = rng.permutation(counts.size)
    sorted_tree, shuffled = build(counts), build(counts[perm])
    np.testing.assert_array_equal(shuffled.lengths, sorted_tree.lengths[perm])
    assert int((counts[perm] * shuffled.lengths).sum()) == huffman_cost(counts)


def test_fibonacci_counts_are_the_deepest_case():
    counts = np.array([1, 1, 2, 3, 5, 8, 13, 21][::-1])
    tree = build(counts)
    assert tree.lengths.max() == counts.size - 1 == max_code_length(int(counts.sum()))
    assert max_code_length(17_000_000) == 34 and max_code_length(267_914_296) == 40


@pytest.mark.parametrize("counts", [[7], [], [[1, 2], [3, 4]], [3, -1], [1, np.nan]])
def test_bad_counts_are_a_clear_error(counts):
    with pytest.raises(ValueError, match="counts"):
        build(np.array(counts))


def test_leaf_probabilities_sum_to_one_for_any_output_layer(rng):
    """P(w | h) = prod_l sigma((1 - 2 c_l) u_{n_l} . h) sums to 1 over the vocabulary."""
    for _ in range(20):
        counts = random_counts(rng)
        tree = build(counts)
        W_out = rng.normal(scale=2.0, size=(counts.size - 1, 4))
        h = rng.normal(size=4)
        p = [np.prod([sigmoid((1 - 2 * tree.codes[w, l]) * (W_out[tree.points[w, l]] @ h))
                      for l in range(tree.lengths[w])]) for w in range(counts.size)]
        assert sum(p) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("type_", HS_TYPES)
def test_hs_models_need_counts_and_two_words(type_):
    with pytest.raises(ValueError, match="counts"):
        create(type_, 5, 3)
    with pytest.raises(ValueError, match="at least 2 words"):
        create(type_, 1, 3, counts=[4])
    with pytest.raises(ValueError, match="counts"):
        create(type_, 6, 3, counts=[5, 4, 3, 2, 1])
    model = create(type_, 5, 3, counts=[5, 4, 3, 2, 1])
    assert model.params["W_out"].shape == (4, 3) and not model.params["W_out"].any()
    assert model.params["W_in"].shape == (5, 3)


@pytest.mark.parametrize("type_", HS_TYPES)
def test_hs_loss_is_minus_log_of_the_leaf_probability(type_, rng):
    counts = np.array([9, 7, 4, 4, 2, 1])
    model = create(type_, 6, 3, dtype=np.float64, counts=counts)
    for p in model.params.values():
        p[:] = rng.normal(size=p.shape)
    inputs = np.array([[1]] * 6) if model.batch_family == "sgram" else np.array([[1, 3]] * 6)
    batch = Batch(inputs, None, np.arange(6), None)
    f = model.forward(batch)
    probs = np.exp(-f["loss"])
    assert probs.sum() == pytest.approx(1.0, rel=1e-12)          # same h, every word once
    assert f["s"].shape == (6, model.tree.lengths.max())
    assert (f["e"][~f["on_path"]] == 0).all()
    assert check(model, batch) < 1e-6


@pytest.mark.parametrize("type_", HS_TYPES)
@pytest.mark.parametrize("levels", [0, 1, 3, 40])
def test_the_dense_top_split_changes_nothing(type_, levels, rng):
    """The reference equals the slow loop and finite differences, and the trainer's kernel,
    which treats the first ``levels`` tree levels as a dense block, equals the slow loop at
    any split (paths up to 9 deep)."""
    counts = (1000 / np.arange(1, 41) ** 1.5).astype(int) + 1
    model = randomize(create(type_, 40, 3, dtype=np.float64, counts=counts), rng)
    batch = family_batch(model, rng, B=12)
    assert model.tree.lengths[batch.targets].max() > 6
    loss, ref = slow_hs(model, batch)
    assert model.loss(batch) == pytest.approx(loss, rel=1e-12)
    assert model.forward(batch)["loss"].sum() == pytest.approx(loss, rel=1e-12)
    grad = model.grad(batch)
    for k in ref:
        np.testing.assert_allclose(grad[k], ref[k], rtol=1e-10, atol=1e-12)
    assert check(model, batch) < 1e-6
    top = hierarchical_softmax.dense_top(model.tree, levels)
    h = model.forward(batch)["h"]
    fast, _, rows = hierarchical_softmax.top_block_output(h, model.params["W_out"], model.tree,
                                                          batch, 1.0, top)
    assert fast == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(densify(model.params, {"W_out": rows})["W_out"], ref["W_out"],
                               rtol=1e-10, atol=1e-12)


def test_hs_step_allocates_nothing_of_size_batch_times_vocab():
    V, B = 50_000, 64
    counts = np.arange(V, 0, -1)
    model = create("cbow_hs", V, 2, dtype=np.float64, counts=counts)
    rng = np.random.default_rng(0)
    batch = Batch(rng.integers(0, V, (B, 4)), None, rng.integers(0, V, B), None)
    kernels.step(model, batch, 0.1)          # once first: the kernel's dense top block is made once
    tracemalloc.start()
    kernels.step(model, batch, 0.1)                                    # the trainer's step
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < B * V * 8 / 4, peak


def test_word2vec_hs_spelling_save_and_load(tmp_path, group_corpus, rng):
    """gensim's hs=1, negative=0 picks the HS type of the family; a loaded model rebuilds
    the same tree from the stored counts and gives the same loss."""
    assert Word2Vec(type="sgram_neg", hs=1, negative=0).config["type"] == "sgram_hs"
    with pytest.raises(ValueError, match="negative=0"):
        Word2Vec(type="sgram", hs=1)
    with pytest.raises(ValueError, match="hs"):
        Word2Vec(type="sgram", hs=2, negative=0)
    w2v = Word2Vec(group_corpus, type="cbow", hs=1, negative=0, vector_size=8, window=2,
                   min_count=1, epochs=1, progress=False)
    assert (w2v.config["type"], w2v.config["negative"]) == ("cbow_hs", 0)
    w2v.save(tmp_path / "hs.model")
    back = Word2Vec.load(tmp_path / "hs.model")
    for mine, theirs in zip(w2v.model.tree, back.model.tree):
        np.testing.assert_array_equal(mine, theirs)
    V = len(w2v.vocab)
    batch = Batch(rng.integers(0, V, (6, 4)), rng.random((6, 4)) < 0.7, rng.integers(0, V, 6), None)
    batch.mask[:, 0] = True
    assert back.model.loss(batch) == w2v.model.loss(batch) > 0
