"""``python -m w2v_numpy COMMAND ...``: one entry point for the command-line tools.

Commands: ``train`` (the trainer, same flags as train_numpy_model.py),
``evaluate``, ``neighbors``, ``export`` and ``plot``.
"""
import importlib
import sys

COMMANDS = {
    "train": "w2v_numpy.cli",
    "evaluate": "w2v_numpy.evaluate",
    "neighbors": "w2v_numpy.neighbors",
    "export": "w2v_numpy.export",
    "plot": "w2v_numpy.plot",
}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        names = ", ".join(COMMANDS)
        stream = sys.stdout if argv and argv[0] in ("-h", "--help") else sys.stderr
        print(f"usage: python -m w2v_numpy {{{names}}} ...", file=stream)
        if argv and argv[0] not in ("-h", "--help"):
            print(f"error: unknown command {argv[0]!r}", file=sys.stderr)
        return 0 if stream is sys.stdout else 2
    module = importlib.import_module(COMMANDS[argv[0]])
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
