"""``python -m w2v_numpy exercise TYPE [DIR]``: write an exercise skeleton, ``DIR/TYPE.py``.

The file states the objective, the parameters' and the batch's names and shapes, a
tiny example batch and the derivation page, and has one function to fill in,
``loss_and_grad(params, batch)`` (see :mod:`w2v_numpy.teaching.exercise`). Then
``python -m w2v_numpy check DIR/TYPE.py`` checks it. An existing file is kept unless
``--overwrite``; an unknown type is one error line that lists the types (exit code 2).
"""
from ..teaching.exercise import types, write_exercise
from .common import ArgumentParser, non_empty, run


def build_parser():
    p = ArgumentParser(prog="python -m w2v_numpy exercise",
                       description="Write DIR/TYPE.py: an objective's loss_and_grad to fill in, "
                                   "then check it with 'python -m w2v_numpy check DIR/TYPE.py'.")
    p.add_argument("type", metavar="TYPE", help="model type: " + ", ".join(types()))
    p.add_argument("dir", metavar="DIR", nargs="?", default=".", type=non_empty("DIR"),
                   help="directory to write TYPE.py in (default: the current one)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing DIR/TYPE.py")
    return p


def main(argv=None):
    def body(argv):
        args = build_parser().parse_args(argv)
        path = write_exercise(args.type, args.dir, overwrite=args.overwrite)
        print(f"wrote {path}: fill in loss_and_grad, then run: python -m w2v_numpy check {path}")
        return 0

    return run(body, argv)
