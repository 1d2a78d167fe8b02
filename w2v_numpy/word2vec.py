"""``Word2Vec``: corpus, vocabulary, model and trainer in one object.

This is the convenient front door, with gensim's parameter names::

    from w2v_numpy import Word2Vec
    w2v = Word2Vec(corpus_file="text.txt", type="sgram_neg", vector_size=100, epochs=5)
    w2v.wv.most_similar("king")
    w2v.save("text.model")
    w2v = Word2Vec.load("text.model")

It is also where the layers meet: the model file layer (:mod:`w2v_numpy.files.model_file`)
deals in plain arrays and dicts, which :meth:`Word2Vec.save` / :meth:`Word2Vec.load`
assemble into a model. :class:`w2v_numpy.glove.GloVe` is the same front door for GloVe
(a subclass); :func:`w2v_numpy.loading.load_model` loads a model file of any type.
"""
import inspect
import os
import reprlib

import numpy as np

from .backend import asarray, to_numpy
from .batching import NegativeSampler, WindowBatcher
from .errors import ModelFileError, W2VError
from .files.model_file import ModelParts, read_model_file, write_model_file
from .models import MODELS, create, gensim_type, model_class, window_types
from .models.base import check_integers
from .models.window import CBOW_UPDATES
from .text.corpus import load_corpus, simple_tokenize
from .text.vocab import Vocab
from .training.loop import TrainState, train
from .training.memory import check_run
from .training.policy import default_formulation, policy
from .vectors.keyedvectors import KeyedVectors

#: Settings a model file may lack, with the value of the version that wrote such files.
_LEGACY = {"cbow_update": "exact", "formulation": "pair", "shared_negatives": 1,
           "run_length": 1, "spread_negatives": False}


def given(**values):
    """The keyword arguments that are not ``None`` (optional settings, checked only if set)."""
    return {name: value for name, value in values.items() if value is not None}


def check_paths(value, param, many=True):
    """Raise :class:`W2VError` naming ``param`` unless ``value`` is a path (``str`` or
    ``os.PathLike``) or, with ``many``, a list or tuple of paths.

    Why here: the corpus reader would otherwise fail on ``corpus_file=123`` with a
    ``TypeError`` from deep inside ``os.fspath``, or (``str(123)``) look for a file "123".
    """
    def is_path(p):
        return isinstance(p, (str, os.PathLike))

    if is_path(value) or (many and isinstance(value, (list, tuple)) and all(map(is_path, value))):
        return
    what = " or a list or tuple of them" if many else ""
    raise W2VError(f"must be a path (str or os.PathLike){what}, got {reprlib.repr(value)}",
                   param=param)


def default_shuffle(type, formulation):
    """What ``shuffle=None`` means for ``type`` in ``formulation``: corpus order (``False``)
    for the types the policy table marks ``corpus_order`` whose batches of consecutive
    windows take the banded kernels; shuffled for the others."""
    family = model_class(type, formulation).batch_family
    return not (policy(type, formulation).corpus_order and family in WindowBatcher.SPAN_FAMILIES)


