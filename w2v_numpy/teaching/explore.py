"""Watch a model learn: a recording of a tiny training run, one example per step,
and the one offline web page that replays it.

A student who has followed one step with ``python -m w2v_numpy trace`` asks
next what hundreds of such steps do to the vectors. :func:`record` answers
with the library's own numbers: it trains the reference model
(:func:`w2v_numpy.models.create`) on a toy corpus with batches of one example,
and for every step keeps the :func:`w2v_numpy.teaching.trace.trace` of that
step (the same symbols, formulas and values ``trace`` prints), the rows the
step wrote, the loss, and the word vectors afterwards. :func:`page` turns the
recording into one self-contained HTML file (the recording as embedded JSON,
plain JavaScript, inline SVG; nothing is fetched), which opens from disk or
inside a notebook (``IPython.display.HTML``).

Why trace and not a copy of its arithmetic: the page and ``trace`` must never
disagree, so the page only displays what ``trace`` computed.

The recording grows as steps x vocabulary x dimension; :func:`check_size`
refuses a request beyond :data:`MAX_CELLS` before any training, and
:func:`page` refuses a page beyond :data:`MAX_BYTES`.
"""
import json
import os
from importlib import resources

import numpy as np

from ..batching import Batch, CooccurrenceBatch, NegativeSampler
from ..errors import W2VError
from ..models import MODELS, create
from ..text.cooccurrence import cooccurrence, to_coo
from ..text.ngrams import fasttext_ngrams, ngram_hashes
from .trace import _row_names, trace, trace_to_json

#: Largest steps x vocabulary x dimension recorded (the word vectors are kept after every step).
MAX_CELLS = 2_000_000
#: Largest page written, in bytes.
MAX_BYTES = 20_000_000
#: The subword types' n-gram table, as ``trace`` builds it: 3- and 4-grams hashed into
#: a table small enough to draw (collisions included, as in fastText).
SUBWORD_OPTIONS = dict(min_n=3, max_n=4, bucket=101)
#: Significant digits kept in the page: enough that every number printed with 5
#: decimals (as ``trace`` prints them) is the library's.
DIGITS = 10

PRESET_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "data", "presets")


def presets():
    """Names of the toy corpora under ``data/presets`` (``NAME.txt``), sorted."""
    if not os.path.isdir(PRESET_DIR):
        return []
    return sorted(f[:-4] for f in os.listdir(PRESET_DIR) if f.endswith(".txt"))


def preset_sentences(name):
    """The sentences of a preset corpus: one per line, words separated by spaces."""
    path = os.path.join(PRESET_DIR, name + ".txt")
    if not os.path.isdir(PRESET_DIR):
        # like data/synthetic.txt, the presets live in the source checkout, not in a wheel
        raise W2VError(f"no presets here ({PRESET_DIR} is missing: they ship with the source "
                       "checkout); give --sentences or --data_file", param="preset")
    if not os.path.isfile(path):
        raise W2VError(f"unknown preset {name!r}; presets: {', '.join(presets()) or 'none'}",
                       param="preset")
    with open(path, encoding="utf-8") as fh:
        return parse_sentences(fh.read().splitlines())


def parse_sentences(lines):
    """Sentences from text lines; a comma also ends a sentence ("drink juice, eat apple").

    Lines starting with ``#`` are comments. Words are lower-cased and split on spaces.
    """
    out = []
    for line in lines:
        if line.lstrip().startswith("#"):
            continue
        for piece in line.replace(";", ",").split(","):
            words = piece.lower().split()
            if words:
                out.append(words)
    return out


def check_size(steps, vocab_size, vector_dim, extra_rows=0):
    """Refuse (``W2VError``) a recording larger than :data:`MAX_CELLS`, before any work.

    ``extra_rows``: parameter rows beyond the vocabulary (n-gram buckets).
    """
    cells = steps * (vocab_size + extra_rows) * vector_dim
    if cells > MAX_CELLS:
        raise W2VError(f"{steps} steps x {vocab_size + extra_rows} rows x {vector_dim} dimensions "
                       f"= {cells:,} numbers to record, more than {MAX_CELLS:,}: use fewer "
                       f"--steps, a smaller --vector_dim or a smaller corpus", param="steps")


