"""``python -m w2v_numpy trace``: one training step of any model on a tiny input, every number shown.

Either a worked example of the documents (``--example skipgram``), or your own
input: ``--type``, a ``--sentence`` (and a ``--centre`` word) or a ``--pair
CENTRE CONTEXT``, the window, the size, the negatives, the learning rate and
the initial weights (seeded values rounded to 2 decimals, so that the
arithmetic can be redone by hand, except for the parameters a ``--weights``
file names: JSON or .npz, read by :func:`_read_weights`). It prints each
quantity with its formula, the gradient rows, the updated rows and a
finite-difference check of the gradients (see :mod:`w2v_numpy.teaching.trace`).
"""
import io
import json
import sys
import zipfile

import numpy as np

from ..batching import Batch, CooccurrenceBatch, NegativeSampler
from ..models import MODELS, create
from ..models.fasttext_supervised import make_batch
from ..teaching.trace import format_trace, trace, trace_to_json
from ..teaching.worked_examples import EXAMPLES
from ..text.cooccurrence import cooccurrence, to_coo
from ..text.ngrams import char_ngrams
from .common import ArgumentParser, UserError, non_empty, number, run


def build_parser():
    """The argument parser of ``trace``."""
    p = ArgumentParser(prog="python -m w2v_numpy trace",
                       description="Print one training step with every intermediate, its "
                                   "formula and its numbers.")
    a = p.add_argument
    a("--example", choices=sorted(EXAMPLES), help="a worked example of the documents")
    a("--type", choices=sorted(MODELS), default="sgram", help="model type (default sgram)")
    a("--sentence", type=non_empty("--sentence"), help="the text, words separated by spaces")
    a("--centre", help="centre word of the example (default: the second word)")
    a("--pair", nargs=2, metavar=("CENTRE", "CONTEXT"), help="one (centre, context) pair")
    a("--window", type=number(int, 3, odd=True, high=101), default=3,
      help="full window span, centre included, as for training (default 3: one word each side)")
    a("--dim", type=number(int, 1, high=50), default=2, help="vector size (default 2)")
    a("--alpha", type=number(float, 0, strict=True), default=0.1, help="learning rate (0.1)")
    a("--negatives", help="comma-separated negative words (negative-sampling types)")
    a("--neg_samples", type=number(int, 1, high=50), help="draw this many negatives instead")
    a("--labels", default="positive,negative", help="classes of the fasttext classifier")
    a("--label", help="true class of the sentence (default: the first of --labels)")
    a("--x_max", type=number(float, 0, strict=True), default=10.0, help="GloVe x_max (10)")
    a("--target", choices=["log", "log1p"], default="log", help="GloVe target (log X)")
    a("--weights", type=non_empty("--weights"),
      help="initial weights: a JSON object or an .npz archive of parameter arrays by name "
           "(W_in, W_out, ...); parameters it leaves out are seeded. Not with --example")
    a("--seed", type=number(int, 0, high=2 ** 32), default=0, help="seed of the weights and negatives")
    a("--digits", type=number(int, 1, high=12), default=5, help="decimals printed (default 5)")
    a("--format", choices=["text", "markdown"], default="text", help="text or a Markdown table")
    a("--json", action="store_true", help="print everything as JSON instead")
    a("--no_check", action="store_true", help="skip the finite-difference check")
    return p


def _words(args):
    if args.sentence is None and args.pair is None:
        raise UserError("give --example NAME, or --sentence TEXT or --pair CENTRE CONTEXT")
    text = args.sentence.split() if args.sentence else list(args.pair)
    words = list(dict.fromkeys(text))
    if len(words) < 2:
        raise UserError("the input needs at least two different words")
    return text, words


def _id(words, word, what):
    if word not in words:
        raise UserError(f"{what} {word!r} is not in the input ({', '.join(words)})")
    return words.index(word)


