"""Whether a run fits in memory, decided before its arrays are allocated.

Why up front: NumPy asks the system for a parameter table or a batch buffer
only when it needs it, and Linux grants more than it has (overcommit), so a
run that is too large does not fail with a ``MemoryError`` at the start: it
fills memory while training and is killed by the out-of-memory killer, or
makes the whole machine swap. A run with ``vector_size=100000`` on a small
corpus peaked at 4 GB, almost all of it batch buffers.

The estimate is an upper bound made of the parts that grow with the settings:

* the parameters (and an optimiser's state, one more copy for AdaGrad);
* the batch buffers: every example gathers its input rows and its output rows
  (negatives, a Huffman path, or every word for the full softmax), and the
  step holds their gradients and a scaled copy beside them, so about three
  arrays of ``batch_size x rows per example x vector_size``;
* the encoded corpus, counted by the caller once it has been read.

:func:`check_fits` compares the sum with the memory the system says is
available (``MemAvailable`` of ``/proc/meminfo``; where that is unknown,
nothing is refused) and refuses with the estimate and what to lower.
"""
import math

from ..errors import W2VError
from ..models import model_class

#: What to lower when a run does not fit (the library's names, then the trainer's flags).
ADVICE = ("lower vector_size or batch_size, or set max_vocab (--vector_dim, --batch_size, "
          "--max_vocab)")

#: Arrays of ``batch x rows x vector_size`` a step holds at once (rows, gradients, a copy).
BATCH_COPIES = 3


def available_bytes():
    """Memory the system can give without swapping, in bytes, or ``None`` if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def output_rows(output_layer, vocab_size, negative):
    """The output rows one example gathers: 1 + negatives, or a Huffman path padded to the
    longest (a generous ``1.45 log2 V + 2``; the bound of :mod:`w2v_numpy.models.huffman`
    is in the corpus length, not known before it is read)."""
    if output_layer == "negative_sampling":
        return 1 + int(negative)
    return int(1.45 * math.log2(max(vocab_size, 2))) + 2


def batch_bytes(batch_size, rows_per_example, vector_size, itemsize):
    """The batch buffers of one step (see the module docstring)."""
    return BATCH_COPIES * int(batch_size) * int(rows_per_example) * int(vector_size) * itemsize


def run_parts(config, vocab_size, itemsize):
    """``{what: bytes}`` of a front door's run (its ``config``) over ``vocab_size`` words."""
    cls = model_class(config["type"], config.get("formulation"))
    d, V = int(config["vector_size"]), int(vocab_size)
    if cls.batch_family == "cooccurrence":            # GloVe: two tables, biases, AdaGrad's sums
        return {"parameters and AdaGrad state": 4 * V * (d + 1) * itemsize,
                "batch buffers": batch_bytes(config["batch_size"], 2, d, itemsize)}
    params = 2 * V * d * itemsize
    inputs = 2 * int(config["window"]) if cls.batch_family == "cbow" else 1
    if cls.input_layer == "subwords":                 # the n-gram table, ~20 n-grams a word
        params += int(config["bucket"]) * d * itemsize
        inputs *= 21
    B = int(config["batch_size"])
    if cls.output_layer == "softmax":   # scores B x V, not rows; W_out's gradient is dense
        return {"parameters": params + V * d * itemsize,
                "batch buffers": batch_bytes(B, inputs + 1, d, itemsize)
                + BATCH_COPIES * B * V * itemsize}
    outputs = output_rows(cls.output_layer, V, config.get("negative", 0))
    return {"parameters": params, "batch buffers": batch_bytes(B, inputs + outputs, d, itemsize)}


def gib(n):
    return f"{n / 2 ** 30:.1f} GB"


def check_fits(parts, advice, available=None):
    """Raise :class:`W2VError` if the ``{what: bytes}`` of ``parts`` need more than is available.

    ``advice`` says which settings shrink the run (``"lower vector_size or batch_size"``).
    ``available``: bytes, for tests (default: :func:`available_bytes`).
    """
    available = available_bytes() if available is None else available
    total = sum(parts.values())
    if available is None or total <= available:
        return
    detail = ", ".join(f"{what} {gib(n)}" for what, n in parts.items() if n)
    raise W2VError(f"this run needs about {gib(total)} of memory ({detail}), more than the "
                   f"{gib(available)} available: {advice}")


def check_run(config, vocab_size, itemsize, available=None):
    """:func:`check_fits` for a front door's run: raise :class:`W2VError` if it cannot fit."""
    check_fits(run_parts(config, vocab_size, itemsize), ADVICE, available)
