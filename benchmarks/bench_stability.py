"""Where training stays stable: a grid of learning rates, windows and sizes, next to gensim.

Each cell trains one epoch (wiki2m by default) in its own process and prints a
JSON line: whether it diverged, the largest absolute weight, analogy accuracy
(restrict_vocab 30000) and WordSim-353 (gensim's evaluators, as in
bench_quality.py). A table follows. ``--root DIR`` runs w2v_numpy from another
checkout (a git worktree of an older commit) for before/after tables.

    python benchmarks/bench_stability.py                                  # the default grid
    python benchmarks/bench_stability.py --types sgram_neg --alphas 0.05,0.1 --radii 5 --dims 100
    python benchmarks/bench_stability.py --impls ours --root /work/before28   # before the change

"Diverged" means the trainer stopped with TrainingDiverged, or a weight is not
finite or larger than 1000 in magnitude (the CLI's guard). The word2vec and
subword types have a gensim counterpart; GloVe is listed with ours only.
"""
import argparse
import itertools
import json
import lzma
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"
MAX_WEIGHT = 1000.0
#: Our type -> gensim's settings (class name, keyword arguments).
GENSIM = {"sgram_neg": ("Word2Vec", dict(sg=1, hs=0, negative=5)),
          "cbow_neg": ("Word2Vec", dict(sg=0, hs=0, negative=5)),
          "sgram_hs": ("Word2Vec", dict(sg=1, hs=1, negative=0)),
          "cbow_hs": ("Word2Vec", dict(sg=0, hs=1, negative=0)),
          "fasttext_sgram": ("FastText", dict(sg=1, negative=5)),
          "fasttext_cbow": ("FastText", dict(sg=0, negative=5))}


def plain_text(corpus):
    """A decompressed copy of ``corpus`` (gensim's LineSentence and our reader alike)."""
    if not str(corpus).endswith(".xz"):
        return str(corpus)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / (Path(corpus).stem + ".bench.txt")
    if not out.exists():
        with lzma.open(corpus, "rb") as src, open(str(out) + ".part", "wb") as dst:
            dst.write(src.read())
        os.replace(str(out) + ".part", out)
    return str(out)


def train_ours(a):
    import numpy as np

    from w2v_numpy import FastText, GloVe, Word2Vec
    from w2v_numpy.text.corpus import whitespace_tokenize
    from w2v_numpy.training.loop import TrainingDiverged

    settings = dict(type=a.type, vector_size=a.dim, window=a.radius, alpha=a.alpha, epochs=1,
                    seed=1, progress=False, tokenizer=whitespace_tokenize)
    door = FastText if a.type.startswith("fasttext") else GloVe if a.type == "glove" else Word2Vec
    if door is Word2Vec:
        settings["workers"] = 1
    try:
        trained = door(a.corpus, **settings)
    except TrainingDiverged as exc:
        return None, None, str(exc)
    largest = max(float(np.abs(p).max()) for p in trained.model.params.values())
    return trained.wv.index_to_key, np.asarray(trained.wv.vectors), largest


def train_gensim(a):
    import gensim.models as gm
    import numpy as np

    name, kwargs = GENSIM[a.type]
    trained = getattr(gm, name)(gm.word2vec.LineSentence(a.corpus), vector_size=a.dim,
                                window=a.radius, alpha=a.alpha, epochs=1, seed=1, workers=1,
                                min_count=5, sample=1e-3, **kwargs)
    arrays = [trained.wv.vectors] + [getattr(trained, k) for k in ("syn1neg", "syn1")
                                     if getattr(trained, k, None) is not None]
    largest = max(float(np.abs(x).max()) for x in arrays)
    return list(trained.wv.index_to_key), trained.wv.vectors, largest


def child(a):
    import numpy as np

    t0 = time.perf_counter()
    words, vectors, largest = (train_ours if a.impl == "ours" else train_gensim)(a)
    row = dict(impl=a.impl, type=a.type, alpha=a.alpha, radius=a.radius, dim=a.dim)
    if words is None:                                  # TrainingDiverged: largest is its message
        row.update(diverged=True, max_weight=None, why=largest)
    else:
        bad = not np.isfinite(largest) or largest > MAX_WEIGHT
        row.update(diverged=bool(bad), max_weight=round(largest, 3))
        if not bad:
            sys.path.insert(0, str(HERE))
            from bench_quality import evaluate

            row.update(evaluate(words, vectors))
            row.pop("analogy_ours_eval", None)
    row["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(row), flush=True)


def run_cell(a, impl, type_, alpha, radius, dim):
    cmd = [sys.executable, __file__, "--impl", impl, "--type", type_, "--alpha", str(alpha),
           "--radius", str(radius), "--dim", str(dim), "--corpus", a.corpus]
    env = dict(os.environ)
    if a.root and impl == "ours":
        env["PYTHONPATH"] = os.pathsep.join([a.root, env.get("PYTHONPATH", "")])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return dict(impl=impl, type=type_, alpha=alpha, radius=radius, dim=dim, diverged=None,
                    error=tail)
    return json.loads(lines[-1])


def cell_text(row):
    if row is None:
        return "-"
    if row.get("diverged") is None:
        return "error"
    if row["diverged"]:
        return "**diverged**"
    return f"{row['max_weight']:.2f} / {row['analogy']:.3f} / {row['wordsim353']:.3f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--types", default="sgram_neg,cbow_neg,sgram_hs,cbow_hs")
    p.add_argument("--alphas", default="0.01,0.025,0.05,0.1")
    p.add_argument("--radii", default="2,5,10")
    p.add_argument("--dims", default="100,300")
    p.add_argument("--corpus", default=str(DATA / "wiki2m.txt.xz"))
    p.add_argument("--impls", default="ours,gensim")
    p.add_argument("--root", help="import w2v_numpy from this checkout (ours only)")
    p.add_argument("--impl", help=argparse.SUPPRESS)
    p.add_argument("--type", help=argparse.SUPPRESS)
    p.add_argument("--alpha", type=float, help=argparse.SUPPRESS)
    p.add_argument("--radius", type=int, help=argparse.SUPPRESS)
    p.add_argument("--dim", type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.impl:
        return child(a)
    a.corpus = plain_text(a.corpus)
    impls = a.impls.split(",")
    grid = list(itertools.product(a.types.split(","), map(float, a.alphas.split(",")),
                                  map(int, a.radii.split(",")), map(int, a.dims.split(","))))
    results = {}
    for type_, alpha, radius, dim in grid:
        for impl in impls:
            if impl == "gensim" and type_ not in GENSIM:
                continue
            row = run_cell(a, impl, type_, alpha, radius, dim)
            print(json.dumps(row), flush=True)
            results[impl, type_, alpha, radius, dim] = row
    print(f"\n{Path(a.corpus).name}, 1 epoch; cells: largest |weight| / analogy / WordSim-353")
    print("| type | alpha | radius | dim | " + " | ".join(impls) + " |")
    print("|---|---|---|---|" + "---|" * len(impls))
    for type_, alpha, radius, dim in grid:
        cells = [cell_text(results.get((impl, type_, alpha, radius, dim))) for impl in impls]
        print(f"| {type_} | {alpha:g} | {radius} | {dim} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
