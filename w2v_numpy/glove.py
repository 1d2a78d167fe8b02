"""``GloVe``: co-occurrence counting, the GloVe model and its AdaGrad trainer in one object.

The GloVe counterpart of :class:`w2v_numpy.word2vec.Word2Vec` (a subclass,
so saving, loading, ``.wv`` and the command line's checkpoints work alike)::

    from w2v_numpy import GloVe
    g = GloVe(corpus_file="text.txt", vector_size=100, window=10, epochs=25)
    g.wv.most_similar("king")
    g.save("text.glove")

What it does, following the GloVe paper and its reference tool ``glove.c``:

1. read the corpus and build the vocabulary (``min_count``, ``max_vocab``);
2. count :math:`X_{ij}` over a symmetric window of ``window`` words on each
   side, each pair weighted by 1/distance, never across a line
   (:func:`w2v_numpy.text.cooccurrence.count_cooccurrences`);
3. fit :math:`\\sum f(X_{ij})(w_i^\\top \\tilde w_j + b_i + \\tilde b_j - \\log X_{ij})^2`
   (:class:`w2v_numpy.models.GloVe`) with glove.c's AdaGrad
   (:class:`w2v_numpy.training.adagrad.AdaGrad`, rate ``alpha``, 0.05 by default) over
   shuffled mini-batches of the non-zero entries;
4. give ``W + W_ctx`` as the word vectors (glove.c's ``-model 2``).

Not to be confused with :class:`w2v_numpy.models.GloVe`, the objective
(loss and gradient) that this class trains.
"""
from numbers import Real

import numpy as np

from .backend import asarray, to_numpy
from .batching.cooccurrence_batcher import CooccurrenceBatcher
from .errors import W2VError
from .models import MODELS, create
from .models.base import check_integers
from .models.glove import ALPHA, TARGETS, X_MAX
from .text.cooccurrence import count_cooccurrences
from .text.corpus import simple_tokenize
from .training.adagrad import AdaGrad
from .training.loop import train
from .training.policy import policy
from .vectors.keyedvectors import KeyedVectors
from .word2vec import Word2Vec, given

#: Model-file parameter names of the AdaGrad accumulators: ``adagrad.W`` for ``W``, ...
ACCUMULATOR_PREFIX = "adagrad."
#: glove.c minimises half of the loss J that the model (and the documents) define.
GRAD_SCALE = 0.5


