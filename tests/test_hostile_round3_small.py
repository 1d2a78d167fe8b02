"""Hostile input, round three, item 9: settings of the wrong kind, flags that do not apply to
the chosen word2vec type, and Ctrl-C during ``export``."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from w2v_numpy import Word2Vec
from w2v_numpy.classifier import train_supervised
from w2v_numpy.cli.settings import merge_settings
from w2v_numpy.cli.train import build_parser
from w2v_numpy.errors import W2VError
from w2v_numpy.fasttext import FastText
from w2v_numpy.glove import GloVe

from test_cli_helpers import ENV, REPO, run_cli, write_small_corpus


# --- (a) the front doors refuse settings of the wrong kind, naming them ------------------

@pytest.mark.parametrize("door, kwargs, param", [
    (Word2Vec, dict(epochs=1.5), "epochs"),             # used to train 1 epoch, silently
    (Word2Vec, dict(epochs="2"), "epochs"),
    (Word2Vec, dict(epochs=True), "epochs"),            # bool is not a count
    (Word2Vec, dict(vector_size=10.5), "vector_size"),
    (Word2Vec, dict(window=2.0), "window"),             # any float, a whole one too
    (Word2Vec, dict(negative=5.0), "negative"),
    (Word2Vec, dict(seed=-1), "seed"),
    (Word2Vec, dict(workers=1.5), "workers"),
    (Word2Vec, dict(max_vocab=10.5), "max_vocab"),
    (Word2Vec, dict(corpus_file=123), "corpus_file"),   # used to be a TypeError
    (Word2Vec, dict(corpus_file=[1]), "corpus_file"),
    (FastText, dict(epochs=1.5), "epochs"),
    (FastText, dict(bucket=10.0), "bucket"),
    (FastText, dict(corpus_file=123), "corpus_file"),
    (GloVe, dict(epochs=1.5), "epochs"),
    (GloVe, dict(corpus_file=b"text.txt"), "corpus_file"),
])
def test_a_setting_of_the_wrong_kind_is_a_w2v_error_naming_it(door, kwargs, param):
    with pytest.raises(W2VError, match=f"^{param}: ") as info:
        door(progress=False, **kwargs)
    assert info.value.param == param


@pytest.mark.parametrize("kwargs, param", [
    (dict(input=123), "input"), (dict(input=["a.txt"]), "input"),
    (dict(input="a.txt", epoch=1.5), "epoch"), (dict(input="a.txt", dim=True), "dim"),
])
def test_train_supervised_refuses_the_same(kwargs, param):
    with pytest.raises(W2VError, match=f"^{param}: "):
        train_supervised(**kwargs)


def test_numpy_integers_and_paths_are_accepted(tmp_path):
    """The check is not stricter than it should be: NumPy integers are integers (and are
    stored as Python ones), a path object and a tuple of them are corpus files."""
    w2v = Word2Vec(vector_size=np.int32(8), epochs=np.int64(1), max_vocab=np.int64(50),
                   min_count=1, progress=False)
    assert (w2v.config["vector_size"], w2v.config["epochs"], w2v.config["max_vocab"]) == (8, 1, 50)
    assert type(w2v.config["max_vocab"]) is int
    corpus = write_small_corpus(tmp_path / "c.txt", lines=50)
    w2v.build_vocab((corpus,))
    with pytest.raises(W2VError, match="^epochs: "):
        w2v.train(epochs=0)             # 0 used to mean "the configured epochs"


# --- (b) a flag the chosen word2vec type does not use gets a note -------------------------

def notes(*argv):
    args = build_parser().parse_intermixed_args(list(argv))
    return merge_settings(args, None, "x.model")[1]


@pytest.mark.parametrize("argv, flag", [
    (["-t", "sgram_neg", "--cbow_update", "exact"], "--cbow_update"),
    (["-t", "cbow_hs", "-k", "3"], "--neg_samples"),
    (["-t", "sgram_hs", "--shared_negatives", "2"], "--shared_negatives"),
    (["-t", "cbow", "--formulation", "window"], "--formulation"),
    (["-t", "sgram_neg", "--formulation", "pair", "--shuffle", "--run_length", "4"],
     "--run_length"),
    (["-t", "cbow_neg", "--run_length", "4"], "--run_length"),      # corpus order by default
    (["-t", "cbow", "--x_max", "10"], "--x_max"),
])
def test_a_flag_the_word2vec_type_does_not_use_gets_a_note(argv, flag):
    assert [n for n in notes(*argv) if n.startswith(f"note: {flag} does not apply")], notes(*argv)


@pytest.mark.parametrize("argv", [
    ["-t", "cbow", "--cbow_update", "exact"],
    ["-t", "sgram_neg", "-k", "3", "--shared_negatives", "2", "--formulation", "pair"],
    ["-t", "cbow_hs", "--run_length", "4"],
    ["-t", "cbow_neg", "--shuffle", "--run_length", "4"],
])
def test_a_flag_the_type_uses_gets_no_note(argv):
    assert notes(*argv) == []


def test_the_note_reaches_the_user(tmp_path):
    corpus = write_small_corpus(tmp_path / "tiny.txt", lines=300)
    proc = run_cli(tmp_path, "-d", corpus, "-t", "sgram_neg", "--cbow_update", "exact",
                   "-v", "8", "-e", "1")
    assert proc.returncode == 0, proc.stderr
    assert "note: --cbow_update does not apply to --type sgram_neg; ignored" in \
        proc.stdout + proc.stderr


# --- (c) Ctrl-C during export: one line, exit 130, the old OUT intact ----------------------

#: Runs export with the writer held up half-way through the file (it says "writing" and
#: sleeps), so that the test's SIGINT lands mid-write, as a real Ctrl-C on a big file would.
SLOW_EXPORT = textwrap.dedent("""
    import contextlib, signal, sys, time
    signal.signal(signal.SIGINT, signal.default_int_handler)   # as in a terminal, even if
                                                               # the test runs in background
    import w2v_numpy.files.word2vec_format as w2vf
    real = w2vf.atomic_open

    @contextlib.contextmanager
    def slow(path):
        with real(path) as f:
            f.write(b"half a file")
            print("writing", flush=True)
            time.sleep(120)
            yield f

    w2vf.atomic_open = slow
    from w2v_numpy.cli import main
    sys.exit(main(["export", sys.argv[1], sys.argv[2]]))
""")


def test_ctrl_c_during_export_is_one_line_and_keeps_the_old_file(tmp_path):
    model = tmp_path / "in.vec"
    model.write_text("2 3\nking 1 2 3\nqueen 4 5 6\n", encoding="utf-8")
    out = tmp_path / "out.vec"
    out.write_bytes(b"the old export\n")
    proc = subprocess.Popen([sys.executable, "-c", SLOW_EXPORT, str(model), str(out)],
                            cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline() == "writing\n"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["interrupted"]
    assert out.read_bytes() == b"the old export\n"
    assert sorted(os.listdir(tmp_path)) == ["in.vec", "out.vec"]    # no temporary file left
