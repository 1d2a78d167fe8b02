# %% [markdown]
# # Skip-gram with negative sampling: one training step
#
# Section 7 of the Skip-gram example in `003_24886efe243728b3.txt`
# (lines 4627-4645) sketches the same step with negative sampling, $k = 1$ and
# the negative word «на», but prints no numbers. So this notebook takes the
# setup of notebook 01, runs the library's `sgram_neg` model, and checks each
# number against the formulas of lines 4286-4331 evaluated directly with NumPy
# (column "formula"). The math is in the docstring of
# `w2v_numpy.models.sgram_neg`.
#
# `compare` and the Skip-gram setup of notebook 01 (`document_model`) come
# from `nbhelpers.py` in this folder.

# %%
import numpy as np

from nbhelpers import compare

np.set_printoptions(precision=7, suppress=True)

# %%
# The document's Skip-gram setup (lines 4352-4445), as in notebook 01:
# document_model(type) builds a float64 model of that type holding these matrices.
from nbhelpers import SKIPGRAM_VOCAB, SKIPGRAM_W_IN, SKIPGRAM_W_OUT, document_model
from w2v_numpy.batching import Batch

vocab = SKIPGRAM_VOCAB
V, N = SKIPGRAM_W_IN.shape
eta = 0.01
centre, context = vocab.index("сидит"), vocab.index("кот")
print("W_in (V x N):\n", SKIPGRAM_W_IN)
print("W_out as the document prints it (N x V, a column per word):\n", SKIPGRAM_W_OUT)

# %%
negative = vocab.index("на")
model = document_model("sgram_neg")
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
batch = Batch(inputs=np.array([[centre]]), mask=None, targets=np.array([context]),
              negatives=np.array([[negative]]))


def sigma(x):                                   # plain logistic function, for the formulas
    return 1.0 / (1.0 + np.exp(-x))


v, u_pos, u_neg = W_in_old[centre], W_out_old[context], W_out_old[negative]

# %% [markdown]
# ## 1. Forward pass (lines 4286-4299)
#
# $\mathcal L_{NS} = -\log\sigma(\mathbf v_{w_t}^\top \mathbf u_{w_c}) - \log\sigma(-\mathbf v_{w_t}^\top \mathbf u_{на})$

# %%
f = model.forward(batch)
s, s_neg = f["s"][0]                          # scores of the positive and the negative word
compare("s = v_сидит . u_кот", s, v @ u_pos, digits=12, label="formula")
compare("s_1 = v_сидит . u_на", s_neg, v @ u_neg, digits=12, label="formula")
print("    (the same dot products as z_кот = 0.095 and z_на = 0.335 in notebook 01)")
L = -np.log(sigma(v @ u_pos)) - np.log(sigma(-(v @ u_neg)))
compare("loss L_NS", model.loss(batch), L, digits=12, label="formula")
print(f"    full-softmax loss of the same pair (notebook 01): 1.575; L_NS = {model.loss(batch):.4f}")

# %% [markdown]
# ## 2. Gradients (lines 4301-4326)
#
# Only three vectors get a gradient: $\mathbf v_{сидит}$, $\mathbf u_{кот}$
# and $\mathbf u_{на}$.

# %%
grad = model.grad(batch)
compare("dL/dv_сидит", grad["W_in"][centre],
        (sigma(v @ u_pos) - 1) * u_pos + sigma(v @ u_neg) * u_neg, digits=12, label="formula")
compare("dL/du_кот", grad["W_out"][context], (sigma(v @ u_pos) - 1) * v, digits=12, label="formula")
compare("dL/du_на", grad["W_out"][negative], sigma(v @ u_neg) * v, digits=12, label="formula")
nonzero = {k: sorted(set(np.nonzero(g)[0].tolist())) for k, g in grad.items()}
print("rows with a gradient:", {k: [vocab[r] for r in rows] for k, rows in nonzero.items()})
assert nonzero == {"W_in": [centre], "W_out": sorted([context, negative])}

# %% [markdown]
# ## 3. SGD update
#
# `model.step` changes exactly those three rows, each by $-\eta$ times its
# gradient.

# %%
loss = model.step(batch, alpha=eta)
compare("loss before the step", loss, L, digits=12, label="formula")
compare("v_сидит new", model.params["W_in"][centre], v - eta * grad["W_in"][centre],
        digits=12, label="formula")
compare("u_кот new", model.params["W_out"][context], u_pos - eta * grad["W_out"][context],
        digits=12, label="formula")
compare("u_на new", model.params["W_out"][negative], u_neg - eta * grad["W_out"][negative],
        digits=12, label="formula")
changed = {k: np.nonzero(np.any(model.params[k] != old, axis=1))[0].tolist()
           for k, old in (("W_in", W_in_old), ("W_out", W_out_old))}
print("rows changed:", {k: [vocab[r] for r in rows] for k, rows in changed.items()})
assert changed == {"W_in": [centre], "W_out": sorted([context, negative])}
print("loss after the step:", model.loss(batch))
assert model.loss(batch) < loss

# %% [markdown]
# ## 4. Gradient check
#
# On the same problem, and on a batch of two pairs with $k = 3$ in which a
# negative repeats, so that repeated rows must accumulate.

# %%
from w2v_numpy.gradcheck import check

assert check(document_model("sgram_neg"), batch, verbose=True) < 1e-6
batch2 = Batch(inputs=np.array([[1], [3]]), mask=None, targets=np.array([0, 2]),
               negatives=np.array([[2, 2, 3], [0, 1, 2]]))
assert check(document_model("sgram_neg"), batch2, verbose=True) < 1e-6
