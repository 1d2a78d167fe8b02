"""Several worker processes on shared parameters (workers > 1; w2v_numpy.training.workers)."""
import multiprocessing

import numpy as np
import pytest

from w2v_numpy import Word2Vec
from w2v_numpy.batching import NegativeSampler, WindowBatcher
from w2v_numpy.training.workers import can_fork
from w2v_numpy.training.loop import TrainingDiverged, usable_workers

from test_train import group_precision

pytestmark = pytest.mark.skipif(not can_fork(), reason="workers > 1 needs the fork start method")


def small_chunks(w2v, chunk_words=4000):
    """The model's batcher, cut into several chunks so that workers have work to share."""
    w2v.build_vocab(w2v.corpus_path)
    c = w2v.config
    return WindowBatcher(w2v.corpus, w2v.vocab.keep_probs(c["sample"]), w2v.model.batch_family,
                         window=c["window"], batch_size=c["batch_size"], negative=c["negative"],
                         sampler=NegativeSampler(w2v.vocab.counts), seed=c["seed"],
                         chunk_words=chunk_words)


def make(group_corpus, workers, **kw):
    # alpha 0.025, not more: on this 30-word vocabulary every batch sums many updates
    # into each row, and one worker already diverges at alpha=0.1. Two workers read
    # rows the other is about to change (Hogwild), which at 0.05 blew the loss up to
    # 1e8 in about one run in ten (CI, 2026-12-02); at 0.025, 80 runs of 80 learned.
    w2v = Word2Vec(type="sgram_neg", vector_size=16, window=3, min_count=1, sample=0, alpha=0.025,
                   epochs=3, batch_size=64, seed=3, progress=False, workers=workers, **kw)
    w2v.corpus_path = group_corpus
    return w2v


class Positions:
    """Records the resume position after every batch; stops once ``stop_at`` is reached."""

    def __init__(self, stop_at=None):
        self.seen, self.stop_at = [], stop_at

    def on_batch_end(self, state):
        self.seen.append(state.position)
        if state.position == self.stop_at:
            state.stop = True


def test_two_workers_train_every_batch_and_learn(group_corpus):
    one, two = make(group_corpus, 1), make(group_corpus, 2)
    batcher = small_chunks(two)
    assert batcher.n_chunks >= 4 and usable_workers(2, batcher) == 2
    recorder = Positions()
    s2 = two.train(batcher=batcher, callbacks=[recorder])
    s1 = one.train(batcher=small_chunks(one))
    assert s2.examples == s1.examples and len(s2.batch_losses) == len(s1.batch_losses)
    assert s2.epoch_losses[-1] < s2.epoch_losses[0]
    assert group_precision(two) > 0.9
    # Positions a save may record: round starts only (whole rounds of 2 chunks), never inside one.
    assert len(recorder.seen) == len(s2.batch_losses)         # the callback saw every batch
    assert all(b == 0 and c % 2 == 0 for _, c, b in recorder.seen)
    W = two.model.params["W_in"]
    # Left in shared memory (copying it back held two copies of a table at the run's end):
    # an ordinary, writable array all the same.
    assert type(W) is np.ndarray and W.flags.writeable and not W.flags.owndata
    assert not multiprocessing.active_children()


def test_a_run_stopped_between_rounds_resumes_there(group_corpus):
    whole = make(group_corpus, 2)
    whole_state = whole.train(batcher=small_chunks(whole))
    part = make(group_corpus, 2)
    batcher = small_chunks(part)
    state = part.train(batcher=batcher, callbacks=[Positions(stop_at=(1, 2, 0))])
    assert state.position == (1, 2, 0) and state.epoch_losses
    state = part.train(batcher=batcher, state=state)
    assert state.position == (3, 0, 0)
    assert state.examples == whole_state.examples
    assert len(state.batch_losses) == len(whole_state.batch_losses)


def test_a_worker_that_diverges_stops_the_run_cleanly(group_corpus):
    w2v = make(group_corpus, 2, )
    w2v.config["alpha"] = 1e30
    with pytest.raises(TrainingDiverged), np.errstate(all="ignore"):
        w2v.train(batcher=small_chunks(w2v))
    assert not multiprocessing.active_children()
    assert type(w2v.model.params["W_in"]) is np.ndarray


def test_workers_must_be_positive(group_corpus):
    with pytest.raises(ValueError, match="workers"):     # refused when the front door is made
        make(group_corpus, 0)


def test_workers_stop_when_the_trainer_is_killed(tmp_path, group_corpus):
    """kill -9 of the trainer leaves no worker behind: they notice that the parent is gone
    (otherwise a worker would block for ever on exit, its reports filling the pipe)."""
    import os
    import signal
    import subprocess
    import sys
    import textwrap
    import time

    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys
        sys.path[:0] = {sys.path!r}
        from test_parallel import make, small_chunks
        w2v = make({str(group_corpus)!r}, 2, )
        w2v.config["epochs"] = 1000
        w2v.config["batch_size"] = 2     # reports enough to fill the pipe to a dead parent

        class Report:
            def on_batch_end(self, state):
                import multiprocessing
                pids = [p.pid for p in multiprocessing.active_children()]
                if pids:
                    print(*pids, flush=True)
                    self.on_batch_end = lambda state: None

        w2v.train(batcher=small_chunks(w2v), callbacks=[Report()])
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(__file__))
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert len(workers) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 20
    alive = workers
    while alive and time.time() < deadline:
        time.sleep(0.2)
        alive = [p for p in workers if _alive(p)]
    assert not alive


def _alive(pid):
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:       # a zombie has exited
        return fh.read().split()[2] != "Z"
