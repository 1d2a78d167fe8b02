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


# --- "Teach, not only verify" (item 2 of the issue): the gradient taught, not only the forward pass

from w2v_numpy.teaching.trace import _fmt, named  # noqa: E402


def cli_trace(type_, *extra, sentence="the king rules the land"):
    """The trace the command builds for this input, as a Trace (same code path as the CLI)."""
    from w2v_numpy.cli import trace as cli

    args = cli.build_parser().parse_args(["--type", type_, "--sentence", sentence, "--dim", "3",
                                          *extra])
    cls = MODELS[type_]
    build = {"cooccurrence": cli._glove_case, "documents": cli._classifier_case}.get(
        cls.batch_family, cli._window_case)
    model, batch, words, labels, notes = build(args, cls)
    cli._set_weights(model, args)
    return model, batch, words, trace(model, batch, args.alpha, words=words, labels=labels,
                                      notes=notes)


@pytest.mark.parametrize("type_", sorted(MODELS))
def test_every_gradient_row_is_written_as_terms_that_sum_to_it(type_, rng):
    model, batch = tiny(type_, rng)
    t = trace(model, batch, 0.05)
    rows = [s for s in t.steps if s.section == "gradient"]
    for s in rows:
        assert s.terms, f"{type_}: {s.name} has no written formula"
        total = 0.0
        for op, coef, vec in s.terms:
            total = total + {"times": lambda: coef * vec, "over": lambda: vec / coef,
                             "plain": lambda: vec}[op]()
        np.testing.assert_allclose(total, s.value, rtol=1e-9, atol=1e-12)
        old, new = t.value(s.name, "update")
        step = t.step(s.name, "update")
        assert step.terms[0][0] == "plain" and step.terms[1][:2] == ("minus", 0.05)
        np.testing.assert_allclose(old - 0.05 * step.terms[1][2], new, rtol=1e-12)
    params = [s.name for s in t.steps if s.section == "parameters"]
    assert params == [s.name for s in rows]        # the rows the step reads, printed before it
    first = [s.section for s in t.steps]
    assert first.index("parameters") < first.index("forward")


def test_cbow_context_rows_print_dh_over_n_with_their_numbers():
    out = trace_cli("--type", "cbow", "--sentence", "the king rules the land", "--dim", "3")
    assert out.returncode == 0, out.stderr
    _, _, _, t = cli_trace("cbow")
    dh = t.value("dh")[0]
    for word in ("the", "rules"):
        grad = t.value(f"W_in[{word}]", "gradient")
        np.testing.assert_allclose(grad, dh / 2, rtol=1e-12)
        symbol = f"dL/dW_in[{word}]"
        block = (f"  {symbol:<18} dL/dh / 2\n      = {_fmt(dh, 5)} / 2\n"
                 f"      = {_fmt(grad, 5)}\n")
        assert block in out.stdout
    old, new = t.value("W_in[the]", "update")
    grad = t.value("W_in[the]", "gradient")
    assert f"      = {_fmt(old, 5)} - 0.1 × {_fmt(grad, 5)}\n      = {_fmt(old, 5)} -> " \
           f"{_fmt(new, 5)}" in out.stdout


def test_negative_sampling_output_rows_are_g_times_h():
    model, batch, words, t = cli_trace("sgram_neg")
    g, h, index = t.value("g"), t.value("h"), model.forward(batch)["index"]
    for b in range(index.shape[0]):
        step = t.step(f"W_out[{words[index[b, 0]]}]", "gradient")
        assert ("times", pytest.approx(g[b, 0], rel=1e-12)) in [(op, c) for op, c, _ in step.terms]
    target = t.step(f"W_out[{words[batch.targets[0]]}]", "gradient")
    assert target.formula.startswith("g[0, target] h[0]")
    assert f"{g[0, 0]:.5f} × {_fmt(h[0], 5)}" in format_trace(t)


def test_batch_words_follow_the_array_order():
    _, batch, words, t = cli_trace("sgram_neg")
    negatives = t.value("negatives", "inputs")
    assert negatives.tolist() == [[3], [1]]           # land, then king: not sorted
    assert t.step("negatives", "inputs").formula == "the batch, by word: [[land] [king]]"
    assert t.step("targets", "inputs").formula == "the batch, by word: [the rules]"
    assert named(np.array([[2, 0], [1, 3]]), words) == "[[rules the] [king land]]"
    assert named(np.array([[2, 0]]), words, np.array([[True, False]])) == "[[rules -]]"
    out = trace_cli("--type", "sgram_neg", "--sentence", "the king rules the land", "--dim", "3")
    assert "negatives          the batch, by word: [[land] [king]]" in out.stdout


