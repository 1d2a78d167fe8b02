"""The trace (issue 14): the printed numbers are the model's own, and the presets are the documents'."""
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import family_batch, options_for, randomize
from test_cli_helpers import ENV
from w2v_numpy.teaching.worked_examples import EXAMPLES
from w2v_numpy.models import MODELS, create
from w2v_numpy.teaching.trace import SYMBOLS, format_trace, kind_of, trace, trace_to_json


def tiny(type_, rng):
    counts = np.array([9, 7, 7, 4, 3, 2, 2])
    model = randomize(create(type_, 7, 3, dtype=np.float64, counts=counts,
                             **options_for(type_, 7)), rng)
    return model, family_batch(model, rng, B=4)


@pytest.mark.parametrize("type_", sorted(MODELS))
def test_trace_shows_the_models_own_numbers(type_, rng):
    model, batch = tiny(type_, rng)
    alpha = 0.05
    t = trace(model, batch, alpha)
    shown = [s.name for s in t.steps if s.section == "forward"]
    assert len(shown) >= 3, f"add the forward() keys of {type_} to trace.SYMBOLS"
    forward = model.forward(batch)
    for name in shown:
        np.testing.assert_array_equal(t.value(name, "forward"), forward[name])
    assert t.loss == model.loss(batch)
    grads = model.grad(batch)
    after = model.astype(np.float64)
    after.step(batch, alpha)
    gradient_rows = [s for s in t.steps if s.section == "gradient"]
    updates = {s.name: s.value for s in t.steps if s.section == "update"}
    assert gradient_rows and len(updates) == len(gradient_rows)
    for s in gradient_rows:
        pname, row = s.name.split("[")[0], int(s.name.split("[")[1][:-1])
        np.testing.assert_array_equal(s.value, grads[pname][row])
        old, new = updates[s.name]
        np.testing.assert_array_equal(new, after.params[pname][row])
        np.testing.assert_array_equal(old, model.params[pname][row])
    touched = {p: {int(s.name.split("[")[1][:-1]) for s in gradient_rows if s.name.startswith(p + "[")}
               for p in model.params}
    for pname, rows in touched.items():        # rows not shown did not move
        untouched = np.setdiff1d(np.arange(model.params[pname].shape[0]), list(rows))
        np.testing.assert_array_equal(after.params[pname][untouched], model.params[pname][untouched])
    assert t.check.max_error < 1e-6
    assert json.loads(json.dumps(trace_to_json(t)))["loss"] == t.loss
    assert format_trace(t, "markdown").count("\n|") >= len(t.steps)


def test_every_kind_has_its_symbols():
    for cls in MODELS.values():
        assert kind_of(cls) in SYMBOLS, cls.type_name


def run(preset):
    ex = EXAMPLES[preset]()
    return trace(ex.model, ex.batch, ex.alpha, words=ex.words, labels=ex.labels)


def test_skipgram_preset_prints_the_documents_numbers():
    t = run("skipgram")
    np.testing.assert_allclose(t.value("z")[0], [0.095, 0.215, 0.335, 0.455], atol=5e-4)
    # the document divides exponentials rounded to 4 digits: its P is good to 1e-4 (notebook 01)
    np.testing.assert_allclose(t.value("p")[0], [0.2069, 0.2334, 0.2631, 0.2966], atol=1e-4)
    assert t.loss == pytest.approx(1.575, abs=5e-4)
    np.testing.assert_allclose(t.value("dh")[0], [0.16494, 0.16494], atol=5e-6)
    np.testing.assert_allclose(t.value("W_in[сидит]", "update")[1], [0.49835, 0.69835], atol=5e-6)
    np.testing.assert_allclose(t.value("W_out[кот]", "update")[1], [0.05397, 0.10555], atol=5e-6)


def test_cbow_preset_prints_the_documents_numbers():
    t = run("cbow")
    np.testing.assert_allclose(t.value("h")[0], [0.55, 0.75], atol=5e-3)
    np.testing.assert_allclose(t.value("z")[0], [0.870, 0.740, 0.610, 0.480], atol=5e-4)
    np.testing.assert_allclose(t.value("p")[0], [0.3006, 0.2640, 0.2318, 0.2036], atol=5e-5)
    assert t.loss == pytest.approx(1.462, abs=5e-4)
    np.testing.assert_allclose(t.value("dh")[0], [0.0662, 0.0662], atol=5e-5)
    np.testing.assert_allclose(t.value("W_in[люблю]", "update")[1], [0.499669, 0.699669], atol=5e-7)


