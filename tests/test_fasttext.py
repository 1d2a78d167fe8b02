"""FastText math (w2v_numpy.models.fasttext_supervised): n-grams, the worked example of
the textbook chapter (section «Аналитический пример FastText: Пошаговые вычисления»,
worked example of FastText: step-by-step computation) and finite-difference checks."""
import numpy as np
import pytest

from w2v_numpy.models import fasttext_supervised as ft
from test_glove import max_fd_error, printed  # one local helper for both files

# The document's n-gram table (in its order) and vectors; classes позитив=0, негатив=1.
DOC_TABLE = ["<хор", "хор", "оро", "рог", "оги", "гий", "ий>", "<фил", "фил", "илм", "лм>"]
DOC_E = np.array([[0.1, 0.2], [0.05, 0.15], [0.2, 0.1], [0.1, 0.05], [0.15, 0.25], [0.25, 0.0],
                  [0.0, 0.1], [0.3, 0.1], [0.1, 0.3], [0.2, 0.2], [0.05, 0.05]])
DOC_U = np.array([[0.1, -0.1], [-0.05, 0.05]])
DOC_G = [["<хор", "оро", "гий", "ий>"], ["<фил", "илм", "лм>"]]   # G_хороший, G_фильм


def doc_ids():
    index = {g: i for i, g in enumerate(DOC_TABLE)}
    return [np.array([index[g] for g in grams]) for grams in DOC_G]


# ---------------------------------------------------------------- n-grams
def test_true_trigrams_of_the_document_words():
    assert ft.char_ngrams("хороший", 3, 3) == ["<хо", "хор", "оро", "рош", "оши", "ший", "ий>"]
    assert ft.char_ngrams("фильм", 3, 3) == ["<фи", "фил", "иль", "льм", "ьм>"]
    # the erratum: most of the document's table is not among them
    true = set(ft.char_ngrams("хороший", 3, 3) + ft.char_ngrams("фильм", 3, 3))
    assert [g for g in DOC_TABLE if g in true] == ["хор", "оро", "ий>", "фил"]


def test_ngram_ranges_boundaries_and_whole_word():
    assert ft.char_ngrams("cat", 3, 4) == ["<ca", "cat", "at>", "<cat", "cat>"]
    assert ft.char_ngrams("cat", 3, 6, include_word=True)[0] == "<cat>"
    assert ft.char_ngrams("cat", 3, 6).count("<cat>") == 1           # a true 5-gram
    assert ft.char_ngrams("cat", 3, 6, include_word=True).count("<cat>") == 1
    assert ft.char_ngrams("ab", 1, 1) == ["a", "b"]                   # no lone "<" or ">"
    assert ft.char_ngrams("aaaa", 3, 3) == ["<aa", "aaa", "aaa", "aa>"]  # occurrences kept
    assert ft.char_ngrams("a", 4, 6) == []
    with pytest.raises(ValueError):
        ft.char_ngrams("cat", 4, 3)


def test_table_and_ids():
    table = ft.build_ngram_table(["cat", "cab"], 3, 3)
    assert table == {"<ca": 0, "cat": 1, "at>": 2, "cab": 3, "ab>": 4}
    np.testing.assert_array_equal(ft.ngram_ids("car", table, 3, 3), [0])   # unknown ones dropped


def test_word_and_document_vectors():
    E = np.arange(12.0).reshape(6, 2)
    np.testing.assert_allclose(ft.word_vector(E, [1, 3], "sum"), [8.0, 10.0])
    np.testing.assert_allclose(ft.word_vector(E, [1, 3], "mean"), [4.0, 5.0])
    np.testing.assert_allclose(ft.word_vector(E, [], "mean"), [0.0, 0.0])
    np.testing.assert_allclose(ft.document_vector(E, [[0], [1, 2]], "sum"), [3.0, 4.5])
    with pytest.raises(ValueError):
        ft.word_vector(E, [1], "max")


def test_log_sigmoid_is_stable():
    x = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    ls = ft.log_sigmoid(x)
    assert np.all(np.isfinite(ls))
    np.testing.assert_allclose(ls[[0, 2, 4]], [-800.0, -np.log(2.0), 0.0])
    np.testing.assert_allclose(ft.sigmoid(x) + ft.sigmoid(-x), 1.0)


