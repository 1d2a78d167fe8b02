"""The command-line tools, one module per subcommand.

``python -m w2v_numpy COMMAND ...`` dispatches to them; ``train_numpy_model.py``
is the ``train`` command. Every command's ``main(argv=None) -> int`` maps bad
input to one ``error: ...`` line and exit code 2 (see :mod:`w2v_numpy.cli.common`).
"""
import importlib
import sys

#: command -> (module, one-line description)
COMMANDS = {
    "train": ("w2v_numpy.cli.train", "train a model (same flags as train_numpy_model.py)"),
    "evaluate": ("w2v_numpy.cli.evaluate", "analogy and word-pair scores of vectors, as JSON"),
    "neighbors": ("w2v_numpy.cli.neighbors", "nearest neighbours of words by cosine"),
    "export": ("w2v_numpy.cli.export", "write vectors in word2vec text or binary format"),
    "plot": ("w2v_numpy.cli.plot", "draw words on a 2-D PCA map"),
    "trace": ("w2v_numpy.cli.trace", "print one training step on a tiny input, every number shown"),
    "explore": ("w2v_numpy.cli.explore", "write one offline web page replaying a tiny training run"),
    "supervised": ("w2v_numpy.cli.supervised", "train a text classifier (fastText's flags)"),
    "test": ("w2v_numpy.cli.classify:test_main", "precision and recall at k of a classifier"),
    "predict": ("w2v_numpy.cli.classify:predict_main", "the most likely labels of each line"),
    "exercise": ("w2v_numpy.cli.exercise", "write an objective's loss_and_grad to fill in"),
    "check": ("w2v_numpy.cli.check", "check an exercise's loss_and_grad, then train with it"),
    "phrases": ("w2v_numpy.cli.phrases", "join learned phrases (new york -> new_york) in a corpus"),
}


def usage():
    """The top-level help text: one line per command."""
    lines = ["usage: python -m w2v_numpy COMMAND [ARGS ...]", "", "commands:"]
    lines += [f"  {name:<10} {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "Run 'python -m w2v_numpy COMMAND --help' for a command's arguments."]
    return "\n".join(lines)


def main(argv=None):
    """Dispatch ``argv[0]`` to its command; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    if not argv or argv[0] not in COMMANDS:
        print(usage(), file=sys.stderr)
        if argv:
            print(f"error: unknown command {argv[0]!r}", file=sys.stderr)
        return 2
    module, _, function = COMMANDS[argv[0]][0].partition(":")
    return getattr(importlib.import_module(module), function or "main")(argv[1:])
