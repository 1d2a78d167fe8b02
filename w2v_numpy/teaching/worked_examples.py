"""The worked examples of the reference documents, as ready-made inputs.

Each function returns an :class:`Example`: a float64 model holding exactly the
document's initial weights, the batch of its one training example, its
learning rate and the names of the rows. Only the *inputs* are here; every
number the documents print is computed from them by the library (the
notebooks and the tests compare the results with the printed values, errata
included). The examples are those of the textbook chapter: Chapter 2,
«Управление данными и векторизация в NLP» (data handling and vectorisation in
NLP), of a Russian NLP course, a reference document that does not ship with
the package. Each function below names the chapter's section it takes its
example from, by heading and with an English gloss; ``docs/references.md``
says where each section is.

``python -m w2v_numpy trace --example NAME`` prints one of them step by step.
"""
from typing import NamedTuple, Optional

import numpy as np

from ..batching import Batch, CooccurrenceBatch
from ..models import create
from ..models.fasttext_supervised import make_batch


class Example(NamedTuple):
    """A worked example: model, batch, learning rate, row names and a title."""

    model: object
    batch: object
    alpha: float
    words: list
    labels: Optional[dict]
    title: str


#: Skip-gram: the chapter's «8. Аналитический пример: Пошаговое вычисление Skip-gram»
#: (worked example: Skip-gram step by step), "кот сидит на коврике", V = 4, N = 2.
SKIPGRAM_WORDS = ["кот", "сидит", "на", "коврике"]
SKIPGRAM_W_IN = [[0.1, 0.3], [0.5, 0.7], [0.2, 0.4], [0.6, 0.8]]
SKIPGRAM_W_OUT_NxV = [[0.05, 0.15, 0.25, 0.35], [0.10, 0.20, 0.30, 0.40]]   # as printed: N x V


def _word2vec_model(type_name, w_in, w_out_nxv):
    model = create(type_name, len(w_in), len(w_in[0]), dtype=np.float64)
    model.params["W_in"][:] = w_in
    model.params["W_out"][:] = np.asarray(w_out_nxv).T      # ours: one row per word
    return model


def skipgram():
    """One full-softmax skip-gram step: centre «сидит», context «кот», eta = 0.01.

    The chapter's «8. Аналитический пример: Пошаговое вычисление Skip-gram»
    (worked example: Skip-gram step by step).
    """
    w = SKIPGRAM_WORDS
    batch = Batch(np.array([[w.index("сидит")]]), None, np.array([w.index("кот")]), None)
    return Example(_word2vec_model("sgram", SKIPGRAM_W_IN, SKIPGRAM_W_OUT_NxV), batch, 0.01, w,
                   None, "skip-gram, full softmax: centre 'сидит', context 'кот' "
                   "(the textbook chapter's worked example: Skip-gram step by step)")


def negative_sampling():
    """The skip-gram step again with negative sampling, k = 1, negative «на».

    The Skip-gram worked example's «7. Краткое упоминание Negative Sampling» (a
    brief mention of negative sampling) sketches this step but prints no numbers.
    """
    w = SKIPGRAM_WORDS
    batch = Batch(np.array([[w.index("сидит")]]), None, np.array([w.index("кот")]),
                  np.array([[w.index("на")]]))
    return Example(_word2vec_model("sgram_neg", SKIPGRAM_W_IN, SKIPGRAM_W_OUT_NxV), batch, 0.01,
                   w, None, "skip-gram with negative sampling: negative 'на' (the textbook "
                   "chapter's Skip-gram worked example: a brief mention of negative sampling)")


