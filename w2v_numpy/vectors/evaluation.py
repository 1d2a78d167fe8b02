"""Analogy and word-similarity evaluation with gensim's semantics, and NumPy-only statistics.

The two evaluations give the same results as gensim 4.x's
``KeyedVectors.evaluate_word_analogies`` and ``evaluate_word_pairs``:

* Words are looked up among the first ``restrict_vocab`` keys only. With
  ``case_insensitive`` every word is upper-cased and a form that occurs more
  than once maps to its first (most frequent) key.
* A question ``a b c expected`` with a word outside that vocabulary is
  skipped (or, with ``dummy4unknown``, counted incorrect). The prediction is
  gensim's: ``most_similar(positive=[b, c], negative=[a], topn=5)`` over the
  restricted vocabulary, without the three query rows; the first result whose
  (upper-cased) form is not one of the three question words wins; if all five
  are question words, the fifth is the prediction.
* Lines that do not split into 4 words (3 fields for pairs) are skipped.
  A file without any question scores 0.0 (gensim raises ZeroDivisionError).

Speed: candidates are scored for many questions at once with one matrix
product. Such scores can differ from gensim's one-question-at-a-time scores
in the last bits, so a batched answer is used only when the scores of the
ranks that decide it are separated by more than a bound on that rounding
difference; otherwise the question is recomputed exactly as gensim does it.
Results are therefore identical to gensim's, ties included.
"""
import math
from collections import namedtuple

import numpy as np

from ..errors import W2VError

#: Evaluations look words up among this many most frequent keys by default (gensim's value).
RESTRICT_VOCAB = 300000
_TOPK = 10  # batched candidates per question: enough for 5 results + 3 query rows + 1


class CorrelationResult(namedtuple("CorrelationResult", ["statistic", "pvalue"])):
    """``(statistic, pvalue)``; indexes like gensim's scipy results (``[0]``, ``[1]``)."""

    __slots__ = ()

    @property
    def correlation(self):
        """Alias of ``statistic`` (the name scipy's Spearman result used to have)."""
        return self.statistic


def ok_vocab(kv, restrict_vocab, case_insensitive):
    """Map each (upper-cased) form among the first ``restrict_vocab`` keys to its first row."""
    ok = {}
    for i, key in enumerate(kv.index_to_key[:restrict_vocab]):
        ok.setdefault(key.upper() if case_insensitive else key, i)
    return ok


def evaluate_word_analogies(kv, path, restrict_vocab=RESTRICT_VOCAB, case_insensitive=True,
                            dummy4unknown=False):
    """Evaluate ``kv`` on an analogy file; see the module docstring for the semantics.

    Returns
    -------
    dict
        ``score`` (accuracy over all evaluated questions, 0.0 if none),
        ``sections`` (gensim's list of ``{'section', 'correct', 'incorrect'}``
        dicts with the question 4-tuples, ending with ``'Total accuracy'``),
        ``questions`` (valid question lines) and ``oov`` (how many had an
        unknown word).
    """
    ok = ok_vocab(kv, restrict_vocab, case_insensitive)
    form = str.upper if case_insensitive else str
    sections, pending, oov = [], [], 0
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise W2VError(f"{path}: line {line_no + 1} is not valid UTF-8") from None
            if line.startswith(": "):
                sections.append({"section": line.lstrip(": ").strip(), "correct": [],
                                 "incorrect": []})
                continue
            if not sections:
                raise W2VError(f"{path}: missing ': section' header before line {line_no + 1}")
            words = [form(w) for w in line.split()]
            if len(words) != 4:
                continue
            quad = tuple(words)
            if any(w not in ok for w in quad):
                oov += 1
                if dummy4unknown:
                    pending.append((sections[-1], quad, None))
                continue
            pending.append((sections[-1], quad, (ok[quad[0]], ok[quad[1]], ok[quad[2]])))
    rows = np.array([p[2] for p in pending if p[2] is not None], dtype=np.int64).reshape(-1, 3)
    predictions = iter(_predict(kv, rows, restrict_vocab, ok, form))
    for section, quad, query in pending:
        hit = query is not None and next(predictions) == quad[3]
        section["correct" if hit else "incorrect"].append(quad)
    total = {"section": "Total accuracy",
             "correct": [q for s in sections for q in s["correct"]],
             "incorrect": [q for s in sections for q in s["incorrect"]]}
    sections.append(total)
    n_done = len(total["correct"]) + len(total["incorrect"])
    score = len(total["correct"]) / n_done if n_done else 0.0
    return {"score": score, "sections": sections, "questions": len(rows) + oov, "oov": oov}


