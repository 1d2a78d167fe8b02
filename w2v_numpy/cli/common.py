"""What the command-line tools share: argument parsing, argument types, one-line errors,
and loading "a model or a vectors file".

Every tool's ``main(argv=None) -> int`` runs its body through :func:`run`. Bad
input (a bad flag, a missing or damaged file, an unknown word) prints one
line ``error: ...`` to stderr and returns exit code 2, with no traceback.
Bad input means :class:`UserError` (raised here, in flag terms),
:class:`w2v_numpy.errors.W2VError` (raised by the library, in library terms:
its parameter name is replaced by the matching flag) or an ``OSError`` about
a file. Anything else is a bug and keeps its traceback.
"""
import argparse
import contextlib
import math
import os
import sys
import tempfile
import warnings

from ..errors import W2VError
from ..files.atomic import file_kind
from ..loading import load_vectors  # noqa: F401 (the loader every vectors tool uses)


class UserError(Exception):
    """A problem with the user's input, reported as ``error: <message>`` (exit code 2)."""


class ArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose usage errors are :class:`UserError`."""

    def error(self, message):
        raise UserError(f"{message} (see {self.prog} --help)")


def number(kind, low, strict=False, odd=False, high=None, why=""):
    """An argparse type: a finite ``kind`` (int/float) >= low (> low if ``strict``), at most
    ``high`` (``why`` says why), optionally odd."""
    def convert(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
        if value < low or (strict and value == low) or (odd and value % 2 == 0):
            rule = f"{'>' if strict else '>='} {low}" + (" and odd (the full span, centre "
                                                          "word included)" if odd else "")
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}{why}, got {text}")
        return value
    return convert


def run(body, argv, flags=None):
    """Call ``body(argv)`` and turn bad input into a one-line message and exit code 2
    (Ctrl-C: ``interrupted`` and exit code 130).

    Parameters
    ----------
    body : callable
        ``body(list_of_str) -> int or None``; ``None`` counts as 0.
    argv : list of str or None
        Arguments without the program name; ``None`` means ``sys.argv[1:]``.
    flags : dict or None
        Library parameter name -> flag (``{"corpus_file": "--data_file"}``),
        used to word library errors in the command's own terms.

    Returns
    -------
    int
        The exit code.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        with one_line_warnings():
            return body(argv) or 0
    except SystemExit as e:  # --help and --version exit through argparse
        return e.code if isinstance(e.code, int) else 0
    except KeyboardInterrupt:  # Ctrl-C is the user's choice, not a bug: no traceback
        # every write is atomic, so whatever existed is as it was (or replaced whole)
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (e.g. "| head"): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UserError, W2VError, OSError) as e:
        print(f"error: {describe(e, flags or {})}", file=sys.stderr)
        return 2
    except MemoryError as e:          # sizes from the command line that do not fit in memory
        print(f"error: out of memory ({describe(e, {})}); try smaller sizes", file=sys.stderr)
        return 2


@contextlib.contextmanager
def one_line_warnings():
    """Show the library's warnings (e.g. undecodable bytes in a corpus) as ``warning: ...`` lines."""
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {' '.join(str(message).split())}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("default", UserWarning)
        warnings.showwarning = show
        yield


def non_empty(what):
    """An argparse type for paths: refuses an empty value (often an unset shell variable)."""
    def convert(text):
        if not text.strip():
            raise argparse.ArgumentTypeError(f"empty value for {what} (an unset variable?)")
        return text
    return convert


def describe(error, flags):
    """One line for a bad-input exception (a library parameter shown as its flag)."""
    if isinstance(error, W2VError) and error.param:
        text = f"{flags.get(error.param, error.param)}: {error.message}"
    elif isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())  # one line


def check_words(kv, words):
    """Raise :class:`UserError` naming the words of ``words`` that ``kv`` does not know."""
    missing = [w for w in words if w not in kv]
    if missing:
        shown = ", ".join(repr(w) for w in missing[:10]) + (" ..." if len(missing) > 10 else "")
        noun = "word is" if len(missing) == 1 else "words are"
        hint = ""
        lower = [w.lower() for w in missing if w.lower() != w and w.lower() in kv]
        if lower and all(k == k.lower() for k in kv.index_to_key[:1000]):
            hint = f"; the vocabulary is lower-case: try {', '.join(repr(w) for w in lower[:10])}"
        raise UserError(f"{noun} not in the vocabulary ({len(kv)} words): {shown}{hint}")


def vectors_argument(parser):
    """Add the positional ``model`` argument every vectors tool takes."""
    parser.add_argument("model", help="a .vec/.txt (word2vec text), .bin (word2vec binary) "
                                      "or w2v_numpy model file")


def check_writable(path, what):
    """Fail (writing nothing) unless a regular file can be created or replaced at ``path``."""
    if path.endswith(("/", os.sep)):
        raise UserError(f"{what}: {path} ends in '/': give a file name, not a directory")
    kind = file_kind(path)
    if kind is not None:
        raise UserError(f"{what}: {path} is a {kind}, not a regular file: w2v_numpy writes "
                        "only regular files (give a file name)")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UserError(f"{what}: directory {directory} does not exist")
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise UserError(f"{what}: cannot write in {directory} ({exc.strerror})") from None


def check_outputs(outputs, inputs=()):
    """Fail, writing nothing, unless every output can be written and none clobbers another.

    ``outputs`` and ``inputs`` are ``(flag, path)`` pairs (``path`` may be ``None``: not
    asked for). Each output passes :func:`check_writable`; no two outputs, and no output
    and input, may be the same file. Paths are compared resolved (``./c.txt``, ``c.txt``
    and a link to it are one file), so a plot cannot land on the model or the corpus.
    """
    seen = {}
    for flag, path in inputs:
        if path:
            seen.setdefault(os.path.realpath(path), flag)
    for flag, path in outputs:
        if not path:
            continue
        check_writable(path, flag)
        key = os.path.realpath(path)
        if key in seen:
            raise UserError(f"{flag} and {seen[key]} name the same file ({path}): writing "
                            f"{flag} would replace it; give {flag} another path")
        seen[key] = flag
