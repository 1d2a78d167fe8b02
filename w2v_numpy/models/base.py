"""The model contract: what every objective provides and what it gets for free.

An objective is one class with

* ``type_name``: its name in :data:`w2v_numpy.models.MODELS`;
* ``batch_family``: the kind of batch it consumes (``"sgram"``: one input
  word per example; ``"cbow"``: context slots with a mask; ``"cooccurrence"``:
  GloVe's co-occurrence entries; ``"documents"``: labelled documents);
* ``output_layer``: ``"softmax"``, ``"negative_sampling"``,
  ``"hierarchical_softmax"`` or ``None`` (an objective without a
  word-prediction layer, such as GloVe's regression);
* ``formulation``: which objective of its type it is (``"pair"``: one
  prediction per example, as the reference documents write it; ``"window"``:
  a skip-gram window at a time; ``None`` where the choice does not arise);
  :data:`w2v_numpy.models.VARIANTS` lists them;
* ``input_layer``: ``"words"`` (one input row per word) or ``"subwords"``
  (a word's row and its character n-gram rows; built with ``words=...``);
* ``needs_counts``: whether it must be built with the word counts
  (``counts=...``; hierarchical softmax builds its Huffman tree from them);
* :meth:`Model.param_shapes` and :meth:`Model.init_params`: its parameters;
* :meth:`Model.loss_and_grad`: the summed loss of a batch and ``scale`` times
  its gradient as **one sparse gradient**, ``{param name: RowGrad(index, rows)}``.

From those, this base class derives the contract methods ``loss``, ``grad``
(dense, for teaching and checking) and ``step`` (in-place sparse SGD), so no
objective writes its own update. An objective that lists the rows each
example updates (:meth:`Model.update_counts`) can be stepped with a bound on
its crowded rows (:func:`bound_crowded_rows`), which keeps large batches
stable at the learning rates word2vec.c and gensim use. The callers (the batchers, the training
loop, ``Word2Vec``, the command line) read the capabilities above from the
class, never from the type name. The class carries capabilities only: how a
type is trained by default (batch size, order, shared negatives) is the
policy table of :mod:`w2v_numpy.training.policy`, and the trainer's fast
forms of ``loss_and_grad`` are the kernels of :mod:`w2v_numpy.kernels`.
"""
from typing import NamedTuple

import numpy as np

from ..backend import get_xp, scatter_add
from ..errors import W2VError


class RowGrad(NamedTuple):
    """The gradient of one parameter as row updates.

    Attributes
    ----------
    index : int array (n,) or None
        Rows (first-axis entries) of the parameter that receive gradient;
        repeated rows are summed when applied. ``None`` means ``rows`` is the
        whole dense gradient (the full-softmax output layer touches every row).
    rows : float array (n, ...) or the parameter's shape
    unique : bool
        The producer promises that ``index`` has no repeats, so the rows can be
        added by plain indexing (a kernel that merges its rows first says so:
        the scatter-add's bookkeeping is a pass over the whole table, costly
        for millions of n-gram rows).
    """

    index: object
    rows: object
    unique: bool = False


def apply_grad(params, grads, scale=1.0, plans=None, locked=None):
    """In place ``params[name][index] += scale * rows`` for every entry of ``grads``.

    Repeated indices accumulate (through :func:`w2v_numpy.backend.scatter_add`);
    this is the only place where a sparse gradient meets the parameters.
    ``plans`` (``{name: RowPlan}``, from :func:`w2v_numpy.kernels.row_plans`) is the
    scatter's bookkeeping made ahead, by the batch producer of
    :mod:`w2v_numpy.batching.producer`.

    ``locked`` (``{name: bool array (rows,)}``, :attr:`Model.locked`) names rows
    that must never change (gensim's ``lockf`` 0.0, ``Word2Vec(freeze_init=True)``).
    Why here: every training step of every kernel and worker ends in this call, so
    one mask honours them all. Their entries are dropped rather than zeroed, since
    adding 0.0 would still turn a ``-0.0`` into ``0.0``: locked rows stay identical
    to the bit. The dropped entries no longer match a plan made for the whole
    index, so that parameter's plan is not used.
    """
    plans = plans or {}
    for name, g in grads.items():
        rows = g.rows if scale == 1.0 else scale * g.rows
        index, plan = g.index, plans.get(name)
        lock = locked.get(name) if locked else None
        if lock is not None:
            if index is None:                 # a dense gradient: add to the unlocked rows only
                free = ~lock
                params[name][free] += rows[free]
                continue
            keep = ~lock[index]
            index, rows, plan = index[keep], rows[keep], None
        if index is None:
            params[name] += rows
        elif g.unique:
            params[name][index] += rows
        else:
            scatter_add(params[name], index, rows, plan)
    return params


