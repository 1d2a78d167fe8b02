"""``python -m w2v_numpy export MODEL OUT.vec|OUT.txt|OUT.bin``: write word2vec-format vectors;
``python -m w2v_numpy export MODEL DIR --format projector``: files for TensorFlow's
Embedding Projector.

The word2vec output format comes from the extension: ``.vec`` or ``.txt`` for text,
``.bin`` for binary (any other extension is an error). ``--format projector``
writes ``DIR/vectors.tsv`` (one vector a line, tab-separated, no header) and
``DIR/metadata.tsv`` (one word a line, no header: the projector reads a
single column without one), the two files https://projector.tensorflow.org
loads with "Load". ``MODEL`` may be a
w2v_numpy model file or itself a word2vec-format file (to convert between
text and binary). The file is written atomically, so Ctrl-C (exit code 130, one
line ``interrupted``) leaves an existing ``OUT`` as it was, or replaced whole.
"""
import os
import sys

import numpy as np

from ..files.atomic import atomic_open, file_kind
from ..files.word2vec_format import VECTOR_SUFFIXES
from .common import ArgumentParser, UserError, load_vectors, run, vectors_argument


def build_parser():
    """The argument parser of ``export``."""
    p = ArgumentParser(prog="python -m w2v_numpy export",
                       description="Export word vectors in word2vec text (.vec/.txt) or "
                                   "binary (.bin) format.")
    vectors_argument(p)
    p.add_argument("out", help="output file; its extension picks the word2vec format "
                               "(with --format projector: a directory)")
    p.add_argument("--format", choices=["word2vec", "projector"], default="word2vec",
                   help="word2vec (default) or projector: vectors.tsv and metadata.tsv in OUT "
                        "for TensorFlow's Embedding Projector")
    return p


def _projector(kv, out):
    """Write the Embedding Projector's two files into the directory ``out`` (made if absent)."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise UserError(f"{out} is a {file_kind(out) or 'file'}, not a directory: --format "
                        "projector writes two files into a directory")
    bad = [w for w in kv.index_to_key if not w or any(c in w for c in "\t\n\r")]
    if bad:
        # a tab or a line break inside a word would shift every later row of metadata.tsv
        raise UserError(f"the word {bad[0]!r} holds a tab or a line break, which metadata.tsv "
                        "cannot hold")
    os.makedirs(out, exist_ok=True)
    vectors = np.asarray(kv.vectors)
    if vectors.dtype.kind != "f":
        vectors = vectors.astype(np.float64)
    with atomic_open(os.path.join(out, "vectors.tsv")) as fh:
        # str() of a NumPy float is its shortest round-trip form in its own precision,
        # so float32 vectors are written with float32's digits, not float64's noise
        for row in vectors:
            fh.write(("\t".join(str(x) for x in row) + "\n").encode("ascii"))
    with atomic_open(os.path.join(out, "metadata.tsv")) as fh:
        fh.write("".join(w + "\n" for w in kv.index_to_key).encode("utf-8"))
    print(f"wrote {len(kv)} vectors of size {kv.vector_size} to {out}/vectors.tsv and their "
          f"words to {out}/metadata.tsv (TensorFlow Embedding Projector: Load both)")
    return 0


def _main(argv):
    args = build_parser().parse_args(argv)
    if args.format == "projector":
        return _projector(load_vectors(args.model), args.out)
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
