"""``python -m w2v_numpy export MODEL OUT.vec|OUT.txt|OUT.bin``: write word2vec-format vectors.

The output format comes from the extension: ``.vec`` or ``.txt`` for text,
``.bin`` for binary (any other extension is an error). ``MODEL`` may be a
w2v_numpy model file or itself a word2vec-format file (to convert between
text and binary). The file is written atomically, so Ctrl-C (exit code 130, one
line ``interrupted``) leaves an existing ``OUT`` as it was, or replaced whole.
"""
import os
import sys

from ..files.word2vec_format import VECTOR_SUFFIXES
from .common import ArgumentParser, UserError, load_vectors, run, vectors_argument


def build_parser():
    """The argument parser of ``export``."""
    p = ArgumentParser(prog="python -m w2v_numpy export",
                       description="Export word vectors in word2vec text (.vec/.txt) or "
                                   "binary (.bin) format.")
    vectors_argument(p)
    p.add_argument("out", help="output file; its extension picks the format")
    return p


def _main(argv):
    args = build_parser().parse_args(argv)
    suffix = os.path.splitext(args.out)[1].lower()
    if suffix not in VECTOR_SUFFIXES:
        raise UserError(f"{args.out}: unknown output format {suffix or '(no extension)'!r}; "
                        "use .vec or .txt (text) or .bin (binary)")
    kv = load_vectors(args.model)
    binary = VECTOR_SUFFIXES[suffix]
    kv.save_word2vec_format(args.out, binary=binary)
    print(f"wrote {len(kv)} vectors of size {kv.vector_size} to {args.out} "
          f"({'binary' if binary else 'text'} word2vec format)")
    return 0


def main(argv=None):
    """Run the tool; returns the exit code (2 on a user error, 130 on Ctrl-C)."""
    return run(_main, argv)


if __name__ == "__main__":
    sys.exit(main())
