"""``python -m w2v_numpy.plot MODEL word ... --out words.png``: a 2-D PCA map of words.

The chosen words' vectors (unit-normalised unless ``--raw``) are centred and
projected on their first two principal axes, computed with NumPy's SVD, and
drawn as labelled points with matplotlib's Agg renderer (no display needed,
and the caller's pyplot backend is left alone).
"""
import sys

import numpy as np

from .cliutil import ArgumentParser, UserError, check_words, run
from .keyedvectors import load_vectors


def pca_2d(vectors):
    """Project the rows of ``vectors`` (n, d) on their first two principal axes.

    Returns
    -------
    coords : numpy.ndarray, shape (n, 2)
        Missing axes (fewer than 2 directions of variance) are zeros.
    explained : numpy.ndarray, shape (2,)
        Fraction of the total variance along each axis.
    """
    x = np.asarray(vectors, dtype=np.float64)
    x = x - x.mean(axis=0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    coords, explained = np.zeros((x.shape[0], 2)), np.zeros(2)
    k = min(2, s.size)
    coords[:, :k] = u[:, :k] * s[:k]
    total = float(np.sum(s ** 2))
    if total > 0:
        explained[:k] = s[:k] ** 2 / total
    return coords, explained


def plot_words(kv, words, out, normalize=True, title=None):
    """Draw the PCA map of ``words`` from ``kv`` into the image file ``out``.

    The format follows the extension of ``out`` (png, pdf, svg, ...).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    coords, explained = pca_2d(np.vstack([kv.get_vector(w, norm=normalize) for w in words]))
    fig = Figure(figsize=(7, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.scatter(coords[:, 0], coords[:, 1], s=18)
    for word, (x, y) in zip(words, coords):
        ax.annotate(word, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9)
    ax.set_xlabel(f"PC1 ({100 * explained[0]:.1f}% of variance)")
    ax.set_ylabel(f"PC2 ({100 * explained[1]:.1f}% of variance)")
    ax.set_title(title or f"PCA of {len(words)} word vectors")
    fig.tight_layout()
    fig.savefig(out, dpi=150)


def build_parser():
    """The argument parser of ``plot``."""
    p = ArgumentParser(prog="python -m w2v_numpy.plot",
                       description="Plot words on the first two principal axes of their vectors.")
    p.add_argument("model", help="a .vec/.txt, .bin or w2v_numpy model file")
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
