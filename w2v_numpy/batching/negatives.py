"""Negative sampling: draws from the unigram distribution raised to 3/4, word2vec.c's way."""
import numpy as np

from ..backend import get_xp
from ..errors import W2VError

#: A negative that equals its example's target is drawn again, at most this many times.
MAX_REDRAWS = 1000


class NegativeSampler:
    r"""Draws negatives from the unigram distribution raised to ``power``.

    .. math:: P_n(w) = \frac{\mathrm{count}(w)^{0.75}}{\sum_v \mathrm{count}(v)^{0.75}}

    Like word2vec.c, it fills a table in which word ``w`` occupies a share
    :math:`P_n(w)` of the slots, and a draw is a uniformly random slot: one
    gather per negative, much faster than a binary search over the CDF. With
    ``table_size`` slots each probability is exact to ``1/table_size``.
    A negative that equals its example's target is drawn again, so the
    positive word is never also pushed away in the same example.
    """

    def __init__(self, counts, power=0.75, table_size=10_000_000):
        weights = np.asarray(counts, dtype=np.float64) ** power
        if np.count_nonzero(weights) < 2:
            raise W2VError("negative sampling needs at least 2 words in the vocabulary")
        self.probs = weights / weights.sum()
        bounds = np.round(np.cumsum(self.probs) * table_size).astype(np.int64)  # (V,)
        slots = np.diff(bounds, prepend=0)                                        # (V,)
        self.table = np.repeat(np.arange(weights.size, dtype=np.int32), slots)    # (T,)

    def _draw(self, shape, rng):
        return self.table[rng.integers(0, self.table.size, size=shape)].astype(np.int64)

    def sample(self, targets, k, rng, group=1, spread=False):
        """Return an int64 array (B, k) of negatives, none equal to its row's target.

        With ``group`` > 1, groups of ``group`` examples share one draw (their
        rows are equal), and no negative of a group equals any target of the
        group: each example still sees ``k`` draws from :math:`P_n` other than
        its own target, only fewer distinct ones per batch. The groups are
        consecutive (examples ``0..group-1``, ``group..2 group-1``, ...), or with
        ``spread`` dealt round-robin: with ``G = ceil(B / group)`` draws,
        example ``b`` takes draw ``b % G``, so the examples that share one
        lie ``G`` apart (see :func:`spread_draws`).
        """
        targets = np.asarray(targets)
        B, group = targets.size, int(group)
        n_groups = -(-B // group)
        padded = np.full(n_groups * group, -1, dtype=np.int64)
        padded[:B] = targets
        members = (padded.reshape(group, n_groups).T if spread                # (G, group) -1: none
                   else padded.reshape(n_groups, group))
        neg = self._draw((n_groups, k), rng)                             # (G, k)
        for _ in range(MAX_REDRAWS):
            clash = (neg[:, :, None] == members[:, None, :]).any(axis=2)  # (G, k)
            n_clash = int(clash.sum())
            if n_clash == 0:
                break
            neg[clash] = self._draw(n_clash, rng)
        if group == 1:
            return neg
        return np.tile(neg, (group, 1))[:B] if spread else np.repeat(neg, group, axis=0)[:B]


def spread_draws(negatives):
    """The ``(G, k)`` draws of negatives (B, k) dealt round-robin by
    ``sample(..., spread=True)`` (row ``b`` is draw ``b % G``), or ``None`` if
    the rows are not so dealt (each its own draw, or consecutive groups)."""
    xp = get_xp()
    B = negatives.shape[0]
    again = (negatives[1:] == negatives[0]).all(axis=1)                   # (B-1,) rows equal to row 0
    if B < 2 or not bool(again.any()):
        return None
    G = int(xp.argmax(again)) + 1
    dealt = xp.tile(negatives[:G], (-(-B // G), 1))[:B]                   # (B, k)
    return negatives[:G] if bool((dealt == negatives).all()) else None
