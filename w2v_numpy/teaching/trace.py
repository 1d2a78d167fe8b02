"""One training step, every number shown: the worked example of the documents, for any input.

:func:`trace` runs one SGD step of any model on one small batch and records,
in order, the inputs, every named intermediate of the model's own
``forward(batch)`` (with the formula that produced it), the gradient rows
from the model's own ``loss_and_grad``, the rows ``step`` writes, and a
finite-difference check of those gradients. Nothing is computed a second
way: the numbers are the model's. :func:`format_trace` prints it as text or
as a Markdown table, :func:`trace_to_json` as plain JSON.

:data:`SYMBOLS` is the one symbol map: for each output layer (or batch family
for GloVe), which entries of ``forward`` are shown, under which symbol of the
reference documents, with which formula.
"""
from dataclasses import dataclass, field

import numpy as np

from ..backend import to_numpy
from ..models.base import densify
from .gradcheck import check_report

#: kind -> [(key of forward(), document symbol, formula)], in the order a student computes them.
SYMBOLS = {
    "softmax": [
        ("h", "h", "mean of the input rows of W_in (skip-gram: h = v_centre)"),
        ("z", "z", "z_j = u_j . h for every word j (u_j = row j of W_out)"),
        ("p", "P", "P_j = exp(z_j) / sum_k exp(z_k)"),
        ("loss", "L", "-log P[target]"),
        ("e", "e", "e_j = P_j - y_j (y: one-hot at the target)"),
        ("dh", "dL/dh", "sum_j e_j u_j"),
    ],
    "negative_sampling": [
        ("h", "h", "mean of the input rows of W_in (skip-gram: h = v_centre)"),
        ("s", "s", "s_0 = u_target . h, then s_i = u_neg_i . h"),
        ("loss", "L", "-log sigma(s_0) - sum_i log sigma(-s_i)"),
        ("g", "dL/ds", "sigma(s_0) - 1, then sigma(s_i)"),
        ("dh", "dL/dh", "g_0 u_target + sum_i g_i u_neg_i"),
    ],
    "hierarchical_softmax": [
        ("h", "h", "mean of the input rows of W_in (skip-gram: h = v_centre)"),
        ("nodes", "n_l", "inner nodes on the target's path, root first (padded past its end)"),
        ("codes", "c_l", "code bits of the target on that path (0: left, 1: right)"),
        ("s", "u_n . h", "score of each inner node (u_n = row n of W_out)"),
        ("sigma", "sigma(u_n . h)", "sigma of each score"),
        ("loss", "L", "-sum_l log sigma((1 - 2 c_l) u_n_l . h)"),
        ("e", "dL/d(u_n . h)", "sigma(u_n . h) - (1 - c_l) on the path, 0 past its end"),
    ],
    "cooccurrence": [
        ("dot", "w_i . w~_j", "word row times context row"),
        ("prediction", "prediction", "w_i . w~_j + b_i + b~_j"),
        ("target", "t(X_ij)", "log X_ij (or log(1 + X_ij))"),
        ("error", "error", "prediction - t(X_ij)"),
        ("weight", "f(X_ij)", "(X_ij / x_max)^alpha, at most 1"),
        ("loss", "L", "f(X_ij) error^2"),
        ("scale", "2 f error", "dL/dprediction: the common factor of every gradient"),
    ],
    "documents": [
        ("v_D", "v_D", "mean over the words of their (summed or averaged) n-gram rows of E"),
        ("scores", "s", "s_0 = u_true . v_D, then s_k = u_neg_k . v_D"),
        ("sigma", "p", "sigma(s_0), then sigma(-s_k)"),
        ("losses", "-log p", "one term per class"),
        ("loss", "L", "sum of the terms"),
        ("gamma", "dL/ds", "sigma(s_0) - 1, then sigma(s_k)"),
        ("dv_D", "delta_D", "dL/dv_D = sum_k gamma_k u_k"),
    ],
}


#: Batch fields that hold word ids, per batch family (shown with their words).
_WORD_FIELDS = {"sgram": ("inputs", "targets", "negatives"), "cbow": ("inputs", "targets", "negatives"),
                "cooccurrence": ("rows", "cols")}


@dataclass
class Step:
    """One printed quantity: ``symbol = formula = value`` (``name`` is the forward() key)."""

    section: str
    name: str
    symbol: str
    formula: str
    value: object


@dataclass
class Trace:
    """Everything :func:`trace` recorded; ``loss`` is the summed loss before the step."""

    title: str
    alpha: float
    steps: list = field(default_factory=list)
    loss: float = 0.0
    check: object = None

    def value(self, name, section=None):
        """The value recorded under ``name`` (in ``section`` if given)."""
        for step in self.steps:
            if step.name == name and section in (None, step.section):
                return step.value
        raise KeyError(name)


def kind_of(model):
    """The key of :data:`SYMBOLS` for a model: its output layer, else its batch family."""
    return model.output_layer if model.batch_family in ("sgram", "cbow") else model.batch_family


