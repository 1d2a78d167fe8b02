"""Embedding quality of w2v_numpy against gensim, trained with identical settings.

Both models are evaluated by the *same* code (gensim's KeyedVectors
evaluators, and ours when available) on the Google analogy set
(restrict_vocab=30000, as in ../shared/data/README.md) and WordSim-353
(Spearman). One JSON line per trained model, then a comparison line.

    python benchmarks/bench_quality.py --type sgram_neg,cbow_neg   # wiki17m, 5 epochs
    python benchmarks/bench_quality.py --type sgram_hs,cbow_hs     # against gensim hs=1, negative=0
    python benchmarks/bench_quality.py --type cbow_neg --defaults  # each tool's own defaults

``--defaults`` leaves every training setting at each library's default
(``w2v_numpy.Word2Vec(corpus, type=...)`` against ``gensim.models.Word2Vec(sentences,
sg=...)``, seed and workers aside): what a user who sets nothing gets.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def evaluate(words, vectors):
    """Analogy accuracy and WordSim-353 Spearman with gensim's evaluators (and ours)."""
    from gensim.models import KeyedVectors as GKV

    kv = GKV(vectors.shape[1])
    kv.add_vectors(words, vectors)
    analogy, _ = kv.evaluate_word_analogies(str(DATA / "questions-words.txt"), restrict_vocab=30000)
    pairs = kv.evaluate_word_pairs(str(DATA / "wordsim353.tsv"))
    out = {"analogy": round(float(analogy), 4), "wordsim353": round(float(pairs[1][0]), 4)}
    try:
        from w2v_numpy.vectors.keyedvectors import KeyedVectors

        ours = KeyedVectors(list(words), vectors)
        out["analogy_ours_eval"] = round(float(ours.evaluate_word_analogies(
            str(DATA / "questions-words.txt"), restrict_vocab=30000)[0]), 4)
    except Exception as exc:  # our evaluator is optional here
        out["analogy_ours_eval"] = f"unavailable: {exc}"
    return out