def test_glove_preset_prints_the_documents_numbers_with_the_erratum():
    t = run("glove")
    assert t.value("prediction")[0] == pytest.approx(0.125, abs=5e-4)
    assert t.value("target")[0] == pytest.approx(0.6931, abs=5e-5)
    assert t.value("weight")[0] == pytest.approx(0.1778, abs=5e-5)
    assert t.loss == pytest.approx(0.057401, abs=5e-7)          # the document prints 0.05747
    assert t.value("scale")[0] == pytest.approx(-0.202065, abs=5e-7)   # document: -0.2023
    np.testing.assert_allclose(t.value("W[cat]", "update")[1], [0.1005052, 0.2007072], atol=5e-8)
    assert t.value("b[cat]", "update")[1] == pytest.approx(0.0120206, abs=5e-8)


def test_fasttext_preset_prints_the_documents_numbers():
    t = run("fasttext")
    np.testing.assert_allclose(t.value("v_D")[0], [0.55, 0.375], atol=5e-4)
    assert t.value("scores")[0, 0] == pytest.approx(0.0175, abs=5e-5)
    assert t.loss == pytest.approx(1.3732, abs=5e-5)
    np.testing.assert_allclose(t.value("dv_D")[0], [-0.07445, 0.07445], atol=5e-6)
    # the document rounds sigma to 4 digits before the update (notebook 04): 0.1 * 5e-5
    np.testing.assert_allclose(t.value("U[позитив]", "update")[1], [0.127258, -0.081415], atol=5e-6)


def test_negative_sampling_preset_equals_the_formulas():
    """The document prints no numbers here: the formulas of 003 lines 4286-4331, by hand."""
    t = run("negative_sampling")
    v, u_c, u_n = np.array([0.5, 0.7]), np.array([0.05, 0.10]), np.array([0.25, 0.30])
    sig = lambda x: 1 / (1 + np.exp(-x))                       # noqa: E731
    assert t.loss == pytest.approx(-np.log(sig(u_c @ v)) - np.log(sig(-u_n @ v)), rel=1e-12)
    dv = (sig(u_c @ v) - 1) * u_c + sig(u_n @ v) * u_n
    np.testing.assert_allclose(t.value("dh")[0], dv, rtol=1e-12)
    np.testing.assert_allclose(t.value("W_in[сидит]", "update")[1], v - 0.01 * dv, rtol=1e-12)


def trace_cli(*args):
    return subprocess.run([sys.executable, "-m", "w2v_numpy", "trace", *args], capture_output=True,
                          text=True, env=ENV, timeout=60)


def test_the_command_prints_presets_and_any_input(tmp_path):
    out = trace_cli("--example", "skipgram")
    assert out.returncode == 0 and "[0.50000 0.70000] -> [0.49835 0.69835]" in out.stdout
    assert "finite-difference check" in out.stdout
    js = json.loads(trace_cli("--type", "sgram_neg", "--sentence", "кот сидит на коврике",
                              "--negatives", "коврике", "--json").stdout)
    assert js["gradient_check"]["max_error"] < 1e-6
    md = trace_cli("--type", "cbow", "--sentence", "a b c d", "--format", "markdown").stdout
    assert "| step | quantity | formula | value |" in md
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps({"W_in": [[0.1, 0.3], [0.5, 0.7], [0.2, 0.4], [0.6, 0.8]],
                                   "W_out": [[0.05, 0.10], [0.15, 0.20], [0.25, 0.30], [0.35, 0.40]]}))
    same = trace_cli("--type", "sgram", "--pair", "сидит", "кот", "--sentence",
                     "кот сидит на коврике", "--weights", str(weights), "--alpha", "0.01")
    assert "[0.50000 0.70000] -> [0.49835 0.69835]" in same.stdout, same.stderr


@pytest.mark.parametrize("args, needle", [
    (["--type", "sgram", "--sentence", "a b", "--window", "7"], "--window"),
    (["--type", "sgram_neg", "--sentence", "a b c", "--negatives", "a"], "negative"),
    (["--type", "sgram", "--sentence", "a b c", "--centre", "z"], "--centre"),
    (["--type", "sgram"], "--sentence"),
])
def test_inputs_that_make_no_sense_are_one_line_errors(args, needle):
    out = trace_cli(*args)
    assert out.returncode == 2 and out.stderr.startswith("error: ") and needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_weights_of_the_wrong_shape_are_refused(tmp_path):
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps({"W_out": [[0.05, 0.15, 0.25], [0.1, 0.2, 0.3]]}))
    out = trace_cli("--type", "sgram", "--sentence", "a b c", "--weights", str(weights))
    assert out.returncode == 2 and "transpose" in out.stderr


def test_the_readme_shows_what_the_command_prints():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ python -m w2v_numpy trace --example skipgram\n", 1)[1].split("```")[0]
    printed = trace_cli("--example", "skipgram").stdout
    for line in block.splitlines():
        shown = line.split(": ...")[0].rstrip()
        if shown.strip() and shown.strip() != "...":
            assert shown in printed, line
