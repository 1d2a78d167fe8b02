"""Hostile input, round two (issue 15): each case is one line of error, exit 2, nothing written.

The corpus-reading cases (damaged archives, undecodable bytes, huge windows)
are in test_hostile_corpus.py.
"""
import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from test_cli_helpers import (ENV, REPO, assert_one_line_error, run_cli, snapshot,
                              write_small_corpus)
from w2v_numpy import Word2Vec
from w2v_numpy.training import callbacks as cb
from w2v_numpy.cli import common, train as cli_train
from w2v_numpy.vectors.evaluation import evaluate_word_pairs
from w2v_numpy.files.atomic import atomic_open
from w2v_numpy.vectors.keyedvectors import KeyedVectors
from w2v_numpy.training.loop import TrainState

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "v1_cbow_neg.w2vmodel"
TINY = ["-v", "4", "-e", "1"]


@pytest.fixture
def small(tmp_path):
    return write_small_corpus(tmp_path / "small.txt", lines=400)


@pytest.mark.parametrize("argv, needle", [
    (["-d", ""], "--data_file"),                       # an unset variable: not the demo corpus
    (["-m", ""], "--model_file"),
    (["--plot_file", ""], "--plot_file"),
    (["-a", "inf"], "--alpha"),
    (["-a", "nan"], "--alpha"),
    (["--sample", "nan"], "--sample"),
    (["--min_alpha", "nan"], "--min_alpha"),
    (["--min_alpha", "0.5", "-a", "0.001"], "--min_alpha"),
])
def test_empty_and_non_finite_flag_values_are_refused(tmp_path, small, argv, needle):
    before = snapshot(tmp_path)
    proc = run_cli(tmp_path, "-d", small, *TINY, *argv) if argv[0] != "-d" else \
        run_cli(tmp_path, *TINY, *argv)
    assert_one_line_error(proc, needle)
    assert proc.stdout == ""                   # refused before training: no summary either
    assert snapshot(tmp_path) == before


def test_a_corpus_without_neighbours_is_refused(tmp_path):
    lonely = tmp_path / "lonely.txt"
    lonely.write_text("\n".join(["alpha", "beta", "gamma"] * 40) + "\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert_one_line_error(run_cli(tmp_path, "-d", lonely, *TINY, "--min_count", "1"),
                          "--data_file", "neighbour")
    assert snapshot(tmp_path) == before


def test_sub_sampling_that_keeps_nothing_is_refused(tmp_path):
    """Sub-sampling so strong that no word survives would make no example at all."""
    text = tmp_path / "t.txt"
    text.write_text("one two three\n" * 30, encoding="utf-8")
    before = snapshot(tmp_path)
    proc = run_cli(tmp_path, "-d", text, *TINY, "--min_count", "1", "--sample", "1e-15")
    assert_one_line_error(proc, "--sample", "no example")
    assert snapshot(tmp_path) == before


def test_weights_beyond_the_bound_count_as_divergence(tmp_path, small):
    """A finite but exploded model (|w| >> MAX_WEIGHT) is not saved over the last good one."""
    w2v = Word2Vec(type="sgram_neg", vector_size=4, min_count=1, progress=False).build_vocab(small)
    saver = cb.Checkpointer(w2v, tmp_path / "m.model", plot_file=None)
    state = TrainState(epochs=1)
    saver.save(state)
    good = (tmp_path / "m.model").read_bytes()
    w2v.model.params["W_in"][3, 1] = 8e20
    state.batch, state.batch_losses = 1, [0.5]
    with pytest.raises(cb.TrainingDiverged, match="8e\\+20"):
        saver.save(state)
    assert (tmp_path / "m.model").read_bytes() == good
    assert cb.max_abs_weight({"a": np.array([[1.0, -2.0]])}) == 2.0


