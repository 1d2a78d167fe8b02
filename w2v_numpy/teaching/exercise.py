r"""Exercises: write an objective's ``loss_and_grad`` yourself, then let the library check it.

``python -m w2v_numpy exercise sgram_neg`` writes ``sgram_neg.py`` (:func:`write_exercise`):
a docstring with the objective, the parameters' and the batch's names and shapes, a
printed example batch and the derivation page to read, a line ``TYPE = "sgram_neg"``
and one function to fill in::

    def loss_and_grad(params, batch):
        ...
        return loss, grads       # float, {name: dense array shaped like params[name]}

``python -m w2v_numpy check sgram_neg.py`` then runs
:func:`w2v_numpy.teaching.exercise_check.check_exercise` on it.

This module holds what the skeleton and the checker share: the check's small
vocabulary, the model each type is checked against (the registry's reference
class, :func:`check_model`), the tiny batches with repeated words
(:func:`example_batch`), and the batch the student's function receives
(:func:`student_batch`: a dict of plain arrays, with the few things a type needs
beyond the reference's batch fields, e.g. the Huffman paths).
"""
import os
import re
import sys

import numpy as np

from ..backend import to_numpy
from ..batching import Batch, CooccurrenceBatch
from ..errors import W2VError
from ..models import MODELS, create
from ..models.cbow_hs import padded_paths
from ..models.fasttext_supervised import make_batch

#: The check's vocabulary: rows of the word parameters are named by these words.
WORDS = ("king", "queen", "man", "woman", "paris", "france", "cat", "dog", "apple", "river")
#: The check's class names (the classifier types' labels).
LABELS = ("__label__sport", "__label__food", "__label__music")
#: Sizes of the check's problems: vector size, negatives, subword settings.
DIM, NEGATIVES = 3, 2
SUBWORDS = dict(min_n=2, max_n=3, bucket=11)
#: Word counts of the check's vocabulary (hierarchical softmax builds its tree from them).
COUNTS = np.array([40, 31, 25, 18, 12, 9, 7, 5, 3, 2])

_H = "h = W_in[inputs[b, 0]]   (the centre word's input row)"
_H_MEAN = ("h = (1/n) * sum of W_in[inputs[b, c]] over the real slots c (mask[b, c] True),\n"
           "    n = mask[b].sum()   (the mean of the context words' input rows)")
_NS = ("L = - log sigmoid(W_out[t] . h) - sum_k log sigmoid(-W_out[n_k] . h)\n"
       "    t = targets[b], n_k = negatives[b, k]")
_SOFTMAX = "L = - log softmax(W_out @ h)[targets[b]]   (a softmax over all V words)"
_HS = ("L = - sum over the target's path l of log sigmoid((1 - 2 * path_codes[b, l]) * W_out[path_nodes[b, l]] . h)\n"
       "    (only where on_path[b, l] is True)")
_X = ("h = x_t = (W_in[t] + sum_g W_ngram[g]) / (1 + |G_t|),   t = inputs[b, 0],\n"
      "    G_t = ngram_ids[ngram_ptr[t]:ngram_ptr[t + 1]]  (an id listed twice counts twice)")
_X_MEAN = ("h = (sum over the real slots c of (W_in[w_c] + sum_{g in G_w_c} W_ngram[g])) / N,\n"
           "    w_c = inputs[b, c] where mask[b, c], N = sum over those slots of (1 + |G_w_c|),\n"
           "    G_w = ngram_ids[ngram_ptr[w]:ngram_ptr[w + 1]]")
_DOC = ("v_D = sum over the entries n with doc[n] == b of weights[n] * E[ids[n]]   "
        "(document b's vector)")

