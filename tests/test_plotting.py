"""The loss-curve plot: smoothing, binning, and a valid PNG written atomically."""
import numpy as np

from w2v_numpy.vectors.plotting import MAX_POINTS, binned, loss_figure, moving_average, plot_loss

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_moving_average_is_a_centred_mean():
    x = np.arange(10, dtype=float)
    np.testing.assert_allclose(moving_average(x, 1), x)
    avg = moving_average(x, 3)
    np.testing.assert_allclose(avg[1:-1], x[1:-1])          # linear data: centred mean = value
    assert avg[0] == 0.5 and avg[-1] == 8.5                  # shorter windows at the ends
    assert moving_average([], 5).size == 0
    np.testing.assert_allclose(moving_average([2.0, 4.0], 50), [3.0, 3.0])


def test_binned_keeps_short_series_and_averages_long_ones():
    xs, ys = binned([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(xs, [1, 2, 3])
    np.testing.assert_array_equal(ys, [1, 2, 3])
    xs, ys = binned(np.ones(10_001), max_points=100)
    assert xs.size == ys.size == 100 and np.allclose(ys, 1.0)
    assert 1 <= xs[0] < xs[-1] <= 10_001


def test_plot_loss_writes_a_png(tmp_path):
    rng = np.random.default_rng(0)
    losses = list(4 * np.exp(-np.arange(3000) / 500) + rng.random(3000) * 0.2)
    path = tmp_path / "loss.png"
    plot_loss(path, losses, [1000, 2000, 3000], title="test")
    assert path.read_bytes()[:8] == PNG_MAGIC
    plot_loss(path, [], [])                                   # nothing trained yet: still a PNG
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]


def test_long_histories_are_drawn_from_a_bounded_number_of_points(tmp_path):
    """A million batches and a thousand epochs: each curve is drawn from at most MAX_POINTS
    bin means spanning the whole history, and about 50 epoch markers (what keeps the plot
    fast; its speed itself is not a unit test's business)."""
    n = 1_000_000
    losses = np.random.default_rng(1).random(n)
    ends = list(range(0, n, 1000))
    ax = loss_figure(losses.tolist(), ends).axes[0]
    curves = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    markers = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(curves) == 2 and 40 <= len(markers) <= 50
    for line in curves:
        xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        assert xs.size == ys.size == MAX_POINTS
        assert 1 <= xs[0] < 1000 and n - 1000 < xs[-1] <= n and np.all(np.diff(xs) > 0)
    # equal bins of 250 batches: the mean of the bin means is the mean of every batch
    np.testing.assert_allclose(np.mean(curves[0].get_ydata()), losses.mean(), rtol=1e-12)
    plot_loss(tmp_path / "long.png", losses.tolist(), ends)
    assert (tmp_path / "long.png").read_bytes()[:8] == PNG_MAGIC
