"""One training step, every number shown: the worked example of the documents, for any input.

:func:`trace` runs one SGD step of any model on one small batch and records,
in order, the inputs (each id with its word, in the array's order), the
parameter rows the step reads, every named intermediate of the model's own
``forward(batch)`` (with the formula that produced it; hierarchical softmax
shows only the real nodes of each path), the gradient rows from the model's
own ``loss_and_grad`` with their chain-rule formula and its numbers (the
terms of :func:`_contributions`, printed only where they add up to the
model's gradient), the rows ``step`` writes as ``old - alpha × grad``, what
the step did (``P(target)`` or the loss, before and after, from ``forward`` on
the new rows) and a finite-difference check of those gradients, its entry
named by word. The numbers are the model's; the written-out terms are only
checked against them. :func:`format_trace` prints it as text or
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
        ("nodes", "n_l", "inner nodes on the target's path, root first (one line per example)"),
        ("codes", "c_l", "code bits of the target on that path (0: left, 1: right)"),
        ("s", "u_n . h", "score of each inner node (u_n = row n of W_out)"),
        ("sigma", "sigma(u_n . h)", "sigma of each score"),
        ("loss", "L", "-sum_l log sigma((1 - 2 c_l) u_n_l . h)"),
        ("e", "dL/d(u_n . h)", "e_l = sigma(u_n . h) - (1 - c_l)"),
    ],
    "cooccurrence": [
        ("dot", "w_i . w~_j", "word row times context row"),
        ("prediction", "prediction", "w_i . w~_j + b_i + b~_j"),
        ("target", "t(X_ij)", "log X_ij (or log(1 + X_ij))"),
        ("error", "error", "prediction - t(X_ij)"),
        ("weight", "f(X_ij)", "(X_ij / x_max)^exponent, at most 1 (exponent: the weighting exponent)"),
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

#: Forward keys of hierarchical softmax that are (B, L) arrays padded past each path's end:
#: only the real path entries are shown (the padding repeats node ids that are real nodes).
_PATH_KEYS = ("nodes", "codes", "s", "sigma", "e")

#: What each parameter's rows are, for the "parameters" section.
_ROLES = {"W_in": "input vector v (row of W_in)", "W_out": "output vector u (row of W_out)",
          "W_ngram": "n-gram vector (row of W_ngram)", "W": "word vector w_i", "W_ctx":
          "context vector w~_j", "b": "word bias b_i", "b_ctx": "context bias b~_j",
          "E": "feature vector (row of E)", "E_ngram": "n-gram feature vector (row of E_ngram)",
          "U": "class vector u_k (row of U)"}


@dataclass
class Step:
    """One printed quantity: ``symbol = formula = value`` (``name`` is the forward() key).

    ``terms`` (gradient and update rows): the formula with its numbers, a list of
    ``(op, coef, vector)`` whose sum is the value (``op``: ``"times"`` coef x vector,
    ``"over"`` vector / coef, ``"plain"`` the vector, ``"minus"`` - coef x vector).
    ``shown``: what is printed instead of ``value`` (the real entries of a padded array).
    """

    section: str
    name: str
    symbol: str
    formula: str
    value: object
    terms: list = None
    shown: list = None


@dataclass
class Trace:
    """Everything :func:`trace` recorded; ``loss`` is the summed loss before the step,
    ``loss_after`` after it; ``notes`` say how the batch was made; ``settings`` are
    the model's options (GloVe's ``x_max`` and weighting exponent) beside the
    learning rate ``alpha``."""

    title: str
    alpha: float
    steps: list = field(default_factory=list)
    loss: float = 0.0
    check: object = None
    loss_after: float = None
    notes: list = field(default_factory=list)
    settings: list = field(default_factory=list)
    check_where: str = None

    def value(self, name, section=None):
        """The value recorded under ``name`` (in ``section`` if given)."""
        for step in self.steps:
            if step.name == name and section in (None, step.section):
                return step.value
        raise KeyError(name)

    def step(self, name, section=None):
        """The :class:`Step` recorded under ``name`` (in ``section`` if given)."""
        for step in self.steps:
            if step.name == name and section in (None, step.section):
                return step
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


def named(value, words, mask=None):
    """The words of an array of word ids, laid out as the array: ``[[land] [king]]``
    for ``[[3], [1]]`` (row by row, in array order); ``-`` marks a padding slot."""
    a = np.asarray(value)
    if a.ndim == 0:
        return words[int(a)]
    m = np.ones(a.shape, bool) if mask is None else np.asarray(mask, bool)
    if a.ndim == 1:
        return "[" + " ".join(words[int(i)] if k else "-" for i, k in zip(a, m)) + "]"
    return "[" + " ".join(named(r, words, k) for r, k in zip(a, m)) + "]"


def _contributions(m, batch, f, row_name=str):
    """The gradient of every touched row as a sum of readable terms.

    Returns ``{param name: [(row, op, coef, vector, symbol)]}`` (op as in
    :class:`Step`), one entry per term of the chain rule, or ``None`` for a
    model whose terms are not written here (its rows then show the value only).
    ``row_name(param, row)`` names a row in the symbols (``e[king] h``).
    Every row's terms are summed and compared with the model's own gradient in
    :func:`trace`, so a term written wrong here is never printed.
    """
    out = {}

    def add(pname, row, op, coef, vec, sym):
        out.setdefault(pname, []).append((int(row), op, coef, np.asarray(vec), sym))

    if m.batch_family == "cooccurrence":
        _glove_terms(m, batch, f, add)
        return out
    h = f["h"] if "h" in f else f.get("v_D")
    dh = f["dh"] if "dh" in f else f.get("dv_D")
    if h is None or dh is None:
        return None
    B = h.shape[0]
    ex = (lambda b: "") if B == 1 else (lambda b: f"[{b}]")
    sub = (lambda b, what: f"[{what}]") if B == 1 else (lambda b, what: f"[{b}, {what}]")
    if not _input_terms(m, batch, f, dh, ex, add) or \
            not _output_terms(m, f, h, ex, sub, row_name, add):
        return None
    return out


def _glove_terms(m, batch, f, add):
    """GloVe: each entry's 2 f(X) error times the other side's row, and the biases."""
    rows, cols = to_numpy(batch.rows), to_numpy(batch.cols)
    P = {k: to_numpy(v) for k, v in m.params.items()}
    for k, (i, j) in enumerate(zip(rows, cols)):
        c = float(f["scale"][k])
        add("W", i, "times", c, P["W_ctx"][j], f"2 f error[{k}] w~_j")
        add("W_ctx", j, "times", c, P["W"][i], f"2 f error[{k}] w_i")
        add("b", i, "plain", None, c, f"2 f error[{k}]")
        add("b_ctx", j, "plain", None, c, f"2 f error[{k}]")


def _input_terms(m, batch, f, dh, ex, add):
    """The input side: which rows made h, and each one's share of dL/dh; ``False`` for an
    input layer whose terms are not written here."""
    fam = m.batch_family
    if fam in ("sgram", "cbow") and m.input_layer == "words":
        if m.formulation != "pair" or "weight" not in f:
            return False
        inputs, weight = to_numpy(batch.inputs), f["weight"]
        for b in range(inputs.shape[0]):
            for c in range(inputs.shape[1]):
                w = float(weight[b, c])
                if w <= 0:
                    continue
                if inputs.shape[1] == 1 and w == 1.0:
                    add("W_in", inputs[b, c], "plain", None, dh[b], f"dL/dh{ex(b)}")
                else:
                    n = int(round(1.0 / w))
                    add("W_in", inputs[b, c], "over", n, dh[b], f"dL/dh{ex(b)} / {n}")
        return True
    if m.input_layer == "subwords":
        _, N, (words, word_ex, grams, gram_ex) = m.hidden(batch)
        N = to_numpy(N)
        for pname, rows, exs in (("W_in", words, word_ex), ("W_ngram", grams, gram_ex)):
            for r, b in zip(to_numpy(rows), to_numpy(exs)):
                add(pname, r, "over", int(N[b]), dh[b], f"dL/dh{ex(b)} / N")
        return True
    if fam == "documents":
        if hasattr(m, "feature_rows"):
            parts = [(n, to_numpy(r), to_numpy(w), to_numpy(d)) for n, r, w, d in m.feature_rows(batch)]
        else:
            parts = [("E", to_numpy(batch.ids), to_numpy(batch.weights), to_numpy(batch.doc))]
        for pname, rows, weights, docs in parts:
            for r, a, b in zip(rows, weights, docs):
                if float(a) == 1.0:
                    add(pname, r, "plain", None, dh[b], f"dL/dv_D{ex(b)}")
                else:
                    add(pname, r, "times", float(a), dh[b], f"a_g dL/dv_D{ex(b)}")
        return True
    return False


def _output_terms(m, f, h, ex, sub, row_name, add):
    """The output side: each output row's error times h; ``False`` where not written."""
    out_name = "U" if m.batch_family == "documents" else "W_out"
    B, kind = h.shape[0], m.output_layer
    if kind == "softmax":
        e = f["e"]
        for j in range(e.shape[1]):
            for b in range(B):
                add(out_name, j, "times", float(e[b, j]), h[b],
                    f"e{sub(b, row_name(out_name, j))} h{ex(b)}")
    elif kind == "negative_sampling":
        index = to_numpy(f["index"])
        g = f["g"] if "g" in f else f.get("gamma")
        if g is None:
            return False
        for b in range(B):
            for k in range(index.shape[1]):
                who = "target" if k == 0 else f"negative {k}"
                add(out_name, index[b, k], "times", float(g[b, k]), h[b],
                    f"g{sub(b, who)} h{ex(b)}")
    elif kind == "hierarchical_softmax":
        nodes, on, e = to_numpy(f["nodes"]), to_numpy(f["on_path"]), f["e"]
        for b in range(B):
            for l in range(nodes.shape[1]):
                if on[b, l]:
                    add(out_name, nodes[b, l], "times", float(e[b, l]), h[b],
                        f"e{sub(b, f'l={l + 1}')} h{ex(b)}")
    else:
        return False
    return True