def test_word_pairs_count_skipped_lines_and_need_two_pairs(tmp_path):
    kv = KeyedVectors(["a", "b", "c"], np.eye(3, dtype=np.float32) + 0.1)
    path = tmp_path / "pairs.tsv"
    path.write_text("# comment\na\tb\t1.0\nbad line\na\tc\tnan\nb\tc\tinf\n", encoding="utf-8")
    with pytest.raises(ValueError, match="1 usable word pair.*at least 2.*3 malformed"):
        evaluate_word_pairs(kv, path)
    path.write_text("a\tb\t1.0\na\tc\t2.0\nb c 3\n", encoding="utf-8")
    kv.save_word2vec_format(tmp_path / "v.vec")
    proc = subprocess.run([sys.executable, "-m", "w2v_numpy", "evaluate", str(tmp_path / "v.vec"),
                           "--pairs", str(path)], capture_output=True, text=True, env=ENV)
    out = json.loads(proc.stdout)["pairs"][str(path)]
    assert (out["pairs"], out["skipped_lines"]) == (2, 1)


def test_a_full_disk_names_the_file_not_its_temporary(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "x.vec"
    with pytest.raises(OSError) as info:
        with atomic_open(target) as fh:
            fh.write(b"data")
    assert info.value.filename == str(target)
    assert common.describe(info.value, {}) == f"{target}: No space left on device"
    assert not list(tmp_path.iterdir())


def test_help_lists_every_command_and_names_them_alike():
    top = subprocess.run([sys.executable, "-m", "w2v_numpy", "--help"], capture_output=True,
                         text=True, env=ENV)
    assert top.returncode == 0
    for name in ("train", "evaluate", "neighbors", "export", "plot"):
        assert any(line.split()[:1] == [name] and len(line.split()) > 3
                   for line in top.stdout.splitlines()), name
        sub = subprocess.run([sys.executable, "-m", "w2v_numpy", name, "--help"],
                             capture_output=True, text=True, env=ENV)
        assert sub.returncode == 0 and f"usage: python -m w2v_numpy {name}" in sub.stdout


def test_the_interrupt_summary_counts_batches_within_the_epoch(tmp_path, small):
    proc = run_cli(tmp_path, "-d", small, "-v", "4", "-e", "3", "-B", "64",
                   "--stop_after_batches", "60")
    assert proc.returncode == 130, proc.stderr
    w2v = Word2Vec.load(tmp_path / "cbow.model")
    per_epoch = w2v.state.epoch_batch_index[0]
    line = [x for x in proc.stderr.splitlines() if "run the same command again" in x][0]
    assert f"epoch {w2v.state.epoch + 1} of 3, after batch {60 - per_epoch * w2v.state.epoch} " \
        "of that epoch" in line


def test_the_readme_evaluate_example_runs_in_a_clone(tmp_path):
    """The README's evaluate line uses files that ship with the repository."""
    line = next(x for x in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
                if x.startswith("python -m w2v_numpy evaluate sgram_neg.model"))
    argv = line.split()[3:]                         # evaluate sgram_neg.model --analogies ...
    for path in argv[2:]:
        if not path.startswith("-"):
            assert (REPO / path).is_file(), path
    shutil.copy(FIXTURE, tmp_path / "sgram_neg.model")
    for name in ("data",):
        (tmp_path / name).symlink_to(REPO / name)
    proc = subprocess.run([sys.executable, "-m", "w2v_numpy", *argv], cwd=tmp_path,
                          capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["analogies"]["accuracy"] > 0.3
    assert out["pairs"]["data/synthetic_pairs.tsv"]["spearman"] > 0.5


def test_a_word_in_another_case_gets_a_hint():
    kv = KeyedVectors(["king", "queen"], np.eye(2, dtype=np.float32))
    with pytest.raises(common.UserError, match="lower-case: try 'king'"):
        common.check_words(kv, ["King"])


def test_a_missing_demo_corpus_says_how_to_fix_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli_train, "SHIPPED_CORPUS", tmp_path / "not_there.txt")
    monkeypatch.chdir(tmp_path)
    assert cli_train.main(["-v", "4", "-e", "1", "--no_progress", "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and len(err.splitlines()) == 1 and "--data_file" in err
    assert not list(tmp_path.iterdir())


def test_undecodable_bytes_give_one_warning_line_naming_the_file(tmp_path, small):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes(small.read_bytes() + ("caf\u00e9 cr\u00e8me " * 300).encode("latin-1"))
    proc = run_cli(tmp_path, "-d", latin, *TINY)
    assert proc.returncode == 0, proc.stderr
    warnings = [x for x in proc.stderr.splitlines() if x.startswith("warning:")]
    assert len(warnings) == 1 and str(latin) in warnings[0] and "600" in warnings[0], proc.stderr
    assert "Traceback" not in proc.stderr
