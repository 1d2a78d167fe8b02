"""Pictures: the training loss curve and the 2-D PCA map of word vectors.

Both are drawn with matplotlib's Agg renderer.

No display is needed and the caller's pyplot state is left alone: the figure
is built with the object-oriented API (``Figure`` + ``FigureCanvasAgg``), not
``pyplot``. matplotlib is imported only when a plot is drawn, so importing
this module is cheap.
"""
import io

import numpy as np

from ..files.atomic import atomic_open

#: At most this many points of the raw curve are drawn; longer histories are
#: shown as the mean of equal bins (the moving average uses every batch).
MAX_POINTS = 4000


def moving_average(values, window):
    """Centred moving mean over ``window`` values (fewer near both ends).

    Parameters
    ----------
    values : array_like (n,)
    window : int

    Returns
    -------
    numpy.ndarray (n,), float64
    """
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return x
    window = max(1, int(window))
    c = np.concatenate([[0.0], np.cumsum(x)])                    # (n+1,)
    start = np.arange(x.size) - window // 2                      # (n,) window starts
    lo = np.maximum(start, 0)
    hi = np.minimum(start + window, x.size)
    return (c[hi] - c[lo]) / (hi - lo)


def binned(values, max_points=MAX_POINTS):
    """Bin centres (as batch numbers, 1-based) and bin means, at most ``max_points`` bins."""
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    if n <= max_points:
        return np.arange(1, n + 1, dtype=np.float64), x
    edges = np.linspace(0, n, max_points + 1).astype(np.int64)   # (m+1,)
    means = np.add.reduceat(x, edges[:-1]) / np.diff(edges)      # (m,)
    return (edges[:-1] + edges[1:]) / 2.0 + 0.5, means


def loss_figure(batch_losses, epoch_ends=(), title=None, smooth=None):
    """Build the loss figure.

    Parameters
    ----------
    batch_losses : sequence of float
        Mean loss per example of each batch, in training order.
    epoch_ends : sequence of int
        Number of batches trained when each epoch ended (``TrainState.epoch_batch_index``);
        drawn as dashed vertical lines.
    title : str or None
    smooth : int or None
        Moving-average window in batches; default about 2% of the batches
        (at least 1, at most 1000).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = len(batch_losses)
    smooth = smooth or max(1, min(1000, n // 50))
    fig = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if n:
        xs, ys = binned(batch_losses)
        ax.plot(xs, ys, color="tab:blue", alpha=0.35, linewidth=0.8, label="batch loss")
        xs_avg, avg = binned(moving_average(batch_losses, smooth))
        ax.plot(xs_avg, avg, color="tab:blue", linewidth=2.0,
                label=f"moving average ({smooth} batches)")
    ends = list(epoch_ends)
    step = max(1, len(ends) // 50)       # at most ~50 markers
    for i, end in enumerate(ends):
        if (i + 1) % step == 0:
            ax.axvline(end + 0.5, color="grey", linestyle="--", linewidth=0.7,
                       label="epoch end" if i + 1 == step else None)
    ax.set_xlabel("batch")
    ax.set_ylabel("loss (mean per example)")
    ax.set_title(title or "training loss")
    ax.grid(alpha=0.3)
    if n:
        ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def plot_loss(path, batch_losses, epoch_ends=(), title=None, smooth=None):
    """Write the loss curve to ``path`` as a PNG, atomically.

    See :func:`loss_figure` for the parameters. The image is rendered in
    memory and then written with a temporary file and a rename, so a viewer
    that reloads the file never sees half an image.
    """
    fig = loss_figure(batch_losses, epoch_ends, title=title, smooth=smooth)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    with atomic_open(path) as fh:
        fh.write(buf.getvalue())


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