#: Rows of a parameter table :func:`drawn_by_rows` draws at a time.
DRAW_ROWS = 1 << 14


def drawn_by_rows(rng, shape, dtype, formula):
    """A fresh table ``formula(rng.random(shape)).astype(dtype)``, made a block of rows at a
    time: the same numbers to the bit (the generator gives the same stream in pieces), but
    the float64 draws and ``formula``'s temporaries are one block's, not the table's.

    Why: for a 220,000-word vocabulary at dimension 100, drawing the float32 input table
    whole held three float64 copies of it at once, and the peak memory of a run was set
    there, not by the corpus or the training.
    """
    table = np.empty(shape, dtype=dtype)
    for at in range(0, shape[0], DRAW_ROWS):
        rows = min(DRAW_ROWS, shape[0] - at)
        table[at:at + rows] = formula(rng.random((rows,) + tuple(shape[1:])))
    return table


def crowding(counts):
    """How many of the documents' per-example updates each touched row of a batch sums.

    ``counts`` is :meth:`Model.update_counts`; returns ``{name: (rows, c)}``, the
    touched rows sorted and their counts :math:`c_r`. It does not depend on the
    learning rate, so the batch producer makes it ahead, beside the row plans
    (:func:`w2v_numpy.kernels.step_plans`), off the training path.
    """
    xp, out = get_xp(), {}
    for name, (index, per_entry) in counts.items():
        if index.size == 0:
            continue
        top = int(index.max()) + 1
        if top <= 16 * index.size:          # rows of a vocabulary: count them in place, no sort
            c = xp.bincount(index, weights=per_entry, minlength=top)            # (top,)
            # nonzero of a bool array: 8x faster than of the counts themselves (NumPy 2.4)
            rows = xp.nonzero(c != 0)[0]                                        # (R,) sorted
            out[name] = (rows, c[rows])
        else:                               # a sparse touch of a large table (n-gram buckets)
            rows, inverse = xp.unique(index, return_inverse=True)               # (R,), (n,)
            out[name] = (rows, xp.bincount(inverse.reshape(-1), weights=per_entry,
                                            minlength=rows.size))
    return out


def bound_crowded_rows(grads, crowded, alpha, max_row_rate):
    r"""Scale, in place, the summed update of every row that too many examples crowd into.

    Why. Sequential SGD (word2vec.c, gensim) applies one example's update before
    computing the next, so once a frequent row has moved, the next example's
    sigmoid already sees it and its push shrinks. A batch computes every update
    from the same old parameters and adds them up. A row that :math:`c_r`
    examples update in one batch (the centre word's output row: every pair of
    its window; a shared draw of negatives: every pair of the windows that
    share it; the root of the Huffman tree: every example) moves by

    .. math:: \Delta_r = -\alpha \sum_{i=1}^{c_r} g_i = -(\alpha c_r)\,\bar g_r,

    the mean gradient :math:`\bar g_r` taken with a learning rate
    :math:`\alpha c_r`. Near the logistic loss's curvature that rate overshoots
    (the row jumps past the point where its error would have saturated), the
    next batch pushes back harder, and the weights blow up: sgram_neg at
    alpha 0.05 with a radius-5 window did, on ordinary text.

    The rule. Cap the row's effective rate at ``max_row_rate`` (:math:`m`):

    .. math:: \Delta_r = -\min(\alpha c_r,\ m)\,\bar g_r
              = -\alpha \min\Big(1, \frac{m}{\alpha c_r}\Big)\sum_i g_i .

    A row that :math:`c_r \le m/\alpha` examples touch (at alpha 0.1 and
    :math:`m = 2`, up to 20; a row touched once always, since alpha <= m)
    gets exactly the sum of the documents' per-example updates; a crowded one
    moves by its mean gradient at rate :math:`m`. The factor depends on the
    row only, so it scales every entry of that row alike, and a kernel that
    merged entries ahead (a shared draw's rows) is scaled exactly as the
    reference's unmerged entries: the rule does not depend on the layout.

    Parameters
    ----------
    grads : dict name -> RowGrad
        The step's rows (``-alpha`` times the gradient, or the undivided rule),
        scaled in place.
    crowded : dict name -> (rows, c)
        :func:`crowding` of the batch's :meth:`Model.update_counts`: the rows its
        examples update and how many of the documents' per-example updates each
        sums. Parameters left out are not bounded.
    alpha : float
        The step's learning rate.
    max_row_rate : float
        :math:`m`. Above it, alpha itself is larger than the cap and even a row
        touched once is scaled down to rate :math:`m`.
    """
    xp = get_xp()
    limit = max_row_rate / alpha                      # crowding beyond which a row is bounded
    for name, (rows, c) in crowded.items():
        g = grads[name]
        over = c > limit
        if not bool(over.any()):
            continue
        hot, factor = rows[over], (limit / c[over]).astype(g.rows.dtype)    # (H,) sorted, (H,)
        if g.index is None:                               # a dense gradient: its rows are the rows
            entries, per_entry_factor = hot, factor
        else:
            at = xp.minimum(xp.searchsorted(hot, g.index), hot.size - 1)      # (n_g,)
            entries = xp.nonzero(hot[at] == g.index)[0]                       # this step's crowded entries
            per_entry_factor = factor[at[entries]]
        # the step's own arrays, so scaled in place: only the few crowded entries are touched
        g.rows[entries] *= per_entry_factor.reshape((-1,) + (1,) * (g.rows.ndim - 1))
    return grads


