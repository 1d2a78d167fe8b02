"""A corpus encoded once: later runs, resumes and workers map the ids instead of
reading the text again.

Tokenizing is the slow part of reading a corpus (pure Python, a few million
tokens a second), and every run and every resume used to do it again. Here
the first run writes the encoded corpus (:mod:`w2v_numpy.text.encoding`) into
a folder of the cache, named by a digest of what the encoding depends on
(:func:`cache_key`):

- each corpus file's absolute path, size and modification time (any change to
  a file gives a new key, so a stale encoding is never used);
- the tokenizer (its module, name and, where Python can find it, a digest of its
  source), the longest sentence, and the vocabulary: ``min_count`` and
  ``max_vocab``, or a digest of a vocabulary given whole (``read_vocab``, a resume).

A folder is built under a temporary name and renamed when complete, so a
killed run leaves no half-written entry under a real name (and two runs that
encode the same corpus at once both end with a whole one). Each file's size and
CRC-32 are in its ``meta.json``; a folder that fails the check (a truncated
file, flipped bytes, a missing file) is rebuilt with a :class:`CorpusCacheWarning`.

Without a cache folder (``cache_dir=None``, the library's default, or the
trainer's ``--no_cache``) the corpus is encoded into a temporary folder that is
removed at once: the mapping keeps the data until the corpus is dropped, and
memory stays as low as with the cache.
"""
import hashlib
import inspect
import json
import os
import secrets
import shutil
import tempfile
import warnings

from ..errors import W2VError
from .corpus import MAX_SENTENCE_LENGTH, expand_paths, simple_tokenize
from .encoding import FORMAT, META_FILE, checksum, encode_to_folder, read_folder
from .vocab import Vocab

#: Environment variable that moves the trainer's default cache folder.
CACHE_ENV = "W2V_NUMPY_CACHE_DIR"
_BUILDING = ".building-"


class CorpusCacheWarning(UserWarning):
    """A cached encoding was damaged (and is rebuilt), or the cache cannot be written."""


def default_cache_dir():
    """The trainer's cache folder: ``$W2V_NUMPY_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/w2v_numpy/corpora`` (``~/.cache/w2v_numpy/corpora``)."""
    if os.environ.get(CACHE_ENV):
        return os.environ[CACHE_ENV]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "w2v_numpy", "corpora")


def tokenizer_name(tokenizer):
    """What identifies ``tokenizer`` across runs, or None if nothing does (a lambda, a
    function defined inside another: their names do not say what they do)."""
    name = f"{getattr(tokenizer, '__module__', '?')}.{getattr(tokenizer, '__qualname__', '?')}"
    if "<" in name or "?" in name:
        return None
    try:
        source = inspect.getsource(tokenizer)
    except (OSError, TypeError):
        return name
    return f"{name} {hashlib.sha256(source.encode()).hexdigest()[:16]}"


def cache_key(files, tokenizer, vocabulary, max_sentence_length=MAX_SENTENCE_LENGTH):
    """The JSON-able key of an encoding (see the module notes), or None for a tokenizer
    that cannot be named (such a corpus is never cached)."""
    name = tokenizer_name(tokenizer)
    if name is None:
        return None
    stats = [os.stat(f) for f in files]
    return {"format": FORMAT, "tokenizer": name, "max_sentence_length": int(max_sentence_length),
            "vocabulary": vocabulary,
            "files": [[os.path.abspath(f), s.st_size, s.st_mtime_ns] for f, s in zip(files, stats)]}


