"""``python -m w2v_numpy supervised``: train the text classifier, with fastText's flags.

    python -m w2v_numpy supervised --input data/labelled_train.txt --output reviews.model \\
        --epoch 10 --lr 0.5 --wordNgrams 2

Flags are fastText's (``-input`` and ``--input`` both work). ``--output`` is
the model file itself (fastText writes ``OUTPUT.bin``; ours is a w2v_numpy
model file, so it is not given fastText's suffix). An existing file is kept
unless ``--overwrite_model`` is given. Bad input: one ``error: ...`` line, exit code 2;
training that diverges: one line, exit code 1, ``--output`` untouched.
"""
import os
import sys
import time

from ..classifier import LOSSES, train_supervised
from ..files.atomic import remove_stale_temps
from ..training.loop import TrainingDiverged
from .common import ArgumentParser, UserError, check_outputs, non_empty, number, run

#: Library parameter -> flag, for error messages.
FLAGS = {"input": "--input", "loss": "--loss", "minCount": "--minCount", "lr": "--lr"}


def build_parser():
    p = ArgumentParser(prog="python -m w2v_numpy supervised",
                       description="Train a fastText-style classifier on __label__X lines.")
    a = p.add_argument
    a("-input", "--input", required=True, type=non_empty("--input"),
      help="training file: one document a line, labels as __label__X tokens")
    a("-output", "--output", required=True, type=non_empty("--output"), help="model file to write")
    a("-epoch", "--epoch", type=number(int, 1, high=100_000), default=5, help="passes (default 5)")
    a("-lr", "--lr", type=number(float, 0, strict=True), default=0.1,
      help="learning rate per example, decaying linearly to 0 (default 0.1)")
    a("-wordNgrams", "--wordNgrams", type=number(int, 1, high=10), default=1,
      help="longest word n-gram feature (default 1: words only)")
    a("-dim", "--dim", type=number(int, 1, high=100_000), default=100, help="vector size (default 100)")
    a("-loss", "--loss", choices=sorted(LOSSES), default="softmax", help="softmax (default) or ns")
    a("-neg", "--neg", type=number(int, 1, high=1000), default=5, help="negatives for --loss ns")
    a("-bucket", "--bucket", type=number(int, 1, high=2 ** 31 - 1), default=2_000_000,
      help="rows of hashed word n-grams, used when --wordNgrams > 1 (default 2000000: "
           "800 MB at --dim 100)")
    a("-minCount", "--minCount", type=number(int, 1), default=1, help="rarer words are dropped (default 1)")
    a("--batch_size", type=number(int, 1, high=100_000), default=32,
      help="documents per step (default 32)")
    a("--seed", type=number(int, 0, high=2 ** 63 - 1), default=0, help="random seed (default 0)")
    a("-o", "--overwrite_model", action="store_true", help="replace --output if it exists")
    a("--no_progress", action="store_true", help="no progress bar")
    return p


def _main(argv):
    t0 = time.perf_counter()
    args = build_parser().parse_args(argv)
    check_outputs([("--output", args.output)], inputs=[("--input", args.input)])
    if os.path.exists(args.output) and not args.overwrite_model:
        raise UserError(f"{args.output} exists: pass --overwrite_model to replace it, or "
                        "choose another --output")
    if not os.path.isfile(args.input):
        raise UserError(f"--input: {args.input}: no such file")
    try:
        clf = train_supervised(args.input, dim=args.dim, lr=args.lr, epoch=args.epoch,
                               wordNgrams=args.wordNgrams, loss=args.loss, neg=args.neg,
                               bucket=args.bucket, minCount=args.minCount,
                               batch_size=args.batch_size, seed=args.seed,
                               progress=not args.no_progress)
    except TrainingDiverged as exc:           # the model is saved only at the end: nothing changed
        kept = (f"{args.output} is unchanged" if os.path.exists(args.output)
                else "nothing was saved")
        print(f"error: training diverged: {exc.what}; try a smaller --lr; {kept}",
              file=sys.stderr)
        return 1
    remove_stale_temps(args.output)
    clf.save(args.output)
    d, s = clf.dictionary, clf.state
    print(f"Read {int(d.counts.sum()):,} words", file=sys.stderr)
    print(f"Number of words:  {len(d.words)}", file=sys.stderr)
    print(f"Number of labels: {len(d.labels)}", file=sys.stderr)
    print(f"{clf.config['type']}: {s.epoch} epochs, avg.loss {s.epoch_losses[-1]:.6f}, "
          f"{s.examples / max(s.train_s, 1e-9):,.0f} examples/s, "
          f"{time.perf_counter() - t0:.1f} s; model in {args.output}")
    return 0


def main(argv=None):
    return run(_main, argv, FLAGS)


if __name__ == "__main__":
    sys.exit(main())