def _window_examples(args, text, words, family):
    """(inputs rows, targets, notes) of the word2vec types: one pair, or every pair of
    the centre; the notes say, in words, how the window made them."""
    if args.pair:
        centre, context = (_id(words, w, "--pair word") for w in args.pair)
        note = [f"one (centre, context) pair given by --pair: ({args.pair[0]}, {args.pair[1]})"]
        return (([[centre]], [context], note) if family == "sgram"
                else ([[context]], [centre], note))
    radius = (args.window - 1) // 2
    if radius >= len(text):
        raise UserError(f"--window {args.window} reaches past both ends of the {len(text)}-word "
                        "sentence: use a smaller --window")
    if args.centre and args.centre not in text:
        raise UserError(f"--centre {args.centre!r} is not in the sentence")
    pos = text.index(args.centre) if args.centre else min(1, len(text) - 1)
    ctx = [words.index(text[j]) for j in range(max(0, pos - radius), min(len(text), pos + radius + 1))
           if j != pos]
    centre = words.index(text[pos])
    lo, hi = max(0, pos - radius), min(len(text), pos + radius + 1)
    notes = [f"--window {args.window}: radius {radius}, so the centre word {text[pos]!r} (position "
             f"{pos}) sees the words at positions {lo}..{hi - 1} except itself: "
             f"{', '.join(text[j] for j in range(lo, hi) if j != pos)}"]
    if family == "sgram":
        notes.append("skip-gram: one example per (centre, context) pair, the centre predicts "
                     "each context word: " + ", ".join(f"({text[pos]} -> {words[c]})" for c in ctx))
        return [[centre]] * len(ctx), ctx, notes
    notes.append(f"CBOW: one example, the mean of the {len(ctx)} context rows predicts the "
                 f"centre: ({', '.join(words[c] for c in ctx)}) -> {text[pos]}")
    return [ctx], [centre], notes


def _negatives(args, words, targets, counts, inputs=None):
    """(negatives (B, K), notes): the given words, or a seeded draw from counts^0.75."""
    if args.negatives:
        neg = [_id(words, w, "--negatives word") for w in args.negatives.split(",")]
        clash = [words[t] for t in targets if t in neg]
        if clash:
            raise UserError(f"the negative {clash[0]!r} is the word to predict; choose another")
        return np.array([neg] * len(targets)), [
            f"negatives given by --negatives: {', '.join(words[i] for i in neg)}, "
            "the same for every example"]
    rng = np.random.default_rng(args.seed)
    sampler = NegativeSampler(counts)
    k = args.neg_samples or 1
    drawn = sampler.sample(np.array(targets), k, rng)
    probs = ", ".join(f"{w} {c}^0.75 -> {p:.3f}" for w, c, p in zip(words, counts, sampler.probs))
    notes = [f"negatives: {k} per example drawn (--seed {args.seed}) from P(w) = "
             f"count(w)^0.75 / sum_v count(v)^0.75: {probs}",
             "a draw equal to the example's target is drawn again; a draw equal to an "
             "input (centre or context) word is kept, as in word2vec.c, which redraws only "
             "the target: in a real vocabulary it is rare, and it only adds a little noise"]
    if inputs is not None:
        same = [words[int(n)] for b, row in enumerate(drawn) for n in row if n in inputs[b]]
        if same:
            notes.append(f"here a negative equals an input word ({', '.join(sorted(set(same)))}): "
                         "allowed, for the reason above")
    return drawn, notes


def _window_case(args, cls):
    text, words = _words(args)
    counts = np.array([text.count(w) for w in words])
    inputs, targets, notes = _window_examples(args, text, words, cls.batch_family)
    negatives = None
    if cls.uses_negatives:
        negatives, more = _negatives(args, words, targets, counts, inputs)
        notes += more
    batch = Batch(np.array(inputs), None, np.array(targets), negatives)
    # subword types: the words' 3- and 4-grams, hashed into a table small enough to print
    extra = dict(min_n=3, max_n=4, bucket=101) if cls.input_layer == "subwords" else {}
    return create(cls.type_name, len(words), args.dim, dtype=np.float64, counts=counts,
                  words=words, **extra), batch, words, None, notes


