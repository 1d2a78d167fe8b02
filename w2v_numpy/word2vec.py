"""``Word2Vec``: corpus, vocabulary, model and trainer in one object.

This is the convenient front door, with gensim's parameter names::

    from w2v_numpy import Word2Vec
    w2v = Word2Vec(corpus_file="text.txt", type="sgram_neg", vector_size=100, epochs=5)
    w2v.wv.most_similar("king")
"""
import numpy as np

from .backend import to_numpy
from .batching import NegativeSampler, WindowBatcher
from .corpus import load_corpus, simple_tokenize
from .models import MODELS, create
from .train import train


class Word2Vec:
    """Train word vectors on a corpus.

    Parameters
    ----------
    corpus_file : str, path, glob or list, optional
        Text to train on (one sentence per line; ``.xz``/``.gz``/``.bz2`` ok).
        If given, the vocabulary is built and the model trained at once.
    type : {"cbow", "cbow_neg", "sgram", "sgram_neg"}
    vector_size : int
        Embedding dimension (the CLI's ``--vector_dim``).
    window : int
        Maximum number of context words on *each side* of the centre word
        (gensim's meaning; the CLI's ``--window`` is the full span 2*window+1).
    min_count, max_vocab : int
        Vocabulary filtering (see :meth:`w2v_numpy.vocab.Vocab.from_counts`).
    sample : float
        Sub-sampling threshold ``t``; 0 disables sub-sampling.
    negative : int
        Negatives per example (the CLI's ``--neg_samples``); used by the ``*_neg`` types.
    alpha, min_alpha : float
        Learning rate per example, decayed linearly over training.
    epochs, batch_size, seed : int
    shuffle : bool
        Shuffle examples inside each corpus chunk.
    cbow_update : {"exact", "word2vec"}
        CBOW only: ``"exact"`` gives each context row dL/dh / n (the true
        gradient of the mean); ``"word2vec"`` gives it the undivided dL/dh, as
        word2vec.c and gensim do. See :class:`w2v_numpy.models.base.Model`.
    tokenizer : callable
        ``str -> list[str]``; default :func:`w2v_numpy.corpus.simple_tokenize`.
    dtype : numpy dtype
    progress : bool
        Show a progress bar.
    callbacks : sequence
        Passed to :func:`w2v_numpy.train.train`.
    """

    def __init__(self, corpus_file=None, type="sgram_neg", vector_size=100, window=5,
                 min_count=5, max_vocab=None, sample=1e-3, negative=5, alpha=0.025,
                 min_alpha=0.0001, epochs=5, batch_size=512, seed=0, shuffle=True,
                 cbow_update="exact", tokenizer=simple_tokenize, dtype=np.float32, progress=True, callbacks=()):
        if type not in MODELS:
            raise ValueError(f"type must be one of {sorted(MODELS)}, got {type!r}")
        if int(window) < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        if int(vector_size) < 1:
            raise ValueError(f"vector_size must be >= 1, got {vector_size}")
        if cbow_update not in ("exact", "word2vec"):
            raise ValueError(f"cbow_update must be 'exact' or 'word2vec', got {cbow_update!r}")
        if type.endswith("_neg") and int(negative) < 1:
            raise ValueError(f"negative (neg_samples) must be >= 1 for {type}, got {negative}")
        self.config = dict(type=type, vector_size=int(vector_size), window=int(window),
                           min_count=int(min_count), max_vocab=max_vocab, sample=float(sample),
                           negative=int(negative) if type.endswith("_neg") else 0,
                           alpha=float(alpha), min_alpha=float(min_alpha), epochs=int(epochs),
                           batch_size=int(batch_size), seed=int(seed), shuffle=bool(shuffle),
                           cbow_update=cbow_update)
        self.tokenizer, self.dtype = tokenizer, dtype
        self.progress, self.callbacks = progress, tuple(callbacks)
        self.vocab = self.corpus = self.model = self.state = None
        if corpus_file is not None:
            self.build_vocab(corpus_file)
            self.train()

    def build_vocab(self, corpus_file):
        """Read the corpus, build the vocabulary and a freshly initialised model."""
        c = self.config
        self.vocab, self.corpus = load_corpus(corpus_file, min_count=c["min_count"],
                                              max_vocab=c["max_vocab"], tokenizer=self.tokenizer)
        if self.model is None:
            self.model = create(c["type"], len(self.vocab), c["vector_size"], seed=c["seed"],
                                dtype=self.dtype)
            self.model.cbow_update = c["cbow_update"]
        return self

    def make_batcher(self):
        """The :class:`WindowBatcher` for this model's family and settings."""
        c = self.config
        sampler = NegativeSampler(self.vocab.counts) if c["negative"] else None
        return WindowBatcher(self.corpus, self.vocab.keep_probs(c["sample"]), self.model.family,
                             window=c["window"], batch_size=c["batch_size"],
                             negative=c["negative"], sampler=sampler, shuffle=c["shuffle"],
                             seed=c["seed"])

    def train(self, epochs=None, callbacks=None, state=None):
        """Run the training loop; returns the final :class:`w2v_numpy.train.TrainState`."""
        if self.corpus is None:
            raise ValueError("corpus_file: call build_vocab(corpus_file) before train()")
        c = self.config
        self.state = train(self.model, self.make_batcher(), epochs=epochs or c["epochs"],
                           alpha=c["alpha"], min_alpha=c["min_alpha"],
                           callbacks=self.callbacks if callbacks is None else callbacks,
                           progress=self.progress, state=state)
        return self.state

    @property
    def wv(self):
        """The input vectors (``W_in``) as :class:`w2v_numpy.keyedvectors.KeyedVectors`."""
        from .keyedvectors import KeyedVectors

        return KeyedVectors(list(self.vocab.words), to_numpy(self.model.params["W_in"]))
