# %% [markdown]
# # Skip-gram with a full softmax: one training step, number by number
#
# This notebook replays the Skip-gram worked example of `003_24886efe243728b3.txt`
# (lines 4346-4645) with the library's `sgram` model: sentence «кот сидит на
# коврике», centre word «сидит», context word «кот», $N = 2$, $\eta = 0.01$.
# The model computes every quantity; `compare` asserts agreement with the
# document's printed value. The math is in the docstring of
# `w2v_numpy.models.sgram`.
#
# One symbol to keep in mind: the document's $W_{out}$ is $N \times V$ with a
# column per word, while `model.params["W_out"]` has a row per word, so we
# store the document's matrix transposed.
#
# `compare` and the document's setup (`document_model`) come from
# `nbhelpers.py` in this folder.

# %%
import numpy as np

from nbhelpers import compare

np.set_printoptions(precision=7, suppress=True)

# %% [markdown]
# ## 1. Parameters and the training pair (lines 4352-4445)
#
# The 003 file itself corrects one initial value (line 4414): an earlier
# version of its text gave $\mathbf v_{сидит} = [0.3, 0.4]$, which is not the
# second row of its $W_{in}$. The corrected row $[0.5, 0.7]$ is the one its
# computation uses, and so do we.

# %%
# The document's Skip-gram setup (lines 4352-4445), shared with notebook 05:
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
model = document_model("sgram")
W_in_old, W_out_old = model.params["W_in"].copy(), model.params["W_out"].copy()
batch = Batch(inputs=np.array([[centre]]), mask=None, targets=np.array([context]), negatives=None)
compare("v_сидит (row 1 of W_in)", W_in_old[centre], [0.5, 0.7], digits=1)
compare("u_кот (column 0 of W_out)", W_out_old[context], [0.05, 0.10], digits=2)

# %% [markdown]
# ## 2. Forward pass (lines 4447-4521)
#
# Rounding note: the document rounds each exponential to 4 decimals before
# dividing (and prints 0.20695 as 0.2069), so its probabilities can be off by
# one unit of the 4th decimal. They are compared with a tolerance of $10^{-4}$.

# %%
f = model.forward(batch)
compare("h = v_сидит", f["h"][0], [0.5, 0.7], digits=1)
compare("scores z", f["z"][0], [0.095, 0.215, 0.335, 0.455], digits=3)
compare("P(w | сидит)", f["p"][0], [0.2069, 0.2334, 0.2631, 0.2966], tol=1e-4)
compare("P sums to 1", f["p"][0].sum(), 1.0, digits=4)
compare("loss -log P(кот | сидит)", f["loss"][0], 1.575, digits=3)
compare("model.loss(batch)", model.loss(batch), 1.575, digits=3)

# %% [markdown]
# ## 3. Backward pass (lines 4523-4601)
#
# The errors are $e_j = P(w_j \mid w_t) - y_j$. The model does not return them
# separately, so we form them from its probabilities. Products of the
# document's 4-decimal errors with $\mathbf h$ or $\mathbf u_j$ inherit the
# $10^{-4}$ tolerance, scaled by the largest entry they are multiplied with.

# %%
e = f["p"][0] - np.eye(V)[context]
compare("errors e", e, [-0.7931, 0.2334, 0.2631, 0.2966], tol=1e-4)

grad = model.grad(batch)
compare("dL/du_кот = e_кот h", grad["W_out"][0], [-0.39655, -0.55517], tol=0.7e-4)
compare("dL/du_сидит = e_сидит h", grad["W_out"][1], [0.1167, 0.16338], tol=0.7e-4)
print("dL/du_на, dL/du_коврике (not printed in the document):\n", grad["W_out"][2:])

terms = e[:, None] * W_out_old                    # e_j u_j, the terms of dL/dh
terms_documented = [[-0.039655, -0.07931], [0.03501, 0.04668],
                    [0.065775, 0.07893], [0.10381, 0.11864]]
for word, ours, documented in zip(vocab, terms, terms_documented):
    compare(f"e_{word} u_{word}", ours, documented, tol=0.4e-4)
compare("dL/dh (sum of the terms)", terms.sum(axis=0), [0.16494, 0.16494], digits=5)
compare("dL/dv_сидит from model.grad", grad["W_in"][centre], [0.16494, 0.16494], digits=5)
assert not np.any(np.delete(grad["W_in"], centre, axis=0)), "only the centre row has gradient"

# %% [markdown]
# ## 4. SGD update (lines 4543-4615)
#
# `model.step` computes every gradient from the old parameters, then updates
# in place. The updated values agree with the document at its printed
# precision (5 decimals).

# %%
loss = model.step(batch, alpha=eta)
compare("loss before the step", loss, 1.575, digits=3)
compare("u_кот new", model.params["W_out"][0], [0.05397, 0.10555], digits=5)
compare("u_сидит new", model.params["W_out"][1], [0.14883, 0.19837], digits=5)
compare("v_сидит new", model.params["W_in"][centre], [0.49835, 0.69835], digits=5)
print("u_на, u_коврике new (not printed in the document):\n", model.params["W_out"][2:])
assert np.array_equal(np.delete(model.params["W_in"], centre, 0), np.delete(W_in_old, centre, 0))

p_after = model.forward(batch)["p"][0, context]
print(f"P(кот | сидит): {f['p'][0, context]:.6f} -> {p_after:.6f}")
assert p_after > f["p"][0, context]

# %% [markdown]
# ## 5. Gradient check on the same problem
#
# `w2v_numpy.gradcheck.check` compares `model.grad` with central differences
# of `model.loss` in float64 and returns the largest relative error.

# %%
from w2v_numpy.gradcheck import check

error = check(document_model("sgram"), batch, eps=1e-6, verbose=True)
assert error < 1e-6
