r"""Check a student's ``loss_and_grad`` against the library, CS224n style: PASS / FAIL lines.

:func:`check_exercise` loads the exercise file (see :mod:`w2v_numpy.teaching.exercise`),
reads its ``TYPE`` and runs, stopping at the first failure:

a. **runs**: the function on a tiny float64 batch returns a finite float loss and a
   dict of dense gradients with the keys and shapes of ``params``;
b. **loss**: equals the reference's (``create(TYPE, ...)``'s ``model.loss(batch)``) on
   a few random batches with repeated words; on a mismatch it also says whether the
   gradient agrees with finite differences of the student's own loss, which tells
   "the loss formula is wrong" from "the loss and the gradient are both wrong";
c. **gradient**: equals central differences of the student's own loss
   (:func:`w2v_numpy.teaching.gradcheck.numeric_grad`), then the reference's dense
   gradient (``model.grad(batch)``); a mismatch names the parameter, the rows (by word),
   the largest error, and a hint when the pattern is recognisable (sign flipped, a
   constant factor, repeated rows overwritten instead of summed, the negatives' term
   missing);
d. **training**: the ``trainer`` given (the command line's
   :func:`w2v_numpy.cli.check.train_exercise`) trains a small model with the student's
   gradient next to the reference's. This layer sits below the trainer and the front
   doors (``tests/test_architecture.py``), so it takes the trainer as an argument;
   ``trainer=None`` reports the step as skipped.

The function returns the exit code: 0 when every check passes, 1 when one fails
(a ``NotImplementedError`` reads "not implemented yet", an exception in the student's
code shows only the frames of their file).
"""
import importlib.util
import math
import os
import traceback
from fractions import Fraction

import numpy as np

from ..backend import to_numpy
from ..models import MODELS
from .exercise import LABELS, WORDS, check_model, example_batch, student_batch
from .gradcheck import numeric_grad

#: Tolerances (float64): loss, relative; gradient entries, |a - b| / max(1, |a|, |b|).
LOSS_TOL, GRAD_TOL = 1e-8, 1e-6
#: Random batches of the loss and gradient checks.
N_BATCHES = 3


class ExerciseFailed(Exception):
    """A check failed; the message is what to print (already in PASS/FAIL lines)."""


class _StudentRaised(Exception):
    def __init__(self, text, not_implemented=False):
        super().__init__(text)
        self.text, self.not_implemented = text, not_implemented


def student_traceback(exc, path):
    """The traceback of ``exc`` cut to the frames of the student's file ``path``."""
    target = os.path.realpath(path)
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.realpath(f.filename) == target]
    what = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
    lines = [f"your code raised {what}\nTraceback (most recent call last, your file only):\n"]
    lines += traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip("\n")


def load_exercise(path):
    """The exercise module at ``path`` (imported by importlib from its path).

    Raises
    ------
    OSError
        If ``path`` does not exist.
    _StudentRaised
        If importing it raises (its traceback cut to the student's frames).
    ExerciseFailed
        If it has no valid ``TYPE`` or no ``loss_and_grad``.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(2, "No such file", path)
    name = "w2v_exercise_" + "".join(c if c.isalnum() else "_" for c in os.path.basename(path))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:                          # noqa: BLE001 (the student's code)
        raise _StudentRaised(student_traceback(exc, path)) from None
    type_ = getattr(module, "TYPE", None)
    if type_ not in MODELS:
        raise ExerciseFailed(f"FAIL {path}: TYPE must be one of {', '.join(sorted(MODELS))}, "
                             f"got {type_!r} (python -m w2v_numpy exercise TYPE writes a skeleton)")
    if not callable(getattr(module, "loss_and_grad", None)):
        raise ExerciseFailed(f"FAIL {path}: no function loss_and_grad(params, batch)")
    return module


class _Student:
    """Calls the student's function, turning what it raises into :class:`_StudentRaised`."""

    def __init__(self, fn, path):
        self.fn, self.path, self.calls = fn, path, 0

    def __call__(self, params, batch):
        self.calls += 1
        try:
            with np.errstate(all="ignore"):
                return self.fn(params, batch)
        except NotImplementedError:
            raise _StudentRaised(f"not implemented yet: fill in loss_and_grad in {self.path}",
                                 not_implemented=True) from None
        except Exception as exc:                      # noqa: BLE001 (the student's code)
            raise _StudentRaised(student_traceback(exc, self.path)) from None

    def loss(self, params, batch):
        return float(self(params, batch)[0])


