"""``python -m w2v_numpy check FILE``: check an exercise's ``loss_and_grad``, then train with it.

The checks are :func:`w2v_numpy.teaching.exercise_check.check_exercise`'s (PASS/FAIL
lines); the training step is :func:`train_exercise` here, above the trainer and the
front doors: the student's function and the reference's gradient each train a small
model on the shipped planted corpus (``data/synthetic.txt``; the classifier types on
``data/labelled_train.txt``), same seed, and the analogy scores (precision at 1) and a
few nearest neighbours are printed side by side.

Exit code 0 when every check passes, 1 when one fails, 2 for bad input (no such file).
"""
import time
from pathlib import Path

import numpy as np

from .. import kernels
from ..batching import NegativeSampler
from ..batching.document_batcher import DocumentBatcher
from ..classifier import Classifier
from ..fasttext import FastText
from ..glove import GRAD_SCALE, GloVe
from ..models import MODELS, create
from ..models.base import RowGrad
from ..teaching.exercise import student_batch
from ..teaching.exercise_check import check_exercise
from ..text.labelled import Dictionary, encode, read_labelled
from ..training.adagrad import AdaGrad
from ..training.loop import TrainingDiverged, train
from ..word2vec import Word2Vec
from .common import ArgumentParser, non_empty, run

DATA = Path(__file__).resolve().parents[2] / "data"
CORPUS, ANALOGIES = DATA / "synthetic.txt", DATA / "synthetic_analogies.txt"
LABELLED_TRAIN, LABELLED_TEST = DATA / "labelled_train.txt", DATA / "labelled_test.txt"
#: Words whose nearest neighbours are shown (those of the corpus's analogy sections).
PROBES = ("king", "paris", "apple")
#: How far below the reference's score the student's may land and still pass (float32
#: rounding differs between a dense and a sparse update, nothing else should).
SCORE_SLACK = 0.05
#: The small training runs: sizes and epochs (each run takes seconds).
SETTINGS = dict(vector_size=30, window=3, min_count=5, seed=1, progress=False)


def build_parser():
    p = ArgumentParser(prog="python -m w2v_numpy check",
                       description="Check the loss_and_grad of an exercise file (written by "
                                   "'python -m w2v_numpy exercise TYPE'), then train with it.")
    p.add_argument("file", type=non_empty("FILE"), help="the exercise file, e.g. sgram_neg.py")
    p.add_argument("--no_train", action="store_true", help="skip the training step")
    return p


def exercise_model(model, loss_and_grad=None):
    """A copy of ``model`` whose class is a subclass of its own, so that the trainer's
    kernel table (chosen by exact class, :data:`w2v_numpy.kernels.KERNELS`) has no entry
    for it and every step runs through ``loss_and_grad``: the student's function (dense
    gradients, applied as ``RowGrad(None, scale * dense)``), or with ``None`` the
    reference's own per-example ``loss_and_grad``."""
    cls = type(model)
    body = {"__doc__": f"{cls.__name__} trained through its reference path."}
    if loss_and_grad is not None:
        def student_loss_and_grad(self, batch, scale=1.0, undivided=False):
            loss, grads = loss_and_grad(self.params, student_batch(self, batch))
            return float(loss), {k: RowGrad(None, (scale * np.asarray(grads[k])).astype(p.dtype))
                                 for k, p in self.params.items()}
        body["loss_and_grad"] = student_loss_and_grad
    sub = type(f"Exercise{cls.__name__}", (cls,), body)
    clone = object.__new__(sub)
    clone.__dict__.update(model.__dict__)
    clone.params = {k: v.copy() for k, v in model.params.items()}
    assert type(clone) not in kernels.KERNELS          # the reference path, never a kernel
    return clone


