"""Hostile input, round three: outputs that would clobber, wrong file kinds, runs that die.

Every case gives one ``error:`` line (exit 2 for bad input, 1 for a run that failed
after it started), no traceback, and leaves every file that existed as it was.
Special files are made here, in a temporary folder, never the system's own
(``/dev/null`` must never be an output of a test).
"""
import os
import signal
import stat
import subprocess
import sys

import numpy as np
import pytest

from w2v_numpy import load_model
from w2v_numpy.errors import ModelFileError, W2VError
from w2v_numpy.files.atomic import atomic_open

from test_cli_helpers import CORPUS, ENV, REPO, assert_one_line_error, run_cli, snapshot, \
    write_small_corpus

LABELLED = REPO / "data" / "labelled_train.txt"
FAST = ["-e", "1", "-v", "8", "-t", "sgram_neg"]


def special_files(folder):
    """{name: path} of a FIFO and, where allowed (root), a character device like /dev/null."""
    made = {"fifo": folder / "fifo"}
    os.mkfifo(made["fifo"])
    try:
        os.mknod(folder / "dev", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        made["dev"] = folder / "dev"
    except (PermissionError, OSError):
        pass                                  # not root: the FIFO stands for every special file
    return made


def kinds(folder):
    return {p.name: stat.S_IFMT(os.lstat(p).st_mode) for p in folder.iterdir()}


@pytest.mark.parametrize("flag", ["--plot_file", "--metrics_json", "--model_file"])
def test_a_special_file_is_never_replaced_by_an_output(tmp_path, flag):
    corpus = write_small_corpus(tmp_path / "c.txt", lines=300)
    for name, path in special_files(tmp_path).items():
        before = kinds(tmp_path)
        extra = ["-o"] if flag == "--model_file" else []
        proc = run_cli(tmp_path, "-d", corpus, *FAST, flag, path.name, *extra)
        assert_one_line_error(proc, flag, "not a regular file")
        assert kinds(tmp_path) == before, name


def test_the_library_never_renames_over_a_special_file(tmp_path):
    fifo = special_files(tmp_path)["fifo"]
    with pytest.raises(W2VError, match="FIFO"):
        with atomic_open(fifo) as fh:
            fh.write(b"x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]   # no temporary left


@pytest.mark.parametrize("args, flags", [
    (["-m", "p.model", "--plot_file", "p.model"], ("--plot_file", "--model_file")),
    (["-m", "p.model", "--metrics_json", "./p.model"], ("--metrics_json", "--model_file")),
    (["--plot_file", "./c.txt"], ("--plot_file", "--data_file")),
    (["--metrics_json", "c.txt"], ("--metrics_json", "--data_file")),
    (["-m", "c.txt", "-o"], ("--model_file", "--data_file")),
    (["-m", "p.model", "--plot_file", "link.png"], ("--plot_file", "--data_file")),
])
def test_outputs_never_overwrite_each_other_or_the_corpus(tmp_path, args, flags):
    write_small_corpus(tmp_path / "c.txt", lines=300)
    os.symlink("c.txt", tmp_path / "link.png")          # a link names the file it points to
    before = snapshot(tmp_path)
    proc = run_cli(tmp_path, "-d", "c.txt", *FAST, *args)
    assert_one_line_error(proc, *flags)
    assert snapshot(tmp_path) == before


def test_a_model_file_ending_in_a_slash_is_named_as_such(tmp_path):
    proc = run_cli(tmp_path, "-d", CORPUS, *FAST, "-m", "models/")
    assert_one_line_error(proc, "--model_file", "ends in '/'")


def supervised(cwd, *args):
    return subprocess.run([sys.executable, "-m", "w2v_numpy", "supervised", "--no_progress",
                           *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=ENV)


def test_supervised_output_that_is_a_folder_or_the_input(tmp_path):
    (tmp_path / "out").mkdir()
    proc = supervised(tmp_path, "--input", LABELLED, "--output", "out", "-o")
    assert_one_line_error(proc, "--output", "directory")
    assert "--overwrite_model" not in proc.stderr
    copy = tmp_path / "l.txt"
    copy.write_bytes(LABELLED.read_bytes())
    before = snapshot(tmp_path)
    proc = supervised(tmp_path, "--input", "l.txt", "--output", "./l.txt", "-o")
    assert_one_line_error(proc, "--output", "--input")
    assert snapshot(tmp_path) == before


def test_supervised_divergence_is_one_line_and_keeps_the_old_model(tmp_path):
    assert supervised(tmp_path, "--input", LABELLED, "--output", "s.model", "-epoch", "1",
                      "-dim", "8").returncode == 0
    before = snapshot(tmp_path)
    proc = supervised(tmp_path, "--input", LABELLED, "--output", "s.model", "-o", "--lr", "1e6")
    err = proc.stderr.strip()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert err.startswith("error: training diverged") and len(err.splitlines()) == 1, err
    assert "s.model is unchanged" in err
    assert snapshot(tmp_path) == before


def test_a_classifier_model_given_to_the_trainer(tmp_path):
    assert supervised(tmp_path, "--input", LABELLED, "--output", "r.model", "-epoch", "1",
                      "-dim", "8").returncode == 0
    before = snapshot(tmp_path)
    proc = run_cli(tmp_path, "-d", CORPUS, *FAST, "-m", "r.model")
    assert_one_line_error(proc, "r.model", "classifier", "--overwrite_model")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("content, words", [
    (b"2 3\na 1 2 3\nb 4 5 6\n", ("word2vec vectors file", "load_vectors")),
    (b"the quick brown fox\n", ("text file",)),
    (b"", ("empty",)),
    (b"\x00\xff\xfe" * 100, ("not a w2v_numpy model file",)),
])
def test_a_file_of_another_kind_is_named_and_never_invites_unsafe_loading(tmp_path, content, words):
    path = tmp_path / "x.vec"
    path.write_bytes(content)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert "pickle" not in message and "allow_pickle" not in message
    for word in words:
        assert word in message


def test_load_model_on_a_fifo_does_not_wait_for_a_writer(tmp_path):
    fifo = special_files(tmp_path)["fifo"]
    with pytest.raises(ModelFileError, match="FIFO"):
        load_model(fifo)


#: Runs the trainer with a worker that kills itself with SIGKILL at its third batch.
KILLER = """
import os, signal, sys
import w2v_numpy.kernels as kernels
main, step, seen = os.getpid(), kernels.step, [0]
def dying_step(*args, **kwargs):
    if os.getpid() != main:
        seen[0] += 1
        if seen[0] == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    return step(*args, **kwargs)
kernels.step = dying_step
from w2v_numpy.cli.train import main as train
sys.exit(train(sys.argv[1:]))
"""


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_worker_killed_by_a_signal_is_one_line(tmp_path, overwrite):
    """The message names the worker and the signal, and what the model file holds; after
    ``-o`` an older file is not called this run's save."""
    args = ["-d", str(CORPUS), "-e", "1", "-v", "8", "-t", "sgram_neg", "-m", "m.model",
            "--no_progress", "--workers", "2"]
    if overwrite:
        (tmp_path / "m.model").write_bytes(b"an older file")
        args.append("-o")
    proc = subprocess.run([sys.executable, "-c", KILLER, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=ENV)
    err = [ln for ln in proc.stderr.splitlines() if ln.startswith("error")]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert len(err) == 1 and "killed by SIGKILL" in err[0] and "worker" in err[0], err
    if overwrite:
        assert "nothing was saved" in err[0] and "older file" in err[0], err
        assert (tmp_path / "m.model").read_bytes() == b"an older file"
    else:
        assert "run the same command again" in err[0], err


def test_a_run_that_cannot_fit_in_memory_is_refused_before_allocating(tmp_path):
    """-v 1,000,000 on the shipped corpus: tens of GB of batch buffers, refused with the
    estimate and what to lower, and nothing written."""
    proc = run_cli(tmp_path, "-d", CORPUS, "-e", "1", "-t", "sgram_neg", "-v", "1000000")
    assert_one_line_error(proc, "needs about", "GB", "--vector_dim", "available")
    assert list(tmp_path.iterdir()) == []


def test_the_memory_estimate_names_its_parts():
    from w2v_numpy.training.memory import check_fits, run_parts

    config = dict(type="cbow", vector_size=100_000, window=3, batch_size=512, negative=0)
    parts = run_parts(config, 212, 4)          # the round-three report: 4.0 GB peak measured
    assert 3.5e9 < sum(parts.values()) < 6e9
    with pytest.raises(W2VError, match=r"needs about 4\.\d GB .*batch buffers .* lower"):
        check_fits(parts, "lower vector_size", available=2 ** 30)
    check_fits(parts, "lower vector_size", available=2 ** 40)      # fits: nothing raised


def test_one_huge_line_is_tokenized_a_piece_at_a_time(tmp_path, monkeypatch):
    """A text8-style file (one line) costs its text plus a piece's tokens, and encodes
    exactly as if it were tokenized whole."""
    import tracemalloc

    from w2v_numpy.text import corpus as text_corpus
    from w2v_numpy.text.corpus_cache import load_corpus

    words = [f"w{i % 5000}" for i in range(300_000)]
    path = tmp_path / "one_line.txt"
    path.write_text(" ".join(words) + "\n", encoding="utf-8")

    def encoded(piece_chars):
        monkeypatch.setattr(text_corpus, "LINE_PIECE_CHARS", piece_chars)
        tracemalloc.start()
        vocab, corpus = load_corpus(str(path), min_count=1,
                                    tokenizer=text_corpus.whitespace_tokenize)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return vocab.words, corpus.ids, corpus.starts, peak

    whole = encoded(10 ** 9)
    pieces = encoded(10_000)
    assert whole[0] == pieces[0]
    np.testing.assert_array_equal(whole[1], pieces[1])
    np.testing.assert_array_equal(whole[2], pieces[2])
    assert pieces[3] < whole[3] / 2, (pieces[3], whole[3])