# ---------------------------------------------------------------- worked example
def test_document_forward_pass():
    f = ft.forward(DOC_E, DOC_U, doc_ids(), 0, [1])
    np.testing.assert_allclose(f["word_vectors"], [[0.55, 0.4], [0.55, 0.35]], atol=1e-12)
    np.testing.assert_allclose(f["v_D"], [0.55, 0.375], atol=1e-12)
    assert f["scores"][0] == printed(0.0175, 4)
    assert f["scores"][1] == printed(-0.00875, 5)
    np.testing.assert_allclose(f["sigma"], [0.5044, 0.5022], atol=5e-5)
    np.testing.assert_allclose(-f["losses"], [-0.6844, -0.6888], atol=5e-5)
    assert f["loss"] == printed(1.3732, 4)


def test_document_gradients():
    _, g = ft.loss_and_grad(DOC_E, DOC_U, doc_ids(), 0, [1])
    np.testing.assert_allclose(g["score_error"], [-0.4956, 0.4978], atol=5e-5)
    # The document multiplies sigma rounded to 4 digits, so its 5-6 digit
    # products carry that rounding: we allow one unit of the 4th digit times |v_D|.
    np.testing.assert_allclose(g["U_rows"], [[-0.27258, -0.18585], [0.27379, 0.186675]], atol=3e-5)
    np.testing.assert_allclose(g["v_D"], [-0.07445, 0.07445], atol=5e-6)
    np.testing.assert_array_equal(g["E_index"], [0, 2, 5, 6, 7, 9, 10])
    np.testing.assert_allclose(g["E_rows"], np.tile([-0.037225, 0.037225], (7, 1)), atol=5e-6)


def test_document_update():
    E, U = DOC_E.copy(), DOC_U.copy()
    loss = ft.sgd_step(E, U, doc_ids(), 0, [1], 0.1)
    assert loss == printed(1.3732, 4)
    # sigma rounding again (see above), scaled by eta = 0.1
    np.testing.assert_allclose(U, [[0.127258, -0.081415], [-0.077379, 0.0313325]], atol=3e-6)
    used = [0, 2, 5, 6, 7, 9, 10]
    expected = DOC_E[used] - np.array([-0.0037225, 0.0037225])
    np.testing.assert_allclose(E[used], expected, atol=5e-7)
    np.testing.assert_allclose(E[used][0], [0.1037225, 0.1962775], atol=5e-7)
    unused = [1, 3, 4, 8]
    np.testing.assert_array_equal(E[unused], DOC_E[unused])


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("combine", ["sum", "mean"])
def test_gradient_check_with_shared_and_repeated_ids(combine):
    rng = np.random.default_rng(5)
    params = {"E": rng.normal(size=(7, 3)), "U": rng.normal(size=(4, 3))}
    doc = [np.array([0, 2, 2]), np.array([2, 5]), np.array([6])]   # 2 repeats, across words too
    negatives = [3, 1, 3]                                          # a repeated negative

    def loss():
        return ft.forward(params["E"], params["U"], doc, 1, negatives, combine)["loss"]

    _, g = ft.loss_and_grad(params["E"], params["U"], doc, 1, negatives, combine)
    dense = ft.to_dense(g, params["E"].shape, params["U"].shape)
    assert max_fd_error(loss, params, dense) < 1e-6


def test_sgd_step_equals_dense_gradient_step():
    rng = np.random.default_rng(6)
    E, U = rng.normal(size=(5, 2)), rng.normal(size=(3, 2))
    doc = [np.array([1, 1]), np.array([1, 4])]
    loss, g = ft.loss_and_grad(E, U, doc, 2, [0, 0], "mean")
    dense = ft.to_dense(g, E.shape, U.shape)
    E_new, U_new = E - 0.3 * dense["E"], U - 0.3 * dense["U"]
    assert ft.sgd_step(E, U, doc, 2, [0, 0], 0.3, "mean") == pytest.approx(loss)
    np.testing.assert_allclose(E, E_new, atol=1e-15)
    np.testing.assert_allclose(U, U_new, atol=1e-15)


def test_steps_separate_two_classes():
    # "good"/"bad" documents: a few SGD steps make each document score its class higher.
    table = ft.build_ngram_table(["good", "film", "bad"], 3, 3)
    docs = {0: [ft.ngram_ids(w, table, 3, 3) for w in ("good", "film")],
            1: [ft.ngram_ids(w, table, 3, 3) for w in ("bad", "film")]}
    rng = np.random.default_rng(0)
    E, U = rng.normal(scale=0.1, size=(len(table), 4)), np.zeros((2, 4))
    for _ in range(50):
        for label, doc in docs.items():
            ft.sgd_step(E, U, doc, label, [1 - label], 0.5)
    for label, doc in docs.items():
        scores = U @ ft.document_vector(E, doc)
        assert scores[label] > scores[1 - label]