class Word2Vec:
    """Train word vectors on a corpus.

    Parameters
    ----------
    corpus_file : str, path, glob or list, optional
        Text (one sentence per line; ``.xz``/``.gz``/``.bz2`` ok); if given, trained at once.
    type : str
        One of :func:`w2v_numpy.models.window_types`: ``"cbow"``,
        ``"cbow_neg"``, ``"cbow_hs"``, ``"sgram"``, ``"sgram_neg"``, ``"sgram_hs"``.
    vector_size : int
        Embedding dimension (the CLI's ``--vector_dim``).
    window : int
        Maximum number of context words on *each side* of the centre word
        (gensim's meaning; the CLI's ``--window`` is the full span 2*window+1).
    min_count, max_vocab : int
        Vocabulary filtering (see :meth:`w2v_numpy.text.vocab.Vocab.from_counts`).
    sample : float
        Sub-sampling threshold ``t``; 0 disables sub-sampling.
    negative : int
        Negatives per example (the CLI's ``--neg_samples``), for the types
        whose output layer is negative sampling; ignored (stored as 0) otherwise.
    hs : {0, 1}
        gensim's spelling of hierarchical softmax: ``hs=1, negative=0`` turns
        ``type`` into the hierarchical-softmax type of the same family
        (``Word2Vec(type="sgram", hs=1, negative=0)`` trains ``"sgram_hs"``).
        gensim's ``hs=1`` with ``negative > 0`` trains both output layers at
        once, which w2v_numpy does not: that is an error. ``hs=0`` (default)
        leaves ``type`` as it is.
    alpha, min_alpha : float
        Learning rate per example, decayed linearly over training. ``alpha=None``:
        the type's in :mod:`w2v_numpy.training.policy` (gensim's 0.025).
    epochs, batch_size, seed : int
        ``batch_size=None``: the type's in :mod:`w2v_numpy.training.policy` (512
        examples; 128 windows for ``sgram_hs``'s window formulation).
    shuffle : bool or None
        Shuffle examples inside each corpus chunk. ``None``: the policy table's
        choice: corpus order (as word2vec.c and gensim) for the context-slot types
        it marks ``corpus_order`` (``cbow_neg``, ``sgram_neg``), whose batches of
        consecutive windows then take the banded kernels of
        :mod:`w2v_numpy.kernels.span`; shuffled for the others. Stored in the model file.
    run_length : int or None
        Shuffled context-slot types: shuffle runs of this many consecutive windows
        (the batcher's ``run_length``), which then take the banded kernels too.
        ``None``: the policy table's (8 for ``cbow_hs``, else 1). Stored in the model file.
    shared_negatives : int or None
        Examples sharing one draw of negatives (1: each its own, as the
        documents; every example still has K of its own in the loss). ``None``:
        the policy table's: 8 for ``cbow_neg`` and ``sgram_neg``'s window form,
        else 1. Stored in the model file.
    spread_negatives : bool or None
        Whether the examples sharing a draw are spread over the batch (the
        defaults' way) or side by side, a tile of consecutive windows (faster
        still for ``sgram_neg``'s window kernels, but sharing by tiles cost 4-7
        analogy points). ``None``: the policy table's. Stored in the model file.
    cbow_update : {"word2vec", "exact"}
        CBOW only. ``"word2vec"`` (default) gives each context row the
        undivided dL/dh, as word2vec.c and gensim (``cbow_mean=1``) do: it
        trains as well as gensim at the same settings. ``"exact"`` gives it
        dL/dh / n, the true gradient of the mean that the documents derive
        (and that ``grad`` and the gradient check use); as a training rule it
        is an input learning rate n times smaller, and loses about 10 analogy
        points at gensim's alpha. See :class:`w2v_numpy.models.window.WindowModel`.
    formulation : {None, "pair", "window"}
        How to train the type (:func:`w2v_numpy.models.formulations`). ``"pair"``
        is the documents' objective, one (centre, context) pair per example;
        ``"window"`` (``sgram_neg`` and ``sgram_hs``) trains one centre word's
        whole window at once, word2vec.c's orientation: against negatives shared
        by the window (:mod:`w2v_numpy.models.sgram_neg_window`), or on the centre
        word's Huffman path (:mod:`w2v_numpy.models.sgram_hs_window`); several
        times faster. ``None``: the policy table's, ``"window"`` for those two
        and ``"pair"`` for every other type. Stored in the model file.
    workers : int or None
        gensim's name: processes training at once on shared parameters
        (Hogwild; :mod:`w2v_numpy.training.workers`). ``None`` uses every core. The
        default 1 is the reproducible one (same seed, same model to the bit;
        resume at any batch); with more, the order in which workers' updates
        land varies. A run setting, not stored in the model file.
    prefetch : bool or None
        With one worker, make the batches in a second process while this one
        trains (the same model to the bit; :mod:`w2v_numpy.batching.producer`). ``None``:
        where it was measured to pay (see :func:`w2v_numpy.training.loop.train`);
        ``False`` keeps training to one core. A run setting, not stored.
    tokenizer : callable
        ``str -> list[str]``; default :func:`w2v_numpy.text.corpus.simple_tokenize`.
    dtype : numpy dtype
    progress : bool
        Show a progress bar.
    callbacks : sequence
        Passed to :func:`w2v_numpy.training.loop.train`.

    Raises
    ------
    W2VError
        For a bad setting, with ``param`` naming it. The integer settings
        (``vector_size``, ``window``, ``min_count``, ``max_vocab``, ``negative``,
        ``epochs``, ``batch_size``, ``seed``, ``workers``, ``shared_negatives``,
        ``run_length``) must be Python or NumPy integers: a float (``2.0`` too), a
        string or a ``bool`` is refused, never rounded. ``corpus_file`` must be a
        ``str`` or ``os.PathLike``, or a list or tuple of them.
    """

    def __init__(self, corpus_file=None, type="sgram_neg", vector_size=100, window=5,
                 min_count=5, max_vocab=None, sample=1e-3, negative=5, alpha=None,
                 min_alpha=0.0001, epochs=5, batch_size=None, seed=0, shuffle=None,
                 cbow_update="word2vec", tokenizer=simple_tokenize, dtype=np.float32, progress=True,
                 callbacks=(), hs=0, formulation=None, workers=1, shared_negatives=None,
                 run_length=None, spread_negatives=None, prefetch=None):
        check_integers(0, negative=negative, seed=seed)       # gensim_type reads negative
        check_integers(1, vector_size=vector_size, window=window, min_count=min_count,
                       epochs=epochs, **given(max_vocab=max_vocab, batch_size=batch_size,
                                              workers=workers, shared_negatives=shared_negatives,
                                              run_length=run_length))
        type = gensim_type(type, hs, negative)
        if type not in window_types():
            raise W2VError(f"must be one of {window_types()}, got {type!r}", param="type")
        formulation = formulation or default_formulation(type)
        cls = model_class(type, formulation)                 # W2VError for one it lacks
        rules = policy(type, formulation)
        run_length = rules.run_length if run_length is None else run_length
        uses_negatives = MODELS[type].uses_negatives
        if not uses_negatives:
            shared_negatives = 1                             # nothing to share
        elif shared_negatives is None:
            shared_negatives = rules.shared_negatives
        spread = rules.spread_negatives if spread_negatives is None else bool(spread_negatives)
        if cbow_update not in CBOW_UPDATES:
            raise W2VError(f"must be one of {CBOW_UPDATES}, got {cbow_update!r}", param="cbow_update")
        batch_size = rules.batch_size if batch_size is None else batch_size
        alpha = rules.alpha if alpha is None else alpha
        if uses_negatives and negative < 1:
            raise W2VError(f"must be >= 1 for {type}, got {negative}", param="negative")
        if shuffle is None:
            shuffle = default_shuffle(type, formulation)
        self.config = dict(type=type, vector_size=int(vector_size), window=int(window),
                           min_count=int(min_count),
                           max_vocab=None if max_vocab is None else int(max_vocab),
                           sample=float(sample), negative=int(negative) if uses_negatives else 0,
                           alpha=float(alpha), min_alpha=float(min_alpha), epochs=int(epochs),
                           batch_size=int(batch_size), seed=int(seed), shuffle=bool(shuffle),
                           cbow_update=cbow_update, formulation=formulation,
                           shared_negatives=int(shared_negatives), spread_negatives=spread,
                           run_length=int(run_length) if shuffle and cls.batch_family
                           in WindowBatcher.SPAN_FAMILIES else 1)
        self._start(corpus_file, tokenizer, dtype, progress, callbacks, workers, prefetch)

    def _start(self, corpus_file, tokenizer, dtype, progress, callbacks, workers=1, prefetch=None):
        """Keep the run settings (every front door's ``__init__`` ends here); with a
        ``corpus_file``, build the vocabulary and train at once."""
        self.tokenizer, self.dtype = tokenizer, dtype
        self.progress, self.callbacks, self.workers = progress, tuple(callbacks), workers
        self.prefetch = prefetch
        self.vocab = self.corpus = self.model = self.state = None
        self.meta = {}
        if corpus_file is not None:
            self.build_vocab(corpus_file)
            self.train()

    def build_vocab(self, corpus_file):
        """Read the corpus, build the vocabulary and (the first time) a fresh model."""
        check_paths(corpus_file, "corpus_file")
        c = self.config
        self.vocab, self.corpus = load_corpus(corpus_file, min_count=c["min_count"],
                                              max_vocab=c["max_vocab"], tokenizer=self.tokenizer)
        if self.model is None:         # refused here, before its tables and batches exist
            check_run(c, len(self.vocab), np.dtype(self.dtype).itemsize)
            self.model = self.new_model()
        return self

    def new_model(self):
        """A freshly initialised model for ``self.config`` and ``self.vocab``."""
        c = self.config
        return create(c["type"], len(self.vocab), c["vector_size"], seed=c["seed"],
                      dtype=self.dtype, cbow_update=c["cbow_update"], formulation=c["formulation"],
                      counts=self.vocab.counts)

    def make_batcher(self):
        """The :class:`WindowBatcher` for this model's batch family and settings."""
        c = self.config
        keep = self.vocab.keep_probs(c["sample"])
        expected = float(keep @ self.vocab.counts)           # tokens kept per epoch, on average
        if expected < 2:
            raise W2VError(f"sub-sampling keeps about {expected:.2g} of the {self.vocab.total} "
                           "tokens per epoch, so training would see no example; raise it "
                           "(0 turns sub-sampling off)", param="sample")
        sampler = NegativeSampler(self.vocab.counts) if self.model.uses_negatives else None
        return WindowBatcher(self.corpus, keep,
                             self.model.batch_family, window=c["window"],
                             batch_size=c["batch_size"], negative=c["negative"], sampler=sampler,
                             shuffle=c["shuffle"], seed=c["seed"],
                             shared_negatives=c.get("shared_negatives", 1),
                             spread_negatives=c.get("spread_negatives", False),
                             run_length=c.get("run_length", 1))

    def train(self, epochs=None, callbacks=None, state=None, batcher=None):
        """Run the training loop; returns the final :class:`w2v_numpy.training.loop.TrainState`.

        ``batcher`` is one made earlier by :meth:`make_batcher` (default: a new one).
        """
        if self.corpus is None:
            raise W2VError("call build_vocab(corpus_file) before train()", param="corpus_file")
        if epochs is not None:                    # 0 would mean "the configured epochs" below
            check_integers(1, epochs=epochs)
        c = self.config
        batcher = batcher or self.make_batcher()
        self.state = train(self.model, batcher, epochs=epochs or c["epochs"],
                           alpha=c["alpha"], min_alpha=c["min_alpha"],
                           callbacks=self.callbacks if callbacks is None else callbacks,
                           progress=self.progress, state=state, workers=self.workers,
                           prefetch=self.prefetch,
                           max_row_rate=policy(c["type"], c.get("formulation")).max_row_rate)
        return self.state

    def epoch_size(self):
        """The training loop's unit of progress per epoch: corpus words (in vocabulary)."""
        return len(self.corpus)

    @property
    def wv(self):
        """The word vectors (``W_in``) as :class:`w2v_numpy.vectors.keyedvectors.KeyedVectors`."""
        vectors = self.model.params[self.model.vectors_param]
        return KeyedVectors(list(self.vocab.words), to_numpy(vectors))

    def save(self, path, meta=None):
        """Write the model file atomically (see :mod:`w2v_numpy.files.model_file`).

        ``meta`` (a JSON-serialisable dict, default ``self.meta``) is stored too.

        Raises
        ------
        W2VError
            If there is nothing to save yet; :class:`w2v_numpy.errors.NonFiniteError`
            (nothing written) if the parameters hold NaN or inf.
        OSError
            If the file cannot be written; an existing ``path`` is left as it was.
        """
        write_model_file(path, self.to_parts(meta))

    def to_parts(self, meta=None):
        """What :meth:`save` writes, as :class:`w2v_numpy.files.model_file.ModelParts`."""
        if self.model is None or self.vocab is None:
            raise W2VError("nothing to save (build the vocabulary first)")
        state = self.state.to_fields() if self.state is not None else None
        params = {k: to_numpy(v) for k, v in self.model.params.items()}
        return ModelParts(params, list(self.vocab.words), self.vocab.counts, self.config,
                          self.meta if meta is None else meta, state)

    @classmethod
    def accepts(cls, type_name):
        """Whether this front door trains and loads models of ``type_name``."""
        return type_name in window_types()

    @classmethod
    def load(cls, path):
        """Load a model file written by :meth:`save` (file format 1 or 2).

        Returns
        -------
        Word2Vec
            With ``config``, ``vocab``, ``model`` (parameters on the active
            backend), ``state`` (``None`` for a model never trained) and
            ``meta``. There is no corpus: call ``build_vocab`` before training
            further. ``.wv`` gives the word vectors.

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        ModelFileError
            ``"cannot load PATH: ..."`` for a damaged, truncated or foreign
            file, or one of a type this class does not train
            (:func:`w2v_numpy.loading.load_model` loads any type).
        """
        return cls.from_parts(read_model_file(path), path)

    @classmethod
    def from_parts(cls, parts, path="model"):
        """The object :meth:`load` returns, from :class:`ModelParts` already read."""
        config = {**_LEGACY, **parts.config}
        try:
            if not cls.accepts(config.get("type")):
                raise W2VError(f"{cls.__name__} does not load {config.get('type')!r} models "
                               "(w2v_numpy.load_model loads every type)")
            known = inspect.signature(cls).parameters
            w2v = cls(**{k: v for k, v in config.items() if k in known},
                      dtype=next(iter(parts.params.values())).dtype, progress=False)
            w2v.vocab = Vocab(parts.words, parts.counts)
            w2v.restore(parts, config)
            w2v.state = TrainState.from_fields(parts.state) if parts.state is not None else None
        except (W2VError, TypeError, ValueError) as exc:
            raise ModelFileError(f"cannot load {os.fspath(path)}: {exc}") from None
        w2v.meta = parts.meta
        return w2v

    def restore(self, parts, config):
        """Set ``self.model`` from the parameters of a model file (``from_parts`` calls it)."""
        options = {"cbow_update": config["cbow_update"]}
        if MODELS[config["type"]].needs_counts:       # the tree is rebuilt from the counts
            options["counts"] = parts.counts
        self.model = model_class(config["type"], config["formulation"]).from_params(
            {k: asarray(v) for k, v in parts.params.items()}, **options)

