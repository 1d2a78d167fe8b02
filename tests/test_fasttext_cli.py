"""``--type fasttext_sgram|fasttext_cbow`` on the command line: files, exact resume, tools, bad input."""
import subprocess
import sys

import numpy as np
import pytest

from w2v_numpy import FastText, load_model, load_vectors

from test_cli_helpers import ENV, assert_one_line_error, run_cli, write_small_corpus

ARGS = ["-t", "fasttext_sgram", "-v", "12", "-w", "5", "-e", "2", "-B", "256", "--seed", "3",
        "--bucket", "3001", "--min_n", "3", "--max_n", "5", "--save_seconds", "0",
        "--save_every", "5"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_small_corpus(tmp_path_factory.mktemp("ftcli") / "small.txt", lines=400)


@pytest.fixture(scope="module")
def reference(corpus):
    proc = run_cli(corpus.parent, "-d", corpus, *ARGS, "-m", "ref.model")
    assert proc.returncode == 0, proc.stderr
    return load_model(corpus.parent / "ref.model"), proc


def test_fasttext_trains_and_saves(reference):
    ft, proc = reference
    assert isinstance(ft, FastText) and ft.config["type"] == "fasttext_sgram"
    assert (ft.config["bucket"], ft.config["min_n"], ft.config["max_n"]) == (3001, 3, 5)
    assert ft.model.params["W_ngram"].shape == (3001, 12)
    assert ft.state.epoch == 2 and ft.state.epoch_losses[-1] < ft.state.epoch_losses[0]
    assert "fasttext_sgram: 2/2 epochs" in proc.stdout


def test_stopped_and_resumed_fasttext_equals_an_uninterrupted_run(tmp_path, corpus, reference):
    ref, _ = reference
    first = run_cli(tmp_path, "-d", corpus, *ARGS, "--stop_after_batches", "9")
    assert first.returncode == 130, first.stderr
    assert len(load_model(tmp_path / "fasttext_sgram.model").state.batch_losses) == 9
    second = run_cli(tmp_path, "-d", corpus, *ARGS)
    assert second.returncode == 0, second.stderr
    done = load_model(tmp_path / "fasttext_sgram.model")
    for name, p in ref.model.params.items():
        np.testing.assert_array_equal(done.model.params[name], p)
    np.testing.assert_array_equal(done.state.batch_losses, ref.state.batch_losses)


def test_vector_tools_read_fasttext_models(tmp_path, corpus, reference):
    ref, _ = reference
    model = corpus.parent / "ref.model"
    out = subprocess.run([sys.executable, "-m", "w2v_numpy", "export", str(model),
                          str(tmp_path / "f.vec")], capture_output=True, text=True, env=ENV)
    assert out.returncode == 0, out.stderr
    np.testing.assert_allclose(load_vectors(tmp_path / "f.vec").vectors, ref.wv.vectors, rtol=1e-6)


def test_fasttext_flags_and_conflicts(tmp_path, corpus, reference):
    assert_one_line_error(run_cli(tmp_path, "-d", corpus, *ARGS, "--bucket", "0"), "--bucket")
    assert_one_line_error(run_cli(tmp_path, "-d", corpus, *ARGS, "--min_n", "5", "--max_n", "3"),
                          "--max_n")
    model = corpus.parent / "ref.model"
    before = model.read_bytes()
    assert_one_line_error(run_cli(corpus.parent, "-d", corpus, *ARGS, "--bucket", "77",
                                  "-m", model), "--bucket 3001", "--overwrite_model")
    assert_one_line_error(run_cli(corpus.parent, "-d", corpus, "-t", "sgram_neg", "-m", model),
                          "holds a fasttext_sgram model", "--overwrite_model")
    assert model.read_bytes() == before
    proc = run_cli(tmp_path, "-d", corpus, *ARGS, "-e", "1", "-t", "fasttext_cbow",
                   "--x_max", "5", "-m", "c.model")
    assert proc.returncode == 0 and "--x_max does not apply to --type fasttext_cbow" in proc.stderr
    assert load_model(tmp_path / "c.model").config["type"] == "fasttext_cbow"


def test_fasttext_sgram_shares_draws_of_negatives(tmp_path, corpus, reference):
    """fasttext_sgram's default shares a draw among 8 pairs spread over the batch (the
    run's first line says so, the file keeps it); fasttext_cbow draws per example;
    --shared_negatives 1 draws per pair; a file from before the setting resumes
    drawing per pair, as its code did."""
    from w2v_numpy.files import model_file

    ref, proc = reference
    assert (ref.config["shared_negatives"], ref.config["spread_negatives"]) == (8, True)
    assert "negatives shared by 8 examples spread over the batch" in proc.stderr
    assert FastText(sg=0).config["shared_negatives"] == 1
    own = run_cli(tmp_path, "-d", corpus, *ARGS, "-e", "1", "--shared_negatives", "1")
    assert own.returncode == 0, own.stderr
    assert "negatives shared" not in own.stderr
    assert load_model(tmp_path / "fasttext_sgram.model").config["shared_negatives"] == 1
    path = tmp_path / "old.model"
    parts = model_file.read_model_file(corpus.parent / "ref.model")
    for key in ("shared_negatives", "spread_negatives"):
        del parts.config[key]
    model_file.write_model_file(path, parts)
    old = load_model(path)
    assert (old.config["shared_negatives"], old.config["spread_negatives"]) == (1, False)
    assert_one_line_error(run_cli(tmp_path, "-d", corpus, *ARGS, "--shared_negatives", "0"),
                          "--shared_negatives")