def _copy_params(model):
    return {k: np.array(to_numpy(v), dtype=np.float64) for k, v in model.params.items()}


def _row_names(model, name):
    """How the rows of parameter ``name`` are called in messages."""
    n = model.params[name].shape[0]
    if name == "U":
        return [LABELS[i] if i < len(LABELS) else f"label {i}" for i in range(n)]
    if name == "W_out" and model.output_layer == "hierarchical_softmax":
        return [f"node {i}" for i in range(n)]
    if name in ("W_ngram", "E_ngram"):
        return [f"bucket {i}" for i in range(n)]
    if n == len(WORDS):
        return list(WORDS)
    return [f"row {i}" for i in range(n)]


def _entry_errors(a, b):
    return np.abs(a - b) / np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))


def _row_errors(a, b):
    err = _entry_errors(a, b)
    return err.reshape(err.shape[0], -1).max(axis=1) if err.ndim > 1 else err


def _occurrences(model, batch):
    """``{param: (rows,) int}``: how many gradient entries of the reference's sparse
    gradient land on each row (a repeated word: 2 or more); dense ones left out."""
    out = {}
    for name, g in model.loss_and_grad(batch)[1].items():
        if g.index is not None:
            index = np.asarray(to_numpy(g.index)).reshape(-1)
            out[name] = np.bincount(index, minlength=model.params[name].shape[0])
    return out


def _nice_factor(c):
    f = Fraction(c).limit_denominator(12)
    return str(f) if abs(float(f) - c) < 1e-6 * max(1.0, abs(c)) else f"{c:.4g}"


def _hint(model, batch, yours, expected, wrong):
    """A hint for the mismatch of ``yours`` against ``expected`` (dicts of arrays), given
    the parameters that differ (``wrong``), or ``None`` when no pattern is recognised."""
    def close(a, b):
        return bool(np.all(_entry_errors(a, b) <= GRAD_TOL))

    outputs = [n for n in ("W_out", "U") if n in wrong]
    if model.uses_negatives and outputs and hasattr(batch, "negatives"):
        name = outputs[0]
        negatives = np.unique(np.asarray(to_numpy(batch.negatives)))
        only_negative = np.setdiff1d(negatives, np.asarray(to_numpy(batch.targets)))
        rows = [r for r in only_negative
                if np.abs(expected[name][r]).max() > GRAD_TOL and np.abs(yours[name][r]).max() <= GRAD_TOL]
        if rows:
            names = _row_names(model, name)
            return (f"the negatives' term is missing: the {name} rows of negatives "
                    f"({', '.join(repr(names[r]) for r in rows)}) are zero in your gradient. Each "
                    "negative n_k adds sigmoid(s_k) * h to its row, and sigmoid(s_k) * "
                    f"{name}[n_k] to dL/dh")
    if all(close(yours[n], -expected[n]) for n in wrong):
        return ("sign flipped: your gradient is minus the expected one. Return the gradient of "
                "the loss L (what gradient descent subtracts), not of the log-likelihood")
    for name in wrong:
        e, y = expected[name].ravel(), yours[name].ravel()
        if e @ e > 0:
            c = float(y @ e / (e @ e))
            if close(yours[name], c * expected[name]) and abs(c - 1) > 1e-6:
                return (f"a constant factor off: your {name} gradient is {_nice_factor(c)} times "
                        "the expected one (a 2 from a square? 1/2? a mean's 1/n applied twice "
                        "or not at all?)")
    occurrences = _occurrences(model, batch)
    for name in wrong:
        count = occurrences.get(name)
        if count is None:
            continue
        err = _row_errors(yours[name], expected[name])
        bad = err > GRAD_TOL
        if bad.any() and np.all(count[bad] >= 2) and np.any(count == 1) \
                and np.all(err[count == 1] <= GRAD_TOL):
            names = _row_names(model, name)
            rows = ", ".join(repr(names[r]) for r in np.nonzero(bad)[0])
            return (f"repeated rows overwritten instead of summed: the {name} rows used more "
                    f"than once in the batch ({rows}) differ while the rows used once match. "
                    "Add every occurrence's term: np.add.at(G, index, rows), not G[index] = rows")
    return None


