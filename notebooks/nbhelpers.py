"""Small helpers shared by the step-by-step notebooks of this folder.

The notebooks run with ``notebooks/`` as their working directory, so they can
``from nbhelpers import compare, erratum``.

``compare`` prints one of our numbers beside the number a reference document
prints and fails (``AssertionError``) unless they agree; ``erratum`` prints the
pair for a documented value that exact arithmetic does not reproduce, together
with the reason, and fails if the two agree after all. Notebooks 01-04 keep
their errata and rounding notes in an appendix at their end ("Appendix:
where the document differs"), so that the main text teaches and the
appendix explains the document's slips. ``document_model`` builds the
document's small Skip-gram setup as a model of any skip-gram type (the
step-by-step notebooks take their setups from
``w2v_numpy.teaching.worked_examples`` directly; the hierarchical-softmax
notebook takes the ``SKIPGRAM_*`` arrays).
"""
import numpy as np

from w2v_numpy.teaching import worked_examples as examples
from w2v_numpy.models import create

# The Skip-gram worked example of the textbook chapter (Chapter 2, data handling
# and vectorisation in NLP; see docs/references.md), its inputs «1. Исходные
# данные и инициализация» (inputs and initialisation): four words, two
# dimensions. The numbers live in ``w2v_numpy.teaching.worked_examples``; these are
# NumPy copies of them. The document writes W_out as N x V (one column per
# word); the library stores it as V x N (one row per word).
SKIPGRAM_VOCAB = list(examples.SKIPGRAM_WORDS)
SKIPGRAM_W_IN = np.array(examples.SKIPGRAM_W_IN, dtype=np.float64)          # V x N
SKIPGRAM_W_OUT = np.array(examples.SKIPGRAM_W_OUT_NxV, dtype=np.float64)    # N x V, as printed


def document_model(model_type):
    """A float64 model of any skip-gram type holding the document's W_in and W_out."""
    vocab_size, dim = SKIPGRAM_W_IN.shape
    model = create(model_type, vocab_size=vocab_size, vector_dim=dim, dtype=np.float64)
    model.params["W_in"][:] = SKIPGRAM_W_IN
    model.params["W_out"][:] = SKIPGRAM_W_OUT.T          # transposed: one row per word
    return model


def _fmt(x):
    """Numbers as a short string; matrices only by their shape."""
    a = np.asarray(x)
    if a.dtype.kind not in "fiu":
        return str(x)
    if a.ndim > 1:
        return f"array of shape {a.shape}"
    return np.array2string(a.astype(float), precision=7, suppress_small=True)


def _agree(ours, documented, digits, tol):
    """Equal lists when neither ``digits`` nor ``tol`` is given; otherwise equal
    within ``tol``, which defaults to half a unit in the ``digits``-th decimal."""
    if digits is None and tol is None:
        return list(ours) == list(documented)
    tol = 0.5 * 10.0 ** -digits + 1e-12 if tol is None else tol
    return bool(np.allclose(np.asarray(ours, dtype=float), documented, rtol=0, atol=tol))


def compare(name, ours, documented, digits=None, tol=None, label="document"):
    """Print ``ours`` beside ``documented`` and assert that they agree.

    ``digits`` is the number of decimals the document prints: the values must
    then agree to half a unit of that last decimal. Pass ``tol`` instead where
    the document rounded an earlier quantity and the rounding carries over (the
    notebook explains each such case). ``label`` names the second column.
    """
    ok = _agree(ours, documented, digits, tol)
    verdict = "ok" if ok else "MISMATCH"
    print(f"{name:<30} ours {_fmt(ours):<28} {label} {_fmt(documented):<24} {verdict}")
    assert ok, f"{name}: ours {ours} vs documented {documented}"


def erratum(name, ours, documented, note, digits=None, tol=None):
    """Show a documented value that exact arithmetic does not give, and why (``note``).

    Asserts that the two really disagree, so a stale erratum fails loudly.
    """
    assert not _agree(ours, documented, digits, tol), f"{name} agrees after all"
    print(f"{name:<30} ours {_fmt(ours):<28} document {_fmt(documented):<24} ERRATUM")
    print(f"    Erratum: {note}")


def trace_rows(t, param, section="gradient"):
    """Names of the rows of ``param`` that a ``w2v_numpy.teaching.trace.Trace`` lists in
    ``section`` ("gradient" or "update"): ``["сидит"]`` for ``W_in[сидит]``."""
    prefix = param + "["
    return [s.name[len(prefix):-1] for s in t.steps
            if s.section == section and s.name.startswith(prefix)]


def show_neighbours(wv, probes, sanity, topn=6):
    """Print the ``topn`` nearest neighbours of each probe word that ``wv`` knows, then
    assert that at least two of the words in ``sanity = (word, related)`` are among the
    neighbours of ``word`` (the notebooks that train on real text use it as their check)."""
    for word in probes:
        if word in wv:
            near = ", ".join(f"{w} ({s:.2f})" for w, s in wv.most_similar(word, topn=topn))
            print(f"{word:>8}: {near}")
    word, related = sanity
    found = {w for w, _ in wv.most_similar(word, topn=topn)} & related
    print(f"related words among the {topn} neighbours of {word!r}: {sorted(found)}")
    assert len(found) >= 2
