"""How each type is trained by default: one table, read by the front doors and the CLI.

The model classes say what an objective *is* (its batch family, its output
layer); this table says how the trainer feeds it when the user does not say
otherwise. Every entry was chosen by measurement, and the history of those
measurements is in ``benchmarks/history/``:

* ``corpus_order``: batches of consecutive windows, as word2vec.c and gensim
  read the corpus, which gives context-slot batches a ``span`` (the banded
  kernels of :mod:`w2v_numpy.kernels.span`). Off for the hierarchical-softmax
  types: consecutive overlapping windows push the top nodes the same way at
  once (wiki17m diverged in its first epoch at alpha 0.05 for cbow_hs, and
  sgram_hs's analogy fell from 0.360 to 0.144). Off for the full softmax,
  whose cost is the V-wide softmax that the banded path does not touch.
* ``run_length``: when shuffled, shuffle runs of this many consecutive
  windows, so shuffled batches carry a span too: cbow_hs, 1.2x faster a step.
* ``shared_negatives`` and ``spread_negatives``: examples sharing one draw of
  negatives, spread over the batch: cbow_neg 1.4-1.8x faster for 0.5 analogy
  points on wiki17m, sgram_neg's window form 1.1-1.3x for 0.5 points (still
  above gensim), fasttext_sgram 1.6x a step (its pairs' output rows were half
  its step).
* ``batch_size``: examples per batch (sgram_hs's window form: 128 windows, about
  770 pairs: at 512 windows the root's summed update diverged on wiki17m at
  alpha 0.025; GloVe: 4096 entries, each much less work than a window).
* ``alpha``: the starting learning rate, for the library and the command line
  alike: word2vec.c's 0.025 for the skip-gram types and 0.05 for the CBOW
  types (gensim uses 0.025 for both); glove.c's 0.05 AdaGrad rate; fastText's
  0.1 for the classifier.
* ``max_row_rate``: the largest effective learning rate of a row that many
  examples of one batch update (:func:`w2v_numpy.models.base.bound_crowded_rows`
  derives the rule); ``None``: the plain summed step (GloVe's AdaGrad steps have
  their own per-row scale). :data:`MAX_ROW_RATE` (2) for every word type but
  cbow_hs: at 4, sgram_neg diverged at alpha 0.1 on wiki2m (radius 5 and 10),
  and cbow_neg and fasttext_cbow on text where one word fills a quarter of the
  tokens (``tests/test_stability.py``). cbow_hs gets 4: every example of a batch
  updates the root, and at 2 the top of the tree learned so slowly that cbow_hs
  lost its planted neighbours on the shipped corpus at alpha 0.05
  (``tests/test_cli.py``); at 4 it trains up to alpha 0.1 on wiki2m.
* ``formulation``: :data:`DEFAULT_FORMULATION` gives the objective ``Word2Vec`` and
  the CLI train when none is asked for, where it is not the documents' one.
"""
from dataclasses import dataclass, replace
from typing import Optional

from ..errors import W2VError
from ..models import MODELS, VARIANTS, formulations

#: The bound on a crowded row's effective learning rate (see the module docstring).
MAX_ROW_RATE = 2.0
#: The formulation trained when none is asked for, where it is not the documents' one.
DEFAULT_FORMULATION = {"sgram_neg": "window", "sgram_hs": "window"}


@dataclass(frozen=True)
class Policy:
    """The defaults of one (type, formulation); see the module docstring."""

    corpus_order: bool = True
    run_length: int = 1
    shared_negatives: int = 1
    spread_negatives: bool = False
    batch_size: int = 512
    alpha: float = 0.025
    max_row_rate: Optional[float] = MAX_ROW_RATE


_BASE = Policy()
_SHUFFLED = replace(_BASE, corpus_order=False)
_SPREAD = replace(_BASE, shared_negatives=8, spread_negatives=True)
#: (type, formulation) -> Policy, for every entry of :data:`w2v_numpy.models.VARIANTS`.
POLICIES = {
    ("cbow", "pair"): replace(_SHUFFLED, alpha=0.05),
    ("sgram", "pair"): _SHUFFLED,
    ("cbow_neg", "pair"): replace(_SPREAD, alpha=0.05),
    ("sgram_neg", "pair"): _SHUFFLED,
    ("sgram_neg", "window"): _SPREAD,
    ("cbow_hs", "pair"): replace(_SHUFFLED, run_length=8, alpha=0.05, max_row_rate=2 * MAX_ROW_RATE),
    ("sgram_hs", "pair"): _SHUFFLED,
    ("sgram_hs", "window"): replace(_SHUFFLED, batch_size=128),
    ("fasttext_sgram", "pair"): _SPREAD,
    ("fasttext_cbow", "pair"): replace(_BASE, alpha=0.05),
    ("glove", None): replace(_SHUFFLED, batch_size=4096, alpha=0.05, max_row_rate=None),
    ("fasttext_supervised", None): replace(_SHUFFLED, batch_size=32, alpha=0.1),
    ("supervised_softmax", None): replace(_SHUFFLED, batch_size=32, alpha=0.1),
    ("supervised_neg", None): replace(_SHUFFLED, batch_size=32, alpha=0.1),
}


def default_formulation(type):
    """What ``formulation=None`` means for this type."""
    return DEFAULT_FORMULATION.get(type, MODELS[type].formulation)


def policy(type, formulation=None):
    """The :class:`Policy` of ``type`` trained in ``formulation`` (``None``: its default).

    Raises
    ------
    W2VError
        For an unknown type or a formulation it lacks.
    """
    if type not in MODELS:
        raise W2VError(f"must be one of {sorted(MODELS)}, got {type!r}", param="type")
    formulation = default_formulation(type) if formulation is None else formulation
    if (type, formulation) not in VARIANTS:
        raise W2VError(f"must be one of {formulations(type)} for {type}, got {formulation!r}",
                       param="formulation")
    return POLICIES[type, formulation]
