"""Helpers shared by the command-line tests (no tests here): run the trainer, snapshot folders."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "train_numpy_model.py"
CORPUS = REPO / "data" / "synthetic.txt"
# One BLAS thread: these tests multiply tiny matrices, where threads only add overhead, and
# OpenBLAS threads that spin on a busy 2-core machine can make a run tens of times slower.
ENV = dict(os.environ, PYTHONWARNINGS="ignore", MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1",
           OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def train_cmd(*args, progress=False, workers=1):
    """The argv of one trainer run: no progress bar unless asked, one training process
    unless ``workers`` says otherwise (``None``: the trainer's default, every core).

    One worker because only one is reproducible to the bit (forked Hogwild workers
    interleave their updates), and pytest-xdist already keeps every core busy; only the
    tests of the workers themselves ask for more.
    """
    assert not any(str(a).startswith("--workers") for a in args), "pass workers=, not --workers"
    return [sys.executable, str(SCRIPT), *map(str, args)] + ([] if progress else ["--no_progress"]) \
        + ([] if workers is None else ["--workers", str(workers)])


def run_cli(cwd, *args, timeout=180, progress=False, workers=1):
    """Run the trainer in ``cwd`` (see :func:`train_cmd`); returns the CompletedProcess (text mode)."""
    return subprocess.run(train_cmd(*args, progress=progress, workers=workers), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=ENV)


def write_small_corpus(path, lines=3000):
    """The first ``lines`` lines of the shipped corpus (same words, less text)."""
    with open(CORPUS, encoding="utf-8") as src:
        head = [next(src) for _ in range(lines)]
    Path(path).write_text("".join(head), encoding="utf-8")
    return Path(path)


def snapshot(folder):
    """{relative path: sha256} of every file under ``folder``."""
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            p = Path(root) / name
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def assert_one_line_error(proc, *needles):
    """Exit code 2, exactly one ``error: ...`` line on stderr, no traceback."""
    err = proc.stderr.strip()
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    for needle in needles:
        assert needle in err, (needle, err)
