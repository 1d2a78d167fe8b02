"""The package's own exceptions.

Everything the library rejects because of its *input* (a setting, a corpus,
a file) raises :class:`W2VError` or a subclass. They are ``ValueError``
subclasses, so ``except ValueError`` keeps working, and their messages use
the library's names (``corpus_file``, ``vector_size``, ``alpha``), never
command-line flags: the command layer (:mod:`w2v_numpy.cli.common`) turns them
into one-line, flag-aware messages. Any other exception escaping the library
is a bug and keeps its traceback.
"""


class W2VError(ValueError):
    """Bad input to the library.

    Parameters
    ----------
    message : str
    param : str or None
        The library parameter the problem is about (``"corpus_file"``,
        ``"alpha"``, ...). ``str(error)`` starts with ``"param: "`` when it is
        given, and the command line replaces it with the matching flag.
    """

    def __init__(self, message, param=None):
        super().__init__(message)
        self.message, self.param = message, param

    def __str__(self):
        return f"{self.param}: {self.message}" if self.param else self.message


class ModelFileError(W2VError):
    """A model file that is damaged, truncated, foreign or inconsistent."""


class VectorFileError(W2VError):
    """A word2vec text/binary vectors file that cannot be read or written."""


class NonFiniteError(W2VError):
    """Parameters that hold NaN or inf, which are never written to a file."""
