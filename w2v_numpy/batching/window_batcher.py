"""The window batcher: a corpus as batches of word windows.

:class:`WindowBatcher` makes the :class:`~w2v_numpy.batching.batch.Batch`
objects of the word2vec and subword objectives (batch families ``"sgram"``
and ``"cbow"``), drawing negatives with a
:class:`~w2v_numpy.batching.negatives.NegativeSampler`.

The corpus is cut into chunks of whole sentences. Each chunk is sub-sampled
and its window radii drawn; its examples are built, shuffled and batched with
NumPy array operations a block of centre words at a time, so memory is bounded
by the chunk size and :data:`EXAMPLE_SLOTS` whatever the corpus and window.

Every chunk draws from its own generator, seeded by ``(seed, epoch, chunk)``,
and every batch draws its negatives from ``(seed, epoch, chunk, batch)``.
Training can therefore restart at any batch and produce exactly the stream
an uninterrupted run would have seen.
"""
from typing import NamedTuple

import numpy as np

from ..errors import W2VError
from .batch import Batch, run_strips, slot_offsets, span_text

#: Most (centre word, context slot) pairs laid out at once: examples are built
#: for blocks of ``EXAMPLE_SLOTS // (2 * reach)`` centres (``reach``: the window
#: radius, at most the longest sentence - 1), a few tens of bytes a slot, so a
#: huge window costs time, not memory. 2**21 keeps a default chunk (2**17 words
#: plus at most one 10,000-word sentence) in one block up to ``window=7``: then
#: the stream is exactly the one the batcher made before blocks existed.
EXAMPLE_SLOTS = 1 << 21


class _Chunk(NamedTuple):
    """One chunk after its random draws, ready to be built block by block."""

    rng: np.random.Generator  # the chunk's generator, next draw: block 0's permutation
    ids: np.ndarray           # int64 (n,)  kept token ids
    lo: np.ndarray            # int64 (n,)  lowest usable context offset of each centre (<= 0)
    hi: np.ndarray            # int64 (n,)  highest usable context offset (>= 0)
    order: np.ndarray         # int64 (n,)  the centres, in block order
    sizes: np.ndarray         # int64 (n_blocks,)  examples per block


