"""Negative sampling: draws from the unigram distribution raised to 3/4, word2vec.c's way."""
import numpy as np

from ..errors import W2VError
from .batch import Draws

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
        lie ``G`` apart. :meth:`sample_shared` also says how they were dealt.
        """
        return self.sample_shared(targets, k, rng, group, spread)[0]

    def sample_shared(self, targets, k, rng, group=1, spread=False):
        """``(negatives (B, k), draws)``: :meth:`sample`'s negatives and the
        :class:`~w2v_numpy.batching.batch.Draws` they were dealt from (``None``
        for ``group == 1``, a draw per example)."""
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
            return neg, None
        dealt = np.tile(neg, (group, 1))[:B] if spread else np.repeat(neg, group, axis=0)[:B]
        return dealt, Draws(neg, group, bool(spread))
