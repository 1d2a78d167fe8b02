"""Phrases: w2v_numpy.Phrases against gensim's Phrases on the same text, same settings.

For each setting both tools learn from the same plain-text file (decompressed once
into the temp folder; ours reads it with its own reader, gensim through
``LineSentence``: both split on white space and cut lines at 10,000 tokens), then
join the phrases in every sentence of the corpus (held in memory, the same lists
for both). One JSON line per setting: the sizes of the two learned phrase sets,
their intersection and Jaccard index, the largest score difference on the shared
phrases, how many sentences come out differently, and the seconds each tool took
to learn and to apply, side by side.

    python benchmarks/bench_phrases.py                                   # wiki2m
    python benchmarks/bench_phrases.py --corpus ../shared/data/wiki17m.txt.xz --settings default:10:5

A setting is ``scoring:threshold:min_count[:max_vocab_size]``; the last default one
sets a small ``max_vocab_size`` so that both prune (their pruning rules differ in
when they fire: gensim at the end of a sentence, ours before any entry would
overflow, so the sets may differ there).
"""
import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import plain_text  # noqa: E402

from w2v_numpy.text.phrases import Phrases, iter_line_chunks  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETTINGS = ["default:10:5", "default:30:10", "npmi:0.5:5", "npmi:0.3:20", "default:10:5:300000"]


def parse_setting(text):
    parts = text.split(":")
    scoring, threshold, min_count = parts[0], float(parts[1]), int(parts[2])
    max_vocab = int(parts[3]) if len(parts) > 3 else 40_000_000
    return dict(scoring=scoring, threshold=threshold, min_count=min_count,
                max_vocab_size=max_vocab)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=str(DATA / "wiki2m.txt.xz"))
    p.add_argument("--settings", nargs="+", default=SETTINGS)
    a = p.parse_args(argv)
    from gensim.models.phrases import Phrases as GensimPhrases
    from gensim.models.word2vec import LineSentence

    text = plain_text(a.corpus)
    sentences = [tokens for tokens, _ in iter_line_chunks(text)]
    print(json.dumps({"corpus": a.corpus, "plain_text": text, "sentences": len(sentences),
                      "tokens": sum(map(len, sentences))}), flush=True)
    for setting in a.settings:
        kw = parse_setting(setting)
        t0 = time.perf_counter()
        ours = Phrases(text, **kw)
        mine = ours.export_phrases()
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        theirs = GensimPhrases(LineSentence(text), **kw)
        gens = theirs.export_phrases()
        t_gensim = time.perf_counter() - t0

        t0 = time.perf_counter()
        joined_ours = [ours[s] for s in sentences]
        a_ours = time.perf_counter() - t0
        frozen = theirs.freeze()
        t0 = time.perf_counter()
        joined_gensim = [frozen[s] for s in sentences]
        a_gensim = time.perf_counter() - t0

        shared = set(mine) & set(gens)
        union = set(mine) | set(gens)
        print(json.dumps({
            "setting": setting, **kw,
            "ours_phrases": len(mine), "gensim_phrases": len(gens),
            "intersection": len(shared), "jaccard": round(len(shared) / max(len(union), 1), 6),
            "max_abs_score_diff": max((abs(mine[k] - gens[k]) for k in shared), default=0.0),
            "ours_table": len(ours), "gensim_table": len(theirs.vocab),
            "sentences_differing": sum(x != y for x, y in zip(joined_ours, joined_gensim)),
            "learn_s": {"ours": round(t_ours, 2), "gensim": round(t_gensim, 2)},
            "apply_s": {"ours": round(a_ours, 2), "gensim_frozen": round(a_gensim, 2)},
        }), flush=True)


if __name__ == "__main__":
    main()