def _glove_case(args, cls):
    text, words = _words(args)
    ids = [words.index(w) for w in text]
    radius = (args.window - 1) // 2
    counts = cooccurrence([ids], window=radius, distance_weighting=True)
    rows, cols, x = to_coo(counts)
    notes = [f"--window {args.window}: radius {radius}; every pair of words at most {radius} "
             "apart adds 1/distance to X_ij (both orders), and each non-zero X_ij is one entry"]
    if args.pair:
        i, j = (_id(words, w, "--pair word") for w in args.pair)
        keep = (rows == i) & (cols == j)
        if not keep.any():
            raise UserError(f"{args.pair[0]!r} and {args.pair[1]!r} never co-occur in the input")
        rows, cols, x = rows[keep], cols[keep], x[keep]
        notes.append(f"--pair: only the entry ({args.pair[0]}, {args.pair[1]})")
    model = create("glove", len(words), args.dim, dtype=np.float64, x_max=args.x_max,
                   target=args.target)
    return model, CooccurrenceBatch(rows, cols, x), words, None, notes


def _classifier_case(args, cls):
    if not args.sentence:
        raise UserError("the fasttext classifier traces a --sentence (its document)")
    labels = [s for s in args.labels.split(",") if s]
    true = _id(labels, args.label or labels[0], "--label") if len(labels) > 1 else None
    if true is None:
        raise UserError("--labels needs at least two classes")
    grams = {}
    doc = [np.array([grams.setdefault(g, len(grams)) for g in char_ngrams(w, 3, 3)])
           for w in args.sentence.split()]
    batch = make_batch([doc], [true], [[k for k in range(len(labels)) if k != true]])
    model = create(cls.type_name, len(grams), args.dim, dtype=np.float64, n_labels=len(labels))
    notes = [f"the document: every word's character 3-grams, one row of E each; true class "
             f"{labels[true]!r}, the other classes are its negatives"]
    return model, batch, None, {"E": list(grams), "U": labels}, notes


#: How a file starts tells the two formats apart, whatever its name: an .npz is a zip
#: archive (an empty one starts with the end-of-archive record), a lone .npy has its own magic.
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NPY_MAGIC = b"\x93NUMPY"
_EXPECTED = ('a JSON object such as {"W_in": [[0.1, 0.2], ...], "W_out": [...]} or an .npz '
             "archive (numpy.savez(FILE, W_in=..., W_out=...))")


def _read_weights(path):
    """The arrays of a ``--weights`` file as ``{name: float64 array}``.

    Every way the file can be wrong is a :class:`UserError` naming the flag and the
    file, because a traceback (or weights silently taken from the seed) would hide
    which of the user's inputs is at fault. The format is read from the first bytes,
    not the name, so a misnamed file still gets the right reader or a clear message.
    """
    where = f"--weights: {path}"
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise UserError(f"{where}: {e.strerror or e}") from None
    if data.startswith(_NPY_MAGIC):
        raise UserError(f"{where} is a single .npy array, which has no parameter name; "
                        f"expected {_EXPECTED}")
    if data.startswith(_ZIP_MAGIC):
        given = _npz_arrays(data, where)
    elif path.lower().endswith(".npz"):
        raise UserError(f"{where} is not an .npz archive (it does not start like a zip "
                        f"file); expected {_EXPECTED}")
    else:
        given = _json_arrays(data, where)
    if not given:
        raise UserError(f"{where} holds no arrays; expected {_EXPECTED}")
    for name, value in given.items():
        if value.dtype.kind not in "iuf":
            raise UserError(f"{where}: {name} holds {value.dtype} values, not numbers")
        if not np.isfinite(value).all():
            raise UserError(f"{where}: {name} holds NaN or infinite values")
    return {name: value.astype(np.float64) for name, value in given.items()}


