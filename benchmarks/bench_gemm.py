"""How close the full-softmax step comes to the machine's float32 GEMM rate.

A full-softmax step (``cbow`` or ``sgram``) does three matrix products of
2*B*V*d flops each: ``z = h W_out^T``, ``dW_out = e^T h`` and ``dh = e W_out``.
This script times whole ``model.step`` calls on real batches and reports

* ``step_gflops``: those 6*B*V*d flops divided by the *whole* step time
  (softmax, gathers and the dense update included), and
* ``gemm_gflops``: a plain ``A @ B`` of the same shapes, timed in the same run,

and their ratio. One JSON line per model type.

    python benchmarks/bench_gemm.py --vocab 30000 --batch_size 512
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np

from w2v_numpy.batching import WindowBatcher
from w2v_numpy.models import create
from w2v_numpy.text.corpus import whitespace_tokenize
from w2v_numpy.text.corpus_cache import load_corpus

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "wiki2m.txt.xz"


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    p.add_argument("--vocab", type=int, default=30000, help="max_vocab (min_count 1)")
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--batch_size", type=int, default=512)
    p.add_argument("--batches", type=int, default=30)
    a = p.parse_args()
    vocab, corpus = load_corpus(a.corpus, min_count=1, max_vocab=a.vocab, tokenizer=whitespace_tokenize)
    V, d, B = len(vocab), a.size, a.batch_size
    rng = np.random.default_rng(0)
    A = rng.standard_normal((B, d), dtype=np.float32)
    Wt = rng.standard_normal((d, V), dtype=np.float32)
    E = rng.standard_normal((B, V), dtype=np.float32)
    W = rng.standard_normal((V, d), dtype=np.float32)

    def gemms():
        A @ Wt
        E.T @ A
        E @ W

    flops = 3 * 2 * B * V * d
    gemms()
    for typ in ("sgram", "cbow"):
        model = create(typ, V, d)
        model.params["W_out"][:] = rng.standard_normal((V, d), dtype=np.float32) * 0.01
        batcher = WindowBatcher(corpus, vocab.keep_probs(1e-3), model.family, window=5, batch_size=B)
        batches = []
        for *_, b in batcher.iter_epoch(0):
            if b.targets.size == B:
                batches.append(b)
            if len(batches) == a.batches:
                break
        model.step(batches[0], 0.025)
        # interleave the two timings so that both see the same machine load
        gemm_s, step_s = [], []
        for b in batches:
            gemm_s.append(timed(gemms))
            step_s.append(timed(lambda: model.step(b, 0.025)))
        gemm = flops / np.median(gemm_s) / 1e9
        step = flops / np.median(step_s) / 1e9
        print(json.dumps({"type": typ, "vocab": V, "dim": d, "batch_size": B,
                          "step_gflops": round(step, 1), "gemm_gflops": round(gemm, 1),
                          "efficiency": round(step / gemm, 3)}), flush=True)


if __name__ == "__main__":
    main()
