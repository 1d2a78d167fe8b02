"""Final losses of fixed-seed runs of every trainable type, to compare two trees.

Usage::

    python benchmarks/final_losses.py [--tree DIR] [--wiki_lines 20000] [--json OUT]

Each (type, formulation) trains one epoch through the command line of the
tree at ``--tree`` (default: this checkout) with ``--workers 1``, a small
vector size and the type's other defaults, on the shipped corpus and on the
first ``--wiki_lines`` lines of ``../shared/data/wiki2m.txt.xz`` (skipped when
that file is absent); the classifier trains through ``python -m w2v_numpy
supervised`` on the shipped labelled file. It prints the final epoch loss
with every digit, so that a change that should leave the arithmetic alone
(a restructure, a move of code into kernels) can be shown to.
"""
import argparse
import json
import lzma
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent.parent
#: (type, extra flags): every trainable type, both formulations where there are two.
RUNS = [("cbow", []), ("cbow_neg", []), ("cbow_hs", []), ("sgram", []),
        ("sgram_neg", []), ("sgram_neg", ["--formulation", "pair"]),
        ("sgram_hs", []), ("sgram_hs", ["--formulation", "pair"]),
        ("glove", ["-e", "2"]), ("fasttext_sgram", ["--bucket", "20000"]),
        ("fasttext_cbow", ["--bucket", "20000"])]
CLASSIFIER = [("supervised_softmax", ["-loss", "softmax"]), ("supervised_neg", ["-loss", "ns"])]


def train_loss(tree, corpus, type_name, extra, workdir):
    """The ``final_loss`` of one CLI run, from its ``--metrics_json``."""
    metrics = Path(workdir) / "m.json"
    cmd = [sys.executable, "train_numpy_model.py", "-t", type_name, "-d", str(corpus), "-e", "1",
           "-v", "50", "--workers", "1", "--no_progress", "-o", "-m",
           str(Path(workdir) / "x.model"), "--keep_checkpoints", "0", "--plot_file",
           str(Path(workdir) / "x.png"), "--metrics_json", str(metrics), *extra]
    subprocess.run(cmd, cwd=tree, check=True, capture_output=True, text=True)
    return json.loads(metrics.read_text())["final_loss"]


def classifier_loss(tree, flags, workdir):
    """The last epoch loss of a ``supervised`` run, read from its model file."""
    out = Path(workdir) / "c.model"
    cmd = [sys.executable, "-m", "w2v_numpy", "supervised", "-input", "data/labelled_train.txt",
           "-output", str(out), "-epoch", "2", "-dim", "20", "--no_progress", "-o", *flags]
    subprocess.run(cmd, cwd=tree, check=True, capture_output=True, text=True)
    with np.load(out, allow_pickle=False) as z:
        return float(z["state.epoch_losses"][-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", default=str(HERE), help="checkout to run (default: this one)")
    ap.add_argument("--wiki_lines", type=int, default=20000)
    ap.add_argument("--json", help="also write the table as JSON")
    ap.add_argument("--skip", default="", help="comma-separated 'type[/formulation] corpus' "
                    "rows to leave out (e.g. the slow full softmax on wiki: 'sgram wiki2m_head')")
    args = ap.parse_args(argv)
    tree = os.path.abspath(args.tree)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {"shipped": Path(tree) / "data" / "synthetic.txt"}
        wiki_xz = Path(tree).parent / "shared" / "data" / "wiki2m.txt.xz"
        if not wiki_xz.is_file():
            wiki_xz = HERE.parent / "shared" / "data" / "wiki2m.txt.xz"
        if wiki_xz.is_file():
            wiki = Path(tmp) / "wiki_head.txt"
            with lzma.open(wiki_xz, "rt") as src, open(wiki, "w") as dst:
                for n, line in enumerate(src):
                    if n >= args.wiki_lines:
                        break
                    dst.write(line)
            corpora["wiki2m_head"] = wiki
        for type_name, extra in RUNS:
            name = type_name + ("/" + extra[1] if extra[:1] == ["--formulation"] else "")
            for label, corpus in corpora.items():
                if f"{name} {label}" in args.skip.split(","):
                    continue
                rows[name, label] = train_loss(tree, corpus, type_name, extra, tmp)
                print(f"{name:22} {label:12} {rows[name, label]!r}", flush=True)
        for type_name, flags in CLASSIFIER:
            rows[type_name, "labelled"] = classifier_loss(tree, flags, tmp)
            print(f"{type_name:22} {'labelled':12} {rows[type_name, 'labelled']!r}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({f"{k[0]} {k[1]}": v for k, v in rows.items()},
                                              indent=1))


if __name__ == "__main__":
    main()