def _npz_arrays(data, where):
    """The arrays of an .npz archive given as bytes (never unpickling anything)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if "format" in npz.files:
                raise UserError(f"{where} is a w2v_numpy model file (a whole vocabulary); "
                                f"--weights takes the arrays of this tiny input: {_EXPECTED}")
            return {name: npz[name] for name in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        # np.load's own words: a damaged archive, or arrays of Python objects
        raise UserError(f"{where} is not a readable .npz archive ({' '.join(str(e).split())})") \
            from None


def _json_arrays(data, where):
    """The arrays of a JSON object given as bytes."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UserError(f"{where} is neither JSON text nor an .npz archive (byte "
                        f"0x{data[e.start]:02x} at offset {e.start} is not UTF-8); "
                        f"expected {_EXPECTED}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise UserError(f"{where} is not valid JSON ({e.msg} at line {e.lineno} column "
                        f"{e.colno}); expected {_EXPECTED}") from None
    except RecursionError:  # "[[[[...": nesting deeper than the parser's stack
        raise UserError(f"{where} nests too deeply to be parameter arrays") from None
    if not isinstance(raw, dict):
        kind = {list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
            type(raw), "number")
        raise UserError(f"{where} holds a JSON {kind}, not an object; expected {_EXPECTED}")
    given = {}
    for name, value in raw.items():
        try:  # numbers only: null, true or "0.5" would otherwise become NaN, 1.0 or an error
            given[name] = np.asarray(value)
        except ValueError:  # rows of different lengths
            given[name] = np.asarray(None)
        if given[name].dtype.kind not in "iuf":
            raise UserError(f"{where}: {name} is not a number or an array of numbers "
                            f"(rows of equal length)")
    return given


def _set_weights(model, args):
    """Seeded weights rounded to 2 decimals, then the ones in --weights (shapes checked).

    Parameters that the file does not name keep their seeded values.
    """
    rng = np.random.default_rng(args.seed)
    for p in model.params.values():
        p[...] = np.round(rng.uniform(-0.5, 0.5, p.shape), 2)
    if not args.weights:
        return
    given = _read_weights(args.weights)
    for name, value in given.items():
        if name not in model.params:
            raise UserError(f"--weights: {args.weights}: {model.type_name} has no parameter "
                            f"{name!r} (it has {', '.join(model.params)})")
        want = model.params[name].shape
        if value.shape != want:
            hint = " (W_out is stored one row per word: transpose the documents' N x V matrix)" \
                if name == "W_out" and value.shape[::-1] == want else ""
            raise UserError(f"--weights: {args.weights}: {name} has shape {value.shape}, this "
                            f"input needs {want}{hint}")
        model.params[name][...] = value


def _main(argv):
    args = build_parser().parse_args(argv)
    if args.example and args.weights:
        # The worked example is the documents' numbers, weights included: others would make
        # it a different example, so the two flags together are refused, not one ignored.
        raise UserError("--example and --weights cannot be combined: a worked example has "
                        "its own weights; drop --weights, or trace your own input with "
                        "--type and --sentence/--pair")
    if args.example:
        ex = EXAMPLES[args.example]()
        model, batch, alpha, words, labels, title = ex
        notes = [f"the worked example {args.example!r} of the documents: its own batch and weights"]
    else:
        cls = MODELS[args.type]
        build = {"cooccurrence": _glove_case, "documents": _classifier_case}.get(
            cls.batch_family, _window_case)
        model, batch, words, labels, notes = build(args, cls)
        _set_weights(model, args)
        alpha, title = args.alpha, f"{args.type}: one SGD step"
    t = trace(model, batch, alpha, words=words, labels=labels, title=title,
              check=not args.no_check, notes=notes)
    if args.json:
        print(json.dumps(trace_to_json(t), ensure_ascii=False, indent=1))
    else:
        print(format_trace(t, args.format, args.digits))
    return 0


def main(argv=None):
    """Run the tool; returns the exit code (2 on a user error)."""
    return run(_main, argv)


if __name__ == "__main__":
    sys.exit(main())