def _describe_mismatch(model, yours, expected, what):
    """FAIL lines naming every parameter that differs: rows, largest error, values."""
    lines, wrong = [], []
    for name in yours:
        err = _entry_errors(yours[name], expected[name])
        if not np.any(err > GRAD_TOL):
            continue
        wrong.append(name)
        names = _row_names(model, name)
        rows = np.nonzero(_row_errors(yours[name], expected[name]) > GRAD_TOL)[0]
        shown = ", ".join(repr(names[r]) for r in rows[:8]) + (" ..." if rows.size > 8 else "")
        at = np.unravel_index(int(np.argmax(err)), err.shape)
        lines.append(f"FAIL gradient of {name} {what}: rows {shown} differ\n"
                     f"     largest error {err[at]:.3g} at {name}{list(int(i) for i in at)} "
                     f"({names[at[0]]!r}): Your result: {yours[name][at]:.8g}  "
                     f"Expected result: {expected[name][at]:.8g}")
    return lines, wrong


def _check_runs(student, model, out):
    params = _copy_params(model)
    before = {k: v.copy() for k, v in params.items()}
    batch = example_batch(model, np.random.default_rng(11))
    result = student(params, student_batch(model, batch))
    if not (isinstance(result, tuple) and len(result) == 2):
        raise ExerciseFailed(f"FAIL loss_and_grad must return a tuple (loss, grads); got "
                             f"{type(result).__name__}")
    loss, grads = result
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        raise ExerciseFailed(f"FAIL the loss must be a number (the summed loss), got "
                             f"{type(loss).__name__} of shape {np.shape(loss)}") from None
    if not math.isfinite(loss):
        raise ExerciseFailed(f"FAIL the loss is {loss}: it must be finite")
    if not isinstance(grads, dict) or set(grads) != set(params):
        got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        raise ExerciseFailed(f"FAIL grads must be a dict with the keys of params "
                             f"{sorted(params)}; got {got}")
    for name, p in params.items():
        g = np.asarray(grads[name])
        if g.shape != p.shape:
            raise ExerciseFailed(f"FAIL grads[{name!r}] has shape {g.shape}; params[{name!r}] has "
                                 f"{p.shape}: return a DENSE gradient, one row per row of "
                                 f"params[{name!r}] (zeros where the batch does not reach)")
        if not np.all(np.isfinite(g)):
            raise ExerciseFailed(f"FAIL grads[{name!r}] holds NaN or inf")
    changed = [k for k in params if not np.array_equal(params[k], before[k])]
    if changed:
        raise ExerciseFailed(f"FAIL loss_and_grad changed params {changed} in place: compute "
                             "the gradient without updating the parameters")
    out(f"PASS runs: returns a finite loss and dense gradients {sorted(params)} with the "
        "shapes of params")


def _dense(grads):
    return {k: np.asarray(v, dtype=np.float64) for k, v in grads.items()}


def _consistency(student, model, batch):
    """(student's gradient, finite differences of the student's loss) on ``batch``."""
    params = _copy_params(model)
    sb = student_batch(model, batch)
    grads = _dense(student(params, sb)[1])
    numeric = numeric_grad(lambda p: student.loss(p, sb), params)
    return grads, numeric


