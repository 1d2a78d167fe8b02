"""``python -m w2v_numpy neighbors MODEL word ... [--topn N]``: nearest neighbours by cosine.

For each word, prints the word and then its ``topn`` neighbours with their
cosine similarity, one per line; ``--json`` prints one JSON object
``{word: [[neighbour, cosine], ...]}`` instead.
"""
import json
import sys

from .common import ArgumentParser, UserError, check_words, load_vectors, run, vectors_argument


def build_parser():
    """The argument parser of ``neighbors``."""
    p = ArgumentParser(prog="python -m w2v_numpy neighbors",
                       description="Print the nearest neighbours (cosine) of words.")
    vectors_argument(p)
    p.add_argument("words", nargs="+", help="the query words")
    p.add_argument("--topn", type=int, default=10, help="neighbours per word (default: 10)")
    p.add_argument("--restrict_vocab", metavar="N", type=int, default=None,
                   help="search only the N most frequent words (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    return p


def _main(argv):
    args = build_parser().parse_args(argv)
    if args.topn < 1:
        raise UserError(f"--topn must be >= 1, got {args.topn}")
    if args.restrict_vocab is not None and args.restrict_vocab < 1:
        raise UserError(f"--restrict_vocab must be >= 1, got {args.restrict_vocab}")
    kv = load_vectors(args.model)
    check_words(kv, args.words)
    result = {w: kv.most_similar(w, topn=args.topn, restrict_vocab=args.restrict_vocab)
              for w in args.words}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    for i, (word, neighbours) in enumerate(result.items()):
        print(("\n" if i else "") + word)
        for other, score in neighbours:
            print(f"  {other}\t{score:.4f}")
    return 0


def main(argv=None):
    """Run the tool; returns the exit code (2 on a user error)."""
    return run(_main, argv)


if __name__ == "__main__":
    sys.exit(main())
