"""Peak memory and speed as the corpus grows: w2v_numpy against gensim's ``corpus_file``
mode and word2vec.c, and the start of a second run that finds the encoded corpus.

Every run is a subprocess; its peak RSS is what ``/usr/bin/time -f %M`` reports
(``ru_maxrss`` from ``wait4``: the largest single process of its tree, the
batch producer and training workers included). ``words/s`` is raw corpus
tokens times epochs over the wall time, encoding included (first run).

Corpora: ``wiki2m`` and ``wiki17m`` from ../shared/data, and ``gen200m``:
wiki17m's lines repeated in shuffled order up to 200M tokens, written once to
the temporary folder (about 1.2 GB; kept for later invocations).

Examples::

    python benchmarks/bench_memory.py --corpora wiki2m,wiki17m
    python benchmarks/bench_memory.py --corpora wiki2m,wiki17m,gen200m --impls ours1,ours2,gensim
    git worktree add /tmp/before HEAD~5 && python benchmarks/bench_memory.py \\
        --corpora wiki2m,wiki17m --baseline /tmp/before      # today's main against an older one
    python benchmarks/bench_memory.py --corpora wiki2m,wiki17m --types glove --impls ours1,glove.c
    python benchmarks/bench_memory.py --corpora wiki17m --types glove --impls ours1 --memory 0.2
"""
import argparse
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
ANCHORS = ROOT.parent / "shared" / "anchors"
TMP = Path(tempfile.gettempdir())


