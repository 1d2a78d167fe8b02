"""``python -m w2v_numpy COMMAND ...``: the command-line tools (see :mod:`w2v_numpy.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
