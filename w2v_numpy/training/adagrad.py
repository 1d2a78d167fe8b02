r"""Optimisers other than plain SGD (which is every model's own ``step``).

Notes
-----
GloVe is trained with AdaGrad, as in the reference tool ``glove.c``. For a
parameter row :math:`\theta` that receives gradient :math:`g_t` at step
:math:`t`, with learning rate :math:`\eta`:

.. math::

    \theta \leftarrow \theta - \frac{\eta\, g_t}{\sqrt{G_{t-1}}}, \qquad
    G_t = G_{t-1} + (\eta\, g_t)^2, \qquad G_0 = 1 .

This is glove.c's variant of AdaGrad: the accumulator :math:`G` starts at 1
(not 0, so the first step is a plain SGD step of size :math:`\eta`), it
accumulates the squared *scaled* gradient :math:`(\eta g)^2`, and a step
divides by the accumulator from *before* its own gradient is added. Every
coordinate (each entry of a vector row, each bias) has its own accumulator,
so the accumulators have the shapes of the parameters.

A mini-batch is applied as glove.c's threads apply their entries when they
run at the same time: every entry of the batch computes its gradient and its
step from the parameters and accumulators as they were before the batch, and
the steps of entries that share a row are added (scatter-add), as are their
squared gradients. With one entry per batch this is exactly glove.c's
sequential update.
"""
from .. import kernels
from ..backend import get_xp, row_plan, scatter_add, take_rows


class AdaGrad:
    """glove.c's AdaGrad (see the module notes) over a model's sparse gradient.

    Parameters
    ----------
    model : w2v_numpy.models.Model
        Any model of the contract. Its gradient is its update rule computed by its
        kernel where it has one (:func:`w2v_numpy.kernels.update_rows`; GloVe's),
        else by the reference (:meth:`Model.update_rows
        <w2v_numpy.models.base.Model.update_rows>`).
    grad_scale : float
        Multiplies the model's gradient before the update. ``glove.c``
        minimises half of GloVe's loss :math:`J` (its "cost" is
        :math:`\\frac12 f e^2`), so the GloVe trainer passes 0.5 and the same
        :math:`\\eta` then takes the same steps as glove.c.
    initial : float
        :math:`G_0` (1 in glove.c).

    Attributes
    ----------
    accumulators : dict of name -> array
        :math:`G`, one array per parameter with its shape; it is part of the
        training state (model files store it, so a resumed run continues exactly).
    """

    def __init__(self, model, grad_scale=1.0, initial=1.0, accumulators=None):
        xp = get_xp()
        self.model, self.grad_scale = model, float(grad_scale)
        if accumulators is None:
            accumulators = {name: xp.full_like(p, initial) for name, p in model.params.items()}
        if {k: tuple(v.shape) for k, v in accumulators.items()} != \
                {k: tuple(p.shape) for k, p in model.params.items()}:
            raise ValueError("AdaGrad accumulators do not have the shapes of the parameters")
        self.accumulators = {k: xp.asarray(v, dtype=model.params[k].dtype)
                             for k, v in accumulators.items()}

    def step_plans(self, batch):
        """``(plans, prepared)`` for ``step(batch, alpha, plans, prepared)``: a
        :class:`~w2v_numpy.backend.RowPlan` per parameter for the rows the model's
        gradient will touch (:meth:`Model.update_counts
        <w2v_numpy.models.base.Model.update_counts>`), one per distinct index, and the
        work its kernel prepares (:func:`w2v_numpy.kernels.prepare`). Neither depends on
        the parameters, so the batch producer makes them ahead."""
        made, plans = {}, {}
        for name, (index, _) in self.model.update_counts(batch).items():
            plan = _shared_plan(made, index)
            if plan is not None:
                plans[name] = plan
        return plans, kernels.prepare(self.model, batch)

    def step(self, batch, alpha, plans=None, prepared=None):
        """One AdaGrad step on ``batch`` with rate ``alpha``; returns the loss before it.
        ``plans``, ``prepared``: :meth:`step_plans`'s, made ahead (by default made here)."""
        xp = get_xp()
        self.model.check_batch(batch)
        # rows of -eta * gradient: the step's own sign, so no pass negates them
        loss, grads = kernels.update_rows(self.model, batch, -alpha * self.grad_scale, prepared)
        made = {}     # blocks that share an index (GloVe: W and b, W_ctx and b_ctx) share a plan
        for name, g in grads.items():                   # g.rows = -eta * gradient
            param, G = self.model.params[name], self.accumulators[name]
            if g.index is None:                         # a dense block
                param += g.rows / xp.sqrt(G)
                G += g.rows * g.rows
                continue
            plan = (plans.get(name) if plans else None) or _shared_plan(made, g.index)
            step = take_rows(G, g.index)                # (n, ...) every entry against the old G
            xp.sqrt(step, out=step)
            xp.divide(g.rows, step, out=step)
            scatter_add(param, g.index, step, plan)     # entries sharing a row add up
            scatter_add(G, g.index, xp.square(g.rows, out=g.rows), plan)  # squared scaled gradients
        return loss


def _shared_plan(made, index):
    """The :class:`~w2v_numpy.backend.RowPlan` of ``index``, made once per index array in
    ``made`` (``{id: plan}``): blocks that share an index (GloVe's ``W`` and ``b``) share it."""
    if id(index) not in made:
        made[id(index)] = row_plan(index)
    return made[id(index)]
