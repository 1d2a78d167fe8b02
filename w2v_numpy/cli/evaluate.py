"""``python -m w2v_numpy evaluate MODEL [--analogies FILE] [--pairs FILE ...]``: quality as JSON.

Prints one JSON object::

    {"vectors": "model.vec", "vocab_size": 71290, "vector_size": 100,
     "restrict_vocab": 300000, "case_insensitive": true,
     "analogies": {"file": "questions-words.txt", "accuracy": 0.358,
                   "semantic": 0.41, "syntactic": 0.33, "correct": 6512,
                   "evaluated": 18190, "questions": 19544, "oov": 6.93,
                   "sections": {"capital-common-countries":
                                {"correct": 400, "evaluated": 506, "accuracy": 0.79}, ...}},
     "pairs": {"wordsim353.tsv": {"spearman": 0.655, "spearman_pvalue": 1e-40,
                                  "pearson": 0.62, "pearson_pvalue": 1e-35,
                                  "oov": 0.57, "pairs": 351, "skipped_lines": 0}}}

Accuracies are gensim's ``evaluate_word_analogies`` scores (questions with a
word outside the first ``restrict_vocab`` words are skipped); sections whose
name starts with ``gram`` are syntactic, the others semantic. ``oov`` is
a percentage (of analogy questions, or of word pairs, as gensim's
``oov_ratio``); ``pairs`` counts the pairs scored and ``skipped_lines`` the
malformed lines (not ``word1<TAB>word2<TAB>score`` with a finite score). A
value that cannot be computed (no questions) is ``null``.
"""
import json
import math
import sys

from ..vectors.evaluation import RESTRICT_VOCAB, evaluate_word_analogies, score_word_pairs
from .common import ArgumentParser, UserError, load_vectors, run, vectors_argument


def build_parser():
    """The argument parser of ``evaluate``."""
    p = ArgumentParser(prog="python -m w2v_numpy evaluate",
                       description="Evaluate word vectors on analogies and word-pair similarity; "
                                   "prints one JSON object.")
    vectors_argument(p)
    p.add_argument("--analogies", metavar="FILE",
                   help="analogy questions (': section' headers, then 'a b c d' lines), "
                        "e.g. questions-words.txt")
    p.add_argument("--pairs", metavar="FILE", nargs="+", default=[],
                   help="word-pair similarity files (word1<TAB>word2<TAB>score), e.g. wordsim353.tsv")
    p.add_argument("--restrict_vocab", metavar="N", type=int, default=RESTRICT_VOCAB,
                   help=f"use only the N most frequent words (default: {RESTRICT_VOCAB}, gensim's)")
    p.add_argument("--case_sensitive", action="store_true",
                   help="match words exactly (default: upper-case everything, as gensim does)")
    return p


def _ratio(correct, total):
    return correct / total if total else None


def analogy_summary(kv, path, restrict_vocab=RESTRICT_VOCAB, case_insensitive=True):
    """The ``"analogies"`` object of the JSON output, for one analogy file."""
    report = evaluate_word_analogies(kv, path, restrict_vocab, case_insensitive)
    sections, groups = {}, {"semantic": [0, 0], "syntactic": [0, 0]}
    for s in report["sections"][:-1]:
        correct, done = len(s["correct"]), len(s["correct"]) + len(s["incorrect"])
        sections[s["section"]] = {"correct": correct, "evaluated": done,
                                  "accuracy": _ratio(correct, done)}
        group = groups["syntactic" if s["section"].startswith("gram") else "semantic"]
        group[0] += correct
        group[1] += done
    total = report["sections"][-1]
    correct, done = len(total["correct"]), len(total["correct"]) + len(total["incorrect"])
    return {"file": str(path), "accuracy": _ratio(correct, done),
            "semantic": _ratio(*groups["semantic"]), "syntactic": _ratio(*groups["syntactic"]),
            "correct": correct, "evaluated": done, "questions": report["questions"],
            "oov": _ratio(100.0 * report["oov"], report["questions"]), "sections": sections}


def pairs_summary(kv, path, restrict_vocab=RESTRICT_VOCAB, case_insensitive=True):
    """The entry of the ``"pairs"`` object for one word-pair file."""
    r = score_word_pairs(kv, path, restrict_vocab=restrict_vocab,
                         case_insensitive=case_insensitive)
    return {"spearman": r["spearman"].statistic, "spearman_pvalue": r["spearman"].pvalue,
            "pearson": r["pearson"].statistic, "pearson_pvalue": r["pearson"].pvalue,
            "oov": r["oov_ratio"], "pairs": r["pairs"], "skipped_lines": r["skipped_lines"]}


def _clean(value):
    """NaN and infinity are not JSON: make them null."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _main(argv):
    args = build_parser().parse_args(argv)
    if args.analogies is None and not args.pairs:
        raise UserError("nothing to evaluate: give --analogies FILE and/or --pairs FILE ...")
    if args.restrict_vocab < 1:
        raise UserError(f"--restrict_vocab must be >= 1, got {args.restrict_vocab}")
    for path in ([args.analogies] if args.analogies else []) + args.pairs:
        open(path, "rb").close()  # a missing evaluation file fails before the model loads
    kv = load_vectors(args.model)
    insensitive = not args.case_sensitive
    result = {"vectors": args.model, "vocab_size": len(kv), "vector_size": kv.vector_size,
              "restrict_vocab": args.restrict_vocab, "case_insensitive": insensitive}
    if args.analogies:
        result["analogies"] = analogy_summary(kv, args.analogies, args.restrict_vocab, insensitive)
    if args.pairs:
        result["pairs"] = {p: pairs_summary(kv, p, args.restrict_vocab, insensitive)
                           for p in args.pairs}
    print(json.dumps(_clean(result), indent=2))
    return 0


def main(argv=None):
    """Run the tool; returns the exit code (2 on a user error)."""
    return run(_main, argv)


if __name__ == "__main__":
    sys.exit(main())
