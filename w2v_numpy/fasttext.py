"""``FastText``: subword skip-gram or CBOW, with vectors for words never seen.

The subword counterpart of :class:`w2v_numpy.word2vec.Word2Vec` (a subclass:
the window batcher, the training loop, saving, loading and the command line's
checkpoints are the same), with gensim's ``FastText`` spelling::

    from w2v_numpy.fasttext import FastText
    ft = FastText(corpus_file="text.txt", sg=1, vector_size=100, min_n=3, max_n=6,
                  bucket=2_000_000, epochs=5)
    ft.wv["unseenword"]                      # from its character n-grams
    ft.wv.most_similar("unseenword")
    ft.save("text.ft")

The objective is :mod:`w2v_numpy.models.subword_input`; the vectors are
:class:`w2v_numpy.vectors.subword_vectors.FastTextKeyedVectors`. Memory: the n-gram
table is ``bucket x vector_size`` float32 (2,000,000 x 100 is 800 MB, and the
model file as large); a smaller ``bucket`` trades collisions for memory.
"""
import numpy as np

from .backend import asarray, to_numpy
from .errors import W2VError
from .models import MODELS, create, subword_types
from .models.base import check_integers
from .models.subword_input import BUCKET, INPUT_UPDATES, MAX_N, MIN_N
from .text.corpus import simple_tokenize
from .training.policy import policy
from .vectors.subword_vectors import FastTextKeyedVectors
from .word2vec import Word2Vec, given


