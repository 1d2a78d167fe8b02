"""Training throughput of w2v_numpy, optionally against gensim in the same invocation.

Each run happens in its own subprocess (so peak RSS is per run) and prints one
JSON line. ``words_per_s`` follows ../shared/data/README.md: raw corpus tokens
times epochs, divided by wall time *including* the vocabulary scan.

Examples::

    python benchmarks/bench_train.py --type sgram_neg --vs-gensim
    python benchmarks/bench_train.py --type sgram_hs,cbow_hs --vs-gensim   # gensim hs=1, negative=0
    python benchmarks/bench_train.py --type cbow_neg --prefetch off --vs-gensim   # one core each
    python benchmarks/bench_train.py --type cbow --max_vocab 30000 --epochs 1
    git worktree add /tmp/base HEAD~3 && python benchmarks/bench_train.py --type cbow_neg \
        --baseline /tmp/base --repeat 2     # before/after, alternating, in one invocation
"""
import argparse
import json
import lzma
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "wiki2m.txt.xz"


def plain_text(path, max_lines=None):
    """gensim's corpus_file needs plain text: decompress once into a temp folder
    (keeping only the first ``max_lines`` lines if given)."""
    path = Path(path)
    if path.suffix != ".xz" and not max_lines:
        return str(path)
    out = Path(tempfile.gettempdir()) / f"w2v_bench_{path.stem}_{max_lines or 'all'}"
    if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:
        tmp = out.with_suffix(f".{os.getpid()}.part")
        opener = lzma.open if path.suffix == ".xz" else open
        with opener(path, "rb") as src, open(tmp, "wb") as dst:
            if max_lines:
                dst.writelines(line for _, line in zip(range(max_lines), src))
            else:
                shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(tmp, out)
    return str(out)


def peak_rss_mb(who=resource.RUSAGE_SELF):
    """Peak resident memory of this process (or of its largest finished child) in MiB."""
    return resource.getrusage(who).ru_maxrss / 1024


#: --prefetch -> Word2Vec(prefetch=...); auto is left out (older checkouts lack it).
PREFETCH = {"auto": None, "on": True, "off": False}


def library_options(a):
    """The w2v_numpy settings given on the command line (the library's defaults otherwise)."""
    return {k: v for k, v in (("shuffle", None if a.shuffle is None else bool(a.shuffle)),
                              ("shared_negatives", a.shared_negatives),
                              ("spread_negatives", None if getattr(a, "spread_negatives", None)
                               is None else bool(a.spread_negatives)),
                              ("run_length", getattr(a, "run_length", None)),
                              ("prefetch", PREFETCH[getattr(a, "prefetch", "auto")]))
            if v is not None}


def run_ours(a):
    from w2v_numpy import Word2Vec
    try:
        from w2v_numpy.text.corpus import whitespace_tokenize
    except ImportError:                       # a --baseline checkout from before the text/ layer
        from w2v_numpy.corpus import whitespace_tokenize

    t0 = time.perf_counter()
    w2v = Word2Vec(type=a.type, vector_size=a.size, window=a.window, min_count=a.min_count,
                   max_vocab=a.max_vocab, sample=a.sample, negative=a.negative, alpha=a.alpha,
                   min_alpha=a.min_alpha, epochs=a.epochs, batch_size=a.batch_size, seed=a.seed,
                   tokenizer=whitespace_tokenize, progress=False, formulation=a.formulation,
                   workers=a.workers, **library_options(a))
    w2v.build_vocab(a.corpus)
    t1 = time.perf_counter()
    state = w2v.train()
    wall = time.perf_counter() - t0
    return dict(impl="w2v_numpy", type=a.type, formulation=w2v.config["formulation"],
                shuffle=w2v.config["shuffle"], shared_negatives=w2v.config.get("shared_negatives"),
                spread_negatives=w2v.config.get("spread_negatives"), run_length=w2v.config.get("run_length"),
                raw_words=w2v.corpus.raw_words, vocab=len(w2v.vocab),
                wall_s=round(wall, 2), train_s=round(time.perf_counter() - t1, 2),
                words_per_s=round(w2v.corpus.raw_words * a.epochs / wall),
                examples_per_s=round(state.examples / (time.perf_counter() - t1)),
                final_loss=round(state.epoch_losses[-1], 5), peak_rss_mb=round(peak_rss_mb()),
                batch_size=w2v.config["batch_size"], workers=a.workers, prefetch=a.prefetch,
                worker_peak_rss_mb=round(peak_rss_mb(resource.RUSAGE_CHILDREN)))


def run_gensim(a, workers):
    from gensim.models import Word2Vec as GensimW2V
    from w2v_numpy.models import MODELS

    cls = MODELS[a.type]               # ask the class: family and output layer
    sg = int(cls.batch_family == "sgram")
    hs, neg = (0, a.negative) if cls.output_layer == "negative_sampling" else (1, 0)
    t0 = time.perf_counter()
    m = GensimW2V(corpus_file=a.corpus, vector_size=a.size, window=a.window, min_count=a.min_count,
                  max_final_vocab=a.max_vocab, sample=a.sample, sg=sg, hs=hs, negative=neg,
                  alpha=a.alpha, min_alpha=a.min_alpha, epochs=a.epochs, workers=workers,
                  seed=a.seed)
    wall = time.perf_counter() - t0
    raw = m.corpus_total_words
    return dict(impl=f"gensim(workers={workers})", type=a.type, raw_words=raw, vocab=len(m.wv),
                wall_s=round(wall, 2), words_per_s=round(raw * a.epochs / wall),
                peak_rss_mb=round(peak_rss_mb()),
                hs=hs, negative=neg,
                note="gensim has no full softmax: hierarchical softmax shown"
                if cls.output_layer == "softmax" else "")


