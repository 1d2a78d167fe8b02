"""``python -m w2v_numpy phrases --data_file IN [IN ...] --out OUT``: join learned phrases.

Learns bigram phrases (:class:`w2v_numpy.Phrases`, gensim's scores and defaults)
from the corpus and writes it again with each phrase joined into one token
(``new york`` -> ``new_york``), one output line per input line. ``--passes 2``
learns a second time on the joined text and applies both, which builds trigrams
(``new_york times`` -> ``new_york_times``); each pass reads the input once more,
streaming, and nothing but the count table is held in memory. ``OUT`` is then a
corpus like any other: ``python -m w2v_numpy train --data_file OUT ...``. It is
written atomically (compressed if it ends in ``.gz``, ``.xz`` or ``.bz2``), and
may not be one of the inputs.
"""
import os
import sys

from tqdm import tqdm

from ..files.atomic import atomic_open
from ..text.corpus import COMPRESSED, expand_paths
from ..text.phrases import SCORINGS, Phrases, iter_line_chunks
from .common import ArgumentParser, UserError, check_outputs, non_empty, number, run

FLAGS = {"corpus_file": "--data_file", "sentences": "--data_file", "min_count": "--min_count",
         "threshold": "--threshold", "scoring": "--scoring", "delimiter": "--delimiter",
         "max_vocab_size": "--max_vocab_size"}


def build_parser():
    """The argument parser of ``phrases``."""
    p = ArgumentParser(prog="python -m w2v_numpy phrases",
                       description="Learn bigram phrases (gensim's Phrases) and write the "
                                   "corpus with them joined into single tokens.")
    a = p.add_argument
    a("--data_file", nargs="+", required=True, type=non_empty("--data_file"),
      help="input text files or globs (.xz/.gz/.bz2 ok), one sentence per line")
    a("--out", required=True, type=non_empty("--out"),
      help="output text file (.gz/.xz/.bz2 to compress)")
    a("--threshold", type=number(float, -1.0), default=None,
      help="join a pair scoring above this (default 10 for --scoring default, "
           "0.5 for npmi; npmi needs [-1, 1])")
    a("--min_count", type=number(float, 0, strict=True), default=5,
      help="pair-count discount / fewest occurrences of a pair (default 5)")
    a("--scoring", choices=SCORINGS, default="default",
      help="default: word2vec.c's score; npmi: normalised PMI (default: default)")
    a("--passes", type=number(int, 1, high=8), default=1,
      help="learn and apply this many times; 2 builds trigrams (default 1)")
    a("--delimiter", default="_", help="joins the words of a phrase (default _)")
    a("--max_vocab_size", type=number(int, 1), default=40_000_000,
      help="most words + pairs counted; rare ones are pruned beyond it (default 40000000)")
    a("--no_progress", action="store_true", help="no progress bar")
    return p


def _open_out(fh, path):
    opener = COMPRESSED.get(os.path.splitext(path)[1], (None, None))[0]
    return opener(fh, "wb") if opener else fh


def _main(argv):
    args = build_parser().parse_args(argv)
    if any(c.isspace() for c in args.delimiter) or not args.delimiter:
        raise UserError("--delimiter: must be non-empty and hold no white space (it would "
                        "split the joined tokens again)")
    threshold = args.threshold
    if threshold is None:
        threshold = 0.5 if args.scoring == "npmi" else 10.0
    min_count = int(args.min_count) if float(args.min_count).is_integer() else args.min_count
    files = expand_paths(args.data_file)
    check_outputs([("--out", args.out)], [("--data_file", f) for f in files])
    show = not args.no_progress

    def chunks(desc):
        return tqdm(iter_line_chunks(files), desc=desc, unit=" lines", unit_scale=True,
                    disable=not show, file=sys.stderr, mininterval=0.5)

    def applied(models, stream):
        for tokens, eol in stream:
            for model in models:
                tokens = model.apply(tokens)
            yield tokens, eol

    models = []
    for k in range(args.passes):
        model = Phrases(min_count=min_count, threshold=threshold, scoring=args.scoring,
                        delimiter=args.delimiter, max_vocab_size=args.max_vocab_size)
        model.add_vocab(t for t, _ in applied(models, chunks(f"pass {k + 1}/{args.passes}: learn")))
        models.append(model)
        print(f"pass {k + 1}: {len(model.export_phrases())} phrases from "
              f"{model.corpus_word_count} tokens ({len(model)} words and pairs counted"
              + (f", pruned below {model.min_reduce - 1}" if model.min_reduce > 1 else "") + ")",
              file=sys.stderr)
    lines = tokens_in = tokens_out = 0
    with atomic_open(args.out) as raw:
        out = _open_out(raw, args.out)
        try:
            buf = []
            for tokens, eol in applied(models, chunks("write")):
                tokens_out += len(tokens)
                buf.append(" ".join(tokens) + ("\n" if eol else " "))
                lines += eol
                if len(buf) >= 1000:
                    out.write("".join(buf).encode("utf-8"))
                    buf.clear()
            out.write("".join(buf).encode("utf-8"))
        finally:
            if out is not raw:
                out.close()
    tokens_in = models[0].corpus_word_count
    print(f"wrote {lines} lines, {tokens_out} tokens ({tokens_in - tokens_out} fewer: "
          f"phrases joined) to {args.out}")
    return 0


def main(argv=None):
    """Run the tool; returns the exit code (2 on a user error, 130 on Ctrl-C)."""
    return run(_main, argv, FLAGS)
