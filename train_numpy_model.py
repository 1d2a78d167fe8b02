#!/usr/bin/env python
"""Train a word2vec model from the command line (see ``--help`` and the README).

A thin wrapper around :func:`w2v_numpy.cli.train.main`; ``python -m w2v_numpy train``
is the same command.
"""
import sys

from w2v_numpy.cli.train import main

if __name__ == "__main__":
    sys.exit(main())
