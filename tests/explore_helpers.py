"""What the explore tests share: the library's own replay of a recorded run.

The page's numbers are only worth something if they are the library's, so the
tests rebuild the model with :func:`w2v_numpy.models.create` and step it on the
examples the recording names (by word: the negatives come from the page's own
draw), independently of :func:`w2v_numpy.teaching.explore.record`.
"""
import subprocess
import sys

import numpy as np

from w2v_numpy.batching import Batch, CooccurrenceBatch
from w2v_numpy.models import MODELS, create
from w2v_numpy.teaching.explore import SUBWORD_OPTIONS

from test_cli_helpers import ENV, REPO


def explore(tmp_path, *args, name="page.html"):
    """Run ``python -m w2v_numpy explore ARGS -o tmp_path/name``; (CompletedProcess, path)."""
    out = tmp_path / name
    proc = subprocess.run([sys.executable, "-m", "w2v_numpy", "explore", *args, "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300, env=ENV)
    return proc, out


def batch_of(rec, step):
    """The batch of recorded step ``step`` (1-based), from the words the recording names."""
    ex, words = rec["steps"][step - 1]["example"], rec["words"]
    if rec["family"] == "cooccurrence":
        return CooccurrenceBatch(np.array([ex["i"]]), np.array([ex["j"]]), np.array([ex["X"]]))
    negatives = np.array([[words.index(w) for w in ex["negatives"]]]) if ex["negatives"] else None
    return Batch(np.array([[words.index(w) for w in ex["inputs"]]]), None,
                 np.array([words.index(ex["target"])]), negatives)


def library_model(rec):
    """The recorded run's model before its first step, built by the library."""
    s, words = rec["settings"], rec["words"]
    cls = MODELS[rec["type"]]
    extra = dict(SUBWORD_OPTIONS) if cls.input_layer == "subwords" else {}
    if cls.batch_family == "cooccurrence":
        extra.update(x_max=s["x_max"], target="log")
    return create(rec["type"], len(words), s["vector_dim"], seed=s["seed"], dtype=np.float64,
                  counts=np.array(rec["counts"]), words=words, **extra)


def replay(rec, n):
    """``(model after n steps, [loss of step 1..n])``: the library's own run."""
    model, losses = library_model(rec), []
    for step in range(1, n + 1):
        batch = batch_of(rec, step)
        losses.append(float(model.loss(batch)))
        model.step(batch, rec["settings"]["alpha"])
    return model, losses
