"""``python -m w2v_numpy explore`` and the projector export, without a browser.

The page must show the library's numbers: the recording embedded in it is
compared with the library's own replay of the same examples (tests/explore_helpers.py),
and each recorded step with :func:`w2v_numpy.teaching.trace.trace` of that step.
"""
import subprocess
import sys

import numpy as np
import pytest

from w2v_numpy import KeyedVectors
from w2v_numpy.cli.settings import trainable_types
from w2v_numpy.teaching.explore import MAX_CELLS, presets, recording_of
from w2v_numpy.teaching.trace import trace, trace_to_json

from explore_helpers import batch_of, explore, library_model, replay
from test_cli_helpers import ENV, REPO, assert_one_line_error


def _close(page_value, lib_value):
    """Equal to the page's precision (10 significant digits), strings and lists included."""
    if isinstance(lib_value, (list, tuple)):
        assert len(page_value) == len(lib_value)
        for a, b in zip(page_value, lib_value):
            _close(a, b)
    elif isinstance(lib_value, float):
        assert page_value == pytest.approx(lib_value, rel=1e-8, abs=1e-12)
    else:
        assert page_value == lib_value


def test_the_pages_steps_are_trace_of_the_same_steps(tmp_path):
    proc, out = explore(tmp_path, "--type", "sgram_neg", "--steps", "25")
    assert proc.returncode == 0, proc.stderr
    rec = recording_of(out.read_text(encoding="utf-8"))
    assert len(rec["steps"]) == 25
    model, words, alpha = library_model(rec), rec["words"], rec["settings"]["alpha"]
    for n in range(1, 26):
        batch = batch_of(rec, n)
        if n in (1, 9, 25):
            want = trace_to_json(trace(model, batch, alpha, words=words, check=False))
            got = rec["steps"][n - 1]["trace"]
            assert [s["symbol"] for s in got["steps"]] == [s["symbol"] for s in want["steps"]]
            assert [s["formula"] for s in got["steps"]] == [s["formula"] for s in want["steps"]]
            for g, w in zip(got["steps"], want["steps"]):
                _close(g["value"], w["value"])
            _close(got["loss"], want["loss"])
            _close(got["loss_after"], want["loss_after"])
        model.step(batch, alpha)
        # the word vectors after the step (what the map and the neighbours are made of)
        np.testing.assert_allclose(rec["vectors"][n], model.params["W_in"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("type_name", trainable_types())
def test_every_trainable_type_makes_a_page_of_the_librarys_numbers(tmp_path, type_name):
    proc, out = explore(tmp_path, "--type", type_name, "--steps", "6", "--preset", "fruit")
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout
    rec = recording_of(out.read_text(encoding="utf-8"))
    assert rec["type"] == type_name and len(rec["steps"]) == 6
    model, losses = replay(rec, 6)
    for n, loss in enumerate(losses, 1):
        assert rec["steps"][n - 1]["loss"] == pytest.approx(loss, rel=1e-9)
    last = rec["steps"][-1]
    updates = [s for s in last["trace"]["steps"] if s["section"] == "update"]
    assert len(updates) == len(last["touched"]) > 0
    for (param, row), upd in zip(last["touched"], updates):
        np.testing.assert_allclose(upd["value"][1], model.params[param][row], rtol=1e-8, atol=1e-12)


def test_the_default_page_is_small_and_self_contained(tmp_path):
    proc, out = explore(tmp_path)
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < 5_000_000
    # opens from disk, offline: nothing is loaded from anywhere
    for fetch in ("<script src", "<link", "http://", "https://", "@import", "fetch("):
        assert fetch not in html
    rec = recording_of(html)
    assert rec["type"] == "sgram_neg" and rec["settings"]["vector_dim"] == 5
    for key in ('id="next"', 'id="back"', 'id="slider"', 'id="step"', 'id="loss-value"',
                'id="touched-row"', 'id="play"', 'id="map"', 'id="loss-curve"'):
        assert key in html
    # one PCA basis for the whole run: one map position per word per step, steps + 1 maps
    assert len(rec["pca"]["coords"]) == len(rec["steps"]) + 1
    assert all(len(c) == len(rec["words"]) for c in rec["pca"]["coords"])


def test_the_presets_ship_and_sentences_come_from_the_command_line(tmp_path):
    assert {"fruit", "royals", "animals"} <= set(presets())
    proc, out = explore(tmp_path, "--sentences", "drink juice, eat apple, drink milk",
                        "--steps", "4", "--type", "glove")
    assert proc.returncode == 0, proc.stderr
    rec = recording_of(out.read_text(encoding="utf-8"))
    assert rec["sentences"] == [["drink", "juice"], ["eat", "apple"], ["drink", "milk"]]
    data = tmp_path / "toy.txt"
    data.write_text("the cat sat\nthe dog sat\n", encoding="utf-8")
    proc, out = explore(tmp_path, "--data_file", str(data), "--steps", "3", name="f.html")
    assert proc.returncode == 0, proc.stderr
    assert recording_of(out.read_text(encoding="utf-8"))["words"] == ["the", "cat", "sat", "dog"]


@pytest.mark.parametrize("args, needle", [
    (["--steps", "100000", "--vector_dim", "50"], "--steps"),
    # within the count bound, but a full softmax writes every output row every step:
    # refused from the first step's size, in well under a second
    (["--type", "sgram", "--steps", "4000", "--vector_dim", "50"], "MB"),
    (["--preset", "no_such_preset"], "no_such_preset"),
    (["--sentences", "one"], "two different words"),
    (["--type", "fasttext_supervised"], "--type"),
])
def test_refused_before_anything_is_written(tmp_path, args, needle):
    proc, out = explore(tmp_path, *args)
    assert_one_line_error(proc, needle)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_bound_counts_steps_words_and_dimensions(tmp_path):
    # 9 words x 50 dimensions: the largest step count that fits, and one more
    steps = MAX_CELLS // (9 * 50)
    proc, out = explore(tmp_path, "--steps", str(steps + 1), "--vector_dim", "50")
    assert_one_line_error(proc, f"{steps + 1} steps")
    assert not out.exists()


def _export(*args):
    return subprocess.run([sys.executable, "-m", "w2v_numpy", "export", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, env=ENV)


def test_projector_export_writes_the_two_tsv_files(tmp_path):
    words = ["king", "queen", "пирог"]
    vectors = np.array([[0.5, -1.25, 3.0], [1e-3, 2.0, -0.75], [0.0, 0.125, 7.5]], np.float32)
    KeyedVectors(words, vectors).save_word2vec_format(str(tmp_path / "v.vec"))
    proc = _export(str(tmp_path / "v.vec"), str(tmp_path / "proj"), "--format", "projector")
    assert proc.returncode == 0, proc.stderr
    rows = (tmp_path / "proj" / "vectors.tsv").read_text(encoding="ascii").splitlines()
    # vectors.tsv: one vector a line, tab-separated floats, no header
    assert len(rows) == 3
    np.testing.assert_allclose([[float(x) for x in r.split("\t")] for r in rows], vectors,
                               rtol=1e-6)
    # metadata.tsv: one word a line; a single column has no header
    assert (tmp_path / "proj" / "metadata.tsv").read_text(encoding="utf-8") == "king\nqueen\nпирог\n"
    # a file where the directory should go is refused, and the word2vec formats still work
    assert_one_line_error(_export(str(tmp_path / "v.vec"), str(tmp_path / "v.vec"),
                                  "--format", "projector"), "not a directory")
    assert _export(str(tmp_path / "v.vec"), str(tmp_path / "w.txt")).returncode == 0
