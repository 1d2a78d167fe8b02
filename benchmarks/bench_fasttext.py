"""Subword skip-gram against gensim's FastText: quality, unseen words and speed.

    python benchmarks/bench_fasttext.py quality --corpus wiki2m --epochs 5   # + the OOV experiment
    python benchmarks/bench_fasttext.py speed --corpus wiki2m --epochs 1      # words/s, workers=1
    python benchmarks/bench_fasttext.py speed --corpus wiki2m --epochs 1 \
        --impls ours,baseline:ours,gensim --baseline /tmp/before            # against older code

``quality`` trains, for each implementation (``ours``: ``fasttext_sgram``;
``ours_own_draws``: the same with a draw of negatives per pair, the default
before 2026-12-05; ``gensim``: ``FastText(sg=1)``; ``sgram_neg``: our
word-level skip-gram), with
identical settings (dim 100, window 5, negative 5, min_count 5, sample 1e-3,
alpha 0.025, n-grams 3-6 in 2,000,000 buckets), and reports the analogy
accuracy (restrict_vocab 30000; overall, semantic, syntactic ``gram*``
sections) and WordSim-353 Spearman, all with gensim's evaluators.

The unseen-word experiment (``--oov 200``, subword implementations only):
200 mid-frequency words (vocabulary ranks 3000-15000, alphabetic, 5+ letters,
evenly spaced) are deleted from every line of the corpus, the model is
trained again on what is left, and each held-out word gets its vector from
its n-grams. Two separately trained models live in different rotations of
the space, so the held-out model is first aligned to the full-corpus model by
orthogonal Procrustes on the words both know (held-out words excluded); then
the mean cosine between the OOV vector and the full model's vector of the
same word is reported, next to the mean cosine of random word pairs after the
same alignment (the baseline a meaningless vector would get).
"""
import argparse
import json
import lzma
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETTINGS = dict(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, alpha=0.025,
                min_n=3, max_n=6, bucket=2_000_000)


def evaluate(words, vectors):
    from gensim.models import KeyedVectors as GKV

    kv = GKV(vectors.shape[1])
    kv.add_vectors(list(words), np.asarray(vectors, dtype=np.float32))
    score, sections = kv.evaluate_word_analogies(str(DATA / "questions-words.txt"),
                                                 restrict_vocab=30000)

    def acc(chosen):
        right = sum(len(s["correct"]) for s in chosen)
        return round(right / max(1, right + sum(len(s["incorrect"]) for s in chosen)), 4)

    parts = [s for s in sections if s["section"] != "Total accuracy"]
    pairs = kv.evaluate_word_pairs(str(DATA / "wordsim353.tsv"))
    return {"analogy": round(float(score), 4),
            "semantic": acc([s for s in parts if not s["section"].startswith("gram")]),
            "syntactic": acc([s for s in parts if s["section"].startswith("gram")]),
            "wordsim353": round(float(pairs[1][0]), 4)}


def train(impl, corpus, epochs, seed):
    """Train one implementation; returns (model, words, in-vocab vectors, oov function, seconds)."""
    t0 = time.perf_counter()
    s = dict(SETTINGS, epochs=epochs)
    if impl == "gensim":
        from gensim.models import FastText as G
        from gensim.models.word2vec import LineSentence

        m = G(LineSentence(corpus), sg=1, hs=0, workers=1, seed=seed, **s)
        return m, list(m.wv.index_to_key), m.wv.vectors, m.wv.get_vector, time.perf_counter() - t0
    from w2v_numpy import FastText, Word2Vec
    from w2v_numpy.text.corpus import whitespace_tokenize

    if impl == "sgram_neg":
        for k in ("min_n", "max_n", "bucket"):
            s.pop(k)
        m = Word2Vec(corpus, type="sgram_neg", seed=seed, tokenizer=whitespace_tokenize,
                     progress=False, **s)
        wv = m.wv
        return m, wv.index_to_key, wv.vectors, None, time.perf_counter() - t0
    if impl == "ours_own_draws":
        s["shared_negatives"] = 1
    m = FastText(corpus, sg=1, seed=seed, tokenizer=whitespace_tokenize, progress=False, **s)
    wv = m.wv
    return m, wv.index_to_key, wv.vectors, wv.oov_vector, time.perf_counter() - t0