def _term_value(op, coef, vec):
    if op == "times":
        return coef * vec
    if op == "over":
        return vec / coef
    if op == "minus":
        return -coef * vec
    return vec


def _targets_text(m, batch, words):
    """Per example, the probability asked for: ``P(the | king)`` (word names when known)."""
    if m.batch_family not in ("sgram", "cbow") or words is None:
        return None
    inputs, targets = to_numpy(batch.inputs), to_numpy(batch.targets)
    mask = None if batch.mask is None else to_numpy(batch.mask)
    out = []
    for b in range(inputs.shape[0]):
        given = [words[int(i)] for c, i in enumerate(inputs[b]) if mask is None or mask[b, c]]
        out.append(f"P({words[int(targets[b])]} | {', '.join(given)})")
    return out


def trace(model, batch, alpha, words=None, labels=None, title=None, check=True, notes=None):
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
    notes : list of str or None
        How the batch was made (the window's pairs, the negatives' draw), printed
        after the inputs.
    """
    m = model.astype(np.float64)
    out = Trace(title or f"{m.type_name}: one SGD step", float(alpha), notes=list(notes or []))
    kind = kind_of(m)
    if kind == "cooccurrence":
        out.settings = [f"x_max = {m.x_max:g} (the count at which the weight f(X) reaches 1)",
                        f"weighting exponent = {m.alpha:g} (the GloVe paper's alpha; "
                        f"not the learning rate)",
                        f"target t(X) = {'log X' if m.target == 'log' else 'log(1 + X)'}"]
    out.steps += _input_steps(m, batch, words)
    out.loss, grads = m.loss_and_grad(batch)
    touched = {pname: (np.unique(to_numpy(g.index)) if g.index is not None
                       else np.arange(m.params[pname].shape[0])) for pname, g in grads.items()}
    names = {pname: _row_names(m, pname, words, labels) for pname in grads}

    def label(pname, r):
        return f"{pname}[{names[pname][r]}]" if names[pname] is not None else f"{pname}[{r}]"

    out.steps += _parameter_steps(m, kind, touched, label)
    forward = {k: to_numpy(v) for k, v in m.forward(batch).items()}
    out.steps += _forward_steps(kind, forward)
    after = m.astype(np.float64)
    after.step(batch, alpha)
    out.steps += _row_steps(m, after, batch, alpha, forward, grads, touched, label)
    fa = {k: to_numpy(v) for k, v in after.forward(batch).items()}
    out.loss_after = float(np.sum(fa["loss"], dtype=np.float64))
    out.steps += _after_steps(m, batch, words, kind, forward, fa)
    if check:
        out.check = check_report(m, batch)
        names_all = {p: _row_names(m, p, words, labels) for p in m.params}
        idx = list(out.check.index)
        if idx and names_all.get(out.check.param) is not None:
            idx[0] = names_all[out.check.param][idx[0]]
        out.check_where = f"{out.check.param}[{', '.join(str(i) for i in idx)}]"
    return out


def _input_steps(m, batch, words):
    """The batch's fields, word fields also by word, in array order."""
    steps, fields = [], batch._asdict()
    for key, value in fields.items():
        if value is not None:
            value = to_numpy(value)
            text = ""
            if words is not None and key in _WORD_FIELDS.get(m.batch_family, ()):
                mask = fields.get("mask") if key == "inputs" else None
                text = ", by word: " + named(value, words, None if mask is None else to_numpy(mask))
            steps.append(Step("inputs", key, key, f"the batch{text}", value))
    return steps