def _examples(cls, sentences, ids, radius):
    """Every example of one pass over the corpus, in corpus order:
    ``(sentence, position, (lo, hi), inputs, target, context position)`` (the window is
    ``lo..hi - 1``; the context position is that of skip-gram's target, None for CBOW)."""
    out = []
    for s, sent in enumerate(ids):
        for p in range(len(sent)):
            lo, hi = max(0, p - radius), min(len(sent), p + radius + 1)
            ctx = [j for j in range(lo, hi) if j != p]
            if not ctx:
                continue
            if cls.batch_family == "sgram":    # the centre predicts each context word
                out += [(s, p, (lo, hi), [sent[p]], sent[j], j) for j in ctx]
            else:                              # the mean of the context predicts the centre
                out.append((s, p, (lo, hi), [sent[j] for j in ctx], sent[p], None))
    return out


def _word_vectors(model):
    """The vectors a user of the model gets, one row per word: W_in (word2vec), the mean of
    a word's row and its n-gram rows (fastText), W + W~ (GloVe, as its paper sums them)."""
    if model.batch_family == "cooccurrence":
        return model.params["W"] + model.params["W_ctx"]
    if model.input_layer == "subwords":
        V = model.vocab_size
        batch = Batch(np.arange(V)[:, None], None, np.zeros(V, np.int64), np.zeros((V, 1), np.int64))
        return np.asarray(model.hidden(batch)[0])
    return model.params["W_in"]


def _round(value):
    """Floats rounded to :data:`DIGITS` significant digits, recursively (JSON-ready)."""
    if isinstance(value, float):
        return float(f"{value:.{DIGITS}g}") if np.isfinite(value) else None
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def _matrix(a, digits=DIGITS):
    return [[float(f"{x:.{digits}g}") for x in row] for row in np.atleast_2d(np.asarray(a, float))]