def vocab_digest(vocab):
    """A digest of a vocabulary's words and counts (the key of an encoding made with it)."""
    data = json.dumps(vocab.to_dict(), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def load_corpus(paths, min_count=5, max_vocab=None, tokenizer=simple_tokenize,
                max_sentence_length=MAX_SENTENCE_LENGTH, cache_dir=None, progress=False):
    """Read the corpus, build its vocabulary and encode it (or find both in the cache).

    Out-of-vocabulary tokens are removed before windows are formed, as in
    word2vec.c. Sentences emptied by that removal disappear, and sentences
    longer than ``max_sentence_length`` are cut.

    Parameters
    ----------
    cache_dir : str or None
        Keep the encoding there for later runs (see the module notes); None: a
        temporary folder, removed at once.
    progress : bool
        A progress bar over the corpus bytes while encoding.

    Returns
    -------
    vocab : Vocab
    corpus : EncodedCorpus
        Its ids are mapped from a file; ``corpus.origin`` says how it was got:
        ``"cache"`` (found), ``"encoded"`` (written to the cache) or ``"temporary"``.
    """
    def vocab_for(words, counts):
        return Vocab.from_counts(words, counts, min_count=min_count, max_vocab=max_vocab)

    settings = {"min_count": int(min_count), "max_vocab": max_vocab}
    return open_corpus(paths, vocab_for, settings, tokenizer, max_sentence_length, cache_dir,
                       progress)


def encode_corpus(paths, vocab, tokenizer=simple_tokenize, cache_dir=None, progress=False,
                  max_sentence_length=MAX_SENTENCE_LENGTH):
    """The corpus encoded with a vocabulary made elsewhere (``read_vocab``, a resume): its
    words not in ``vocab`` are out-of-vocabulary. Returns the :class:`EncodedCorpus`."""
    return open_corpus(paths, lambda words, counts: vocab, {"sha256": vocab_digest(vocab)},
                       tokenizer, max_sentence_length, cache_dir, progress)[1]


def open_corpus(paths, vocab_for, vocabulary, tokenizer=simple_tokenize,
                max_sentence_length=MAX_SENTENCE_LENGTH, cache_dir=None, progress=False):
    """``(vocab, corpus)`` from the cache entry of this key, or encoded (see
    :func:`~w2v_numpy.text.encoding.encode_to_folder` for ``vocab_for``); ``vocabulary``
    is what the vocabulary depends on, for the key. ``cache_dir=None``: never cached."""
    files = expand_paths(paths)
    key = cache_key(files, tokenizer, vocabulary, max_sentence_length) if cache_dir else None
    if key is not None:
        try:
            os.makedirs(cache_dir, exist_ok=True)
        except OSError as exc:
            warnings.warn(f"cannot use the corpus cache {cache_dir} ({exc.strerror or exc}); "
                          "encoding into a temporary folder", CorpusCacheWarning, stacklevel=3)
            key = None
    if key is None:
        folder = tempfile.mkdtemp(prefix="w2v_numpy-corpus-")
        try:
            return _made(files, folder, vocab_for, tokenizer, max_sentence_length, progress,
                         "temporary")
        finally:
            shutil.rmtree(folder, ignore_errors=True)  # the mapping keeps the data it needs
    entry = os.path.join(cache_dir, hashlib.sha256(
        json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()[:24])
    found = _read_entry(entry, key)
    if found is not None:
        return found
    _remove_abandoned(cache_dir)
    building = os.path.join(cache_dir, f"{_BUILDING}{os.getpid()}-{secrets.token_hex(4)}")
    os.mkdir(building)
    try:
        made = _made(files, building, vocab_for, tokenizer, max_sentence_length, progress,
                     "encoded", key)
        try:
            os.rename(building, entry)
        except OSError:
            if not os.path.isdir(entry):         # not "another run finished it first"
                raise
        made[1].folder = entry
        return made
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _made(files, folder, vocab_for, tokenizer, max_sentence_length, progress, origin, key=None):
    """Encode into ``folder`` (with ``key`` in its meta.json) and map the result."""
    vocab, meta = encode_to_folder(files, folder, vocab_for, tokenizer, max_sentence_length,
                                   progress)
    meta["key"] = key
    with open(os.path.join(folder, META_FILE), "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=1)
    vocab, corpus = read_folder(folder, meta, vocab)
    corpus.origin, corpus.folder = origin, folder
    return vocab, corpus


def _read_entry(entry, key):
    """``(vocab, corpus)`` of a whole entry for ``key``; None if there is none; a damaged
    one is removed with a warning (and None returned, so that it is built again)."""
    if not os.path.isdir(entry):
        return None
    try:
        try:
            with open(os.path.join(entry, META_FILE), encoding="utf-8") as fh:
                meta = json.load(fh)
            if meta.get("key") != key:
                raise W2VError("its meta.json is for another corpus")
            for name, crc in meta["crc32"].items():
                if checksum(os.path.join(entry, name)) != crc:
                    raise W2VError(f"{name} does not match its checksum")
            vocab, corpus = read_folder(entry, meta)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise W2VError(f"{type(exc).__name__}: {exc}") from None
    except W2VError as exc:
        warnings.warn(f"the cached encoding {entry} is damaged ({exc.message}); encoding the "
                      "corpus again", CorpusCacheWarning, stacklevel=4)
        shutil.rmtree(entry, ignore_errors=True)
        return None
    corpus.origin, corpus.folder = "cache", entry
    return vocab, corpus


def _remove_abandoned(cache_dir):
    """Remove the half-built folders of runs that are gone (killed while encoding)."""
    for name in os.listdir(cache_dir):
        if not name.startswith(_BUILDING):
            continue
        try:
            pid = int(name[len(_BUILDING):].split("-")[0])
            os.kill(pid, 0)
            continue                                 # still running
        except (ValueError, ProcessLookupError):
            pass
        except PermissionError:
            continue                                 # alive, someone else's
        shutil.rmtree(os.path.join(cache_dir, name), ignore_errors=True)
