"""Plumbing shared by the command-line tools: argument parsing and one-line errors.

Every tool's ``main(argv=None) -> int`` runs its body through :func:`run`, so
that a user error (bad flag, missing file, unknown word, bad file format)
prints one line ``error: ...`` to stderr and returns exit code 2, with no
traceback. Anything else is a bug and keeps its traceback.
"""
import argparse
import sys


class UserError(Exception):
    """A problem with the user's input, reported as ``error: <message>`` (exit code 2)."""


class ArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose usage errors are :class:`UserError`."""

    def error(self, message):
        raise UserError(f"{message} (see {self.prog} --help)")


def run(body, argv):
    """Call ``body(argv)`` and turn user errors into a one-line message and exit code 2.

    Parameters
    ----------
    body : callable
        ``body(list_of_str) -> int or None``; ``None`` counts as 0.
    argv : list of str or None
        Arguments without the program name; ``None`` means ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return body(argv) or 0
    except SystemExit as e:  # --help and --version exit through argparse
        return e.code if isinstance(e.code, int) else 0
    except (UserError, ValueError, KeyError, OSError) as e:
        print(f"error: {_describe(e)}", file=sys.stderr)
        return 2


def _describe(error):
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    elif isinstance(error, KeyError) and error.args:
        text = str(error.args[0])
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())  # one line


def check_words(kv, words):
    """Raise :class:`UserError` naming the words of ``words`` that ``kv`` does not know."""
    missing = [w for w in words if w not in kv]
    if missing:
        shown = ", ".join(repr(w) for w in missing[:10]) + (" ..." if len(missing) > 10 else "")
        noun = "word is" if len(missing) == 1 else "words are"
        raise UserError(f"{noun} not in the vocabulary ({len(kv)} words): {shown}")