def _parameter_steps(m, kind, touched, label):
    """The rows the step reads, by name, before it changes them."""
    steps = []
    for pname, rows in touched.items():
        role = _ROLES.get(pname, f"row of {pname}")
        if kind == "hierarchical_softmax" and pname == "W_out":
            role = "inner-node vector u_n (row of W_out, one per inner node of the tree)"
        for r in rows:
            steps.append(Step("parameters", label(pname, r), label(pname, r), role,
                              to_numpy(m.params[pname][r])))
    return steps


def _forward_steps(kind, forward):
    """The forward pass's named values; hierarchical softmax only on the real path nodes."""
    steps = []
    on_path = forward.get("on_path") if kind == "hierarchical_softmax" else None
    for key, symbol, formula in SYMBOLS.get(kind, []):
        if key in forward:
            shown = None
            if on_path is not None and key in _PATH_KEYS:
                shown = [row[keep] for row, keep in zip(forward[key], on_path.astype(bool))]
            steps.append(Step("forward", key, symbol, formula, forward[key], shown=shown))
    return steps


def _row_steps(m, after, batch, alpha, forward, grads, touched, label):
    """Every touched row's gradient (its written-out terms where they add up to the model's
    gradient) and update (old - alpha grad, where that is the rule), gradients first."""
    dense = {k: to_numpy(v) for k, v in densify(m.params, grads).items()}
    try:
        terms = _contributions(m, batch, forward, lambda p, r: label(p, r)[len(p) + 1:-1])
    except (KeyError, AttributeError, IndexError, TypeError, ValueError):
        terms = None                   # a model whose terms are not written: values only
    by_row = {}
    for pname, items in (terms or {}).items():
        for r, op, coef, vec, sym in items:
            by_row.setdefault((pname, r), []).append((op, coef, vec, sym))
    gradients, updates = [], []
    for pname, rows in touched.items():
        for r in rows:
            name = label(pname, r)
            grad, old = dense[pname][r], to_numpy(m.params[pname][r])
            new = to_numpy(after.params[pname][r])
            row_terms = by_row.get((pname, int(r)))
            formula, shown_terms = "from loss_and_grad; repeated rows summed", None
            if row_terms:
                total = sum(_term_value(op, coef, vec) for op, coef, vec, _ in row_terms)
                if np.allclose(total, grad, rtol=1e-9, atol=1e-12):
                    formula = " + ".join(sym for *_, sym in row_terms)
                    shown_terms = [(op, coef, vec) for op, coef, vec, _ in row_terms]
            gradients.append(Step("gradient", name, f"dL/d{name}", formula, grad,
                                  terms=shown_terms))
            rule = None
            if np.allclose(old - alpha * grad, new, rtol=1e-9, atol=1e-12):
                rule = [("plain", None, old), ("minus", float(alpha), grad)]
            updates.append(Step("update", name, f"{name} new", f"{name} - {alpha:g} dL/d{name}",
                                (old, new), terms=rule))
    return gradients + updates


