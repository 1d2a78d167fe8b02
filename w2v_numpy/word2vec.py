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
import warnings

import numpy as np

from .backend import asarray, get_xp, to_numpy
from .batching import NegativeSampler, WindowBatcher
from .errors import ModelFileError, W2VError
from .files.model_file import ModelParts, read_model_file, write_model_file
from .models import MODELS, create, gensim_type, model_class, window_types
from .models.base import check_integers
from .models.window import CBOW_UPDATES
from .text.corpus import simple_tokenize
from .text.corpus_cache import encode_corpus, load_corpus, open_corpus
from .text.vocab import Vocab
from .training.loop import TrainState, train
from .training.memory import check_run
from .training.policy import default_formulation, policy
from .vectors.keyedvectors import KeyedVectors
from .vectors.reading import read_vectors_file


def read_vocab_file(path, min_count=5, max_vocab=None):
    """The vocabulary of a ``word count`` file (:meth:`Vocab.load_word2vec_format`),
    filtered by ``min_count`` and ``max_vocab`` and put in id order (count-descending,
    then by word), as :meth:`Vocab.from_counts` does for a corpus's counts."""
    given = Vocab.load_word2vec_format(path)
    try:
        return Vocab.from_counts(given.words, given.counts, min_count=min_count,
                                 max_vocab=max_vocab)
    except W2VError as exc:
        raise W2VError(f"{os.fspath(path)}: {exc.message}", param="read_vocab") from None


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
        Show progress bars (encoding the corpus, training).
    cache_dir : str or path, optional
        Keep the encoded corpus in this folder, so that a later run with the same
        files and settings maps it instead of reading the text again
        (:mod:`w2v_numpy.text.corpus_cache`; the trainer's default is
        :func:`~w2v_numpy.text.corpus_cache.default_cache_dir`). ``None``: encode into
        a temporary folder, removed at once. Either way the ids are mapped from a
        file, so memory does not grow with the corpus. A run setting, not stored.
    callbacks : sequence
        Passed to :func:`w2v_numpy.training.loop.train`.
    read_vocab : str or path, optional
        A vocabulary file, ``word count`` per line as word2vec.c's ``-save-vocab``
        writes it (and :meth:`Vocab.save_word2vec_format
        <w2v_numpy.text.vocab.Vocab.save_word2vec_format>`; word2vec.c's ``</s>``
        line is skipped): the vocabulary is these words and counts (``min_count``
        and ``max_vocab`` still applied, as word2vec.c's ``-read-vocab`` does), not
        the corpus's. Corpus words missing from it are out-of-vocabulary, and the
        file's counts drive sub-sampling, the negative table and the Huffman tree.
        A run setting, not stored in the model file.
    init_vectors : str or path, optional
        A vectors file (``.vec``/``.txt``, word2vec or fastText ``.bin``, or a
        :meth:`KeyedVectors.save` file): vocabulary words found in it start
        from its vectors, the others from the usual random rows. Its dimension must
        be ``vector_size``. Used when the model is created. A run setting.
    freeze_init : bool
        With ``init_vectors``: the rows taken from it never change in training
        (gensim's ``lockf`` 0.0; :attr:`w2v_numpy.models.base.Model.locked`). Their
        output rows still train. A run setting: a model loaded later is not frozen.

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
                 run_length=None, spread_negatives=None, prefetch=None, read_vocab=None,
                 init_vectors=None, freeze_init=False, cache_dir=None):
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
        for name, value in given(read_vocab=read_vocab, init_vectors=init_vectors).items():
            check_paths(value, name, many=False)
        if freeze_init and init_vectors is None:
            raise W2VError("freezes the rows taken from init_vectors: give init_vectors too",
                           param="freeze_init")
        # Set before _start, which may build the vocabulary and the model at once.
        self.read_vocab, self.init_vectors = read_vocab, init_vectors
        self.freeze_init = bool(freeze_init)
        self._start(corpus_file, tokenizer, dtype, progress, callbacks, workers, prefetch,
                    cache_dir)

    def _start(self, corpus_file, tokenizer, dtype, progress, callbacks, workers=1, prefetch=None,
               cache_dir=None):
        """Keep the run settings (every front door's ``__init__`` ends here); with a
        ``corpus_file``, build the vocabulary and train at once."""
        self.tokenizer, self.dtype = tokenizer, dtype
        self.progress, self.callbacks, self.workers = progress, tuple(callbacks), workers
        self.prefetch = prefetch
        self.vocab = self.corpus = self.model = self.state = None
        self.cache_dir = cache_dir
        self.meta = {}
        if corpus_file is not None:
            self.build_vocab(corpus_file)
            self.train()

    def build_vocab(self, corpus_file, update=False):
        """Read the corpus, build the vocabulary and (the first time) a fresh model.

        With ``read_vocab`` the vocabulary is that file's, and the corpus is encoded
        with it. With ``update=True`` (gensim's name) the vocabulary and model
        already there are kept and grown instead: see :meth:`update_vocab`.
        """
        check_paths(corpus_file, "corpus_file")
        if update:
            return self.update_vocab(corpus_file)
        c = self.config
        read_vocab = getattr(self, "read_vocab", None)      # GloVe, FastText: never set
        where = dict(tokenizer=self.tokenizer, cache_dir=self.cache_dir, progress=self.progress)
        if read_vocab is None:
            self.vocab, self.corpus = load_corpus(corpus_file, min_count=c["min_count"],
                                                  max_vocab=c["max_vocab"], **where)
        else:
            self.vocab = read_vocab_file(read_vocab, c["min_count"], c["max_vocab"])
            self.corpus = encode_corpus(corpus_file, self.vocab, **where)
        if self.model is None:         # refused here, before its tables and batches exist
            check_run(c, len(self.vocab), np.dtype(self.dtype).itemsize)
            self.model = self.new_model()
            if getattr(self, "init_vectors", None) is not None:
                self.load_init_vectors(self.init_vectors, self.freeze_init)
        return self

    def update_vocab(self, corpus_file):
        """``build_vocab(corpus_file, update=True)``: continue training on new text.

        Why this shape (gensim's ``build_vocab(update=True)``): the words already
        known keep their ids and every one of their parameter rows, so a model
        moves only through the training that follows. Their counts grow by their
        counts in the new text; the new text's words that pass ``min_count`` (on
        that text; at most up to ``max_vocab`` words in all) are appended, most
        frequent first, with fresh rows (word2vec.c's random input rows, zero output
        rows: the rows a fresh model of this seed has there). The negative table,
        the Huffman tree and the sub-sampling rates follow the merged counts. Then
        :meth:`train` trains on the new text, a new schedule (``state`` is reset to
        ``None``); rows frozen by ``freeze_init`` stay so.

        Raises
        ------
        W2VError
            Without a vocabulary and model (build or load one first), or for a new
            text with no token.
        """
        check_paths(corpus_file, "corpus_file")
        if self.vocab is None or self.model is None:
            raise W2VError("update=True grows an existing vocabulary: call build_vocab without "
                           "it first, or load a trained model", param="update")
        if self.model.input_layer != "words":
            # A subword model's input table holds its hashed n-gram rows after the words'
            # rows; growing it is not done here.
            raise W2VError(f"update=True grows word-level models, not {self.config['type']}",
                           param="update")
        c, old = self.config, self.vocab

        def merged_vocab(words, counts):
            merged = old.counts.copy()
            fresh = []
            for word, n in zip(words, counts.tolist()):
                i = old.key_to_index.get(word)
                if i is not None:
                    merged[i] += n
                elif n >= c["min_count"]:
                    fresh.append((-n, word))
            fresh.sort()                                # count-descending, then by word
            if c["max_vocab"] is not None:
                fresh = fresh[:max(0, c["max_vocab"] - len(old))]
            vocab = Vocab(old.words + [w for _, w in fresh],
                          np.concatenate([merged, np.array([-n for n, _ in fresh], np.int64)]))
            check_run(c, len(vocab), np.dtype(self.dtype).itemsize)
            return vocab

        # Never cached: the vocabulary depends on the model's, and a resume encodes the
        # text again with the grown vocabulary, which is cached (encode_corpus).
        self.vocab, self.corpus = open_corpus(corpus_file, merged_vocab, None, self.tokenizer,
                                              progress=self.progress)
        self.model = self._grown(self.model, len(old))
        self.state = None             # the old schedule was over the old text: train() starts anew
        return self

    def _grown(self, model, n_old):
        """A model for ``self.vocab`` (new tree from its counts) holding ``model``'s rows
        for the first ``n_old`` words, fresh rows for the others."""
        grown = self.new_model()
        for name, value in model.params.items():        # every row of the old model, unchanged
            grown.params[name][:value.shape[0]] = value
        if model.locked:                               # frozen rows stay frozen; new ones train
            xp = get_xp()
            grown.locked = {}
            for name, lock in model.locked.items():
                extended = xp.zeros(grown.params[name].shape[0], dtype=bool)
                extended[:lock.shape[0]] = lock
                grown.locked[name] = extended
        return grown

    def load_init_vectors(self, path, freeze=False, copy=True):
        """Start the vocabulary words found in vectors file ``path`` from its vectors.

        ``freeze``: those rows never change in training (:attr:`Model.locked
        <w2v_numpy.models.base.Model.locked>`). ``copy=False`` only freezes them
        (the trainer's resume, whose rows were copied by the first run). Returns the
        number of words found; warns if none is.

        Raises
        ------
        W2VError
            ``param="init_vectors"`` if the file's vectors are not ``vector_size``
            long; the loader's errors for a damaged file; ``FileNotFoundError``.
        """
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{os.fspath(path)}: no such file")
        kv = read_vectors_file(path)
        if kv is None:
            raise W2VError(f"{os.fspath(path)} is not a vectors file (.vec, .txt, .bin, fastText "
                           "or KeyedVectors.save): export a model's vectors first "
                           "(python -m w2v_numpy export MODEL OUT.vec)", param="init_vectors")
        size = self.config["vector_size"]
        if kv.vector_size != size:
            raise W2VError(f"{os.fspath(path)} holds {kv.vector_size}-dimensional vectors, "
                           f"not vector_size {size}", param="init_vectors")
        pairs = [(i, kv.key_to_index[w]) for i, w in enumerate(self.vocab.words)
                 if w in kv.key_to_index]
        if not pairs:
            warnings.warn(f"init_vectors: none of the {len(self.vocab)} vocabulary words is in "
                          f"{os.fspath(path)}: every row starts at random", UserWarning)
        ours = np.array([i for i, _ in pairs], dtype=np.int64)
        theirs = np.array([j for _, j in pairs], dtype=np.int64)
        name = self.model.vectors_param
        W = self.model.params[name]
        if copy and pairs:
            W[asarray(ours)] = asarray(np.asarray(to_numpy(kv.vectors))[theirs].astype(W.dtype))
        if freeze:
            lock = np.zeros(W.shape[0], dtype=bool)
            lock[ours] = True
            self.model.locked = {name: asarray(lock)}
        return len(pairs)

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
        return KeyedVectors(self.vocab.words, to_numpy(vectors), self.vocab.key_to_index)

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