#: type -> (the objective in words, its formula per example b; the loss is the sum over b).
OBJECTIVES = {
    "sgram": ("Skip-gram with a full softmax: the centre word predicts one context word.",
              f"{_H}\n{_SOFTMAX}"),
    "cbow": ("CBOW with a full softmax: the mean of the context words predicts the centre word.",
             f"{_H_MEAN}\n{_SOFTMAX}"),
    "sgram_neg": ("Skip-gram with negative sampling: the centre word tells its context word "
                  "(label 1) from K sampled negative words (label 0).", f"{_H}\n{_NS}"),
    "cbow_neg": ("CBOW with negative sampling: the mean of the context words tells the centre "
                 "word (label 1) from K sampled negative words (label 0).", f"{_H_MEAN}\n{_NS}"),
    "sgram_hs": ("Skip-gram with hierarchical softmax: the centre word walks the Huffman tree "
                 "to its context word, one binary decision per inner node.", f"{_H}\n{_HS}"),
    "cbow_hs": ("CBOW with hierarchical softmax: the mean of the context words walks the "
                "Huffman tree to the centre word.", f"{_H_MEAN}\n{_HS}"),
    "glove": ("GloVe: a weighted least-squares fit of log co-occurrence counts.",
              "L = f(X) * (W[i] . W_ctx[j] + b[i] + b_ctx[j] - log X)^2\n"
              "    i = rows[n], j = cols[n], X = counts[n],\n"
              "    f(x) = min(1, (x / 100) ** 0.75)   (x_max 100, alpha 0.75: the paper's)"),
    "fasttext_sgram": ("fastText skip-gram: skip-gram with negative sampling whose input is "
                       "the mean of the centre word's row and its character n-gram rows.",
                       f"{_X}\n{_NS}"),
    "fasttext_cbow": ("fastText CBOW: CBOW with negative sampling whose input is the mean of "
                      "the context words' rows and all their character n-gram rows.",
                      f"{_X_MEAN}\n{_NS}"),
    "fasttext_supervised": ("The fastText classifier (the worked example's model): a "
                            "document's vector tells its label from K sampled negative labels.",
                            f"{_DOC}\nL = - log sigmoid(U[targets[b]] . v_D) - sum_k log "
                            "sigmoid(-U[negatives[b, k]] . v_D)"),
    "supervised_softmax": ("The fastText classifier with a softmax over the labels.",
                           f"{_DOC}\nL = - log softmax(U @ v_D)[targets[b]]"),
    "supervised_neg": ("The fastText classifier with negative sampling over the labels.",
                       f"{_DOC}\nL = - log sigmoid(U[targets[b]] . v_D) - sum_k log "
                       "sigmoid(-U[negatives[b, k]] . v_D)"),
}

#: parameter name -> what its rows are (the skeleton's parameter table).
PARAM_ROWS = {"W_in": "input vector of each word", "W_out": "output vector of each word",
              "W_ngram": "one row per n-gram bucket (fastText's hashed n-grams)",
              "W": "word vector of each word", "W_ctx": "context vector of each word",
              "b": "word bias of each word", "b_ctx": "context bias of each word",
              "E": "feature (word) vector of each word", "U": "vector of each label"}

#: batch field -> what it holds (the skeleton's batch table).
FIELDS = {
    "inputs": "input word ids: the centre word (skip-gram, C = 1) or the context slots (CBOW)",
    "mask": "which input slots are real (padding slots are False)",
    "targets": "the word (or label) to predict",
    "negatives": "sampled negative words (or labels), K per example",
    "path_nodes": "the target's Huffman path: the W_out row (inner node) of each step",
    "path_codes": "the target's Huffman code, 0 or 1 per step (the score's sign: + for 0, - for 1)",
    "on_path": "which steps are real (paths have different lengths; padding is False)",
    "ngram_ptr": "word w's n-gram rows are ngram_ids[ngram_ptr[w]:ngram_ptr[w + 1]]",
    "ngram_ids": "the n-gram rows (W_ngram row ids) of every word, word after word",
    "rows": "word id i of each co-occurrence entry",
    "cols": "context id j of each entry",
    "counts": "X_ij, the (weighted) co-occurrence count of each entry",
    "ids": "every feature occurrence of every document (rows of E)",
    "weights": "each occurrence's share of its document vector",
    "doc": "the document (example) each occurrence belongs to",
}


def types():
    """Every type an exercise can be written for: the keys of the model registry."""
    return sorted(MODELS)


def check_type(type):
    """Raise :class:`W2VError` naming the types unless ``type`` is one of them."""
    if type not in MODELS:
        raise W2VError(f"unknown type {type!r}; the types are: {', '.join(types())}")


def derivation_page(type):
    """The derivation page the type's model module names (``docs/derivations/<page>.md``)."""
    doc = sys.modules[MODELS[type].__module__].__doc__ or ""
    found = re.search(r"docs/derivations/\w+\.md", doc)
    return found.group(0) if found else "docs/derivations/README.md"


