r"""Phrases: learn which adjacent word pairs are really one unit ("new york") and join them.

word2vec learns one vector per token, so "new" and "york" each get a vector and
"new york" none. Mikolov et al. (2013, "Distributed Representations of Words and
Phrases and their Compositionality", section 4) join frequent, tightly bound pairs
into one token (``new_york``) before training; running the step twice builds
trigrams (``new_york_times``). :class:`Phrases` does this with gensim's parameter
names and scores, streaming over the corpus once per pass and holding only the
count table.

The score
---------
Let :math:`c(a)` and :math:`c(b)` be how often the words occur, :math:`c(ab)` how
often ``a`` is directly followed by ``b``, and :math:`N` the total count. If the
words were independent, the pair would occur about :math:`c(a)\,c(b)/N` times; the
ratio of observed to expected is

.. math:: \frac{c(ab)}{c(a)\,c(b)/N} = \frac{c(ab)\,N}{c(a)\,c(b)} .

word2vec.c (``word2phrase``) and gensim's ``original_scorer`` use this ratio with
``min_count`` taken off the pair count first:

.. math:: \mathrm{score}(a, b) = \frac{(c(ab) - \delta)\,N}{c(a)\,c(b)},
          \qquad \delta = \texttt{min\_count}

and join the pair when the score is strictly above ``threshold``. What each
term rewards:

* :math:`c(ab) - \delta` rewards evidence: a pair seen once could be chance, and
  the discount ``min_count`` sinks rare pairs (a pair seen ``min_count`` times or
  fewer scores zero or less, so it is never joined), however striking the ratio.
* :math:`1 / (c(a)\,c(b))` rewards exclusivity: "of the" is frequent but both
  words go with everything, so the product of their counts swamps the pair count;
  "los angeles" is rarer, but "los" is nearly always followed by "angeles".
* :math:`N` only rescales, so that one ``threshold`` means about the same on a
  small and a large corpus. gensim takes for :math:`N` the size of its count
  table ("len_vocab", the number of distinct words *plus* distinct pairs, after
  any pruning), not the number of tokens as word2phrase does; this module uses
  gensim's :math:`N` so that its phrase sets match gensim's for the same
  settings.

``scoring="npmi"`` uses normalised pointwise mutual information instead (Bouma,
2009), with :math:`p(x) = c(x) / T` and :math:`T` the number of tokens read:

.. math:: \mathrm{npmi}(a, b) = \frac{\ln \frac{p(ab)}{p(a)\,p(b)}}{-\ln p(ab)} \in [-1, 1].

The numerator (PMI) is the log of the same observed-to-expected ratio; dividing
by :math:`-\ln p(ab)` bounds it: 1 when the words only ever occur together, 0
when independent, -1 when they never meet. Pairs seen fewer than ``min_count``
times get :math:`-\infty`. Its threshold lies in [-1, 1] and does not depend on
the corpus size.

Applying
--------
``phrases[sentence]`` (or :meth:`Phrases.apply`) reads the sentence left to right
and joins a token with the next one when that pair scores above the threshold;
a joined pair is consumed whole, so in "a b c" where both "a b" and "b c" pass,
the result is ``a_b c`` (gensim's greedy rule).

Memory
------
The count table (words and pairs) is held in two dicts. When adding a new entry
would make it larger than ``max_vocab_size``, entries seen fewer than
``min_reduce`` times are dropped and ``min_reduce`` goes up by one, until the
new entry fits (gensim's pruning rule, ``utils.prune_vocab``; gensim checks only
at the end of each sentence and may overshoot within one, this table never
does). Counts after pruning are lower bounds, as in gensim and word2phrase. Note
that pruning shrinks the table, and with it the default score's :math:`N`, so a
tight ``max_vocab_size`` lowers every default score (NPMI does not depend on it).

Differences from gensim, on purpose: a pair is counted apart from a word that
happens to contain the delimiter (gensim keys both as ``"a_b"``, so their counts
mix); there are no ``connector_words``; on text without the delimiter inside
words and without pruning, the phrase sets are identical (tests/test_phrases.py
checks this against gensim itself).
"""
import math
import numbers
import os
from collections import Counter