def _row_names(model, pname, words, labels):
    """Names for the rows of one parameter: given labels, else the words when the
    parameter has one row per word, else None (rows are shown by number)."""
    if labels and pname in labels:
        return labels[pname]
    if words is not None and model.params[pname].shape[0] == len(words):
        return words
    return None


def trace(model, batch, alpha, words=None, labels=None, title=None, check=True):
    """Record one SGD step of ``model`` on ``batch`` (see the module docstring).

    Parameters
    ----------
    model : w2v_numpy.models.Model
        Not changed: the step runs on a float64 copy.
    batch : the model's batch type
    alpha : float
        Learning rate of the step.
    words : list of str or None
        Names of the word rows, for labels (``W_in[кот]`` instead of ``W_in[0]``).
    labels : dict or None
        ``{param name: [row names]}`` for other parameters (n-grams, classes).
    check : bool
        Run the finite-difference check (every entry; meant for tiny inputs).
    """
    m = model.astype(np.float64)
    out = Trace(title or f"{m.type_name}: one SGD step", float(alpha))
    for key, value in batch._asdict().items():
        if value is not None:
            value = to_numpy(value)
            named = ""
            if words is not None and key in _WORD_FIELDS.get(m.batch_family, ()):
                named = " (" + ", ".join(words[i] for i in np.unique(value)) + ")"
            out.steps.append(Step("inputs", key, key, f"the batch{named}", value))
    forward = m.forward(batch)
    for key, symbol, formula in SYMBOLS.get(kind_of(m), []):
        if key in forward:
            out.steps.append(Step("forward", key, symbol, formula, to_numpy(forward[key])))
    out.loss, grads = m.loss_and_grad(batch)
    dense = {k: to_numpy(v) for k, v in densify(m.params, grads).items()}
    after = m.astype(np.float64)
    after.step(batch, alpha)
    updates = []
    for pname, g in grads.items():
        rows = np.unique(to_numpy(g.index)) if g.index is not None \
            else np.arange(m.params[pname].shape[0])
        row_names = _row_names(m, pname, words, labels)
        for r in rows:
            label = f"{pname}[{row_names[r]}]" if row_names is not None else f"{pname}[{r}]"
            out.steps.append(Step("gradient", label, f"dL/d{label}",
                                  "from loss_and_grad; repeated rows summed", dense[pname][r]))
            updates.append(Step("update", label, f"{label} new", f"{label} - {alpha:g} dL/d{label}",
                                (to_numpy(m.params[pname][r]), to_numpy(after.params[pname][r]))))
    out.steps += updates
    if check:
        out.check = check_report(m, batch)
    return out


def _fmt(value, digits):
    if isinstance(value, tuple):
        return " -> ".join(_fmt(v, digits) for v in value)
    a = np.asarray(value)
    if a.dtype.kind in "iub":
        return np.array2string(a, separator=" ")
    return np.array2string(a.astype(np.float64), precision=digits, floatmode="fixed",
                           suppress_small=True, separator=" ", max_line_width=10_000)


def format_trace(t, fmt="text", digits=5):
    """The trace as text (one line per quantity) or as a Markdown table.

    Every number is printed with ``digits`` decimals (fixed, so columns line
    up and a student can compare digit by digit).
    """
    lines = []
    if fmt == "markdown":
        lines += [f"**{t.title}** (alpha = {t.alpha:g}; {digits} decimals)", "",
                  "| step | quantity | formula | value |", "|---|---|---|---|"]
        for s in t.steps:
            value = _fmt(s.value, digits).replace("\n", " ")
            lines.append(f"| {s.section} | `{s.symbol}` | {s.formula} | `{value}` |")
        lines.append(f"| total | `L` | summed loss before the step | `{t.loss:.{digits}f}` |")
    else:
        lines.append(f"{t.title} (alpha = {t.alpha:g}; numbers to {digits} decimals)")
        section = None
        for s in t.steps:
            if s.section != section:
                section = s.section
                lines.append(f"\n{section}")
            value = _fmt(s.value, digits).replace("\n", "\n" + " " * 6)
            lines.append(f"  {s.symbol:<18} {s.formula}")
            lines.append(f"      = {value}")
        lines.append(f"\nloss before the step (summed over the batch): {t.loss:.{digits}f}")
    if t.check is not None:
        lines.append(f"\nfinite-difference check of every gradient entry: {t.check}")
    return "\n".join(lines)


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    a = np.asarray(value)
    return a.tolist()


def trace_to_json(t):
    """The trace as JSON-ready Python values (lists, floats, strings)."""
    out = {"title": t.title, "alpha": t.alpha, "loss": t.loss,
           "steps": [{"section": s.section, "name": s.name, "symbol": s.symbol,
                      "formula": s.formula, "value": _plain(s.value)} for s in t.steps]}
    if t.check is not None:
        out["gradient_check"] = {"max_error": t.check.max_error, "param": t.check.param,
                                 "index": list(t.check.index), "checked": t.check.checked}
    return out