def _check_loss(student, model, batches, out):
    params = _copy_params(model)
    for i, batch in enumerate(batches, 1):
        yours = student.loss(params, student_batch(model, batch))
        expected = float(model.loss(batch))
        if abs(yours - expected) > LOSS_TOL * max(1.0, abs(expected)):
            lines = [f"FAIL loss on batch {i} of {len(batches)} (with repeated words): "
                     f"Your result: {yours:.10g}  Expected result: {expected:.10g}  "
                     f"(off by {yours - expected:+.4g})"]
            if expected != 0 and abs(yours / expected - round(yours / expected)) < 1e-6 \
                    and round(yours / expected) not in (0, 1):
                lines.append(f"hint: your loss is {round(yours / expected)} times the expected one")
            if model.uses_negatives:
                empty = np.zeros((batch.targets.shape[0], 0), dtype=batch.negatives.dtype)
                without = float(model.loss(batch._replace(negatives=empty)))
                if abs(yours - without) <= LOSS_TOL * max(1.0, abs(without)):
                    lines.append("hint: your loss equals the expected loss WITHOUT the negatives' "
                                 "term: add - sum_k log sigmoid(-s_k), s_k the score of negative k")
            grads, numeric = _consistency(student, model, batch)
            if all(np.all(_entry_errors(grads[k], numeric[k]) <= GRAD_TOL) for k in grads):
                lines.append("note: your gradient agrees with finite differences of YOUR loss: "
                             "loss and gradient are consistent, so the mistake is in the loss "
                             "formula itself (both follow it); compare it with the docstring's")
            else:
                lines.append("note: your gradient does not agree with finite differences of "
                             "your loss either: fix the loss first, then the gradient")
            raise ExerciseFailed("\n".join(lines))
    out(f"PASS loss: equals the reference's on {len(batches)} batches with repeated words "
        f"(last: Your result: {yours:.10g}  Expected result: {expected:.10g})")


def _check_gradient(student, model, batches, out):
    grads, numeric = _consistency(student, model, batches[0])
    lines, wrong = _describe_mismatch(model, grads, numeric,
                                      "vs finite differences of your loss")
    if lines:
        hint = _hint(model, batches[0], grads, numeric, wrong)
        raise ExerciseFailed("\n".join(lines + ([f"hint: {hint}"] if hint else [])))
    worst = max(float(_entry_errors(grads[k], numeric[k]).max()) for k in grads)
    entries = sum(v.size for v in grads.values())
    out(f"PASS gradient check: your gradient matches finite differences of your loss "
        f"(max error {worst:.1e}, {entries} entries)")
    params = _copy_params(model)
    for i, batch in enumerate(batches, 1):
        yours = _dense(student(params, student_batch(model, batch))[1])
        expected = {k: np.asarray(to_numpy(v), dtype=np.float64)
                    for k, v in model.grad(batch).items()}
        lines, wrong = _describe_mismatch(model, yours, expected,
                                          f"vs the reference (batch {i})")
        if lines:
            hint = _hint(model, batch, yours, expected, wrong)
            raise ExerciseFailed("\n".join(lines + ([f"hint: {hint}"] if hint else [])))
    out(f"PASS gradient: equals the reference's dense gradient on {len(batches)} random "
        "batches, repeated words included")


def check_exercise(path, trainer=None, out=print):
    """Check the exercise file ``path``; print PASS/FAIL lines with ``out``; return the
    exit code (0: every check passed; 1: one failed).

    Parameters
    ----------
    path : str
        A file written by ``python -m w2v_numpy exercise TYPE`` and filled in.
    trainer : callable or None
        ``trainer(type, loss_and_grad, out) -> bool``: the training step (d), given
        the student's function; ``None`` skips it (says so). The command line passes
        :func:`w2v_numpy.cli.check.train_exercise`.
    out : callable
        Where the lines go (``print``).

    Raises
    ------
    OSError
        If ``path`` does not exist (the command line: one error line, exit code 2).
    """
    try:
        module = load_exercise(path)
        type_ = module.TYPE
        out(f"checking {path}: loss_and_grad of {type_}")
        student = _Student(module.loss_and_grad, path)
        model = check_model(type_)
        batches = [example_batch(model, np.random.default_rng(100 + i)) for i in range(N_BATCHES)]
        _check_runs(student, model, out)
        _check_loss(student, model, batches, out)
        _check_gradient(student, model, batches, out)
        if trainer is None:
            out("SKIP training: not asked for (python -m w2v_numpy check FILE trains)")
            return 0
        return 0 if trainer(type_, student, out) else 1
    except ExerciseFailed as failed:
        out(str(failed))
        return 1
    except _StudentRaised as raised:
        out(("FAIL " if not raised.not_implemented else "") + raised.text)
        return 1