def record(type="sgram_neg", sentences=None, vector_dim=5, window=3, neg_samples=2, alpha=0.3,
           steps=300, seed=0, x_max=10.0, title=None):
    """Train ``type`` one example at a time on ``sentences`` and record every step.

    Parameters
    ----------
    type : str
        A trainable type (word2vec, GloVe or fastText's unsupervised types).
    sentences : list of list of str
    vector_dim, window, neg_samples, alpha, steps, seed
        As the trainer spells them: ``window`` is the full span (3: one word each side).
    x_max : float
        GloVe's x_max (the count at which the weight reaches 1).

    Returns
    -------
    dict
        JSON-ready: the corpus, the vocabulary, the initial parameters and, per step,
        the example, ``trace`` of the step, the rows written and the word vectors.
    """
    if type not in MODELS or MODELS[type].batch_family == "documents":
        raise W2VError(f"must be a trainable type, got {type!r}", param="type")
    cls = MODELS[type]
    sentences = [list(s) for s in (sentences or []) if s]
    words = list(dict.fromkeys(w for s in sentences for w in s))
    if len(words) < 2:
        raise W2VError("the corpus needs at least two different words", param="sentences")
    if window < 3 or window % 2 == 0:
        raise W2VError(f"must be odd and >= 3 (the full span, centre included), got {window}",
                       param="window")
    radius = (window - 1) // 2
    V = len(words)
    ids = [[words.index(w) for w in s] for s in sentences]
    counts = np.bincount([i for s in ids for i in s], minlength=V)
    extra = dict(SUBWORD_OPTIONS) if cls.input_layer == "subwords" else {}
    check_size(steps, V, vector_dim, extra.get("bucket", 0))
    options = dict(x_max=x_max, target="log") if cls.batch_family == "cooccurrence" else {}
    model = create(type, V, vector_dim, seed=seed, dtype=np.float64, counts=counts, words=words,
                   **extra, **options)
    labels, ngrams = _ngram_labels(words, extra) if extra else (None, None)
    examples, family_info = _run_examples(cls, sentences, ids, radius, V)
    run = _Run(model, cls, words, labels, ngrams, radius, neg_samples, alpha,
               NegativeSampler(counts, table_size=100_000) if cls.uses_negatives else None,
               np.random.default_rng(seed))
    vectors = [_matrix(_word_vectors(model), 6)]
    recorded, size = [], 0
    for n in range(steps):
        recorded.append(run.step(examples[n % len(examples)], epoch=n // len(examples)))
        vectors.append(_matrix(_word_vectors(model), 6))
        # the page's size, measured as it grows: the first step projects the whole run
        # (refused at once when it would not fit), the running total catches the rest
        size += len(json.dumps(recorded[-1], ensure_ascii=False)) + 12 * V * vector_dim
        if n == 0 and size * steps > 1.1 * MAX_BYTES or size > MAX_BYTES:
            raise W2VError(f"the page would be about {size * steps / (n + 1) / 1e6:.0f} MB "
                           f"({size / (n + 1) / 1e3:.1f} kB a step), more than "
                           f"{MAX_BYTES / 1e6:.0f} MB: use fewer --steps or a smaller "
                           f"--vector_dim", param="steps")
    return {"type": type, "title": title or f"{type} learning", "words": words,
            "counts": counts.tolist(), "sentences": sentences, "family": cls.batch_family,
            "output_layer": cls.output_layer, "input_layer": cls.input_layer,
            "settings": {"vector_dim": vector_dim, "window": window, "neg_samples": neg_samples,
                         "alpha": alpha, "steps": steps, "seed": seed,
                         **({"x_max": x_max} if cls.batch_family == "cooccurrence" else {}),
                         **extra},
            "examples_per_pass": len(examples),
            "row_names": {p: run.row_names[p] for p in model.params},
            "initial": {p: _matrix(v) for p, v in _initial(type, V, vector_dim, seed, counts, words,
                                                            extra, options).items()},
            "vectors": vectors, "pca": _pca(vectors), "steps": recorded, **family_info}


def _ngram_labels(words, extra):
    """``(labels, ngrams)``: each n-gram bucket named by the n-grams that hash into it
    (collisions show as ``a/b``), and each word's ``[n-gram, bucket]`` pairs."""
    names, ngrams = {}, {}
    for w in words:
        grams = fasttext_ngrams(w, extra["min_n"], extra["max_n"])
        hashed = [int(h) for h in ngram_hashes(w, extra["min_n"], extra["max_n"], extra["bucket"])]
        ngrams[w] = [[g, h] for g, h in zip(grams, hashed)]
        for g, h in zip(grams, hashed):
            if g not in names.setdefault(h, []):
                names[h].append(g)
    labels = {"W_ngram": ["/".join(names.get(r, [])) or f"#{r}" for r in range(extra["bucket"])]}
    return labels, ngrams


def _run_examples(cls, sentences, ids, radius, V):
    """The examples one pass makes (GloVe: the co-occurrence entries) and what the page
    shows of the family (GloVe: the co-occurrence table)."""
    if cls.batch_family == "cooccurrence":
        X = cooccurrence(ids, window=radius, distance_weighting=True)
        rows, cols, xs = to_coo(X)
        matrix = np.zeros((V, V))
        matrix[rows, cols] = xs
        examples, info = list(zip(rows.tolist(), cols.tolist(), xs.tolist())), \
            {"cooccurrence": _matrix(matrix, 6)}
    else:
        examples, info = _examples(cls, sentences, ids, radius), {}
    if not examples:
        raise W2VError("the corpus has no window with two words: use longer sentences",
                       param="sentences")
    return examples, info


def _pca(vectors):
    """One PCA basis for the whole run (the final vectors'), so that a point's motion on
    the map is the vector's motion, not the axes turning under it."""
    final = np.asarray(vectors[-1])
    mean = final.mean(axis=0)
    if final.shape[1] >= 2:
        _, sv, vt = np.linalg.svd(final - mean, full_matrices=False)
        basis = vt[:2]
        explained = (sv[:2] ** 2 / max(float(np.sum(sv ** 2)), 1e-300)).tolist()
    else:
        basis, explained = np.vstack([np.ones((1, 1)), np.zeros((1, 1))]), [1.0, 0.0]
    coords = [np.round((np.asarray(v) - mean) @ basis.T, 5).tolist() for v in vectors]
    return {"coords": coords, "explained": explained, "from": "the final word vectors"}


class _Run:
    """One recorded run: turns an example into a batch, traces the step, takes it."""

    def __init__(self, model, cls, words, labels, ngrams, radius, neg_samples, alpha, sampler,
                 rng):
        self.model, self.cls, self.words, self.labels, self.ngrams = model, cls, words, labels, ngrams
        self.radius, self.neg_samples, self.alpha = radius, neg_samples, alpha
        self.sampler, self.rng = sampler, rng
        self.row_names = {p: _row_names(model, p, words, labels) for p in model.params}

    def row_of(self, pname, label):
        names = self.row_names[pname]
        inside = label[len(pname) + 1:-1]
        return names.index(inside) if names is not None else int(inside)

    def batch_of(self, ex):
        """``(batch, example, notes)`` of one recorded example."""
        words = self.words
        if self.cls.batch_family == "cooccurrence":
            i, j, x = ex
            batch = CooccurrenceBatch(np.array([i]), np.array([j]), np.array([x]))
            notes = [f"co-occurrence entry ({words[i]}, {words[j]}): X = {x:.4g}, the summed "
                     f"1/distance of every time the two are at most {self.radius} apart"]
            return batch, {"row": words[i], "col": words[j], "X": x, "i": i, "j": j}, notes
        s, p, (lo, hi), inputs, target, ctx_pos = ex
        negatives = None
        if self.sampler is not None:
            negatives = self.sampler.sample(np.array([target]), self.neg_samples, self.rng)
        batch = Batch(np.array([inputs]), None, np.array([target]), negatives)
        example = {"sentence": s, "position": p, "window": [lo, hi], "context_position": ctx_pos,
                   "inputs": [words[i] for i in inputs], "target": words[target],
                   "negatives": [] if negatives is None else [words[i] for i in negatives[0]]}
        if self.ngrams is not None:
            example["ngrams"] = {words[i]: self.ngrams[words[i]] for i in inputs}
        what = ("skip-gram: the centre predicts one context word" if self.cls.batch_family == "sgram"
                else "CBOW: the mean of the context rows predicts the centre")
        notes = [f"{what}: P({words[target]} | {', '.join(example['inputs'])})"]
        if negatives is not None:
            notes.append(f"negatives drawn from count^0.75: {', '.join(example['negatives'])}")
        return batch, example, notes

    def step(self, ex, epoch):
        """Trace the step of example ``ex``, take it, and return its record."""
        batch, example, notes = self.batch_of(ex)
        t = trace(self.model, batch, self.alpha, words=self.words, labels=self.labels,
                  check=False, notes=notes)
        self.model.step(batch, self.alpha)
        tj = trace_to_json(t)
        for step_json, step in zip(tj["steps"], t.steps):
            # ids and code bits are integers; JSON alone would not let the page tell 8 from 8.0
            if not isinstance(step.value, tuple) and np.asarray(step.value).dtype.kind in "iub":
                step_json["integer"] = True
        touched = []
        for s in tj["steps"]:
            if s["section"] == "update":
                pname = s["name"][:s["name"].index("[")]
                touched.append([pname, self.row_of(pname, s["name"])])
        return {"epoch": epoch, "example": example, "loss": t.loss, "loss_after": t.loss_after,
                "touched": touched, "trace": _round(tj)}


def _initial(type, V, vector_dim, seed, counts, words, extra, options):
    """The parameters before the first step (the same seeded model, built again)."""
    model = create(type, V, vector_dim, seed=seed, dtype=np.float64, counts=counts, words=words,
                   **extra, **options)
    return {p: np.asarray(v).reshape(v.shape[0], -1) for p, v in model.params.items()}


def _template():
    return resources.files(__package__).joinpath("explore_page.html").read_text(encoding="utf-8")


def page(recording):
    """The self-contained HTML page of a recording (a string).

    Raises ``W2VError`` when the page would be larger than :data:`MAX_BYTES`.
    """
    data = json.dumps(recording, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # "</" would end the script element early; JSON allows "<\/" for "</"
    data = data.replace("</", "<\\/")
    html = _template().replace("/*__RECORDING__*/null", data, 1)
    html = html.replace("__TITLE__", _escape(recording["title"]), 1)
    if len(html.encode("utf-8")) > MAX_BYTES:
        raise W2VError(f"the page would be {len(html) / 1e6:.1f} MB, more than "
                       f"{MAX_BYTES / 1e6:.0f} MB: use fewer --steps", param="steps")
    return html


def iframe(html, height=1250):
    """The page inside an ``<iframe srcdoc=...>``, for ``IPython.display.HTML``: the frame keeps
    the page's ids and styles apart from the notebook's (two pages in one notebook would
    otherwise share their buttons' ids)."""
    return (f'<iframe srcdoc="{_escape(html)}" style="width: 100%; height: {int(height)}px; '
            f'border: 1px solid #ddd" title="w2v_numpy explore"></iframe>')


def _escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def recording_of(html):
    """The recording embedded in a page written by :func:`page` (for tests and notebooks)."""
    start = html.index('<script id="recording" type="application/json">') + len(
        '<script id="recording" type="application/json">')
    end = html.index("</script>", start)
    return json.loads(html[start:end])