def cbow():
    """One full-softmax CBOW step: context «люблю», «собак» -> «кошек».

    The chapter's «Аналитический пример математической архитектуры Continuous
    Bag-of-Words (CBOW)» (worked example of the CBOW architecture).
    """
    w = ["я", "люблю", "кошек", "собак"]
    model = _word2vec_model("cbow", [[0.1, 0.3], [0.5, 0.7], [0.2, 0.4], [0.6, 0.8]],
                            [[0.9, 0.8, 0.7, 0.6], [0.5, 0.4, 0.3, 0.2]])
    batch = Batch(np.array([[w.index("люблю"), w.index("собак")]]), None,
                  np.array([w.index("кошек")]), None)
    return Example(model, batch, 0.01, w, None,
                   "CBOW, full softmax: 'люблю', 'собак' -> 'кошек' "
                   "(the textbook chapter's worked example of the CBOW architecture)")


def glove():
    """One GloVe step: entry (cat, chases), X = 1, x_max = 10, log(1 + X).

    The chapter's «Аналитический пример модели GloVe: Пошаговые вычисления»
    (worked example of the GloVe model: step-by-step computation).
    """
    w = ["cat", "chases", "mouse", "runs", "from"]
    model = create("glove", 5, 2, dtype=np.float64, x_max=10.0, alpha=0.75, target="log1p")
    model.params["W"][:] = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8], [0.9, 1.0]]
    model.params["W_ctx"][:] = [[0.05, 0.15], [0.25, 0.35], [0.45, 0.55], [0.65, 0.75],
                                [0.85, 0.95]]
    model.params["b"][:] = model.params["b_ctx"][:] = [0.01, 0.02, 0.03, 0.04, 0.05]
    batch = CooccurrenceBatch(np.array([0]), np.array([1]), np.array([1.0]))
    return Example(model, batch, 0.01, w, None,
                   "GloVe: entry (cat, chases), X = 1, target log(1 + X) "
                   "(the textbook chapter's worked example of GloVe)")


#: FastText: the chapter's «Аналитический пример FastText: Пошаговые вычисления» (worked
#: example of FastText: step-by-step computation). Its n-gram table, from the sub-heading
#: «Инициализация» (initialisation); not the true 3-grams: an erratum.
FASTTEXT_TABLE = {"<хор": [0.1, 0.2], "хор": [0.05, 0.15], "оро": [0.2, 0.1], "рог": [0.1, 0.05],
                  "оги": [0.15, 0.25], "гий": [0.25, 0.0], "ий>": [0.0, 0.1], "<фил": [0.3, 0.1],
                  "фил": [0.1, 0.3], "илм": [0.2, 0.2], "лм>": [0.05, 0.05]}
#: The n-grams the document uses for each word (its forward pass, «Шаг 1: Извлечение
#: n-грамм для каждого слова», step 1: extracting each word's n-grams).
FASTTEXT_G = {"хороший": ["<хор", "оро", "гий", "ий>"], "фильм": ["<фил", "илм", "лм>"]}


def fasttext():
    """One fastText classification step: «хороший фильм», true class «позитив», K = 1, eta = 0.1.

    The chapter's «Аналитический пример FastText: Пошаговые вычисления» (worked
    example of FastText: step-by-step computation).
    """
    grams = list(FASTTEXT_TABLE)
    model = create("fasttext_supervised", len(grams), 2, dtype=np.float64, n_labels=2)
    model.params["E"][:] = list(FASTTEXT_TABLE.values())
    model.params["U"][:] = [[0.1, -0.1], [-0.05, 0.05]]
    doc = [np.array([grams.index(g) for g in FASTTEXT_G[w]]) for w in ("хороший", "фильм")]
    batch = make_batch([doc], [0], [[1]], combine="sum")
    return Example(model, batch, 0.1, None, {"E": grams, "U": ["позитив", "негатив"]},
                   "fastText classifier: 'хороший фильм', class 'позитив', negative 'негатив' "
                   "(the textbook chapter's worked example of FastText)")


#: Preset name -> function, for ``trace --example``.
EXAMPLES = {"skipgram": skipgram, "cbow": cbow, "negative_sampling": negative_sampling,
            "glove": glove, "fasttext": fasttext}