class GloVe(Word2Vec):
    """Train GloVe vectors on a corpus.

    Parameters
    ----------
    corpus_file : str, path, glob or list, optional
        As for :class:`w2v_numpy.word2vec.Word2Vec`; if given, the vocabulary
        and the counts are built and the model trained at once.
    vector_size : int
        Embedding dimension.
    window : int
        Words counted on *each side* of a word (10 in the GloVe paper; glove.c's
        ``cooccur -window-size`` has the same meaning and defaults to 15).
    min_count, max_vocab : int
        Vocabulary filtering, as for word2vec (glove.c's ``vocab_count -min-count``).
    x_max, glove_alpha : float
        The weighting :math:`f(x) = \\min(1, (x/x_{max})^{\\alpha})`; 100 and 0.75
        in the paper (glove.c's demo uses ``x_max`` 10 on small corpora).
        ``glove_alpha`` is the paper's :math:`\\alpha`, not a learning rate.
    target : {"log", "log1p"}
        The regression target: the paper's :math:`\\log X` (default) or the
        worked example's :math:`\\log(1 + X)`.
    distance_weighting : bool
        Weight a pair k words apart by 1/k (default, as glove.c) or count 1.
    alpha : float or None
        AdaGrad's initial rate :math:`\\eta`; ``None``: the policy table's
        (:mod:`w2v_numpy.training.policy`), glove.c's ``-eta`` 0.05.
    min_alpha : float or None
        If given, the rate also decays linearly to it; ``None`` (default)
        keeps it constant, as glove.c does (AdaGrad shrinks the steps itself).
    epochs : int
        Passes over the non-zero entries (glove.c's ``-iter``; 25 in the paper).
    batch_size : int or None
        Entries per AdaGrad step (``None``: the policy table's 4096; see
        :mod:`w2v_numpy.training.adagrad` for what a batch means).
    seed, shuffle, tokenizer, dtype, progress, callbacks, cache_dir
        As for :class:`w2v_numpy.word2vec.Word2Vec`.
    memory : float or None
        GB of memory the counting may hold (glove.c's ``cooccur -memory``): past it,
        the counts are written to disk as sorted runs and merged at the end
        (:func:`w2v_numpy.text.cooccurrence.count_cooccurrences`). ``None``:
        :data:`~w2v_numpy.text.cooccurrence.DEFAULT_MEMORY_GB`. A run setting, not stored.

    Attributes
    ----------
    cooccurrences : w2v_numpy.text.cooccurrence.CooccurrenceMatrix or None
        The counts (after :meth:`build_vocab`).
    optimizer : w2v_numpy.training.adagrad.AdaGrad or None

    Raises
    ------
    W2VError
        For a bad setting, with ``param`` naming it; the integer settings must be
        integers, as for :class:`w2v_numpy.word2vec.Word2Vec`.
    """

    def __init__(self, corpus_file=None, vector_size=100, window=10, min_count=5,
                 max_vocab=None, x_max=X_MAX, glove_alpha=ALPHA, target="log",
                 distance_weighting=True, alpha=None, min_alpha=None, epochs=25,
                 batch_size=None, seed=0, shuffle=True, tokenizer=simple_tokenize,
                 dtype=np.float32, progress=True, callbacks=(), type="glove", cache_dir=None,
                 memory=None):
        if not self.accepts(type):
            raise W2VError(f"GloVe trains type 'glove', not {type!r}", param="type")
        rules = policy("glove")
        alpha = rules.alpha if alpha is None else alpha
        batch_size = rules.batch_size if batch_size is None else batch_size
        check_integers(1, window=window, vector_size=vector_size, epochs=epochs,
                       batch_size=batch_size, min_count=min_count, **given(max_vocab=max_vocab))
        check_integers(0, seed=seed)
        for name, value in (("x_max", x_max), ("glove_alpha", glove_alpha), ("alpha", alpha)):
            if not float(value) > 0:
                raise W2VError(f"must be > 0, got {value}", param=name)
        if target not in TARGETS:
            raise W2VError(f"must be one of {TARGETS}, got {target!r}", param="target")
        min_alpha = float(alpha) if min_alpha is None else float(min_alpha)
        if not 0 <= min_alpha <= float(alpha):
            raise W2VError(f"must be between 0 and alpha ({alpha}), got {min_alpha}",
                           param="min_alpha")
        self.config = dict(type=type, vector_size=int(vector_size), window=int(window),
                           min_count=int(min_count),
                           max_vocab=None if max_vocab is None else int(max_vocab),
                           x_max=float(x_max),
                           glove_alpha=float(glove_alpha), target=target,
                           distance_weighting=bool(distance_weighting), alpha=float(alpha),
                           min_alpha=min_alpha, epochs=int(epochs), batch_size=int(batch_size),
                           seed=int(seed), shuffle=bool(shuffle))
        if memory is not None and (isinstance(memory, bool) or not isinstance(memory, Real)
                                   or not memory > 0):
            raise W2VError(f"must be > 0 GB, got {memory}", param="memory")
        self.optimizer = self.cooccurrences = None
        self.memory = memory
        self._start(corpus_file, tokenizer, dtype, progress, callbacks,   # one process
                    cache_dir=cache_dir)

    @classmethod
    def accepts(cls, type_name):
        return type_name in MODELS and MODELS[type_name].batch_family == "cooccurrence"

    def build_vocab(self, corpus_file):
        """Read the corpus, build the vocabulary, count co-occurrences, make the model."""
        super().build_vocab(corpus_file)
        c = self.config
        self.cooccurrences = count_cooccurrences(self.corpus, len(self.vocab), window=c["window"],
                                                 distance_weighting=c["distance_weighting"],
                                                 progress=self.progress,
                                                 memory=getattr(self, "memory", None))
        return self

    def new_model(self):
        """A fresh GloVe model, and a fresh AdaGrad state for it."""
        c = self.config
        model = create(c["type"], len(self.vocab), c["vector_size"], seed=c["seed"],
                       dtype=self.dtype, **self._model_options())
        self.optimizer = AdaGrad(model, grad_scale=GRAD_SCALE)
        return model

    def _model_options(self):
        c = self.config
        return dict(x_max=c["x_max"], alpha=c["glove_alpha"], target=c["target"])

    def make_batcher(self):
        """The :class:`CooccurrenceBatcher` over the counted entries."""
        if self.cooccurrences is None:
            raise W2VError("call build_vocab(corpus_file) before training", param="corpus_file")
        c = self.config
        return CooccurrenceBatcher(self.cooccurrences, c["batch_size"], c["shuffle"], c["seed"])

    def train(self, epochs=None, callbacks=None, state=None, batcher=None):
        """Run the training loop with AdaGrad; returns the final :class:`TrainState`."""
        if epochs is not None:                    # 0 would mean "the configured epochs" below
            check_integers(1, epochs=epochs)
        c = self.config
        batcher = batcher or self.make_batcher()
        self.state = train(self.model, batcher, epochs=epochs or c["epochs"], alpha=c["alpha"],
                           min_alpha=c["min_alpha"],
                           callbacks=self.callbacks if callbacks is None else callbacks,
                           progress=self.progress, state=state, optimizer=self.optimizer,
                           prefetch=self.prefetch)
        return self.state

    def epoch_size(self):
        """The unit of progress per epoch: non-zero co-occurrence entries."""
        return self.cooccurrences.nnz

    @property
    def wv(self):
        """``W + W_ctx`` (glove.c's ``-model 2``) as :class:`KeyedVectors`."""
        P = self.model.params
        return KeyedVectors(list(self.vocab.words), to_numpy(P["W"] + P["W_ctx"]))

    def to_parts(self, meta=None):
        parts = super().to_parts(meta)
        for name, G in self.optimizer.accumulators.items():
            parts.params[ACCUMULATOR_PREFIX + name] = to_numpy(G)
        return parts

    def restore(self, parts, config):
        params = {k: asarray(v) for k, v in parts.params.items()
                  if not k.startswith(ACCUMULATOR_PREFIX)}
        self.model = MODELS[config["type"]].from_params(params, **self._model_options())
        stored = {k[len(ACCUMULATOR_PREFIX):]: v for k, v in parts.params.items()
                  if k.startswith(ACCUMULATOR_PREFIX)}
        self.optimizer = AdaGrad(self.model, grad_scale=GRAD_SCALE, accumulators=stored or None)