def held_out_words(corpus, n):
    """The same words for every implementation: picked by rank in *our* vocabulary
    (count-descending, min_count 5), whatever tool is being measured."""
    from w2v_numpy.text.corpus import whitespace_tokenize
    from w2v_numpy.text.corpus_cache import load_corpus

    words = load_corpus(corpus, min_count=5, tokenizer=whitespace_tokenize)[0].words
    pool = [w for w in words[3000:15000] if w.isalpha() and len(w) >= 5]
    return [pool[i] for i in np.linspace(0, len(pool) - 1, n).astype(int)]


def write_without(corpus, drop, path):
    drop = set(drop)
    with lzma.open(corpus, "rt", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        for line in src:
            out.write(" ".join(t for t in line.split() if t not in drop) + "\n")


def unit(a):
    return a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)


def oov_score(full_words, full_vecs, part_words, part_vecs, oov_fn, held, seed):
    """Procrustes-align the held-out model onto the full one, then mean cosines."""
    fi = {w: i for i, w in enumerate(full_words)}
    shared = [w for w in part_words[:30000] if w in fi and w not in set(held)]
    pi = {w: i for i, w in enumerate(part_words)}
    A = unit(np.asarray([part_vecs[pi[w]] for w in shared], dtype=np.float64))
    B = unit(np.asarray([full_vecs[fi[w]] for w in shared], dtype=np.float64))
    u, _, vt = np.linalg.svd(A.T @ B)
    R = u @ vt                                                     # argmin ||A R - B||, R orthogonal
    oov = unit(np.asarray([oov_fn(w) for w in held], dtype=np.float64) @ R)
    truth = unit(np.asarray([full_vecs[fi[w]] for w in held], dtype=np.float64))
    rng = np.random.default_rng(seed)
    others = unit(np.asarray([full_vecs[fi[w]] for w in rng.choice(shared, len(held))]))
    return {"oov_cosine": round(float((oov * truth).sum(1).mean()), 4),
            "random_pair_cosine": round(float((oov * others).sum(1).mean()), 4),
            "held_out": len(held), "aligned_on": len(shared)}


def quality(a):
    corpus = str(DATA / f"{a.corpus}.txt.xz")
    for impl in a.impls.split(","):
        model, words, vecs, oov_fn, secs = train(impl, corpus, a.epochs, a.seed)
        res = {"impl": impl, "corpus": a.corpus, "epochs": a.epochs, "train_s": round(secs, 1),
               **evaluate(words, vecs)}
        if a.oov and oov_fn is not None:
            held = held_out_words(corpus, a.oov)
            with tempfile.TemporaryDirectory() as tmp:
                path = str(Path(tmp) / "held_out.txt")
                write_without(corpus, held, path)
                del model
                _, pwords, pvecs, poov, psecs = train(impl, path, a.epochs, a.seed)
            res.update(oov_score(words, vecs, pwords, pvecs, poov, held, a.seed),
                       held_out_train_s=round(psecs, 1), held_out_sample=held[:8])
        print(json.dumps(res), flush=True)


def speed(a):
    corpus = str(DATA / f"{a.corpus}.txt.xz")
    for impl in a.impls.split(","):
        if impl.startswith("baseline"):        # ours from another checkout, in its own process
            args = [sys.executable, __file__, "speed", "--corpus", a.corpus, "--epochs",
                    str(a.epochs), "--seed", str(a.seed), "--impls", impl.split(":")[1]]
            out = subprocess.run(args, capture_output=True, text=True, check=True,
                                 env=dict(os.environ, PYTHONPATH=a.baseline))
            res = json.loads(out.stdout.strip().splitlines()[-1])
            print(json.dumps(dict(res, impl=f"{impl} ({a.baseline})")), flush=True)
            continue
        model, words, *_ , secs = train(impl, corpus, a.epochs, a.seed)
        raw = model.corpus_total_words if impl == "gensim" else model.corpus.raw_words
        print(json.dumps({"impl": impl, "corpus": a.corpus, "epochs": a.epochs,
                          "wall_s": round(secs, 1),
                          "words_per_s": round(raw * a.epochs / secs)}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["quality", "speed"])
    p.add_argument("--corpus", default="wiki17m", choices=["wiki2m", "wiki17m"])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--impls", default="ours,gensim")
    p.add_argument("--oov", type=int, default=0, help="held-out words (quality mode)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--baseline", default=None,
                   help="speed: a checkout (e.g. a git worktree of an older commit) whose "
                        "w2v_numpy the impl 'baseline:ours' runs, in its own process")
    a = p.parse_args()
    (quality if a.mode == "quality" else speed)(a)


if __name__ == "__main__":
    sys.exit(main())