def check_model(type, seed=0, dtype=np.float64):
    """The registry's reference model of ``type`` on the check's vocabulary (float64).

    ``create(type, ...)`` in the documents' formulation: the per-example reference,
    never a kernel (kernels are the trainer's, and this model is never trained).
    """
    check_type(type)
    cls = MODELS[type]
    options = {}
    if cls.input_layer == "subwords":
        options.update(SUBWORDS, words=list(WORDS))
    if cls.batch_family == "documents":
        options["n_labels"] = len(LABELS)
    model = create(type, len(WORDS), DIM, seed=seed, dtype=dtype, counts=COUNTS, **options)
    rng = np.random.default_rng(seed + 101)
    for p in model.params.values():                     # W_out too: not the zeros of training
        p[...] = rng.normal(scale=0.5, size=p.shape)
    return model


def example_batch(model, rng, B=4, C=4, K=NEGATIVES):
    """A random batch of the model's family with repeated rows: word 2 twice among the
    inputs (and the only input of example 0 for skip-gram), word 4 twice among the
    negatives of example 0, an (i, j) entry given twice for GloVe, a word twice in a document."""
    V, family = model.vocab_size, model.batch_family
    if family in ("sgram", "cbow"):
        C = 1 if family == "sgram" else C
        inputs = rng.integers(0, V, (B, C))
        inputs[0, :] = 2
        inputs[1, 0] = 2
        mask = None
        if C > 1:
            mask = rng.random((B, C)) < 0.6
            mask[:, 0] = True
            mask[0, :2] = True
            mask[-1, 1:] = False
        targets = rng.integers(0, V, B)
        negatives = None
        if model.uses_negatives:
            negatives = rng.integers(0, V, (B, K))
            negatives[0, :2] = 4
            negatives[1, 0] = 4
        return Batch(inputs, mask, targets, negatives)
    if family == "cooccurrence":
        rows, cols = rng.integers(0, V, B + 2), rng.integers(0, V, B + 2)
        rows[:2], cols[:2] = 1, 3
        return CooccurrenceBatch(rows, cols, np.round(rng.uniform(0.5, 30.0, B + 2), 2))
    if family == "documents":
        docs = [[rng.integers(0, V, 1) for _ in range(rng.integers(1, 4))] for _ in range(B)]
        docs[0] = [np.array([2]), np.array([2]), np.array([5])]
        labels = model.params["U"].shape[0]
        batch = make_batch(docs, rng.integers(0, labels, B), rng.integers(0, labels, (B, K)),
                           combine="sum")
        return batch if model.uses_negatives else batch._replace(negatives=None)
    raise W2VError(f"no exercise batches for batch family {family!r}")


def student_batch(model, batch):
    """The dict of plain NumPy arrays the student's ``loss_and_grad`` receives: the
    reference batch's fields (``None`` ones left out; the trainer's layout fields
    ``span``/``draws`` too), plus the Huffman paths (hierarchical softmax) or the
    n-gram table (subword inputs) that the reference model holds itself."""
    out = {k: np.array(to_numpy(v)) for k, v in batch._asdict().items()
           if v is not None and k not in ("span", "draws")}
    if model.output_layer == "hierarchical_softmax":
        nodes, codes, on_path = padded_paths(model.tree, batch.targets)
        out.update(path_nodes=np.array(to_numpy(nodes)), path_codes=np.array(to_numpy(codes)),
                   on_path=np.array(to_numpy(on_path)))
    if model.input_layer == "subwords":
        out.update(ngram_ptr=np.array(to_numpy(model.ptr)), ngram_ids=np.array(to_numpy(model.ids)))
    return out