class FastText(Word2Vec):
    """Train subword word vectors on a corpus (fastText's unsupervised models).

    Parameters
    ----------
    corpus_file : str, path, glob or list, optional
        As for :class:`Word2Vec`; if given, the model is built and trained at once.
    sg : {0, 1}
        gensim's switch: 1 trains ``"fasttext_sgram"``, 0 (default) ``"fasttext_cbow"``.
    type : str, optional
        The type by name instead of ``sg`` (model files store it).
    min_n, max_n : int
        Shortest and longest character n-gram of ``<word>`` (3 and 6).
    bucket : int
        Rows of the hashed n-gram table (2,000,000, as fastText and gensim).
    input_update : {"fasttext", "exact"}
        ``"fasttext"`` (default) adds the undivided gradient of the hidden
        vector to each input row, as fastText and gensim do;
        ``"exact"`` applies the true gradient of the mean (see
        :mod:`w2v_numpy.models.subword_input`).
    shuffle : bool or None
        Shuffle the examples inside each corpus chunk. ``None``: the policy
        table's (:mod:`w2v_numpy.training.policy`): corpus order, as fastText
        and gensim train them, so the pairs of a batch share their
        centre words and each word's n-gram rows are gathered, summed and
        updated once per batch; on wiki2m that trains 2.5 times faster, at the
        same loss.
    alpha, batch_size : float, int or None
        ``None``: the policy table's (0.025 and 512).
    shared_negatives, spread_negatives : int, bool or None
        As for :class:`Word2Vec`: examples sharing one draw of negatives, and
        whether they are spread over the batch. ``None``: the policy table's (8
        spread for ``fasttext_sgram``: each draw's output rows are gathered and
        updated once, 1.6x faster a step on wiki2m; 1 for ``fasttext_cbow``).
        Stored in the model file.
    vector_size, window, min_count, max_vocab, sample, negative, min_alpha,
    epochs, seed, tokenizer, dtype, progress, callbacks, cache_dir
        As for :class:`Word2Vec` (gensim's names and meanings).

    Raises
    ------
    W2VError
        For a bad setting, with ``param`` naming it; the integer settings (``min_n``,
        ``max_n`` and ``bucket`` too) must be integers, as for :class:`Word2Vec`.
    """

    def __init__(self, corpus_file=None, sg=None, type=None, vector_size=100, window=5,
                 min_count=5, max_vocab=None, sample=1e-3, negative=5, alpha=None,
                 min_alpha=0.0001, epochs=5, batch_size=None, seed=0, shuffle=None, min_n=MIN_N,
                 max_n=MAX_N, bucket=BUCKET, input_update="fasttext", tokenizer=simple_tokenize,
                 dtype=np.float32, progress=True, callbacks=(), cache_dir=None,
                 shared_negatives=None, spread_negatives=None):
        if sg not in (None, 0, 1):
            raise W2VError(f"must be 0 or 1, got {sg!r}", param="sg")
        type = type or ("fasttext_sgram" if sg else "fasttext_cbow")
        if not self.accepts(type):
            raise W2VError(f"must be one of {subword_types()}, got {type!r}", param="type")
        check_integers(1, window=window, vector_size=vector_size, negative=negative, min_n=min_n,
                       max_n=max_n, bucket=bucket, epochs=epochs, min_count=min_count,
                       **given(max_vocab=max_vocab, batch_size=batch_size,
                               shared_negatives=shared_negatives))
        check_integers(0, seed=seed)
        if max_n < min_n:
            raise W2VError(f"must be >= min_n ({min_n}), got {max_n}", param="max_n")
        if input_update not in INPUT_UPDATES:
            raise W2VError(f"must be one of {INPUT_UPDATES}, got {input_update!r}",
                           param="input_update")
        rules = policy(type)
        self.config = dict(type=type, vector_size=int(vector_size), window=int(window),
                           min_count=int(min_count),
                           max_vocab=None if max_vocab is None else int(max_vocab),
                           sample=float(sample),
                           negative=int(negative),
                           alpha=float(rules.alpha if alpha is None else alpha),
                           min_alpha=float(min_alpha), epochs=int(epochs), seed=int(seed),
                           batch_size=int(rules.batch_size if batch_size is None else batch_size),
                           shuffle=bool(not rules.corpus_order if shuffle is None else shuffle),
                           min_n=int(min_n), max_n=int(max_n),
                           bucket=int(bucket), input_update=input_update,
                           shared_negatives=int(rules.shared_negatives if shared_negatives is None
                                                else shared_negatives),
                           spread_negatives=bool(rules.spread_negatives if spread_negatives is None
                                                 else spread_negatives))
        self._start(corpus_file, tokenizer, dtype, progress, callbacks,   # one process
                    cache_dir=cache_dir)

    @classmethod
    def accepts(cls, type_name):
        return type_name in subword_types()

    def _model_options(self):
        c = self.config
        return dict(min_n=c["min_n"], max_n=c["max_n"], bucket=c["bucket"],
                    input_update=c["input_update"])

    def new_model(self):
        c = self.config
        return create(c["type"], len(self.vocab), c["vector_size"], seed=c["seed"],
                      dtype=self.dtype, words=list(self.vocab.words), **self._model_options())

    @property
    def wv(self):
        """:class:`FastTextKeyedVectors`: in-vocabulary vectors, and any other word's from its n-grams."""
        P, m = self.model.params, self.model
        return FastTextKeyedVectors(list(self.vocab.words), to_numpy(P["W_in"]),
                                    to_numpy(P["W_ngram"]), self.config["min_n"],
                                    self.config["max_n"], table=(to_numpy(m.ptr), to_numpy(m.ids)))

    def restore(self, parts, config):
        self.model = MODELS[config["type"]].from_params(
            {k: asarray(v) for k, v in parts.params.items()}, words=parts.words,
            **self._model_options())

    def save_facebook(self, path):
        """Write the model as a Facebook fastText ``.bin`` file (gensim's ``save_facebook_model``).

        ``fasttext.load_model(path)`` (fastText's own library) then answers
        ``get_words()`` with this vocabulary and ``get_word_vector`` with the
        vectors of :attr:`wv`, for in-vocabulary and unseen words alike: the
        word rows and the n-gram rows become fastText's one input matrix,
        ``W_out`` its output matrix (negative sampling). Format and limits:
        :mod:`w2v_numpy.files.fasttext_bin`.

        Raises
        ------
        W2VError
            If the model is not trained, or a word cannot be stored (empty, or holding NUL).
        """
        from .files.fasttext_bin import write_fasttext_bin

        if self.model is None:
            raise W2VError("the model is not trained yet: nothing to save")
        P, c = self.model.params, self.config
        write_fasttext_bin(path, list(self.vocab.words), self.vocab.counts, to_numpy(P["W_in"]),
                           to_numpy(P["W_ngram"]), to_numpy(P["W_out"]), minn=c["min_n"],
                           maxn=c["max_n"], sg=c["type"] == "fasttext_sgram", window=c["window"],
                           epochs=c["epochs"], min_count=c["min_count"], negative=c["negative"],
                           sample=c["sample"])
