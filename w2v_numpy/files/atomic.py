"""Files that appear complete or not at all.

Every file w2v_numpy writes (model files, checkpoints, vectors, plots,
metrics) goes through :func:`atomic_open`: the data is written to a temporary
file in the same directory, flushed and fsync'ed, and only then renamed over
the target, so a crash or a kill at any moment leaves either the old complete
file or the new complete one. :func:`remove_stale_temps` cleans up the
temporary files a killed process leaves behind.
"""
import contextlib
import os
import re
import secrets
import stat

from ..errors import W2VError

#: What :func:`file_kind` calls the special files an output path may name.
_KINDS = ((stat.S_ISDIR, "directory"), (stat.S_ISCHR, "character device"),
          (stat.S_ISBLK, "block device"), (stat.S_ISFIFO, "FIFO (named pipe)"),
          (stat.S_ISSOCK, "socket"))


def file_kind(path):
    """``None`` if ``path`` is a regular file (or a link to one) or does not exist, else what
    it is: ``"directory"``, ``"character device"``, ``"FIFO (named pipe)"``, ..."""
    try:
        mode = os.stat(path).st_mode
    except OSError:            # missing, or a dangling link: writing creates a new file
        return None
    return next((name for test, name in _KINDS if test(mode)), None)


def check_replaceable(path):
    """Raise :class:`W2VError` if something other than a regular file is at ``path``.

    Why: the rename of :func:`atomic_open` replaces *whatever* is at the path. Run as
    root, a plot written to ``/dev/null`` turned the device node into a regular file;
    a FIFO or a socket someone reads would silently vanish the same way.
    """
    kind = file_kind(path)
    if kind is not None:
        raise W2VError(f"{os.fspath(path)} is a {kind}, not a regular file: w2v_numpy only "
                       "writes regular files (give a file name)")


@contextlib.contextmanager
def atomic_open(path):
    """Open ``path`` for binary writing so that it appears complete or not at all.

    Writes go to a temporary file in the same directory, which is flushed,
    fsync'ed and renamed over ``path`` with :func:`os.replace` when the
    ``with`` block ends without an error; on an error it is removed and
    ``path`` is left untouched. An ``OSError`` about the temporary file (a full
    disk, say) is raised again naming ``path``, the file the user asked for.
    A directory, device, FIFO or socket at ``path`` is never replaced
    (:func:`check_replaceable`), checked before anything is written.
    """
    path = os.fspath(path)
    check_replaceable(path)
    directory = os.path.dirname(os.path.abspath(path))
    name = f".{os.path.basename(path)}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    tmp = os.path.join(directory, name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    except OSError as exc:
        raise _naming(exc, path, tmp) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _naming(exc, path, tmp) from exc
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX only)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _naming(exc, path, tmp):
    """``exc`` itself, or the same error about ``path`` if it named no file or the temporary one."""
    if exc.errno is None or exc.filename not in (None, tmp):
        return exc
    return type(exc)(exc.errno, exc.strerror, path)


def link_or_copy(src, dst):
    """Make ``dst`` a snapshot of ``src`` atomically (hard link, else a copy).

    A hard link costs no I/O. It is safe because model files are only ever
    replaced by a rename, never changed in place: the next save of ``src``
    gets a new inode and ``dst`` keeps the old content.
    """
    tmp = f"{dst}.{os.getpid()}.tmp"
    try:
        os.link(src, tmp)
    except OSError:
        with open(src, "rb") as fh, atomic_open(dst) as out:
            while True:
                block = fh.read(1 << 22)
                if not block:
                    return
                out.write(block)
    os.replace(tmp, dst)


def remove_stale_temps(path):
    """Delete the temporary files a killed run left next to ``path``.

    An atomic write of ``path`` goes through ``.NAME.PID.HEX.tmp`` (see
    :func:`atomic_open`) and a checkpoint through
    ``NAME.epoch.NNNN.PID.tmp``; after a kill -9 such a file stays behind. Only
    files whose process ``PID`` no longer exists are removed.
    """
    directory = os.path.dirname(os.path.abspath(path))
    base = re.escape(os.path.basename(path))
    pattern = re.compile(rf"^(?:\.{base}\.(\d+)\.[0-9a-f]+|{base}\.epoch\.\d+\.(\d+))\.tmp$")
    for name in os.listdir(directory):
        m = pattern.match(name)
        if m and not _alive(int(m.group(1) or m.group(2))):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(directory, name))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:       # exists but is not ours, or the check is not possible
        return True
    return True