import numpy as np

from ..errors import W2VError
from .corpus import MAX_SENTENCE_LENGTH, expand_paths, line_pieces, read_lines, whitespace_tokenize

#: The scoring methods, by name.
SCORINGS = ("default", "npmi")


def original_score(count_a, count_b, count_ab, len_vocab, min_count):
    """word2vec.c's (and gensim's ``original_scorer``) score of one pair, in Python floats:
    ``(count_ab - min_count) / (count_a * count_b) * len_vocab``; ``-inf`` if a count is 0."""
    denom = count_a * count_b
    if denom == 0:
        return -math.inf
    return (count_ab - min_count) / float(denom) * len_vocab


def npmi_score(count_a, count_b, count_ab, corpus_word_count, min_count):
    """Normalised PMI of one pair (gensim's ``npmi_scorer``); ``-inf`` below ``min_count``."""
    if count_ab < min_count or min(count_a, count_b, count_ab) <= 0:
        return -math.inf
    n = float(corpus_word_count)
    pa, pb, pab = count_a / n, count_b / n, count_ab / n
    if pab >= 1.0:
        return -math.inf
    return math.log(pab / (pa * pb)) / -math.log(pab)


def _is_paths(corpus):
    if isinstance(corpus, (str, os.PathLike)):
        return True
    return (isinstance(corpus, (list, tuple)) and len(corpus) > 0
            and all(isinstance(p, (str, os.PathLike)) for p in corpus))


def iter_line_chunks(paths, tokenizer=whitespace_tokenize, max_length=MAX_SENTENCE_LENGTH):
    """Yield ``(tokens, end_of_line)`` for every line of every file of ``paths``.

    A line becomes one or more chunks of at most ``max_length`` tokens (the last
    one has ``end_of_line`` true); an empty line is ``([], True)``, so that a
    writer can keep the line structure. Files are read with
    :func:`~w2v_numpy.text.corpus.read_lines` (compressed files, encoding checks).
    """
    for path in expand_paths(paths):
        for line in read_lines(path):
            buf = []
            for piece in line_pieces(line, tokenizer):
                buf.extend(piece)
                while len(buf) > max_length:
                    yield buf[:max_length], False
                    buf = buf[max_length:]
            yield buf, True