def child(argv):
    a = parser().parse_args(argv)
    a.corpus = plain_text(a.corpus, a.max_lines)
    res = run_ours(a) if a.impl == "ours" else run_gensim(a, int(a.impl.split("=")[1]))
    print(json.dumps(res), flush=True)


def parser():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--type", default="sgram_neg", help="comma-separated list of model types")
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    p.add_argument("--max_lines", type=int, default=None,
                   help="use only the first N lines of the corpus (for the slow full-softmax types)")
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--window", type=int, default=5, help="radius (gensim's window)")
    p.add_argument("--min_count", type=int, default=5)
    p.add_argument("--max_vocab", type=int, default=None)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--alpha", type=float, default=0.025)
    p.add_argument("--min_alpha", type=float, default=0.0001)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch_size", type=int, default=None, help="default: the library's (512; sgram_hs window: 128)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--formulation", default=None, help="pair or window (default: the library's)")
    p.add_argument("--workers", type=int, default=1, help="w2v_numpy worker processes (default 1)")
    p.add_argument("--prefetch", choices=list(PREFETCH), default="auto",
                   help="w2v_numpy, one worker: batches from a second process (on), in the "
                        "training process (off: one core, like gensim's workers=1), or auto")
    p.add_argument("--shuffle", type=int, choices=[0, 1], default=None,
                   help="w2v_numpy: 1 shuffles examples, 0 keeps corpus order (default: the library's)")
    p.add_argument("--run_length", type=int, default=None,
                   help="w2v_numpy: shuffle runs of this many windows (default: the library's)")
    p.add_argument("--shared_negatives", type=int, default=None,
                   help="w2v_numpy: examples sharing a draw of negatives (default: the library's)")
    p.add_argument("--spread_negatives", type=int, choices=[0, 1], default=None,
                   help="w2v_numpy: 1 spreads the examples sharing a draw over the batch, 0 "
                        "keeps them side by side (default: the library's)")
    p.add_argument("--vs-gensim", dest="vs_gensim", action="store_true",
                   help="also run gensim with workers=1 and workers=2, and print ratios")
    p.add_argument("--baseline", default=None,
                   help="also train with the w2v_numpy of this checkout (e.g. a git worktree of an "
                        "older commit), alternating with ours, and print the speed-up")
    p.add_argument("--repeat", type=int, default=1, help="runs of each implementation, alternating")
    p.add_argument("--impl", default="ours", help=argparse.SUPPRESS)
    return p


def main():
    if "--impl" in sys.argv:
        return child(sys.argv[1:])
    a = parser().parse_args()
    if not Path(a.corpus).exists():
        sys.exit(f"error: corpus {a.corpus} not found (pass --corpus)")
    base = [a for a in sys.argv[1:] if a != "--vs-gensim"]
    for typ in a.type.split(","):
        impls = ["ours"] + (["baseline"] if a.baseline else []) \
            + (["gensim=1", "gensim=2"] if a.vs_gensim else [])
        results, rates = {}, {}
        for _ in range(a.repeat):
            for impl in impls:
                args = base + ["--type", typ, "--impl", "ours" if impl == "baseline" else impl]
                env = dict(os.environ, PYTHONPATH=a.baseline) if impl == "baseline" else None
                out = subprocess.run([sys.executable, __file__] + args, capture_output=True,
                                     text=True, env=env)
                if out.returncode:
                    sys.exit(f"error: {impl} run failed:\n{out.stderr[-2000:]}")
                results[impl] = json.loads(out.stdout.strip().splitlines()[-1])
                results[impl]["impl"] += " (baseline)" if impl == "baseline" else ""
                rates.setdefault(impl, []).append(results[impl]["words_per_s"])
                print(json.dumps(results[impl]), flush=True)
        if a.repeat > 1:            # the best run of each: the least disturbed by the machine
            for impl in impls:
                results[impl]["words_per_s"] = max(rates[impl])
        if a.baseline:
            print(json.dumps({"type": typ, "words_per_s": max(rates["ours"]),
                              "baseline_words_per_s": max(rates["baseline"]),
                              "speedup_vs_baseline": round(max(rates["ours"]) / max(rates["baseline"]), 3)}),
                  flush=True)
        if a.vs_gensim:
            ours = results["ours"]["words_per_s"]
            print(json.dumps({"type": typ, "ratio_vs_gensim_w1": round(ours / results["gensim=1"]["words_per_s"], 3),
                              "ratio_vs_gensim_w2": round(ours / results["gensim=2"]["words_per_s"], 3)}), flush=True)


if __name__ == "__main__":
    main()