def _pick(keys, ignore, ok, form):
    """gensim's choice among the (at most 5) ranked candidate keys."""
    predicted = None
    for key in keys[:5]:
        predicted = form(key)
        if predicted in ok and predicted not in ignore:
            break
    return predicted


def _predict(kv, rows, restrict_vocab, ok, form):
    """Predicted forms for questions ``rows`` = (n, 3) rows of (a, b, c)."""
    keys = kv.index_to_key
    end = min(restrict_vocab or len(kv), len(kv))
    out = []
    if end <= _TOPK + 2:  # tiny vocabulary: no room for the batched shortcut
        for a, b, c in rows:
            out.append(_exact(kv, a, b, c, restrict_vocab, ok, form))
        return out
    # only the question rows are normalised: a (V, d) normed copy of a memory-mapped
    # table would cost the table's size in memory
    dtype = kv.vectors.dtype
    tol = 4 * (kv.vector_size + 4) * np.finfo(dtype).eps  # > 2 x batched-vs-exact error
    batch = max(1, (1 << 24) // end)
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        a, b, c = (kv.normed_rows(chunk[:, i]) for i in range(3))
        mean = (b.astype(np.float64) + c).astype(dtype)  # gensim's rounding steps
        mean = (mean.astype(np.float64) - a) / 3.0
        mean = mean / np.sqrt(np.einsum("ij,ij->i", mean, mean))[:, None]
        scores = kv._dists(mean.astype(dtype), end)  # (batch, end)
        for q, cand in enumerate(_top_candidates(scores, _TOPK)):
            ia, ib, ic = chunk[q]
            cand = [j for j in cand if j != ia and j != ib and j != ic]
            ignore = {form(keys[i]) for i in (ia, ib, ic)}
            pos = next((i for i, j in enumerate(cand[:5]) if form(keys[j]) not in ignore), 4)
            s = scores[q, cand[:pos + 2]]
            if len(s) == pos + 2 and np.all(s[:-1] - s[1:] > tol):  # separated: as gensim
                out.append(form(keys[cand[pos]]))
            else:
                out.append(_exact(kv, ia, ib, ic, restrict_vocab, ok, form))
    return out


def _top_candidates(scores, k):
    """Per row of ``scores``, at least the ``k`` best columns, best first (maybe fewer if NaN).

    Cheaper than a row-wise argpartition: the k-th largest of the maxima of
    blocks of (up to) 32 columns is a threshold that at least k entries reach.
    """
    n, width = scores.shape
    size = max(1, min(32, width // (4 * k)))  # small vocabularies: smaller blocks
    cut = width - width % size
    block_max = scores[:, :cut].reshape(n, -1, size).max(axis=2)
    if cut < width:
        block_max = np.hstack([block_max, scores[:, cut:].max(axis=1, keepdims=True)])
    k = min(k, block_max.shape[1])
    thr = np.partition(block_max, block_max.shape[1] - k, axis=1)[:, -k]
    row, col = np.nonzero(scores >= thr[:, None])
    bounds = np.searchsorted(row, np.arange(n + 1))
    for q in range(n):
        cols = col[bounds[q]:bounds[q + 1]]
        yield cols[np.argsort(-scores[q, cols], kind="stable")]


def _exact(kv, a, b, c, restrict_vocab, ok, form):
    """One question exactly as gensim computes it."""
    sims = kv.most_similar(positive=[int(b), int(c)], negative=[int(a)], topn=5,
                           restrict_vocab=restrict_vocab)
    ignore = {form(kv.index_to_key[i]) for i in (a, b, c)}
    return _pick([k for k, _ in sims], ignore, ok, form)


def evaluate_word_pairs(kv, path, delimiter="\t", restrict_vocab=RESTRICT_VOCAB, case_insensitive=True,
                        dummy4unknown=False):
    """Pearson and Spearman correlation of cosine similarities with gold scores.

    Lines starting with ``#`` are comments; a line must split on ``delimiter``
    into ``word1, word2, score``. Pairs with a word outside the first
    ``restrict_vocab`` keys are skipped (or scored 0.0 with ``dummy4unknown``).

    Returns
    -------
    pearson, spearman : CorrelationResult
        ``(statistic, pvalue)``; p-values two-sided, computed with NumPy only
        (Student t distribution, as scipy does).
    oov_ratio : float
        Percentage of pairs with an unknown word (of all valid pairs, or of
        the scored pairs with ``dummy4unknown``, as in gensim).

    Raises
    ------
    W2VError
        If fewer than 2 pairs can be scored (a correlation needs two).
    """
    report = score_word_pairs(kv, path, delimiter, restrict_vocab, case_insensitive,
                              dummy4unknown)
    return report["pearson"], report["spearman"], report["oov_ratio"]


def score_word_pairs(kv, path, delimiter="\t", restrict_vocab=RESTRICT_VOCAB,
                     case_insensitive=True, dummy4unknown=False):
    """:func:`evaluate_word_pairs` with its counts, as a dict.

    Keys: ``pearson``, ``spearman``, ``oov_ratio`` (as there), ``pairs`` (pairs
    scored), ``oov`` (pairs with an unknown word) and ``skipped_lines``
    (lines that are not ``word1<delimiter>word2<delimiter>score`` with a
    finite score; gensim skips them too and logs how many).
    """
    ok = ok_vocab(kv, restrict_vocab, case_insensitive)
    gold, model, oov, skipped = [], [], 0, 0
    with open(path, encoding="utf-8") as f:
        for line in _utf8_lines(f, path):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\r\n").split(delimiter)
            sim = _finite(parts[2]) if len(parts) == 3 else None
            if sim is None:
                skipped += 1
                continue
            a, b = (p.upper() for p in parts[:2]) if case_insensitive else parts[:2]
            if a not in ok or b not in ok:
                oov += 1
                if dummy4unknown:
                    gold.append(sim)
                    model.append(0.0)
                continue
            gold.append(sim)
            model.append(float(np.dot(*kv.normed_rows([ok[a], ok[b]]))))
    if len(gold) < 2:
        raise W2VError(f"{path}: {len(gold)} usable word pair(s), and a correlation needs at "
                       f"least 2 ({oov} with a word outside the vocabulary, {skipped} malformed "
                       "lines skipped)")
    oov_ratio = 100.0 * oov / (len(gold) if dummy4unknown else len(gold) + oov)
    return {"pearson": pearson(gold, model), "spearman": spearman(gold, model),
            "oov_ratio": oov_ratio, "pairs": len(gold), "oov": oov, "skipped_lines": skipped}


def _finite(text):
    """The score as a float, or None if it is not a finite number."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _utf8_lines(f, path):
    try:
        yield from f
    except UnicodeDecodeError as e:
        raise W2VError(f"{path}: not valid UTF-8 ({e.reason} at byte {e.start} of a block)"
                         ) from None


def rankdata(values):
    """Ranks 1..n of ``values``, ties given their average rank (scipy's ``method='average'``)."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # first of each tie group
    ends = np.r_[starts[1:], values.size]  # one past the last
    ranks = np.empty(values.size)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


def pearson(x, y):
    """Pearson's r and its two-sided p-value (NaN r for constant input)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.size < 2:
        raise W2VError("pearson: need two sequences of the same length >= 2")
    dx, dy = x - x.mean(), y - y.mean()
    dx, dy = dx / (np.abs(dx).max() or 1.0), dy / (np.abs(dy).max() or 1.0)  # no overflow
    sxx, syy = np.dot(dx, dx), np.dot(dy, dy)
    if sxx == 0 or syy == 0:
        return CorrelationResult(float("nan"), float("nan"))
    # sxy / sqrt(sxx * syy) is exactly +-1 for proportional inputs (|r| = 1 gives p = 0)
    r = float(np.clip(np.dot(dx, dy) / np.sqrt(sxx * syy), -1.0, 1.0))
    return CorrelationResult(r, _pvalue(r, x.size))


def spearman(x, y):
    """Spearman's rho (Pearson on average ranks) and its two-sided p-value."""
    return pearson(rankdata(x), rankdata(y))


def _pvalue(r, n):
    """P(|R| >= |r|) for a correlation of n independent normal pairs: I_{1-r^2}((n-2)/2, 1/2)."""
    if n < 3:
        return 1.0
    return betainc((n - 2) / 2.0, 0.5, max(0.0, 1.0 - r * r))


def betainc(a, b, x):
    """Regularised incomplete beta function I_x(a, b) (continued fraction, modified Lentz)."""
    if x <= 0.0 or x >= 1.0:
        return 0.0 if x <= 0.0 else 1.0
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast only below the mean
        return 1.0 - betainc(b, a, 1.0 - x)
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    # Lentz evaluation of 1 + d1/(1 + d2/(1 + ...)); I = front / (a * that)
    tiny, f, c, d = 1e-300, 1.0, 1.0, 0.0
    for j in range(1, 2000):
        m = j // 2
        if j % 2:
            dj = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        else:
            dj = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 + dj * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + dj / c
        c = c if abs(c) > tiny else tiny
        f *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.exp(log_front) / (a * f)