class Phrases:
    """Learn bigram phrases from a corpus and join them in sentences.

    Parameters
    ----------
    sentences : path, glob, list of them, or iterable of token lists, optional
        Learn from it at once (see :meth:`add_vocab`).
    min_count : number > 0
        Discount on pair counts (default score) or the fewest occurrences of a
        pair (``npmi``); gensim's default 5.
    threshold : float
        A pair is joined when its score is strictly above this: > 0 for
        ``"default"`` (10.0), in [-1, 1] for ``"npmi"``.
    max_vocab_size : int
        Most entries (distinct words plus distinct pairs) the count table holds;
        beyond it rare entries are pruned (see the module docstring).
    delimiter : str
        Joins the two words of a phrase (``"_"``).
    scoring : {"default", "npmi"}
    tokenizer : callable
        Splits a line of a file (default :func:`whitespace_tokenize`); not used
        for token lists.

    Attributes
    ----------
    unigram_counts, bigram_counts : dict
        ``word -> count`` and ``(a, b) -> count``.
    corpus_word_count : int
        Tokens read.
    min_reduce : int
        Entries seen fewer times than this were pruned (1: nothing was).
    """

    def __init__(self, sentences=None, min_count=5, threshold=10.0, max_vocab_size=40_000_000,
                 delimiter="_", scoring="default", tokenizer=whitespace_tokenize):
        if scoring not in SCORINGS:
            raise W2VError(f"must be one of {', '.join(SCORINGS)}, got {scoring!r}",
                           param="scoring")
        if (isinstance(min_count, bool) or not isinstance(min_count, numbers.Real)
                or not math.isfinite(min_count) or min_count <= 0):
            raise W2VError(f"must be a number > 0, got {min_count!r}", param="min_count")
        if (isinstance(threshold, bool) or not isinstance(threshold, numbers.Real)
                or not math.isfinite(threshold)):
            raise W2VError(f"must be a finite number, got {threshold!r}", param="threshold")
        if scoring == "default" and threshold <= 0:
            raise W2VError(f"must be > 0 for scoring='default', got {threshold}",
                           param="threshold")
        if scoring == "npmi" and not -1 <= threshold <= 1:
            raise W2VError(f"must be in [-1, 1] for scoring='npmi', got {threshold}",
                           param="threshold")
        if (isinstance(max_vocab_size, bool) or not isinstance(max_vocab_size, numbers.Integral)
                or max_vocab_size < 1):
            raise W2VError(f"must be an integer >= 1, got {max_vocab_size!r}",
                           param="max_vocab_size")
        if not isinstance(delimiter, str) or not delimiter:
            raise W2VError(f"must be a non-empty string, got {delimiter!r}", param="delimiter")
        self.min_count, self.threshold, self.scoring = min_count, float(threshold), scoring
        self.max_vocab_size, self.delimiter = int(max_vocab_size), delimiter
        self.tokenizer = tokenizer
        self.unigram_counts = Counter()
        self.bigram_counts = Counter()
        self.corpus_word_count = 0
        self.min_reduce = 1
        self._phrases = None          # (a, b) -> (joined, score), built when first needed
        if sentences is not None:
            self.add_vocab(sentences)

    def __repr__(self):
        return (f"Phrases<{len(self)} entries, {self.corpus_word_count} tokens, "
                f"min_count={self.min_count}, threshold={self.threshold}, "
                f"scoring={self.scoring!r}, max_vocab_size={self.max_vocab_size}>")

    def __len__(self):
        """Entries in the count table: distinct words plus distinct pairs (gensim's len_vocab)."""
        return len(self.unigram_counts) + len(self.bigram_counts)

    # --- learning ------------------------------------------------------------------------

    def _sentences(self, corpus):
        if _is_paths(corpus):
            return (tokens for tokens, _ in iter_line_chunks(corpus, self.tokenizer))
        if isinstance(corpus, (bytes, bytearray)) or not hasattr(corpus, "__iter__"):
            raise W2VError("must be a path, a glob, a list of them, or an iterable of "
                           f"sentences (lists of tokens), got {type(corpus).__name__}",
                           param="sentences")
        return corpus

    def add_vocab(self, sentences):
        """Count the words and adjacent pairs of ``sentences`` (streaming); returns ``self``.

        ``sentences`` is a path, a glob or a list of them (read line by line, lines
        longer than :data:`MAX_SENTENCE_LENGTH` tokens cut), or an iterable of
        sentences, each a list of str tokens. May be called again to add more text.
        """
        for sentence in self._sentences(sentences):
            if isinstance(sentence, str):
                raise W2VError("got a string where a sentence (a list of tokens) was "
                               f"expected: {sentence[:40]!r}", param="sentences")
            if not isinstance(sentence, (list, tuple)):
                sentence = list(sentence)
            self._count(sentence)
        self._phrases = None
        return self

    learn = add_vocab

    def _count(self, s):
        n = len(s)
        if n == 0:
            return
        self.corpus_word_count += n
        uni, bi = self.unigram_counts, self.bigram_counts
        if len(uni) + len(bi) + 2 * n - 1 <= self.max_vocab_size:
            # fast path (C loops): even if every word and pair is new, the table fits
            uni.update(s)
            if n > 1:
                bi.update(zip(s, s[1:]))
            return
        for i, w in enumerate(s):
            self._add(uni, w)
            if i:
                self._add(bi, (s[i - 1], w))

    def _add(self, table, key):
        count = table.get(key)
        if count is None:
            if len(self) >= self.max_vocab_size:
                self._prune(self.max_vocab_size - 1)
            table[key] = 1
        else:
            table[key] = count + 1

    def _prune(self, target):
        """Drop entries seen fewer than ``min_reduce`` times, raising ``min_reduce`` by one
        each round, until at most ``target`` entries are left."""
        while len(self) > target:
            uni, bi = self.unigram_counts, self.bigram_counts
            smallest = min(min(uni.values(), default=math.inf), min(bi.values(), default=math.inf))
            if smallest >= self.min_reduce:      # this round would drop nothing: skip ahead
                self.min_reduce = int(smallest) + 1
            for table in (uni, bi):
                for key in [k for k, c in table.items() if c < self.min_reduce]:
                    del table[key]
            self.min_reduce += 1
        self._phrases = None

    # --- scoring -------------------------------------------------------------------------

    def score(self, a, b):
        """The score of the pair ``a b`` (``-inf`` if it was never counted), unthresholded."""
        ca, cb = self.unigram_counts.get(a, 0), self.unigram_counts.get(b, 0)
        cab = self.bigram_counts.get((a, b), 0)
        if min(ca, cb, cab) <= 0:
            return -math.inf
        if self.scoring == "npmi":
            return npmi_score(ca, cb, cab, self.corpus_word_count, self.min_count)
        return original_score(ca, cb, cab, len(self), self.min_count)

    def bigram_scores(self):
        """Every counted pair and its score, vectorized: ``(pairs, scores)``, a list of
        ``(a, b)`` and a float64 array (same arithmetic as :func:`original_score` /
        :func:`npmi_score`)."""
        pairs = list(self.bigram_counts)
        uni = self.unigram_counts
        cab = np.fromiter(self.bigram_counts.values(), dtype=np.float64, count=len(pairs))
        ca = np.fromiter((uni.get(a, 0) for a, _ in pairs), dtype=np.float64, count=len(pairs))
        cb = np.fromiter((uni.get(b, 0) for _, b in pairs), dtype=np.float64, count=len(pairs))
        known = (ca > 0) & (cb > 0) & (cab > 0)
        scores = np.full(len(pairs), -np.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.scoring == "npmi":
                n = float(self.corpus_word_count)
                pa, pb, pab = ca / n, cb / n, cab / n
                ok = known & (cab >= self.min_count) & (pab < 1.0)
                scores[ok] = np.log(pab[ok] / (pa[ok] * pb[ok])) / -np.log(pab[ok])
            else:
                scores[known] = (cab[known] - self.min_count) / (ca[known] * cb[known]) * len(self)
        return pairs, scores

    def _phrase_map(self):
        if self._phrases is None:
            pairs, scores = self.bigram_scores()
            d = self.delimiter
            self._phrases = {pairs[i]: (d.join(pairs[i]), float(scores[i]))
                             for i in np.flatnonzero(scores > self.threshold)}
        return self._phrases

    def export_phrases(self):
        """The learned phrases: ``{"a_b": score}`` for every pair scoring above the threshold
        (gensim's ``export_phrases``)."""
        return {joined: score for joined, score in self._phrase_map().values()}

    # --- applying ------------------------------------------------------------------------

    def apply(self, sentence):
        """``sentence`` (a list of tokens) with its phrases joined, greedily left to right."""
        if isinstance(sentence, str):
            raise W2VError("expected a sentence as a list of tokens, got a string "
                           "(split it first)", param="sentence")
        s = sentence if isinstance(sentence, (list, tuple)) else list(sentence)
        table = self._phrase_map()
        out, i, n = [], 0, len(s)
        while i < n:
            if i + 1 < n:
                hit = table.get((s[i], s[i + 1]))
                if hit is not None:
                    out.append(hit[0])
                    i += 2
                    continue
            out.append(s[i])
            i += 1
        return out

    def __getitem__(self, sentence):
        """``phrases[tokens]``: :meth:`apply`; ``phrases[corpus]`` (an iterable of token
        lists): a generator of the joined sentences, as in gensim."""
        if isinstance(sentence, (list, tuple)) and all(isinstance(t, str) for t in sentence):
            return self.apply(sentence)
        if isinstance(sentence, str):
            return self.apply(sentence)          # raises the helpful error
        return (self.apply(s) for s in sentence)
