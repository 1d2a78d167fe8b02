"""``python -m w2v_numpy explore``: train a tiny model one example at a time and write one
offline web page that replays the run, number by number.

The flags are the trainer's (``--type``, ``--data_file``, ``--vector_dim``,
``--window``, ``--neg_samples``, ``--alpha``, ``--seed``) plus ``--steps``,
``--preset`` (a toy corpus under ``data/presets``) and ``--sentences`` (the
corpus on the command line, sentences separated by commas). The page is one
HTML file with everything inside it (see :mod:`w2v_numpy.teaching.explore`);
a request that would record too much is refused before anything is written.
"""
import sys

from ..files.atomic import atomic_open
from ..teaching.explore import page, parse_sentences, preset_sentences, presets, record
from ..text.corpus import read_lines
from .common import ArgumentParser, UserError, non_empty, number, run
from .settings import trainable_types

DEFAULT_PRESET = "fruit"


def build_parser():
    """The argument parser of ``explore``."""
    p = ArgumentParser(prog="python -m w2v_numpy explore",
                       description="Train a tiny model one example per step and write one "
                                   "self-contained HTML page that replays every step.")
    a = p.add_argument
    a("-t", "--type", choices=trainable_types(), default="sgram_neg",
      help="model type (default sgram_neg)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", help=f"a toy corpus of data/presets (default {DEFAULT_PRESET}; "
                                      f"one of: {', '.join(presets())})")
    src.add_argument("-d", "--data_file", type=non_empty("--data_file"),
                     help="a small text file: one sentence a line (a comma also ends one)")
    src.add_argument("--sentences", type=non_empty("--sentences"),
                     help='the corpus itself: "drink juice, eat apple, ..."')
    a("-v", "--vector_dim", type=number(int, 1, high=50), default=5, help="vector size (default 5)")
    a("-w", "--window", type=number(int, 3, odd=True, high=21), default=3,
      help="full window span, centre included (default 3: one word each side)")
    a("-k", "--neg_samples", type=number(int, 1, high=20), default=2,
      help="negatives per example for the *_neg and fasttext types (default 2)")
    a("-a", "--alpha", type=number(float, 0, strict=True), default=0.3,
      help="learning rate, constant (default 0.3: on a toy corpus 0.1 barely moves in "
           "300 steps, 1.0 can diverge)")
    a("--steps", type=number(int, 1, high=100_000), default=300,
      help="training steps, one example each (default 300)")
    a("--x_max", type=number(float, 0, strict=True), default=10.0, help="GloVe x_max (default 10)")
    a("--seed", type=number(int, 0, high=2 ** 32 - 1), default=0, help="random seed (default 0)")
    a("-o", "--output", type=non_empty("--output"), default="explore.html",
      help="the page to write (default explore.html)")
    return p


def _sentences(args):
    if args.sentences is not None:
        return parse_sentences([args.sentences]), "--sentences"
    if args.data_file is not None:
        lines = list(read_lines(args.data_file))
        if len(lines) > 10_000:
            raise UserError(f"--data_file: {args.data_file} has {len(lines)} lines; the page is "
                            "for toy corpora (a few dozen sentences)")
        return parse_sentences(lines), args.data_file
    name = args.preset or DEFAULT_PRESET
    return preset_sentences(name), f"preset {name}"


def _main(argv):
    args = build_parser().parse_args(argv)
    sentences, source = _sentences(args)
    rec = record(args.type, sentences, vector_dim=args.vector_dim, window=args.window,
                 neg_samples=args.neg_samples, alpha=args.alpha, steps=args.steps,
                 seed=args.seed, x_max=args.x_max,
                 title=f"{args.type} learning on {source}")
    html = page(rec)
    with atomic_open(args.output) as fh:
        fh.write(html.encode("utf-8"))
    print(f"wrote {args.output} ({len(html.encode('utf-8')) / 1e6:.2f} MB): {args.steps} steps of "
          f"{args.type} on {source}, {len(rec['words'])} words; open it in a browser")
    return 0


def main(argv=None):
    """Run the tool; returns the exit code (2 on a user error, e.g. a page too large to record:
    see :func:`w2v_numpy.teaching.explore.check_size`)."""
    return run(_main, argv, flags={"steps": "--steps", "sentences": "--sentences",
                                   "preset": "--preset", "type": "--type", "window": "--window"})


if __name__ == "__main__":
    sys.exit(main())
