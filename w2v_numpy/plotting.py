"""The training loss curve, drawn with matplotlib's Agg renderer.

No display is needed and the caller's pyplot state is left alone: the figure
is built with the object-oriented API (``Figure`` + ``FigureCanvasAgg``), not
``pyplot``. matplotlib is imported only when a plot is drawn, so importing
this module is cheap.
"""
import io

import numpy as np

from .word2vec_format import atomic_open

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
