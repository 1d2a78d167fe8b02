"""``python -m w2v_numpy test`` and ``predict``: use a trained classifier, as fastText's verbs.

    python -m w2v_numpy test MODEL TEST [k]      # N, P@k, R@k on a labelled file
    python -m w2v_numpy predict MODEL TEST [k]   # the k best labels of each line ('-': stdin)

The output is fastText's: ``test`` prints ``N``, ``P@k`` and ``R@k`` lines
(tab-separated, three significant digits); ``predict`` prints each line's
labels separated by spaces (with ``--prob``, each followed by its probability).
"""
import sys

from ..classifier import Classifier
from ..loading import load_model
from .common import ArgumentParser, UserError, number, run


def _parser(verb, what):
    p = ArgumentParser(prog=f"python -m w2v_numpy {verb}", description=what)
    p.add_argument("model", help="a classifier model file (from 'supervised')")
    p.add_argument("data", help="labelled file" if verb == "test" else "text file, '-' for stdin")
    p.add_argument("k", nargs="?", type=number(int, 1, high=1_000_000), default=1,
                   help="labels per line (default 1)")
    return p


def _classifier(path):
    model = load_model(path)
    if not isinstance(model, Classifier):
        raise UserError(f"{path} holds a {model.config['type']} model, not a classifier "
                        "(train one with 'python -m w2v_numpy supervised')")
    return model


def _test(argv):
    args = _parser("test", "Precision and recall at k of a classifier.").parse_args(argv)
    n, precision, recall = _classifier(args.model).test(args.data, args.k)
    print(f"N\t{n}")
    print(f"P@{args.k}\t{precision:.3g}")
    print(f"R@{args.k}\t{recall:.3g}")


def _predict(argv):
    p = _parser("predict", "The most likely labels of each line.")
    p.add_argument("--prob", action="store_true", help="print each label's probability too")
    args = p.parse_args(argv)
    clf = _classifier(args.model)
    fh = sys.stdin if args.data == "-" else open(args.data, encoding="utf-8", errors="replace")
    with fh:
        lines = [line.rstrip("\n") for line in fh]
    labels, probs = clf.predict(lines, args.k)
    for labs, ps in zip(labels, probs):
        if args.prob:
            print(" ".join(f"{lab} {p:.5g}" for lab, p in zip(labs, ps)))
        else:
            print(" ".join(labs))


def test_main(argv=None):
    return run(_test, argv)


def predict_main(argv=None):
    return run(_predict, argv)