def plain(name):
    """The plain-text path of corpus ``name`` (decompressed or generated once, then kept)."""
    if name.startswith("gen"):
        return generated(int(float(name[3:-1]) * 1e6))
    out = TMP / f"w2v_bench_{name}.txt"
    if not out.exists():
        with lzma.open(DATA / f"{name}.txt.xz", "rb") as src, open(f"{out}.part", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(f"{out}.part", out)
    return str(out)


def generated(tokens, seed=0):
    """wiki17m's lines repeated in shuffled order until ``tokens`` whitespace tokens."""
    out = TMP / f"w2v_bench_gen{tokens // 10**6}m.txt"
    if out.exists():
        return str(out)
    with open(plain("wiki17m"), "rb") as fh:
        lines = fh.readlines()
    sizes = np.array([len(line.split()) for line in lines])
    rng, done = np.random.default_rng(seed), 0
    with open(f"{out}.part", "wb") as dst:
        while done < tokens:
            for i in rng.permutation(len(lines)):
                dst.write(lines[i])
                done += int(sizes[i])
                if done >= tokens:
                    break
    os.replace(f"{out}.part", out)
    return str(out)


def measured(cmd, env=None, ok=(0,)):
    """Run ``cmd``; returns (wall seconds, peak RSS MB of its largest process, stderr)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise RuntimeError(f"{cmd[:3]}... failed ({proc.returncode}): {err[-2000:]}")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, err


def ours(a, corpus, tree, workers, type_, cache, extra=()):
    """One run of the trainer of checkout ``tree``; its --metrics_json plus the peak RSS."""
    work = Path(tempfile.mkdtemp(prefix="w2v_bench_mem_"))
    cmd = [sys.executable, str(Path(tree) / "train_numpy_model.py"), f"--type={type_}",
           "-d", corpus, "-m", str(work / "m.model"), "--no_progress", "--metrics_json",
           str(work / "m.json"), "--workers", str(workers), "--keep_checkpoints", "0",
           "--save_every", "1000000", *settings(a, type_), *extra]
    if cache is not None:
        cmd += ["--cache_dir", cache]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    wall, rss, _ = measured(cmd, env, ok=(0, 130))      # 130: --stop_after_batches
    m = json.loads((work / "m.json").read_text())
    shutil.rmtree(work)
    return dict(peak_rss_mb=round(rss), wall_s=round(wall, 1), start_s=m.get("start_s"),
                words_per_s=round(m["raw_words"] * m["epochs_done"] / wall) if
                m["completed"] else None, vocab=m["vocab_size"], raw_words=m["raw_words"],
                corpus_from=m.get("corpus_from"))


def settings(a, type_):
    if type_ == "glove":
        memory = ["--memory", str(a.memory)] if a.memory else []
        return ["-w", "21", "-v", "50", "-e", str(a.epochs), "--x_max", "10", "--min_count", "5",
                *memory]
    return ["-w", "11", "-v", "100", "-a", "0.025", "-e", str(a.epochs), "--min_count", "5"]


def gensim(a, corpus, workers):
    code = ("import sys, time; from gensim.models import Word2Vec as W; t=time.perf_counter(); "
            f"m=W(corpus_file=sys.argv[1], vector_size=100, window=5, min_count=5, sg=1, "
            f"negative=5, hs=0, alpha=0.025, sample=1e-3, epochs={a.epochs}, workers={workers}); "
            "print(m.corpus_total_words, len(m.wv), file=sys.stderr)")
    wall, rss, err = measured([sys.executable, "-c", code, corpus])
    raw, vocab = map(int, err.split()[-2:])
    return dict(peak_rss_mb=round(rss), wall_s=round(wall, 1),
                words_per_s=round(raw * a.epochs / wall), vocab=vocab, raw_words=raw)


def anchors():
    out = subprocess.run(["bash", "-c", f". {ANCHORS}/build.sh && echo $A"], capture_output=True,
                         text=True)
    return out.stdout.strip().splitlines()[-1] if out.returncode == 0 else None


def word2vec_c(a, corpus):
    A = anchors()
    if A is None:
        return dict(note="word2vec.c did not build")
    out = TMP / f"w2v_bench_w2vc_{os.getpid()}.bin"
    wall, rss, _ = measured([f"{A}/word2vec", "-train", corpus, "-output", str(out), "-cbow", "0",
                             "-size", "100", "-window", "5", "-negative", "5", "-hs", "0",
                             "-sample", "1e-3", "-threads", "1", "-iter", str(a.epochs),
                             "-min-count", "5", "-binary", "1"])
    out.unlink()
    return dict(peak_rss_mb=round(rss), wall_s=round(wall, 1))


def glove_c(a, corpus):
    """glove.c's whole pipeline, one thread; the peak is that of its largest stage."""
    A, work = anchors(), Path(tempfile.mkdtemp(prefix="w2v_bench_glovec_"))
    peak, wall = 0, 0.0
    stages = [([f"{A}/vocab_count", "-min-count", "5", "-verbose", "0"], corpus, "vocab.txt"),
              ([f"{A}/cooccur", "-memory", "4.0", "-vocab-file", str(work / "vocab.txt"),
                "-verbose", "0", "-window-size", "10"], corpus, "cooc.bin"),
              ([f"{A}/shuffle", "-memory", "4.0", "-verbose", "0"], str(work / "cooc.bin"),
               "shuf.bin")]
    for cmd, src, dst in stages:
        t, rss, _ = measured(["bash", "-c", f'"$0" "${{@}}" < "{src}" > "{work / dst}"', *cmd])
        peak, wall = max(peak, rss), wall + t
    t, rss, _ = measured([f"{A}/glove", "-input-file", str(work / "shuf.bin"), "-vocab-file",
                          str(work / "vocab.txt"), "-save-file", str(work / "v"), "-threads", "1",
                          "-x-max", "10", "-iter", str(a.epochs), "-vector-size", "50",
                          "-binary", "1", "-verbose", "0"])
    shutil.rmtree(work)
    return dict(peak_rss_mb=round(max(peak, rss)), wall_s=round(wall + t, 1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpora", default="wiki2m,wiki17m",
                   help="comma list of wiki2m, wiki17m, genNNNm (generated, NNN million tokens)")
    p.add_argument("--types", default="sgram_neg", help="sgram_neg and/or glove")
    p.add_argument("--impls", default="ours1,ours2,gensim",
                   help="comma list of ours1, ours2 (workers), gensim, word2vec.c, glove.c")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--baseline", help="another checkout: its trainer too (no cache flags)")
    p.add_argument("--baseline-corpora", default="wiki2m,wiki17m",
                   help="the corpora the --baseline runs on (an in-memory one needs about 23 "
                        "bytes a token)")
    p.add_argument("--gensim-workers", type=int, default=1)
    p.add_argument("--memory", type=float, help="glove: our --memory (GB) for the counting")
    a = p.parse_args()
    rows = []
    for name in a.corpora.split(","):
        corpus = plain(name)
        for type_ in a.types.split(","):
            for impl in a.impls.split(","):
                cache = tempfile.mkdtemp(prefix="w2v_bench_cache_")
                if impl.startswith("ours"):
                    workers = int(impl[4:])
                    res = ours(a, corpus, ROOT, workers, type_, cache)
                    # Time to the first batch, interpreter start included: a run that finds
                    # the cache the full run left, against one that encodes (no cache).
                    stop = ["--stop_after_batches", "1"]
                    again = ours(a, corpus, ROOT, workers, type_, cache, stop)
                    first = ours(a, corpus, ROOT, workers, type_, None, stop + ["--no_cache"])
                    assert again["corpus_from"] == "cache", again
                    res.update(first_start_wall_s=first["wall_s"], second_start_wall_s=again["wall_s"],
                               second_start_s=again["start_s"])
                elif impl == "gensim" and type_ == "sgram_neg":
                    impl = f"gensim(workers={a.gensim_workers})"
                    res = gensim(a, corpus, a.gensim_workers)
                elif impl == "word2vec.c" and type_ == "sgram_neg":
                    res = word2vec_c(a, corpus)
                elif impl == "glove.c" and type_ == "glove":
                    res = glove_c(a, corpus)
                else:
                    continue
                shutil.rmtree(cache, ignore_errors=True)
                rows.append(dict(corpus=name, type=type_, impl=impl, **res))
                print(json.dumps(rows[-1]), flush=True)
            if a.baseline and name in a.baseline_corpora.split(","):
                res = ours(a, corpus, a.baseline, 1, type_, None)
                rows.append(dict(corpus=name, type=type_, impl="baseline1", **res))
                print(json.dumps(rows[-1]), flush=True)
    print("\n| corpus | type | impl | peak RSS MB | words/s | to first batch s: encoding | "
          "from the cache |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['corpus']} | {r['type']} | {r['impl']} | {r.get('peak_rss_mb')} | "
              f"{r.get('words_per_s') or ''} | {r.get('first_start_wall_s') or ''} | "
              f"{r.get('second_start_wall_s') or ''} |")


if __name__ == "__main__":
    main()
