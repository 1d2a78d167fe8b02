"""A few seconds of random hostile input to the trainer (issue 15).

Random bytes, truncated or mislabelled archives, empty files and random flag
values (nan, inf, empty strings, huge numbers, words) are thrown at
``train_numpy_model.py``. Whatever happens:

* the exit code is 0, 1 (diverged), 2 (bad input) or 130 (interrupted: a run
  that would take long is sent Ctrl-C after a few seconds, as a user would);
* no traceback is printed;
* a model file that existed before still loads, and is byte-identical after
  a run that ended with exit code 2;
* (round three) outputs aimed at an input, at another output, at a FIFO or at a
  model file of the wrong kind never change them: a data file keeps its bytes
  unless the run was told to write it and does not read it (``-m good.txt -o``
  may replace it; ``-d good.txt --plot_file good.txt`` must not), and the FIFO
  stays a FIFO.

``W2V_FUZZ_SECONDS`` (default 12) sets the time budget and ``W2V_FUZZ_SEED``
(default 0) the cases, so a failure can be replayed.
"""
import bz2
import gzip
import lzma
import os
import random
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

from test_cli_helpers import ENV, CORPUS, REPO, train_cmd
from w2v_numpy import Word2Vec
from w2v_numpy.classifier import train_supervised

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "v1_cbow_neg.w2vmodel"
LABELLED = REPO / "data" / "labelled_train.txt"
ODD = ["fifo", "classifier.model"]
SECONDS = float(os.environ.get("W2V_FUZZ_SECONDS", "12"))
SEED = int(os.environ.get("W2V_FUZZ_SEED", "0"))
VALUES = ["nan", "inf", "-inf", "", " ", "-1", "0", "1", "3", "7", "0.5", "1e308", "1e-300",
          "abc", "9" * 30, "2.5e-2", "-0"]
FLAGS = ["-a", "--min_alpha", "--sample", "-w", "-k", "-v", "-B", "-e", "--min_count",
         "--max_vocab", "--seed", "--save_every", "--keep_checkpoints", "-t", "--cbow_update",
         "-m", "-d", "--plot_file"]
#: Flags that name an output, aimed (round three) at inputs, at each other and at odd files.
OUTPUTS = ["--plot_file", "--metrics_json", "-m"]
ALLOWED = {0, 1, 2, 130}


def make_inputs(folder, rng):
    """Data files of every hostile kind, plus one good small corpus."""
    text = CORPUS.read_bytes()[:60_000]
    text = text[:text.rfind(b"\n") + 1]
    files = {
        "good.txt": text,
        "random.txt": rng.randbytes(3000),
        "empty.txt": b"",
        "lonely.txt": b"\n".join([b"one", b"two", b"three"] * 50),
        "cut.xz": lzma.compress(text)[:2000],
        "cut.gz": gzip.compress(text)[:2000],
        "fake.bz2": text[:3000],
        "fake.xz": text[:3000],
        "latin1.txt": ("caf\u00e9 cr\u00e8me br\u00fbl\u00e9e " * 400).encode("latin-1"),
        "ok.bz2": bz2.compress(text),
    }
    files["vectors.vec"] = b"2 3\nthe 0.1 0.2 0.3\nof 0.3 0.2 0.1\n"   # a model file of another kind
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return sorted(files)


def odd_outputs(folder):
    """A FIFO and a classifier model (the wrong kind for the trainer), made once."""
    os.mkfifo(folder / "fifo")
    train_supervised(str(LABELLED), dim=4, epoch=1).save(folder / "classifier.model")
    return ["fifo", "classifier.model"]


def random_argv(rng, names):
    argv = ["-v", "4", "-e", "1", "-B", "256"]
    for _ in range(rng.randint(1, 3)):
        argv += ["-d", rng.choice(names)]
    for _ in range(rng.randint(1, 3)):
        flag = rng.choice(FLAGS)
        value = rng.choice(VALUES + names if flag == "-d" else VALUES)
        argv += [flag, value]
    if rng.random() < 0.5:
        argv += ["-m", "m.model"]
    if rng.random() < 0.5:                         # an output aimed where it must not land
        argv += [rng.choice(OUTPUTS), rng.choice(names + ODD + ["m.model", "./m.model"])]
        if rng.random() < 0.5:
            argv.append("-o")
    return argv


def named_files(argv):
    """The files a run reads (``-d``) and may write (outputs), as plain names."""
    inputs, outputs = set(), set()
    for flag, value in zip(argv, argv[1:]):
        name = os.path.normpath(value) if value.strip() else value
        if flag == "-d":
            inputs.add(name)
        elif flag in OUTPUTS:
            outputs.add(name)
    return inputs, outputs


def run_case(folder, argv):
    proc = subprocess.Popen(train_cmd(*argv), cwd=folder, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=6)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)            # what a user does to a long run
        out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_random_hostile_input_never_crashes_or_damages_a_model(tmp_path):
    rng = random.Random(SEED)
    names = make_inputs(tmp_path, rng)
    odd_outputs(tmp_path)
    kept = {name: (tmp_path / name).read_bytes() for name in names + ["classifier.model"]}
    deadline = time.monotonic() + SECONDS
    cases = 0
    while time.monotonic() < deadline or cases < 3:
        folder = tmp_path / f"case{cases}"
        folder.mkdir()
        for name in names + ["classifier.model"]:
            os.link(tmp_path / name, folder / name)
        os.mkfifo(folder / "fifo")
        had_model = rng.random() < 0.5
        if had_model:
            shutil.copy(FIXTURE, folder / "m.model")
        before = (folder / "m.model").read_bytes() if had_model else None
        argv = random_argv(rng, names)
        rc, out, err = run_case(folder, argv)
        replay = (f"W2V_FUZZ_SEED={SEED}, case {cases}: train_numpy_model.py "
                  + " ".join(train_cmd(*argv)[2:]))
        assert rc in ALLOWED, (replay, rc, err[-2000:])
        assert "Traceback" not in err and "Traceback" not in out, (replay, err[-2000:])
        if rc == 2:
            assert err.strip().splitlines()[-1].startswith("error: "), (replay, err)
        if had_model:
            Word2Vec.load(folder / "m.model")       # still a complete, loadable model
            if rc == 2:
                assert (folder / "m.model").read_bytes() == before, replay
        inputs, outputs = named_files(argv)
        for name, data in kept.items():             # no output ever lands on an input
            if name in inputs or name not in outputs:
                assert (folder / name).read_bytes() == data, (replay, name)
        assert stat.S_ISFIFO(os.lstat(folder / "fifo").st_mode), replay
        cases += 1