def test_notes_say_how_the_window_and_the_draw_made_the_batch():
    out = trace_cli("--type", "sgram_neg", "--sentence", "the king rules the land", "--dim", "3")
    notes = out.stdout.split("how the batch was made\n", 1)[1].split("\n\n", 1)[0]
    assert "radius 1" in notes and "(king -> the), (king -> rules)" in notes
    assert "count(w)^0.75" in notes and "redraws only" in notes
    assert "here a negative equals an input word (king)" in notes     # [[land], [king]]: king


def test_hierarchical_softmax_shows_only_the_real_path():
    model, batch, words, t = cli_trace("sgram_hs")
    tree = model.tree
    for b, target in enumerate(batch.targets):
        n = int(tree.lengths[target])
        np.testing.assert_array_equal(t.step("nodes", "forward").shown[b], tree.points[target, :n])
        np.testing.assert_array_equal(t.step("codes", "forward").shown[b], tree.codes[target, :n])
        for key in ("s", "sigma", "e"):
            assert len(t.step(key, "forward").shown[b]) == n
    text = format_trace(t)
    shown = "\n        ".join(_fmt(tree.points[c, :int(tree.lengths[c])], 5) for c in batch.targets)
    assert f"  n_l                inner nodes on the target's path, root first (one line per " \
           f"example)\n      = {shown}\n" in text
    assert "padded" not in text and "past its end" not in text
    # the path lengths differ here, so a padded layout would have shown a node that is not on it
    assert len({int(tree.lengths[c]) for c in batch.targets}) == 2


def test_glove_names_learning_rate_and_weighting_exponent_apart():
    out = trace_cli("--type", "glove", "--sentence", "the king rules the land", "--dim", "3",
                    "--alpha", "0.05", "--x_max", "4")
    assert out.returncode == 0, out.stderr
    header = out.stdout.splitlines()[0]
    assert "learning rate = 0.05" in header and "alpha" not in header
    assert "x_max = 4 " in out.stdout and "weighting exponent = 0.75" in out.stdout
    assert "^alpha" not in out.stdout
    _, _, _, t = cli_trace("glove", "--x_max", "4")
    x = t.value("counts", "inputs")
    np.testing.assert_allclose(t.value("weight"), np.minimum(1, (x / 4) ** 0.75), rtol=1e-12)


def test_the_gradient_check_names_its_entry_by_word():
    _, _, words, t = cli_trace("cbow")
    param, (row, col) = t.check.param, t.check.index
    assert t.check_where == f"{param}[{words[row]}, {col}]"
    assert f"at {t.check_where}: numeric" in format_trace(t)
    js = trace_to_json(t)["gradient_check"]
    assert js["where"] == t.check_where and js["index"] == [row, col]


@pytest.mark.parametrize("type_", ["cbow", "sgram", "sgram_hs"])
def test_probability_of_the_target_before_and_after_the_step(type_):
    model, batch, words, t = cli_trace(type_)
    after = model.astype(np.float64)
    after.step(batch, 0.1)
    before_p, after_p = t.value("p_target", "after the step")
    if type_ == "sgram_hs":
        want = [np.exp(-model.forward(batch)["loss"]), np.exp(-after.forward(batch)["loss"])]
    else:
        rows = np.arange(len(batch.targets))
        want = [m.forward(batch)["p"][rows, batch.targets] for m in (model, after)]
    np.testing.assert_allclose(before_p, want[0], rtol=1e-12)
    np.testing.assert_allclose(after_p, want[1], rtol=1e-12)
    assert t.loss_after == pytest.approx(after.loss(batch), rel=1e-12)
    text = format_trace(t)
    assert f"      = {_fmt(before_p, 5)} -> {_fmt(after_p, 5)}" in text
    assert f"P({words[batch.targets[0]]} | " in text


@pytest.mark.parametrize("type_", ["sgram_neg", "glove", "fasttext_supervised"])
def test_loss_before_and_after_where_no_probability_is_printed(type_):
    model, batch, _, t = cli_trace(type_, sentence="the king rules the land")
    after = model.astype(np.float64)
    after.step(batch, 0.1)
    with pytest.raises(KeyError):
        t.value("p_target")
    before, later = t.value("loss_after", "after the step")
    np.testing.assert_allclose(later, after.forward(batch)["loss"], rtol=1e-12)
    np.testing.assert_allclose(before, model.forward(batch)["loss"], rtol=1e-12)
    assert t.loss_after == pytest.approx(after.loss(batch), rel=1e-12)
    assert f"loss after the step (summed over the batch): {t.loss_after:.5f}" in format_trace(t)
