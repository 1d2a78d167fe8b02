"""The window objectives' kernels: skip-gram a centre word's window at a time.

Each computes the loss and gradient of its reference
(:func:`w2v_numpy.models.sgram_neg_window.loss_and_grad`,
:func:`w2v_numpy.models.sgram_hs_window.loss_and_grad`) for a batch laid out
for speed: the context rows of consecutive windows (a ``span``) as banded
products (:mod:`.span`), negatives shared by spread or tiled windows
(:mod:`.shared_negatives`, :func:`.span.shared_window_loss_and_grad`), the
top path levels summed per node (:mod:`.hierarchical_softmax`), the logistic
terms in one pass with their labels made ahead (:mod:`.label_terms`). Each piece
says there why it is exact.
"""
from ..backend import take_rows
from ..models.base import RowGrad
from ..models.window import output_index
from . import hierarchical_softmax, label_terms, shared_negatives, span


def ns_windows(W_in, W_out, batch, scale=1.0, draws=None, signs=None):
    """Negative sampling a window at a time, banded when the batch has a ``span``;
    with ``draws`` (G, K) dealt round-robin, each draw's rows gathered and updated once.
    ``signs``: the scores' :class:`~.label_terms.LabelSigns` (:func:`~.label_terms.window_signs`),
    made here if not given."""
    index = output_index(batch)                                          # (B, 1+K)
    if draws is None:
        U = take_rows(W_out, index)                                      # (B, 1+K, d)
    else:
        U = shared_negatives.spread_rows(W_out, index, draws)            # (B, 1+K, d)
    S, layout = span.context_scores(W_in, U, batch)                      # (B, C, 1+K)
    if signs is None:
        signs = label_terms.window_signs(batch, index.shape[1], W_in.dtype)
    loss, G = label_terms.label_terms(S, signs, scale)                   # scaled dL/dS (B, C, 1+K)
    rows_in, dU = span.context_grads(G, U, layout, batch)                # W_in rows; (B, 1+K, d)
    if draws is None:
        rows_out = RowGrad(index.reshape(-1), dU.reshape(-1, W_in.shape[1]))  # (B(1+K),), (B(1+K), d)
    else:
        rows_out = shared_negatives.spread_grads(batch, draws, dU)       # (B + GK,), (B + GK, d)
    return loss, {"W_in": rows_in, "W_out": rows_out}


def ns_tile_windows(W_in, W_out, batch, scale=1.0):
    """Negative sampling on a span batch whose tiles each share one draw."""
    tiles = span.gather_tiles(W_in, batch.span, *batch.inputs.shape)
    shared = span.tile_draws(batch, span.tile_of(batch))
    loss, rows_in, rows_out = span.shared_window_loss_and_grad(
        tiles, W_out, batch.targets, shared, batch.mask, scale)
    return loss, {"W_in": rows_in, "W_out": rows_out}


def hs_windows(W_in, W_out, tree, batch, scale=1.0, paths=None):
    """Hierarchical softmax a window at a time on the centre's path, banded when the
    batch has a ``span``, the top levels' rows summed per node; ``paths``: the batch's
    :class:`~.hierarchical_softmax.PathLayout`, made here if not given."""
    if paths is None:
        paths = hierarchical_softmax.path_layout(tree, batch, W_in.dtype)
    U = take_rows(W_out, paths.nodes)                                    # (B, L, d)
    S, layout = span.context_scores(W_in, U, batch)                      # (B, C, L)
    loss, G = label_terms.label_terms(S, paths.signs, scale)             # scaled dL/dS (B, C, L)
    rows_in, dU = span.context_grads(G, U, layout, batch, paths.slots)   # W_in rows; (B, L, d)
    return loss, {"W_in": rows_in, "W_out": hierarchical_softmax.path_rows(paths, dU)}
