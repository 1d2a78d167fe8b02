"""``--type glove`` on the command line: training, files, exact resume, tools, bad input."""
import json

import numpy as np
import pytest

from w2v_numpy import GloVe, load_model

from test_cli_helpers import assert_one_line_error, run_cli, write_small_corpus

ARGS = ["-t", "glove", "-v", "16", "-w", "7", "-e", "3", "-B", "2048", "--x_max", "10",
        "--seed", "3", "--save_seconds", "0", "--save_every", "5"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_small_corpus(tmp_path_factory.mktemp("glove") / "small.txt", lines=1500)


@pytest.fixture(scope="module")
def reference(corpus):
    proc = run_cli(corpus.parent, "-d", corpus, *ARGS, "-m", "ref.model",
                   "--metrics_json", "ref.json")
    assert proc.returncode == 0, proc.stderr
    assert "co-occurrences:" in proc.stderr and "window 3 words each side" in proc.stderr
    return load_model(corpus.parent / "ref.model"), proc


def test_glove_trains_saves_and_reports(corpus, reference):
    g, proc = reference
    assert isinstance(g, GloVe) and g.config["type"] == "glove"
    assert g.config["window"] == 3 and g.config["x_max"] == 10.0
    assert g.config["min_alpha"] == g.config["alpha"] == 0.05     # constant AdaGrad rate
    assert g.state.epoch == 3 and g.state.epoch_losses[-1] < g.state.epoch_losses[0]
    m = json.loads((corpus.parent / "ref.json").read_text())
    assert m["type"] == "glove" and m["epoch_units"] > m["vocab_size"]    # entries of X
    assert m["examples"] == 3 * m["epoch_units"]
    assert (corpus.parent / "ref.model.loss.png").exists()
    assert (corpus.parent / "ref.model.epoch.0003").exists()
    assert "glove: 3/3 epochs" in proc.stdout


def test_stopped_and_resumed_glove_equals_an_uninterrupted_run(tmp_path, corpus, reference):
    ref, _ = reference
    first = run_cli(tmp_path, "-d", corpus, *ARGS, "--stop_after_batches", "7")
    assert first.returncode == 130, first.stderr
    partial = load_model(tmp_path / "glove.model")
    assert len(partial.state.batch_losses) == 7
    second = run_cli(tmp_path, "-d", corpus, *ARGS)
    assert second.returncode == 0, second.stderr
    done = load_model(tmp_path / "glove.model")
    for name, p in ref.model.params.items():
        np.testing.assert_array_equal(done.model.params[name], p)
    for name, G in ref.optimizer.accumulators.items():
        np.testing.assert_array_equal(done.optimizer.accumulators[name], G)
    np.testing.assert_array_equal(done.state.batch_losses, ref.state.batch_losses)


def test_glove_models_work_with_the_vector_tools(tmp_path, corpus, reference):
    import subprocess
    import sys

    from test_cli_helpers import ENV

    model = corpus.parent / "ref.model"
    out = subprocess.run([sys.executable, "-m", "w2v_numpy", "export", str(model),
                          str(tmp_path / "g.vec")], capture_output=True, text=True, env=ENV)
    assert out.returncode == 0, out.stderr
    from w2v_numpy import load_vectors

    ref, _ = reference
    np.testing.assert_allclose(load_vectors(tmp_path / "g.vec").vectors, ref.wv.vectors, rtol=1e-6)
    out = subprocess.run([sys.executable, "-m", "w2v_numpy", "neighbors", str(model), "king"],
                         capture_output=True, text=True, env=ENV)
    assert out.returncode == 0, out.stderr
    # the query word, then its 10 neighbours by the model's own vectors (W + W_ctx)
    assert out.stdout.splitlines() == ["king"] + [f"  {w}\t{s:.4f}"
                                                  for w, s in ref.wv.most_similar("king", topn=10)]


def test_glove_flags_and_conflicts(tmp_path, corpus, reference):
    assert_one_line_error(run_cli(tmp_path, "-d", corpus, "-t", "glove", "--x_max", "0"),
                          "--x_max")
    assert_one_line_error(run_cli(tmp_path, "-d", corpus, "-t", "glove", "--glove_alpha", "nan"),
                          "--glove_alpha")
    proc = run_cli(tmp_path, "-d", corpus, *ARGS, "-e", "1", "--sample", "0.01", "-m", "n.model")
    assert proc.returncode == 0 and "--sample does not apply to --type glove" in proc.stderr
    # an existing word2vec model is not silently turned into GloVe, nor the other way round
    model = corpus.parent / "ref.model"
    assert_one_line_error(run_cli(corpus.parent, "-d", corpus, "-t", "sgram_neg", "-m", model),
                          "holds a glove model", "--overwrite_model")
