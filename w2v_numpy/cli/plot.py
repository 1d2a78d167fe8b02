"""``python -m w2v_numpy plot MODEL word ... --out words.png``: a 2-D PCA map of words.

The chosen words' vectors (unit-normalised unless ``--raw``) are centred and
projected on their first two principal axes, computed with NumPy's SVD, and
drawn as labelled points with matplotlib's Agg renderer (no display needed,
and the caller's pyplot backend is left alone).
"""
import sys

from ..vectors.plotting import plot_words
from .common import ArgumentParser, UserError, check_words, load_vectors, run, vectors_argument


def build_parser():
    """The argument parser of ``plot``."""
    p = ArgumentParser(prog="python -m w2v_numpy plot",
                       description="Plot words on the first two principal axes of their vectors.")
    vectors_argument(p)
    p.add_argument("words", nargs="+", help="the words to plot (at least 2)")
    p.add_argument("--out", required=True, help="image file to write (e.g. words.png)")
    p.add_argument("--raw", action="store_true", help="use the raw vectors, not unit-normalised")
    p.add_argument("--title", help="figure title")
    return p


def _main(argv):
    args = build_parser().parse_args(argv)
    words = list(dict.fromkeys(args.words))
    if len(words) < 2:
        raise UserError("give at least 2 different words to plot")
    kv = load_vectors(args.model)
    check_words(kv, words)
    plot_words(kv, words, args.out, normalize=not args.raw, title=args.title)
    print(f"wrote {args.out}")
    return 0


def main(argv=None):
    """Run the tool; returns the exit code (2 on a user error)."""
    return run(_main, argv)


if __name__ == "__main__":
    sys.exit(main())