def _word_run(type_, loss_and_grad):
    """Train one word-vector model; returns (analogy score, {probe: neighbours}, seconds)."""
    cls = MODELS[type_]
    t0 = time.perf_counter()
    if type_ == "glove":
        front = GloVe(epochs=15, **SETTINGS)       # x_max 100, alpha 0.75: the exercise's f(x)
    elif cls.input_layer == "subwords":
        front = FastText(type=type_, epochs=2, bucket=2000, min_n=3, max_n=5,
                         input_update="exact", **SETTINGS)
    else:
        front = Word2Vec(type=type_, formulation="pair", epochs=2, cbow_update="exact",
                         workers=1, prefetch=False, **SETTINGS)
    front.build_vocab(str(CORPUS))
    front.model = exercise_model(front.model, loss_and_grad)
    if type_ == "glove":
        front.optimizer = AdaGrad(front.model, grad_scale=GRAD_SCALE)
    front.train()
    wv = front.wv
    score = wv.evaluate_word_analogies(str(ANALOGIES))[0]
    neighbours = {w: [n for n, _ in wv.most_similar(w, topn=3)] for w in PROBES if w in wv}
    return score, neighbours, time.perf_counter() - t0


def _classifier_run(type_, loss_and_grad):
    """Train one classifier on the labelled corpus; returns (precision at 1, {}, seconds)."""
    t0 = time.perf_counter()
    examples = read_labelled(str(LABELLED_TRAIN))
    d = Dictionary.from_examples(examples, 1)
    options = {} if type_ == "fasttext_supervised" else {"bucket": 0}
    model = exercise_model(create(type_, len(d.words), 30, seed=1, n_labels=len(d.labels),
                                  **options), loss_and_grad)
    ptr, ids, gold = encode(examples, d, 1, 0)
    negative = 5 if model.uses_negatives else 0
    sampler = NegativeSampler(d.label_counts, power=0.5) if negative else None
    train(model, DocumentBatcher(ptr, ids, gold, 32, negative, sampler, seed=1), epochs=5,
          alpha=0.1, min_alpha=0.0, progress=False)
    scorer = "supervised_softmax" if type_ == "supervised_softmax" else "supervised_neg"
    scored = MODELS[scorer].from_params(dict(model.params), n_labels=len(d.labels), bucket=0)
    config = dict(type=scorer, loss="softmax" if scorer == "supervised_softmax" else "ns",
                  wordNgrams=1, bucket=0)
    _, precision, _ = Classifier(config, d, scored).test(str(LABELLED_TEST))
    return precision, {}, time.perf_counter() - t0


def train_exercise(type_, loss_and_grad, out=print):
    """Step d of the check: train with the student's ``loss_and_grad`` and with the
    reference's gradient (same data, seed and settings; both through the reference path of
    the training loop), print the scores side by side; ``True`` if the student's is within
    :data:`SCORE_SLACK` of the reference's."""
    documents = MODELS[type_].batch_family == "documents"
    data, measure = (LABELLED_TRAIN, "precision@1") if documents else (CORPUS, "analogies")
    if not data.exists():
        out(f"SKIP training: {data} is not there (it ships with the source tree)")
        return True
    run_one = _classifier_run if documents else _word_run
    try:
        yours = run_one(type_, loss_and_grad)
    except TrainingDiverged as exc:
        out(f"FAIL training with your gradient diverged: {exc}")
        return False
    reference = run_one(type_, None)
    out(f"training {type_} on {data.name} with your gradient and with the reference's "
        "(same seed):")
    out(f"  {'':<14}{'yours':>12}{'reference':>12}")
    out(f"  {measure:<14}{yours[0]:>12.3f}{reference[0]:>12.3f}")
    out(f"  {'seconds':<14}{yours[2]:>12.1f}{reference[2]:>12.1f}")
    for word, near in yours[1].items():
        out(f"  {word:<10} yours: {', '.join(near):<32} reference: "
            f"{', '.join(reference[1].get(word, []))}")
    if yours[0] >= reference[0] - SCORE_SLACK:
        out(f"PASS training: your gradient learns ({measure} {yours[0]:.3f}, reference "
            f"{reference[0]:.3f})")
        return True
    out(f"FAIL training: your gradient learns less ({measure} {yours[0]:.3f}, reference "
        f"{reference[0]:.3f})")
    return False


def main(argv=None):
    def body(argv):
        args = build_parser().parse_args(argv)
        return check_exercise(args.file, trainer=None if args.no_train else train_exercise)

    return run(body, argv)
