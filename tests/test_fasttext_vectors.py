"""The FastText front door and its vectors: any word gets one, from its n-grams."""
import numpy as np
import pytest

from w2v_numpy import FastText, W2VError, load_model
from w2v_numpy.vectors.subword_vectors import FastTextKeyedVectors
from w2v_numpy.models import MODELS, create, subword_types

from conftest import GROUPS, slow_ngram_ids

SMALL = dict(vector_size=12, window=3, min_count=1, bucket=997, epochs=4, progress=False,
             seed=5, min_n=3, max_n=5)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from conftest import write_group_corpus

    path = write_group_corpus(tmp_path_factory.mktemp("ft") / "groups.txt", n_sentences=800)
    return FastText(path, sg=1, **SMALL), path


def test_sg_spelling_and_the_memory_layout(trained):
    ft, _ = trained
    assert ft.config["type"] == "fasttext_sgram" and FastText(sg=0).config["type"] == "fasttext_cbow"
    P = ft.model.params
    assert P["W_ngram"].shape == (997, 12) and P["W_in"].shape == (len(ft.vocab), 12)
    assert all(p.dtype == np.float32 for p in P.values())
    with pytest.raises(W2VError, match="sg"):
        FastText(sg=2)
    with pytest.raises(W2VError, match="max_n"):
        FastText(min_n=4, max_n=3)
    for type_ in sorted(set(MODELS) - set(subword_types())):          # their own front doors
        with pytest.raises(W2VError, match="type"):
            FastText(type=type_)


def test_vectors_are_the_means_of_the_rows(trained):
    ft, _ = trained
    wv, P = ft.wv, ft.model.params
    for word in ("alphaa", "the", "omegaf"):
        ids = slow_ngram_ids(word, 3, 5, 997)
        expected = (P["W_in"][ft.vocab.key_to_index[word]] + P["W_ngram"][ids].sum(0)) / (1 + len(ids))
        np.testing.assert_allclose(wv[word], expected, rtol=1e-5, atol=1e-7)
    unseen = "alphazz"
    assert unseen not in wv.key_to_index and unseen in wv
    np.testing.assert_allclose(wv[unseen], P["W_ngram"][slow_ngram_ids(unseen, 3, 5, 997)].mean(0),
                               rtol=1e-5, atol=1e-7)
    assert "a" not in FastTextKeyedVectors(["xy"], np.ones((1, 2)), np.ones((5, 2)), 4, 5)
    assert wv.vectors_ngrams is P["W_ngram"]            # shared with the model, not copied


def test_unseen_words_are_answered_like_gensim(trained):
    ft = pytest.importorskip("gensim.models.fasttext")
    ours, _ = trained
    wv = ours.wv
    theirs = ft.FastTextKeyedVectors(12, 3, 5, 997)
    theirs.vectors_ngrams = wv.vectors_ngrams
    for word in ("alphazz", "кошки", "betab"):       # betab is ours, unseen for gensim's table
        np.testing.assert_allclose(wv.oov_vector(word), theirs.get_vector(word), rtol=1e-5)


def test_neighbours_of_an_unseen_word_are_its_group(trained):
    ft, _ = trained
    near = [w for w, _ in ft.wv.most_similar("gammaq", topn=4)]
    assert sum(w.startswith("gamma") for w in near) >= 3, near
    near = [w for w, _ in ft.wv.most_similar(positive=["gammaa"], topn=3)]
    assert "gammaa" not in near
    assert ft.wv.similarity("gammaq", "gammab") > ft.wv.similarity("gammaq", "alphab")
    groups = [g[0][:-1] for g in GROUPS]
    assert all(any(w.startswith(g) for w, _ in ft.wv.most_similar_cosmul(g + "zz", topn=3))
               for g in groups)


def test_save_load_and_export(tmp_path, trained):
    ft, _ = trained
    ft.save(tmp_path / "m.ft")
    back = load_model(tmp_path / "m.ft")
    assert isinstance(back, FastText) and back.config == ft.config
    for k, p in ft.model.params.items():
        np.testing.assert_array_equal(back.model.params[k], p)
    np.testing.assert_array_equal(back.wv["alphazz"], ft.wv["alphazz"])
    ft.wv.save_word2vec_format(tmp_path / "m.vec")
    gensim = pytest.importorskip("gensim.models")
    kv = gensim.KeyedVectors.load_word2vec_format(str(tmp_path / "m.vec"))
    np.testing.assert_allclose(kv["alphaa"], ft.wv["alphaa"], rtol=1e-6)


def test_fasttext_update_adds_the_undivided_gradient(rng):
    """input_update="fasttext": every input row moves by alpha * dL/dh (N times the exact step)."""
    from w2v_numpy.batching import Batch

    from conftest import options_for, randomize

    assert subword_types()
    for type_ in subword_types():
        inputs = [[1]] if MODELS[type_].batch_family == "sgram" else [[1, 3]]   # a pair, a window
        exact = randomize(create(type_, 7, 3, dtype=np.float64, **options_for(type_, 7)), rng)
        batch = Batch(np.array(inputs), None, np.array([4]), np.array([[5, 6]]))
        fast = exact.astype(np.float64)
        fast.input_update = "fasttext"
        before = exact.params["W_in"].copy()
        N = exact.hidden(batch)[1][0]
        exact.step(batch, 0.1)
        fast.step(batch, 0.1)
        moved = batch.inputs[0]
        np.testing.assert_allclose((fast.params["W_in"] - before)[moved],
                                   N * (exact.params["W_in"] - before)[moved], rtol=1e-9)


def test_merge_rows_sums_repeats(rng):
    from w2v_numpy.kernels.row_sums import merge_rows

    index = np.array([7, 3, 7, 7, 1, 3, 9])
    source = rng.normal(size=(4, 3))
    owner = np.array([0, 1, 2, 3, 0, 0, 2])
    weight = rng.uniform(0.5, 2.0, 7)
    ids, rows = merge_rows(index, source, owner, weight)
    expected = np.zeros((10, 3))
    np.add.at(expected, index, source[owner] * weight[:, None])
    assert ids.tolist() == [1, 3, 7, 9]
    np.testing.assert_allclose(rows, expected[ids], rtol=1e-12)


def test_a_step_touches_only_the_batch_rows(trained):
    """The n-gram table is updated in place, row by row: no dense gradient, no copy."""
    ft, _ = trained
    model = ft.model.astype(np.float32)
    batch = next(iter(ft.make_batcher().iter_epoch(0)))[3]
    table = model.params["W_ngram"]
    before = table.copy()
    model.step(batch, 0.05)
    assert model.params["W_ngram"] is table
    changed = np.flatnonzero((table != before).any(axis=1))
    used = np.unique(np.concatenate([model.ids[model.ptr[w]:model.ptr[w + 1]]
                                     for w in batch.inputs[:, 0]]))
    assert changed.size < table.shape[0]
    assert changed.size and set(changed) <= set(used.tolist())