def _after_steps(m, batch, words, kind, forward, fa):
    """P(target) (where there is one) and the loss, before -> after the step."""
    steps = []
    asked = _targets_text(m, batch, words)
    if kind in ("softmax", "hierarchical_softmax"):
        before_p, after_p = np.exp(-forward["loss"]), np.exp(-fa["loss"])
        what = "P(target) = exp(-L) per example" + (": " + ", ".join(asked) if asked else "")
        steps.append(Step("after the step", "p_target", "P(target)",
                          what + "; forward again on the new parameters", (before_p, after_p)))
    steps.append(Step("after the step", "loss_after", "L",
                      "loss per example, forward again on the new parameters",
                      (forward["loss"], fa["loss"])))
    return steps


def _fmt(value, digits):
    if isinstance(value, tuple):
        return " -> ".join(_fmt(v, digits) for v in value)
    a = np.asarray(value)
    if a.dtype.kind in "iub":
        return np.array2string(a, separator=" ")
    return np.array2string(a.astype(np.float64), precision=digits, floatmode="fixed",
                           suppress_small=True, separator=" ", max_line_width=10_000)


def _fmt_terms(terms, digits):
    """A gradient's or update's formula with its numbers: ``-0.55582 × [..] - 0.5 × [..]``,
    ``[..] / 2``, ``[..] - 0.1 × [..]`` (a negative scalar in brackets)."""
    parts = []
    for op, coef, vec in terms:
        v = _fmt(vec, digits)
        if np.ndim(vec) == 0 and float(vec) < 0 and op in ("times", "minus"):
            v = f"({v})"
        if op == "times":
            sign = "-" if coef < 0 else "+"
            parts.append((sign, f"{abs(coef):.{digits}f} × {v}", f"{coef:.{digits}f} × {v}"))
        elif op == "over":
            parts.append(("+", f"{v} / {coef}", f"{v} / {coef}"))
        elif op == "minus":
            parts.append(("-", f"{coef:g} × {v}", f"-{coef:g} × {v}"))
        else:
            parts.append(("+", v, v))
    text = parts[0][2]
    for sign, p, _ in parts[1:]:
        text += f" {sign} {p}"
    return text