def densify(params, grads):
    """Dense gradients (same keys and shapes as ``params``) from a sparse gradient."""
    xp = get_xp()
    out = {name: xp.zeros_like(p) for name, p in params.items()}
    return apply_grad(out, grads)


def is_integer(value):
    """Whether ``value`` is an integer: Python's or NumPy's, not ``bool`` and not a float."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_integers(low=1, **values):
    """Raise :class:`W2VError` (naming the parameter) unless every value is an integer >= ``low``.

    Every front door checks its integer settings here, before ``int()`` sees them: ``int``
    would quietly turn ``epochs=1.5`` into 1 epoch and ``epochs=True`` into 1. So any
    float is refused, ``2.0`` too (one rule, "an integer", rather than "an integer or a
    float without a fraction"), and so is ``bool``; NumPy integers are integers.
    """
    for name, value in values.items():
        if not is_integer(value):
            raise W2VError(f"must be an integer, got {value!r}", param=name)
        if value < low:
            raise W2VError(f"must be >= {low}, got {value}", param=name)


def check_sizes(**sizes):
    """Raise :class:`W2VError` unless every given size is an integer >= 1."""
    check_integers(1, **sizes)


class Model:
    """Base class of every objective (see the module docstring).

    Parameters
    ----------
    vocab_size : int
        Rows of the word parameters.
    vector_dim : int
        Embedding size.
    seed : int
        Seed of the initialisation.
    dtype : numpy dtype
        float32 for training, float64 for gradient checks.
    """

    type_name = None
    batch_family = None
    output_layer = None
    formulation = None
    #: The parameter whose rows are the word vectors (``.wv``).
    vectors_param = None
    #: ``"words"`` or ``"subwords"`` (see the module docstring).
    input_layer = "words"
    #: Whether batches must carry sampled negatives (set from ``output_layer``).
    uses_negatives = False
    #: Whether the model is built from the word counts (option ``counts``).
    needs_counts = False
    #: Whether ``step``'s rule for the input rows is not their gradient but the undivided
    #: dL/dh (word2vec.c's and fastText's CBOW rule); such an objective's ``loss_and_grad``
    #: takes ``undivided=True`` and defines this from its options.
    undivided_update = False
    #: ``None`` or ``{param name: bool array (rows,)}``: rows that training never changes
    #: (:func:`apply_grad`'s ``locked``; set by ``Word2Vec(freeze_init=True)``). A run
    #: setting of this object, not stored in the model file.
    locked = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.uses_negatives = cls.output_layer == "negative_sampling"

    def __init__(self, vocab_size, vector_dim, seed=0, dtype=np.float32, **options):
        check_sizes(vocab_size=vocab_size, vector_dim=vector_dim)
        self.set_options(**options)
        xp = get_xp()
        host = self.init_params(int(vocab_size), int(vector_dim), np.random.default_rng(seed), dtype)
        self.params = {name: xp.asarray(value) for name, value in host.items()}

    def set_options(self, **options):
        """Objective settings other than the sizes (none by default)."""
        if options:
            raise TypeError(f"{self.type_name} takes no option {', '.join(sorted(options))}")

    def param_shapes(self, vocab_size, vector_dim):
        """``{name: shape}`` of the parameters for this vocabulary and size."""
        raise NotImplementedError

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        """Freshly initialised parameters as host NumPy arrays."""
        raise NotImplementedError

    @classmethod
    def from_params(cls, params, **options):
        """A model holding the given arrays (no initialisation); checks their shapes.

        Raises
        ------
        W2VError
            If the names or shapes are not those of :meth:`param_shapes`.
        """
        first = params.get(cls.vectors_param)
        if first is None or first.ndim != 2:
            raise W2VError(f"{cls.type_name}: needs a 2-D {cls.vectors_param!r} parameter")
        model = cls.__new__(cls)
        model.set_options(**options)
        expected = {name: tuple(s) for name, s in model.param_shapes(*first.shape).items()}
        found = {name: tuple(p.shape) for name, p in params.items()}
        if found != expected:
            raise W2VError(f"{cls.type_name}: parameter shapes {found} do not match {expected}")
        model.params = dict(params)
        return model

    @property
    def vocab_size(self):
        return int(self.params[self.vectors_param].shape[0])

    @property
    def vector_dim(self):
        return int(self.params[self.vectors_param].shape[1])

    @property
    def dtype(self):
        return self.params[self.vectors_param].dtype

    def check_batch(self, batch):
        """Raise :class:`W2VError` if ``batch`` does not fit this model."""

    def loss_and_grad(self, batch, scale=1.0):
        """``(summed loss, {name: RowGrad})`` with rows holding ``scale`` times the gradient."""
        raise NotImplementedError

    def update_counts(self, batch):
        """The rows each example of ``batch`` updates, for :func:`bound_crowded_rows`:
        ``{param name: (index, per_entry)}``, one ``index`` entry per (example, row)
        that the reference's step adds, and ``per_entry`` the number of the documents'
        per-example updates it sums (``None``: one). Parameters left out are not
        bounded; this default lists none."""
        return {}

    def update_rows(self, batch, scale):
        """``(loss, rows)`` that :meth:`step` adds: ``scale`` times the gradient, or with
        :attr:`undivided_update` the objective's undivided input rule."""
        if self.undivided_update:
            return self.loss_and_grad(batch, scale, undivided=True)
        return self.loss_and_grad(batch, scale)

    def loss(self, batch):
        """Loss summed over the batch, as a Python float."""
        self.check_batch(batch)
        return self.loss_and_grad(batch)[0]

    def grad(self, batch):
        """Dense gradients of :meth:`loss`, same keys and shapes as ``params``."""
        self.check_batch(batch)
        return densify(self.params, self.loss_and_grad(batch)[1])

    def step(self, batch, alpha, max_row_rate=None):
        """One in-place SGD step ``params -= alpha * grad`` by sparse row updates.

        Every gradient is computed from the old parameters before any of them
        changes. Returns the summed loss from before the step. This is the
        reference's step; the trainer's (:func:`w2v_numpy.kernels.step`) makes
        the same update through the kernel that fits the batch. With
        ``max_row_rate`` the rows that many examples crowd into are bounded
        (:func:`bound_crowded_rows`); ``None``: the plain documents' step.
        """
        self.check_batch(batch)
        loss, grads = self.update_rows(batch, -alpha)          # rows hold -alpha * grad
        if max_row_rate is not None:
            bound_crowded_rows(grads, crowding(self.update_counts(batch)), alpha, max_row_rate)
        apply_grad(self.params, grads, locked=self.locked)
        return loss

    def astype(self, dtype):
        """A copy of the model with parameters cast to ``dtype``."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.params = {k: v.astype(dtype) for k, v in self.params.items()}
        return clone

    def __repr__(self):
        return f"{type(self).__name__}(vocab_size={self.vocab_size}, vector_dim={self.vector_dim})"