def child(a):
    import numpy as np

    t0 = time.perf_counter()
    if a.impl == "ours":
        from w2v_numpy import Word2Vec
        from w2v_numpy.text.corpus import whitespace_tokenize

        from bench_train import library_options          # this folder is on sys.path

        settings = {} if a.defaults else dict(
            vector_size=a.size, window=a.window, min_count=5, sample=1e-3, negative=5,
            alpha=a.alpha, epochs=a.epochs, batch_size=a.batch_size, cbow_update=a.cbow_update)
        w2v = Word2Vec(a.corpus, type=a.type, seed=a.seed, tokenizer=whitespace_tokenize,
                       progress=False, formulation=a.formulation, workers=a.workers,
                       **settings, **library_options(a))
        words, vectors = w2v.vocab.words, w2v.wv.vectors
        c = w2v.config
        extra = {"final_loss": round(w2v.state.epoch_losses[-1], 5), "batch_size": c["batch_size"],
                 "formulation": c["formulation"], "workers": a.workers, "shuffle": c["shuffle"],
                 "shared_negatives": c["shared_negatives"], "run_length": c["run_length"],
                 "spread_negatives": c["spread_negatives"],
                 "cbow_update": c["cbow_update"], "alpha": c["alpha"], "epochs": c["epochs"],
                 "vector_size": c["vector_size"], "window": c["window"]}
    else:
        from gensim.models import Word2Vec as G
        from gensim.models.word2vec import LineSentence
        from w2v_numpy.models import MODELS

        hs = int(MODELS[a.type].output_layer == "hierarchical_softmax")   # *_hs: hs=1, negative=0
        from bench_train import library_options          # this folder is on sys.path

        settings = {} if a.defaults else dict(
            vector_size=a.size, window=a.window, min_count=5, sample=1e-3, alpha=a.alpha,
            epochs=a.epochs)
        if hs:
            settings.update(hs=1, negative=0)
        elif not a.defaults:
            settings.update(hs=0, negative=5)
        m = G(LineSentence(a.corpus), sg=int(a.type.startswith("sgram")), workers=2, seed=a.seed,
              **settings)
        words, vectors = m.wv.index_to_key, m.wv.vectors
        extra = {"alpha": m.alpha, "epochs": m.epochs, "vector_size": m.vector_size,
                 "window": m.window, "cbow_mean": m.cbow_mean}
    res = {"impl": a.impl, "type": a.type, "defaults": a.defaults,
           "train_wall_s": round(time.perf_counter() - t0, 1), **extra,
           **evaluate(list(words), np.asarray(vectors, dtype=np.float32))}
    print(json.dumps(res), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--type", default="sgram_neg,cbow_neg")
    p.add_argument("--corpus", default=str(DATA / "wiki17m.txt.xz"))
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--alpha", type=float, default=None, help="default: 0.025 sg, 0.05 cbow")
    p.add_argument("--batch_size", type=int, default=None, help="default: the library's (512; sgram_hs window: 128)")
    p.add_argument("--cbow_update", default="word2vec", choices=["exact", "word2vec"])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--impls", default="ours,gensim")
    p.add_argument("--formulation", default=None, help="pair or window (default: the library's)")
    p.add_argument("--workers", type=int, default=1, help="w2v_numpy worker processes")
    p.add_argument("--shuffle", type=int, choices=[0, 1], default=None,
                   help="w2v_numpy: 1 shuffles examples, 0 keeps corpus order (default: the library's)")
    p.add_argument("--run_length", type=int, default=None,
                   help="w2v_numpy: shuffle runs of this many windows (default: the library's)")
    p.add_argument("--shared_negatives", type=int, default=None,
                   help="w2v_numpy: examples sharing a draw of negatives (default: the library's)")
    p.add_argument("--spread_negatives", type=int, choices=[0, 1], default=None,
                   help="w2v_numpy: 1 spreads the examples sharing a draw over the batch, 0 "
                        "keeps them side by side (default: the library's)")
    p.add_argument("--defaults", action="store_true",
                   help="train both with their library defaults (see the module docstring)")
    p.add_argument("--impl", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.impl:
        return child(a)
    # Check the inputs before an hour of training, not after it.
    for path in (Path(a.corpus), DATA / "questions-words.txt", DATA / "wordsim353.tsv"):
        if not path.is_file():
            sys.exit(f"error: {path} not found (the evaluation sets are read from {DATA}; "
                     "pass --corpus for another corpus)")
    for typ in a.type.split(","):
        alpha = a.alpha or (0.025 if typ.startswith("sgram") else 0.05)
        results = {}
        for impl in a.impls.split(","):
            argv = [sys.executable, __file__, "--impl", impl, "--type", typ, "--alpha", str(alpha)]
            for k in ("corpus", "epochs", "size", "window", "batch_size", "cbow_update", "seed",
                      "workers", "shuffle", "shared_negatives", "spread_negatives", "run_length"):
                if getattr(a, k) is not None:
                    argv += [f"--{k}", str(getattr(a, k))]
            argv += ["--defaults"] if a.defaults else []
            argv += ["--formulation", a.formulation] if a.formulation else []
            out = subprocess.run(argv, capture_output=True, text=True)
            if out.returncode:
                sys.exit(f"error: {impl} failed:\n{out.stderr[-2000:]}")
            results[impl] = json.loads(out.stdout.strip().splitlines()[-1])
            print(json.dumps(results[impl]), flush=True)
        if {"ours", "gensim"} <= set(results):
            o, g = results["ours"], results["gensim"]
            print(json.dumps({"type": typ, "analogy_diff": round(o["analogy"] - g["analogy"], 4),
                              "wordsim_diff": round(o["wordsim353"] - g["wordsim353"], 4)}), flush=True)


if __name__ == "__main__":
    main()