class WindowBatcher:
    """Turns an encoded corpus into batches for one model family.

    Parameters
    ----------
    corpus : EncodedCorpus
    keep_probs : float array (V,)
        Sub-sampling keep probability of each word (``Vocab.keep_probs``).
    family : {"sgram", "cbow"}
        Skip-gram yields one (centre -> context) example per pair; CBOW yields
        one (context slots -> centre) example per centre word, with a mask.
    window : int
        Maximum window radius (gensim's ``window``: words on each side). For
        each centre word a radius ``b`` is drawn uniformly from ``1..window``
        (word2vec.c's reduced window). CBOW has ``C = 2 * reach`` input
        slots, ``reach = min(window, longest sentence - 1)``: no context is
        ever further away than that.
    batch_size : int
        Examples per batch (the last batch of a chunk may be smaller).
    negative : int
        Negatives per example; 0 means ``negatives=None`` (full softmax).
    sampler : NegativeSampler or None
        Required when ``negative > 0``.
    shared_negatives : int
        Examples of a batch that share one draw of negatives
        (:meth:`NegativeSampler.sample`'s ``group``); 1: each its own.
    spread_negatives : bool
        Examples sharing a draw lie far apart in the batch (``sample``'s ``spread``).
    shuffle : bool
        Shuffle the examples inside each chunk (see :meth:`chunk_examples`).
        Without it the examples keep the corpus order (word2vec.c's and
        gensim's), and CBOW-family batches carry their ``span`` of text (see
        :class:`Batch`), which the models turn into fewer, larger products.
    run_length : int
        CBOW family, with ``shuffle``: shuffle runs of this many consecutive
        windows instead of single windows (a chunk's last, shorter run stays
        last). When ``batch_size`` is a multiple of it and a chunk is one block
        (the default sizes), each batch carries its runs' strips of text as
        ``span`` (one row per run), so the banded products apply to shuffled
        batches too. 1 (default): every window on its own.
    seed : int
    chunk_words : int
        Approximate number of corpus tokens per chunk.

    Raises
    ------
    W2VError
        For a bad setting, NaN keep probabilities (``param="sample"``), or a
        corpus that cannot give a single example: one without in-vocabulary
        tokens, or in which no line has two of them (``param="corpus_file"``).
    """

    #: The batch families this batcher makes (a model's ``batch_family``).
    FAMILIES = ("sgram", "cbow")
    #: The families whose batches carry a ``span`` when not shuffled.
    SPAN_FAMILIES = ("cbow",)

    def __init__(self, corpus, keep_probs, family, window=5, batch_size=512, negative=0,
                 sampler=None, shuffle=True, seed=0, chunk_words=1 << 17, shared_negatives=1,
                 run_length=1, spread_negatives=False):
        if family not in self.FAMILIES:
            raise W2VError(f"must be one of {self.FAMILIES}, got {family!r}", param="family")
        for name, value in (("window", window), ("batch_size", batch_size),
                            ("chunk_words", chunk_words), ("shared_negatives", shared_negatives),
                            ("run_length", run_length)):
            if int(value) < 1:
                raise W2VError(f"must be >= 1, got {value}", param=name)
        if int(window) >= 2 ** 62:          # radii are drawn as int64
            raise W2VError(f"must be < 2**62, got {window}", param="window")
        if negative < 0:
            raise W2VError(f"must be >= 0, got {negative}", param="negative")
        if negative > 0 and sampler is None:
            raise W2VError("negative > 0 needs a NegativeSampler")
        if len(corpus) == 0:
            raise W2VError("the corpus has no in-vocabulary tokens", param="corpus_file")
        self.keep_probs = np.asarray(keep_probs)
        if np.isnan(self.keep_probs).any():
            raise W2VError("the sub-sampling keep probabilities are NaN (is sample a number?)",
                           param="sample")
        longest = corpus.longest
        if longest < 2:
            raise W2VError("no line has two in-vocabulary words, so no word has a neighbour "
                           "within the window in the same line (put more than one word on a "
                           "line, or lower min_count)", param="corpus_file")
        self.corpus = corpus
        self.family, self.window, self.batch_size = family, int(window), int(batch_size)
        self.negative, self.sampler = int(negative), sampler
        self.shared_negatives, self.spread_negatives = int(shared_negatives), bool(spread_negatives)
        self.shuffle, self.seed = bool(shuffle), int(seed)
        self.run_length = int(run_length) if self.shuffle and family in self.SPAN_FAMILIES else 1
        self.chunks = self._chunk_bounds(int(chunk_words))
        reach = min(self.window, longest - 1)
        self.offsets = slot_offsets(reach)                                   # (2 reach,)
        self.block = max(1, EXAMPLE_SLOTS // self.offsets.size)

    def _chunk_bounds(self, chunk_words):
        """Cut points (in tokens) at sentence starts, about ``chunk_words`` apart."""
        starts, n = self.corpus.starts, len(self.corpus)
        wanted = np.arange(chunk_words, n, chunk_words)
        cuts = np.unique(starts[np.searchsorted(starts, wanted).clip(0, starts.size - 1)])
        cuts = cuts[(cuts > 0) & (cuts < n)]
        return np.concatenate([[0], cuts, [n]]).astype(np.int64)

    @property
    def n_chunks(self):
        return self.chunks.size - 1

    @property
    def words_per_epoch(self):
        """In-vocabulary tokens in one pass (before sub-sampling)."""
        return len(self.corpus)

    def _draw_chunk(self, epoch, chunk):
        """Sub-sample a chunk and draw its radii: everything but the shuffles."""
        rng = np.random.default_rng([self.seed, epoch, chunk])
        begin, end = self.chunks[chunk], self.chunks[chunk + 1]
        ids, sent = self.corpus.read(begin, end)                          # (m,) each
        keep = rng.random(ids.size) < self.keep_probs[ids]
        ids, sent = ids[keep], sent[keep]
        n = ids.size
        radius = rng.integers(1, self.window + 1, size=n)                # (n,)
        at = np.arange(n)                                                # (n,)
        # A sentence is a run of equal ``sent``: a context must stay inside it.
        lo = np.maximum(-radius, np.searchsorted(sent, sent, "left") - at)       # (n,)
        hi = np.minimum(radius, np.searchsorted(sent, sent, "right") - 1 - at)   # (n,)
        per_centre = hi - lo if self.family == "sgram" else (hi > lo).astype(np.int64)  # (n,)
        n_blocks = -(-n // self.block)
        # With several blocks, a random split of the centres keeps each block a
        # sample of the whole chunk (as one chunk-wide shuffle would); with one,
        # nothing extra is drawn, so the stream is the one unblocked batching made.
        split = self.shuffle and n_blocks > 1 and self.run_length == 1
        order = rng.permutation(n) if split else at                             # (n,)
        sizes = (np.add.reduceat(per_centre[order], np.arange(0, n, self.block))
                 if n else np.zeros(0, np.int64))                              # (n_blocks,)
        return _Chunk(rng, ids, lo, hi, order, sizes)

    def _build_block(self, c, k):
        """The examples of block ``k``, shuffled with the next draw of ``c.rng``."""
        centres = c.order[k * self.block:(k + 1) * self.block]           # (m,)
        lo, hi, off = c.lo[centres], c.hi[centres], self.offsets
        valid = (off >= lo[:, None]) & (off <= hi[:, None])              # (m, 2 reach)
        if self.family == "sgram":
            rows, cols = np.nonzero(valid)                               # (N,) each
            del valid
            if self.shuffle and rows.size:
                perm = c.rng.permutation(rows.size)                      # (N,)
                rows, cols = rows[perm], cols[perm]
            centre = centres[rows]                                       # (N,)
            return c.ids[centre][:, None], None, c.ids[centre + off[cols]], None
        rows = np.flatnonzero(hi > lo)                       # (N,) the centres with a context
        at = np.arange(rows.size)                            # (N,) example numbers in text order
        if self.shuffle and rows.size:
            at = self._shuffled(c.rng, rows.size)
            rows = rows[at]
        mask = valid[rows]                                               # (N, 2 reach)
        del valid
        centre = centres[rows]                                           # (N,)
        pos = centre[:, None] + off                                      # (N, 2 reach)
        inputs = c.ids[np.clip(pos, 0, c.ids.size - 1, out=pos)]         # (N, 2 reach)
        inputs[~mask] = 0
        return inputs, mask, c.ids[centre], at

    def _shuffled(self, rng, n):
        """A permutation of ``n`` examples: of single ones, or of runs of ``run_length``
        consecutive ones with the last, shorter run kept last."""
        m = self.run_length
        if m == 1:
            return rng.permutation(n)
        full = n // m
        runs = rng.permutation(full)[:, None] * m + np.arange(m)                # (full, m)
        return np.concatenate([runs.reshape(-1), np.arange(full * m, n)])      # (n,)

    def _blocks(self, c, skip=0):
        """Yield the examples of each block in turn, from example ``skip`` of the chunk on.

        A block wholly before ``skip`` is not built, but its shuffle is still
        drawn, so that the later blocks get the same shuffles as in a full pass.
        """
        for k, size in enumerate(c.sizes.tolist()):
            if skip >= size:
                if self.shuffle and size:
                    self._shuffled(c.rng, size)
                skip -= size
                continue
            yield tuple(None if a is None else a[skip:] for a in self._build_block(c, k))
            skip = 0

    def chunk_examples(self, epoch, chunk):
        """All examples of one chunk, in the order :meth:`iter_epoch` batches them.

        They are shuffled block by block (with the centres split at random
        between blocks); with a single block, which is the case at the default
        sizes, that is one shuffle of the whole chunk. This materialises the
        whole chunk, whose size grows with the window; :meth:`iter_epoch` never does.

        Returns
        -------
        inputs : int64 (n, C); mask : bool (n, C) or None; targets : int64 (n,)
        """
        c = self._draw_chunk(epoch, chunk)
        blocks = list(self._blocks(c)) or [self._build_block(c, 0)]   # no example: empty arrays
        return _concat(blocks)[:3]

    def _batch_arrays(self, c, skip):
        """Yield ``(inputs, mask, targets, at)`` of ``batch_size`` examples (fewer at the
        end); ``at``: CBOW examples' numbers in text order (for the span), else None.

        Batches run on across blocks; one inside a block is a view of it.
        """
        B, pending, have = self.batch_size, [], 0
        for block in self._blocks(c, skip):
            n, at = block[2].size, 0
            while at < n:
                take = min(B - have, n - at)
                pending.append(tuple(None if a is None else a[at:at + take] for a in block))
                at, have = at + take, have + take
                if have == B:
                    yield _concat(pending)
                    pending, have = [], 0
        if pending:
            yield _concat(pending)

    @property
    def spans(self):
        """Whether batches carry a ``span``: CBOW family, in corpus order or shuffled
        in runs that tile the batches (``batch_size`` a multiple of ``run_length``)."""
        if self.family not in self.SPAN_FAMILIES:
            return False
        return not self.shuffle or (self.run_length > 1
                                    and self.batch_size % self.run_length == 0)

    #: Training makes word-window batches in a second process
    #: (:mod:`w2v_numpy.batching.producer`), with their row plans and the rows' counts of the
    #: bound on crowded rows. Once the counts came along, shuffled batches gained too
    #: (wiki2m, alternated runs: sgram_hs's window form 136k -> 146k words/s, sgram_neg's
    #: pair form 89k -> 100k; span batches: cbow_hs 240k -> 302k).
    prefetch_by_default = True

    def iter_epoch(self, epoch, start_chunk=0, start_batch=0):
        """Yield ``(chunk, batch_index, words_done, batch)`` for one epoch.

        ``words_done`` counts in-vocabulary tokens of this epoch consumed once
        the batch is trained (interpolated inside a chunk), which drives the
        learning-rate schedule and the words/s rate. Passing ``start_chunk`` and
        ``start_batch`` resumes exactly where an earlier run stopped (earlier
        blocks of that chunk are skipped, their shuffles drawn, not built).
        """
        B = self.batch_size
        for chunk in range(start_chunk, self.n_chunks):
            c = self._draw_chunk(epoch, chunk)
            n = int(c.sizes.sum())
            text = self._span_text(c)
            begin, end = self.chunks[chunk], self.chunks[chunk + 1]
            first = start_batch if chunk == start_chunk else 0
            for b, (inputs, mask, targets, at) in enumerate(self._batch_arrays(c, first * B),
                                                            start=first):
                hi = b * B + targets.size                    # examples of the chunk done
                negatives = draws = None
                if self.negative:
                    rng = np.random.default_rng([self.seed, epoch, chunk, b])
                    negatives, draws = self.sampler.sample_shared(
                        targets, self.negative, rng, self.shared_negatives, self.spread_negatives)
                span = None
                if text is not None:
                    span = (text[b * B:hi + self.offsets.size] if not self.shuffle else
                            run_strips(text, at[::self.run_length],
                                       self.run_length + self.offsets.size))
                yield (chunk, b, int(begin + (end - begin) * hi // n),
                       Batch(inputs, mask, targets, negatives, span, draws))

    def _span_text(self, c):
        """The chunk's examples' centre words in text order, with margins
        (:func:`w2v_numpy.batching.batch.span_text`), when its batches get a ``span``; else None.
        A word with no context word is a whole line: dropping it moves no window."""
        if not self.spans or (self.shuffle and c.sizes.size > 1):
            return None                   # runs of several blocks are not numbered chunk-wide
        return span_text(c.ids[c.hi > c.lo], self.offsets.size // 2)


def _concat(parts):
    """Join the blocks' ``(inputs, mask, targets, at)`` row-wise (one is returned as it is)."""
    if len(parts) == 1:
        return parts[0]
    return tuple(None if part[0] is None else np.concatenate(part) for part in zip(*parts))
