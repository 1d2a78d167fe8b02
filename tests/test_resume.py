"""Saving and resuming: exact resume, kill -9, Ctrl-C, checkpoints, the save-rate rule."""
import itertools
import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

from w2v_numpy import Word2Vec
from w2v_numpy.training import callbacks as cb
from w2v_numpy import load_model
from w2v_numpy.files.model_file import list_checkpoints
from w2v_numpy.training.loop import TrainState

from test_cli_helpers import ENV, run_cli, snapshot, train_cmd, write_small_corpus

# Small and deterministic, with a periodic save every 20 batches exactly (no time floor).
ARGS = ["-t", "sgram", "-v", "24", "-e", "3", "-B", "128", "--seed", "7",
        "--save_seconds", "0", "--save_every", "20"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_small_corpus(tmp_path_factory.mktemp("resume") / "small.txt", lines=1500)


@pytest.fixture(scope="module")
def reference(corpus):
    """An uninterrupted run of ARGS."""
    folder = corpus.parent
    proc = run_cli(folder, "-d", corpus, *ARGS, "-m", "ref.model")
    assert proc.returncode == 0, proc.stderr
    return load_model(folder / "ref.model")


def assert_same_model(a, b):
    for key in ("W_in", "W_out"):
        np.testing.assert_allclose(a.model.params[key], b.model.params[key], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(a.state.batch_losses, b.state.batch_losses, rtol=1e-9)
    assert a.state.position == b.state.position and a.state.examples == b.state.examples
    np.testing.assert_allclose(a.state.epoch_losses, b.state.epoch_losses, rtol=1e-9)
    assert a.state.epoch_batch_index == b.state.epoch_batch_index


def test_stopped_and_resumed_run_equals_an_uninterrupted_one(tmp_path, corpus, reference):
    first = run_cli(tmp_path, "-d", corpus, *ARGS, "--stop_after_batches", "130")
    assert first.returncode == 130 and "run the same command again" in first.stderr
    partial = load_model(tmp_path / "sgram.model")
    assert len(partial.state.batch_losses) == 130 and partial.state.epoch < 3
    second = run_cli(tmp_path, "-d", corpus, *ARGS)
    assert second.returncode == 0, second.stderr
    assert_same_model(load_model(tmp_path / "sgram.model"), reference)


def _start(cwd, corpus, *extra):
    return subprocess.Popen(train_cmd("-d", corpus, *ARGS, *extra), cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_progress(proc, model_file, batches, timeout=60):
    """Load the model file over and over until it holds ``batches`` batches; every load
    must succeed (writes are atomic). Returns the number of successful loads."""
    loads, t_end = 0, time.monotonic() + timeout
    while time.monotonic() < t_end and proc.poll() is None:
        if model_file.exists():
            w2v = load_model(model_file)
            loads += 1
            if len(w2v.state.batch_losses) >= batches:
                return loads
        time.sleep(0.01)
    pytest.fail(f"training ended or stalled before {batches} batches (rc={proc.poll()})")


def test_kill_9_then_rerun_continues_from_the_last_save(tmp_path, corpus, reference):
    proc = _start(tmp_path, corpus)
    try:
        loads = _wait_for_progress(proc, tmp_path / "sgram.model", batches=60)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL and loads >= 1
    killed = load_model(tmp_path / "sgram.model")       # the last save is intact
    assert 60 <= len(killed.state.batch_losses) and killed.state.epoch < 3
    rerun = run_cli(tmp_path, "-d", corpus, *ARGS)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming at epoch" in rerun.stderr
    assert_same_model(load_model(tmp_path / "sgram.model"), reference)


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_sigterm_saves_and_exits_128_plus_signal(tmp_path, corpus, reference, sig, code):
    proc = _start(tmp_path, corpus)
    try:
        _wait_for_progress(proc, tmp_path / "sgram.model", batches=40)
        proc.send_signal(sig)
    finally:
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "interrupted" in err
    stopped = load_model(tmp_path / "sgram.model")
    assert stopped.state.epoch < 3
    assert run_cli(tmp_path, "-d", corpus, *ARGS).returncode == 0
    assert_same_model(load_model(tmp_path / "sgram.model"), reference)


def test_finished_model_is_left_alone_and_more_epochs_extend_it(tmp_path, corpus):
    args = ["-d", corpus, "-t", "cbow_neg", "-v", "8", "-e", "2", "--keep_checkpoints", "2"]
    assert run_cli(tmp_path, *args).returncode == 0
    before = snapshot(tmp_path)
    again = run_cli(tmp_path, *args)
    assert again.returncode == 0 and "nothing to train" in again.stderr
    assert snapshot(tmp_path) == before
    more = run_cli(tmp_path, *args[:-3], "4", "--keep_checkpoints", "2", "--metrics_json", "m.json")
    assert more.returncode == 0, more.stderr
    w2v = load_model(tmp_path / "cbow_neg.model")
    assert w2v.state.epoch == 4 and len(w2v.state.epoch_losses) == 4
    assert [e for e, _ in list_checkpoints(tmp_path / "cbow_neg.model")] == [3, 4]
    m = json.loads((tmp_path / "m.json").read_text())
    assert m["epochs_done"] == 4 and 0 < m["examples_this_run"] < m["examples"]


def test_no_checkpoints_and_overwrite_removes_old_ones(tmp_path, corpus):
    assert run_cli(tmp_path, "-d", corpus, "-v", "8", "-e", "2").returncode == 0
    assert len(list_checkpoints(tmp_path / "cbow.model")) == 2
    proc = run_cli(tmp_path, "-d", corpus, "-v", "8", "-e", "1", "-o", "--keep_checkpoints", "0")
    assert proc.returncode == 0 and "removed old checkpoint" in proc.stderr
    assert list_checkpoints(tmp_path / "cbow.model") == []


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_periodic_saves_follow_the_batch_and_time_rule(tmp_path, corpus, monkeypatch):
    """A save happens after save_every batches AND max(5 s, 30 x last save) seconds."""
    clock = FakeClock()
    monkeypatch.setattr(cb.time, "perf_counter", clock)
    w2v = Word2Vec(type="cbow_neg", vector_size=4, min_count=1, progress=False).build_vocab(corpus)
    saver = cb.Checkpointer(w2v, tmp_path / "m.model", save_every=10, plot_file=None)
    durations = itertools.chain([1.0], itertools.repeat(0.1))
    real_save = Word2Vec.save

    def timed_save(*a, **k):
        real_save(*a, **k)
        clock.now += next(durations)          # pretend the save took this long

    monkeypatch.setattr(Word2Vec, "save", timed_save)
    state = TrainState(epochs=1)
    saves = []
    saver.on_train_begin(state)
    for batch in range(1, 200):
        clock.now += 0.5                       # each batch takes half a second
        state.batch, state.batch_losses = batch, [1.0] * batch
        n = saver.saves
        saver.on_batch_end(state)
        if saver.saves > n:
            saves.append((batch, clock.now))
    # first save: 10 batches (5 s >= 5 s floor); it took 1 s, so the next waits 30 s (60
    # batches); that one took 0.1 s, so the 5 s floor applies again (10 batches)
    assert [b for b, _ in saves[:3]] == [10, 70, 80]
    assert os.path.isfile(tmp_path / "m.model")


def test_temporary_files_of_a_killed_run_are_cleaned_up(tmp_path, corpus):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = [f".cbow.model.{dead.pid}.0a1b2c3d.tmp", f"cbow.model.epoch.0001.{dead.pid}.tmp",
             f".cbow.model.loss.png.{dead.pid}.99.tmp"]
    live = f".cbow.model.{os.getpid()}.0a1b2c3d.tmp"      # a writer that still runs: kept
    for name in stale + [live, "unrelated.tmp"]:
        (tmp_path / name).write_bytes(b"x")
    assert run_cli(tmp_path, "-d", corpus, "-v", "8", "-e", "1").returncode == 0
    left = {p.name for p in tmp_path.iterdir()}
    assert not left & set(stale) and {live, "unrelated.tmp"} <= left


def test_a_save_with_non_finite_parameters_reports_divergence(tmp_path, corpus):
    w2v = Word2Vec(type="sgram_neg", vector_size=4, min_count=1, progress=False).build_vocab(corpus)
    path = tmp_path / "m.model"
    saver = cb.Checkpointer(w2v, path, plot_file=tmp_path / "loss.png")
    state = TrainState(epochs=1)
    saver.save(state)
    before = snapshot(tmp_path)
    w2v.model.params["W_out"][1, 1] = np.inf
    state.batch, state.batch_losses = 1, [0.5]
    with pytest.raises(cb.TrainingDiverged, match="smaller alpha"):
        saver.save(state)
    assert snapshot(tmp_path) == before