def _worth_showing(terms):
    """Whether the numbers line says more than the value: not a lone plain term."""
    return bool(terms) and not (len(terms) == 1 and terms[0][0] == "plain")


def _value_text(s, digits):
    if s.shown is not None:
        return "\n".join(_fmt(v, digits) for v in s.shown)
    return _fmt(s.value, digits)


def _check_text(t):
    c = t.check
    where = t.check_where or f"{c.param}{list(c.index)}"
    return (f"max relative error {c.max_error:.3e} at {where}: numeric {c.numeric:.10g} vs "
            f"analytic {c.analytic:.10g} ({c.checked} entries checked)")


def _header(t, digits):
    return f"learning rate alpha = {t.alpha:g}" if not t.settings else \
        f"learning rate = {t.alpha:g}"


def format_trace(t, fmt="text", digits=5):
    """The trace as text (one line per quantity) or as a Markdown table.

    Every number is printed with ``digits`` decimals (fixed, so columns line
    up and a student can compare digit by digit). A gradient or updated row
    shows its formula, then the formula with its numbers, then the result.
    """
    lines = []
    if fmt == "markdown":
        lines += [f"**{t.title}** ({_header(t, digits)}; {digits} decimals)", ""]
        lines += [f"- {s}" for s in t.settings + t.notes]
        if t.settings or t.notes:
            lines.append("")
        lines += ["| step | quantity | formula | value |", "|---|---|---|---|"]
        for s in t.steps:
            value = _value_text(s, digits).replace("\n", "; ")
            if _worth_showing(s.terms):
                value = f"{_fmt_terms(s.terms, digits)} = {value}"
            cells = [c.replace("|", "\\|") for c in (s.section, s.symbol, s.formula, value)]
            lines.append("| {} | `{}` | {} | `{}` |".format(*cells))
        lines.append(f"| total | `L` | summed loss before the step | `{t.loss:.{digits}f}` |")
        if t.loss_after is not None:
            lines.append(f"| total | `L` | summed loss after the step | `{t.loss_after:.{digits}f}` |")
    else:
        lines.append(f"{t.title} ({_header(t, digits)}; numbers to {digits} decimals)")
        if t.settings:
            lines.append("\nsettings")
            lines += [f"  {s}" for s in t.settings]
        section = None
        for s in t.steps:
            if s.section != section:
                if section == "inputs" and t.notes:
                    lines.append("\nhow the batch was made")
                    lines += [f"  {n}" for n in t.notes]
                section = s.section
                lines.append(f"\n{section}")
            value = _value_text(s, digits).replace("\n", "\n" + " " * 8)
            lines.append(f"  {s.symbol:<18} {s.formula}")
            if _worth_showing(s.terms):
                lines.append(f"      = {_fmt_terms(s.terms, digits)}")
            lines.append(f"      = {value}")
        lines.append(f"\nloss before the step (summed over the batch): {t.loss:.{digits}f}")
        if t.loss_after is not None:
            lines.append(f"loss after the step (summed over the batch): {t.loss_after:.{digits}f}")
    if t.check is not None:
        lines.append(f"\nfinite-difference check of every gradient entry: {_check_text(t)}")
    return "\n".join(lines)


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    a = np.asarray(value)
    return a.tolist()


def trace_to_json(t):
    """The trace as JSON-ready Python values (lists, floats, strings)."""
    steps = []
    for s in t.steps:
        step = {"section": s.section, "name": s.name, "symbol": s.symbol, "formula": s.formula,
                "value": _plain(s.value)}
        if s.terms:
            step["terms"] = [{"op": op, "coef": coef, "vector": _plain(vec)} for op, coef, vec in s.terms]
        if s.shown is not None:
            step["shown"] = [_plain(v) for v in s.shown]
        steps.append(step)
    out = {"title": t.title, "alpha": t.alpha, "loss": t.loss, "loss_after": t.loss_after,
           "settings": t.settings, "notes": t.notes, "steps": steps}
    if t.check is not None:
        out["gradient_check"] = {"max_error": t.check.max_error, "param": t.check.param,
                                 "index": list(t.check.index), "where": t.check_where,
                                 "checked": t.check.checked}
    return out