def _param_line(name, shape, model):
    """One row of the skeleton's parameter table: name, symbolic shape, what the rows are."""
    if name == "W_out" and model.output_layer == "hierarchical_softmax":
        return f"    {name:<8} {'(V - 1, d)':<10} one row per inner node of the Huffman tree"
    symbols = {model.vocab_size: "V", model.vector_dim: "d"}
    text = "(" + ", ".join(symbols.get(n, str(n)) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    return f"    {name:<8} {text:<10} {PARAM_ROWS.get(name, '')}"


#: batch field -> its shape in symbols (skip-gram's inputs are (B, 1)).
FIELD_SHAPES = {"inputs": "(B, C)", "mask": "(B, C)", "targets": "(B,)", "negatives": "(B, K)",
                "path_nodes": "(B, L)", "path_codes": "(B, L)", "on_path": "(B, L)",
                "ngram_ptr": "(V + 1,)", "ngram_ids": "(total n-grams,)", "rows": "(n,)",
                "cols": "(n,)", "counts": "(n,)", "ids": "(n,)", "weights": "(n,)", "doc": "(n,)"}


def _field_line(name, value, model):
    """One row of the skeleton's batch table: name, symbolic shape, kind, meaning."""
    shape = FIELD_SHAPES[name]
    if name == "inputs" and model.batch_family == "sgram":
        shape = "(B, 1)"
    kind = {"f": "float", "b": "bool"}.get(value.dtype.kind, "int")
    return f"    {name:<11} {shape:<16} {kind:<6}{FIELDS[name]}"


def _indent_repr(prefix, value):
    text = repr(value)
    return prefix + text.replace("\n", "\n" + " " * len(prefix))


def skeleton_text(type):
    """The text of the exercise file for ``type`` (no solution in it)."""
    model = check_model(type)
    words, formula = OBJECTIVES[type]
    batch = student_batch(model, example_batch(model, np.random.default_rng(7), B=3, C=3))
    param_lines = [_param_line(name, tuple(p.shape), model) for name, p in model.params.items()]
    field_lines = [_field_line(name, value, model) for name, value in batch.items()]
    with np.printoptions(precision=3, suppress=True):
        example = ["batch = {"] + [_indent_repr(f"    {k!r}: ", v) + "," for k, v in batch.items()] + ["}"]
    sizes = f"V = {model.vocab_size} words, d = {model.vector_dim}"
    unit = "entry n" if model.batch_family == "cooccurrence" else "example b"
    lines = [
        f'"""Exercise: the loss and gradient of {type}.',
        "",
        words,
        "",
        f"The loss of one {unit} (the function returns the SUM over the batch):",
        "",
        *("    " + line for line in formula.split("\n")),
        "",
        ("sigmoid(x) = 1 / (1 + exp(-x)); " if "sigmoid" in formula else "") + "a . b is a dot product.",
        "",
        "params: a dict of float arrays (V words, d dimensions)",
        "",
        *param_lines,
        "",
        "batch: a dict of NumPy arrays (B examples)",
        "",
        *field_lines,
        "",
        f"A tiny batch ({sizes}), as the checker makes them:",
        "",
        *("    " + line for line in "\n".join(example).split("\n")),
        "",
        "The check's words: " + ", ".join(f"{i} {w}" for i, w in enumerate(WORDS)) + ".",
        "",
        "Return (loss, grads): loss, the loss summed over the batch (a float); grads, a dict",
        "with the keys of params, each a DENSE array of that parameter's shape: row r of",
        'grads["X"] is dL/dX[r]. A row used several times in the batch (a repeated word)',
        "receives the SUM of its terms.",
        "",
        f"Derivation, step by step: {derivation_page(type)}.",
        f"Check your function: python -m w2v_numpy check {type}.py",
        '"""',
        "import numpy as np",
        "",
        f'TYPE = "{type}"',
        "",
        "",
        "def loss_and_grad(params, batch):",
        '    """Return (loss, grads) for this batch: see the module docstring."""',
        "    # your code here",
        '    raise NotImplementedError("fill in loss_and_grad")',
        "",
    ]
    return "\n".join(lines)


def write_exercise(type, directory=".", overwrite=False):
    """Write ``directory/TYPE.py``, the exercise skeleton of ``type``; returns its path.

    Raises
    ------
    W2VError
        For an unknown type (the message lists the types), or an existing file
        without ``overwrite``.
    """
    check_type(type)
    path = os.path.join(directory, f"{type}.py")
    if os.path.exists(path) and not overwrite:
        raise W2VError(f"{path} exists; pass --overwrite to replace it")
    if not os.path.isdir(directory):
        raise W2VError(f"directory {directory} does not exist")
    text = skeleton_text(type)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return path
