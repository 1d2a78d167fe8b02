"""GloVe: w2v_numpy against the reference glove.c, same corpus, same settings, one invocation.

glove.c's whole pipeline (vocab_count, cooccur, shuffle, glove; one thread,
built by ../shared/anchors/build.sh) and our whole run (reading, counting and
training in one process, ``w2v_numpy.GloVe``) are timed and evaluated by the
same code (gensim's evaluators: analogy restrict_vocab=30000, WordSim-353
Spearman). One JSON line per tool, then a comparison line.

    python benchmarks/bench_glove.py                                   # wiki2m, dim 50, 15 iterations, x_max 10
    python benchmarks/bench_glove.py --corpus ../shared/data/wiki17m.txt.xz --size 100 --iter 25 --x_max 100
    python benchmarks/bench_glove.py --only ours --sgram_neg           # also our sgram_neg on the same text
    python benchmarks/bench_glove.py --count_only --corpus ../shared/data/wiki17m.txt.xz   # counting alone

The window is a radius (words on each side) with 1/distance weighting in
both tools (glove.c's ``-window-size``, our ``window``).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_quality import DATA, evaluate  # noqa: E402
from bench_train import plain_text, peak_rss_mb  # noqa: E402

ANCHORS = Path(__file__).resolve().parents[2] / "shared" / "anchors"


def sh(cmd, stdin=None, stdout=None):
    """Run one glove.c stage; returns its wall seconds."""
    t0 = time.perf_counter()
    subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - t0


def run_glovec(a, text):
    build = subprocess.run(["bash", "-c", f". {ANCHORS}/build.sh && echo $A"], capture_output=True,
                           text=True, check=True)
    A = build.stdout.strip().splitlines()[-1]
    work = Path(tempfile.mkdtemp(prefix="w2v_glovec_"))
    times = {}
    with open(text, "rb") as src, open(work / "vocab.txt", "wb") as out:
        times["vocab_count"] = sh([f"{A}/vocab_count", "-min-count", str(a.min_count), "-verbose", "0"], src, out)
    with open(text, "rb") as src, open(work / "cooc.bin", "wb") as out:
        times["cooccur"] = sh([f"{A}/cooccur", "-memory", "4.0", "-vocab-file", str(work / "vocab.txt"),
                               "-verbose", "0", "-window-size", str(a.window)], src, out)
    nnz = os.path.getsize(work / "cooc.bin") // 16
    with open(work / "cooc.bin", "rb") as src, open(work / "shuf.bin", "wb") as out:
        times["shuffle"] = sh([f"{A}/shuffle", "-memory", "4.0", "-verbose", "0"], src, out)
    times["glove"] = sh([f"{A}/glove", "-input-file", str(work / "shuf.bin"), "-vocab-file",
                         str(work / "vocab.txt"), "-save-file", str(work / "vectors"), "-threads", "1",
                         "-x-max", str(a.x_max), "-iter", str(a.iter), "-vector-size", str(a.size),
                         "-binary", "0", "-write-header", "1", "-eta", str(a.eta), "-alpha",
                         str(a.alpha), "-model", "2", "-verbose", "0", "-seed", str(a.seed)])
    words, vectors = read_text_vectors(work / "vectors.txt")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    wall = sum(times.values())
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    return dict(impl="glove.c", nnz=nnz, vocab=len(words), wall_s=round(wall, 1),
                stages_s={k: round(v, 1) for k, v in times.items()},
                train_entries_per_s=round(nnz * a.iter / times["glove"]),
                peak_rss_mb=round(rss), **evaluate(words, vectors))


def read_text_vectors(path):
    import numpy as np

    with open(path, encoding="utf-8", errors="replace") as fh:
        fh.readline()
        words, rows = [], []
        for line in fh:
            parts = line.rstrip().split(" ")
            if parts[0] == "<unk>":          # glove.c's vector for unknown words
                continue
            words.append(parts[0])
            rows.append(np.asarray(parts[1:], dtype=np.float32))
    return words, np.stack(rows)


def run_ours(a, text):
    from w2v_numpy import GloVe
    from w2v_numpy.text.corpus import whitespace_tokenize

    t0 = time.perf_counter()
    g = GloVe(vector_size=a.size, window=a.window, min_count=a.min_count, x_max=a.x_max,
              glove_alpha=a.alpha, alpha=a.eta, epochs=a.iter, batch_size=a.batch_size,
              seed=a.seed, tokenizer=whitespace_tokenize, progress=False)
    g.build_vocab(text)
    t1 = time.perf_counter()
    state = g.train()
    t2 = time.perf_counter()
    kv = g.wv
    return dict(impl="w2v_numpy", nnz=g.cooccurrences.nnz, vocab=len(kv), wall_s=round(t2 - t0, 1),
                stages_s={"read_and_count": round(t1 - t0, 1), "train": round(t2 - t1, 1)},
                train_entries_per_s=round(g.cooccurrences.nnz * a.iter / (t2 - t1)),
                final_loss=round(state.epoch_losses[-1], 5), batch_size=a.batch_size,
                peak_rss_mb=round(peak_rss_mb()), **evaluate(kv.index_to_key, kv.vectors))


def count_only(a, text):
    """Read the corpus and count co-occurrences, nothing else: time, entries, peak RSS."""
    from w2v_numpy.text.cooccurrence import count_cooccurrences
    from w2v_numpy.text.corpus import whitespace_tokenize
    from w2v_numpy.text.corpus_cache import load_corpus

    t0 = time.perf_counter()
    vocab, corpus = load_corpus(text, min_count=a.min_count, tokenizer=whitespace_tokenize)
    t1 = time.perf_counter()
    m = count_cooccurrences(corpus, len(vocab), window=a.window)
    return dict(impl="w2v_numpy count_cooccurrences", tokens=len(corpus), vocab=len(vocab),
                nnz=m.nnz, read_s=round(t1 - t0, 1), count_s=round(time.perf_counter() - t1, 1),
                peak_rss_mb=round(peak_rss_mb()))


def run_sgram_neg(a, text):
    from w2v_numpy import Word2Vec
    from w2v_numpy.text.corpus import whitespace_tokenize

    t0 = time.perf_counter()
    w = Word2Vec(corpus_file=text, type="sgram_neg", vector_size=a.size, window=5,
                 min_count=a.min_count, epochs=5, seed=a.seed, tokenizer=whitespace_tokenize,
                 progress=False)
    return dict(impl="w2v_numpy sgram_neg (window 5, 5 epochs)", vocab=len(w.wv),
                wall_s=round(time.perf_counter() - t0, 1), **evaluate(w.wv.index_to_key, w.wv.vectors))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=str(DATA / "wiki2m.txt.xz"))
    p.add_argument("--size", type=int, default=50)
    p.add_argument("--window", type=int, default=10, help="radius, 1/distance weighting")
    p.add_argument("--iter", type=int, default=15)
    p.add_argument("--x_max", type=float, default=10.0)
    p.add_argument("--alpha", type=float, default=0.75, help="weighting exponent")
    p.add_argument("--eta", type=float, default=0.05, help="AdaGrad initial rate")
    p.add_argument("--min_count", type=int, default=5)
    p.add_argument("--batch_size", type=int, default=4096, help="ours: entries per AdaGrad step")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", choices=["ours", "glove.c"], default=None)
    p.add_argument("--sgram_neg", action="store_true", help="also train our sgram_neg, 5 epochs")
    p.add_argument("--count_only", action="store_true", help="only time our co-occurrence counting")
    a = p.parse_args()
    text = plain_text(a.corpus)
    if a.count_only:
        return print(json.dumps(count_only(a, text)), flush=True)
    results = {}
    runs = [("glove.c", run_glovec), ("ours", run_ours)]
    for name, fn in runs:
        if a.only in (None, name):
            results[name] = fn(a, text)
            print(json.dumps(results[name]), flush=True)
    if a.sgram_neg:
        print(json.dumps(run_sgram_neg(a, text)), flush=True)
    if len(results) == 2:
        c, o = results["glove.c"], results["ours"]
        print(json.dumps({"wall_ratio_ours_over_glovec": round(o["wall_s"] / c["wall_s"], 2),
                          "train_speed_ratio": round(o["train_entries_per_s"] / c["train_entries_per_s"], 3),
                          "analogy_diff_points": round(100 * (o["analogy"] - c["analogy"]), 2),
                          "wordsim353_diff": round(o["wordsim353"] - c["wordsim353"], 4)}), flush=True)


if __name__ == "__main__":
    main()
