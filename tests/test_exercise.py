"""Exercises: skeletons for every type, and a checker that passes the reference and names planted mistakes."""
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from w2v_numpy import kernels
from w2v_numpy.cli import main as cli_main
from w2v_numpy.cli.check import exercise_model, train_exercise
from w2v_numpy.models import MODELS
from w2v_numpy.teaching import check_exercise
from w2v_numpy.teaching.exercise import check_model, example_batch, student_batch

ROOT = Path(__file__).resolve().parents[1]
NEGATIVE_TYPES = sorted(t for t, cls in MODELS.items() if cls.uses_negatives)

#: A fixture, not shipped: the library's own reference as a student's file, with a
#: planted mistake (MISTAKE) applied to its loss or its dense gradient.
PLANTED = '''
import numpy as np
from w2v_numpy.batching import Batch, CooccurrenceBatch
from w2v_numpy.batching.batch import DocumentBatch
from w2v_numpy.models import MODELS, densify
from w2v_numpy.teaching.exercise import check_model

TYPE = "{type}"
MISTAKE = "{mistake}"
_check = check_model(TYPE)
_cls = {{"sgram": Batch, "cbow": Batch, "cooccurrence": CooccurrenceBatch,
        "documents": DocumentBatch}}[_check.batch_family]


def _overwritten(params, grads):
    out = {{k: np.zeros_like(p) for k, p in params.items()}}
    for k, g in grads.items():
        if g.index is None:
            out[k] += g.rows
        else:
            out[k][g.index] = g.rows               # the mistake: repeated rows overwritten
    return out


def loss_and_grad(params, batch):
    same = all(params[k].shape == p.shape for k, p in _check.params.items())
    m = _check if same else MODELS[TYPE].from_params(dict(params))   # the training vocabulary
    m.params = params
    b = _cls(**{{k: batch.get(k) for k in _cls._fields if k not in ("span", "draws")}})
    loss, grads = m.loss_and_grad(b)
    if MISTAKE.startswith("no_negatives"):
        _, grads = m.loss_and_grad(b._replace(negatives=b.negatives[:, :0]))
        if MISTAKE == "no_negatives_both":
            loss = m.loss_and_grad(b._replace(negatives=b.negatives[:, :0]))[0]
    dense = _overwritten(params, grads) if MISTAKE == "overwrite" else densify(params, grads)
    factor = {{"sign": -1.0, "factor2": 2.0, "consistent_wrong_loss": 3.0}}.get(MISTAKE, 1.0)
    if MISTAKE in ("consistent_wrong_loss", "inconsistent_wrong_loss"):
        loss = 3.0 * loss
    return loss, {{k: factor * v for k, v in dense.items()}}
'''

#: A student's own sgram_neg, by hand, with switches for the classic mistakes.
HANDWRITTEN = '''
import numpy as np

TYPE = "sgram_neg"


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def loss_and_grad(params, batch):
    W_in, W_out = params["W_in"], params["W_out"]
    centre = batch["inputs"][:, 0]                                  # (B,)
    h = W_in[centre]                                                # (B, d)
    rows = np.concatenate([batch["targets"][:, None], batch["negatives"]], axis=1)   # (B, 1+K)
    U = W_out[rows]                                                 # (B, 1+K, d)
    s = np.einsum("bkd,bd->bk", U, h)                               # (B, 1+K)
    sign = np.ones_like(s)
    sign[:, 1:] = -1
    loss = -np.log(sigmoid(sign * s)).sum()
    e = sigmoid(s)
    e[:, 0] -= 1                                                    # dL/ds
    if {forget_negatives}:
        e[:, 1:] = 0
    dh = np.einsum("bk,bkd->bd", e, U)                              # (B, d)
    dU = (e[:, :, None] * h[:, None, :]).reshape(-1, h.shape[1])    # (B(1+K), d)
    G_in, G_out = np.zeros_like(W_in), np.zeros_like(W_out)
    if {overwrite}:
        G_in[centre] = dh
        G_out[rows.reshape(-1)] = dU
    else:
        np.add.at(G_in, centre, dh)
        np.add.at(G_out, rows.reshape(-1), dU)
    return loss, {{"W_in": G_in, "W_out": G_out}}
'''


def write(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def planted(tmp_path, type_, mistake="none"):
    return write(tmp_path, PLANTED.format(type=type_, mistake=mistake), f"{type_}_{mistake}.py")


def checked(path, trainer=None):
    lines = []
    code = check_exercise(path, trainer=trainer, out=lines.append)
    return code, "\n".join(lines)


@pytest.mark.parametrize("type_", sorted(MODELS))
def test_the_reference_passes(tmp_path, type_):
    code, text = checked(planted(tmp_path, type_))
    assert code == 0, text
    assert [line.split()[0] for line in text.splitlines()[1:]] == ["PASS"] * 4 + ["SKIP"]


HINTS = {"sign": "sign flipped", "factor2": "2 times the expected",
         "overwrite": "overwritten instead of summed",
         "no_negatives_grad": "the negatives' term is missing"}
CASES = [(t, m) for t in sorted(MODELS) for m in ("sign", "factor2", "overwrite")] + \
        [(t, "no_negatives_grad") for t in NEGATIVE_TYPES]


@pytest.mark.parametrize("type_, mistake", CASES)
def test_a_planted_gradient_mistake_fails_with_its_hint(tmp_path, type_, mistake):
    code, text = checked(planted(tmp_path, type_, mistake))
    assert code == 1
    assert "PASS loss" in text and "FAIL gradient of" in text, text
    hint = [line for line in text.splitlines() if line.startswith("hint:")]
    assert len(hint) == 1 and HINTS[mistake] in hint[0], text


@pytest.mark.parametrize("type_", ["sgram_neg", "cbow_hs", "glove", "supervised_softmax"])
def test_a_wrong_loss_is_told_apart_from_a_wrong_gradient(tmp_path, type_):
    code, text = checked(planted(tmp_path, type_, "consistent_wrong_loss"))
    assert code == 1 and "FAIL loss on batch 1" in text
    assert "Your result:" in text and "Expected result:" in text
    assert "agrees with finite differences of YOUR loss" in text
    assert "FAIL gradient" not in text
    code, text = checked(planted(tmp_path, type_, "inconsistent_wrong_loss"))
    assert code == 1 and "does not agree with finite differences of your loss either" in text


@pytest.mark.parametrize("type_", ["sgram_neg", "supervised_neg"])
def test_a_loss_without_the_negatives_says_so(tmp_path, type_):
    code, text = checked(planted(tmp_path, type_, "no_negatives_both"))
    assert code == 1 and "WITHOUT the negatives' term" in text
    assert "agrees with finite differences of YOUR loss" in text


def test_a_handwritten_solution_passes_and_its_classic_mistakes_are_named(tmp_path):
    good = write(tmp_path, HANDWRITTEN.format(forget_negatives=False, overwrite=False), "good.py")
    assert checked(good)[0] == 0
    bad = write(tmp_path, HANDWRITTEN.format(forget_negatives=False, overwrite=True), "bad.py")
    code, text = checked(bad)
    assert code == 1 and "hint: repeated rows overwritten instead of summed" in text
    assert "'man'" in text                          # word 2 is the repeated centre word
    bad = write(tmp_path, HANDWRITTEN.format(forget_negatives=True, overwrite=False), "neg.py")
    code, text = checked(bad)
    assert code == 1 and "hint: the negatives' term is missing" in text


def test_the_command_checks_and_trains_a_handwritten_solution(tmp_path, capsys):
    good = write(tmp_path, HANDWRITTEN.format(forget_negatives=False, overwrite=False),
                 "sgram_neg.py")
    assert cli_main(["check", good]) == 0
    out = capsys.readouterr().out
    assert "PASS training" in out and "analogies" in out and "king" in out
    yours, reference = re.search(r"analogies\s+([\d.]+)\s+([\d.]+)", out).groups()
    assert float(yours) > 0.3 and abs(float(yours) - float(reference)) < 0.05


def test_glove_trains_with_the_students_gradient_through_adagrad(tmp_path):
    code, text = checked(planted(tmp_path, "glove"), trainer=train_exercise)
    assert code == 0 and "PASS training" in text, text


def test_the_training_model_takes_the_reference_path_and_calls_the_student():
    model = check_model("sgram_neg", dtype=np.float32)
    calls = []

    def fn(params, batch):
        calls.append(sorted(batch))
        return 0.0, {k: np.zeros_like(v) for k, v in params.items()}

    student = exercise_model(model, fn)
    batch = example_batch(model, np.random.default_rng(0))
    assert type(model) in kernels.KERNELS and type(student) not in kernels.KERNELS
    assert kernels.select(student, batch) is None
    before = {k: v.copy() for k, v in student.params.items()}
    kernels.step(student, batch, 0.1)
    assert calls == [["inputs", "negatives", "targets"]]
    assert all(np.array_equal(before[k], student.params[k]) for k in before)
    assert exercise_model(model).loss(batch) == pytest.approx(model.loss(batch))


def test_not_implemented_yet_is_one_line_without_a_traceback(tmp_path, capsys):
    assert cli_main(["exercise", "sgram_neg", str(tmp_path)]) == 0
    path = str(tmp_path / "sgram_neg.py")
    capsys.readouterr()
    assert cli_main(["check", path]) == 1
    out = capsys.readouterr()
    assert f"not implemented yet: fill in loss_and_grad in {path}" in out.out
    assert "Traceback" not in out.out + out.err


def test_an_exception_shows_only_the_students_frames(tmp_path):
    text = HANDWRITTEN.format(forget_negatives=False, overwrite=False).replace(
        'batch["inputs"][:, 0]', 'batch["centre"]')
    code, out = checked(write(tmp_path, text, "boom.py"))
    assert code == 1
    assert "KeyError: 'centre'" in out and "boom.py" in out and 'batch["centre"]' in out
    assert "w2v_numpy" not in out.replace("python -m w2v_numpy", "")


def load(path):
    spec = importlib.util.spec_from_file_location("skeleton_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("type_", sorted(MODELS))
def test_every_type_writes_a_skeleton_without_the_solution(tmp_path, type_):
    assert cli_main(["exercise", type_, str(tmp_path)]) == 0
    path = tmp_path / f"{type_}.py"
    text = path.read_text(encoding="utf-8")
    module = load(path)
    assert module.TYPE == type_
    model = check_model(type_)
    with pytest.raises(NotImplementedError):
        module.loss_and_grad({k: v.copy() for k, v in model.params.items()},
                             student_batch(model, example_batch(model, np.random.default_rng(0))))
    for leak in ("create(", ".grad(", "densify", "loss_and_grad(b", "import w2v_numpy",
                 "from w2v_numpy", "np.add.at"):
        assert leak not in text, leak
    page = re.search(r"docs/derivations/\w+\.md", text).group(0)
    assert (ROOT / page).exists()
    assert "batch = {" in text
    for name, p in model.params.items():                  # every parameter is described
        assert re.search(rf"^    {name} +\(", text, re.M), name
    fields = student_batch(model, example_batch(model, np.random.default_rng(0)))
    for field in fields:                                  # and every batch field
        assert re.search(rf"^    {field} +\(", text, re.M), field


def test_the_exercise_command_keeps_an_existing_file_and_lists_the_types(tmp_path, capsys):
    assert cli_main(["exercise", "glove", str(tmp_path)]) == 0
    (tmp_path / "glove.py").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert cli_main(["exercise", "glove", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--overwrite" in err
    assert (tmp_path / "glove.py").read_text(encoding="utf-8") == "mine"
    assert cli_main(["exercise", "glove", str(tmp_path), "--overwrite"]) == 0
    assert "TYPE = \"glove\"" in (tmp_path / "glove.py").read_text(encoding="utf-8")
    capsys.readouterr()
    assert cli_main(["exercise", "nope", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown type 'nope'" in err
    assert all(t in err for t in MODELS)
    assert cli_main(["check", str(tmp_path / "missing.py")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_a_syntax_error_is_the_students_not_a_crash(tmp_path):
    path = write(tmp_path, 'TYPE = "sgram_neg"\ndef loss_and_grad(params, batch)\n    pass\n', "s.py")
    code, text = checked(path)
    assert code == 1 and text.startswith("FAIL your code raised SyntaxError") and "line 2" in text


def test_the_readme_shows_what_the_checker_prints(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your turn: write a gradient", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```")[3].strip().splitlines()
    bad = write(tmp_path, HANDWRITTEN.format(forget_negatives=False, overwrite=True), "sgram_neg.py")
    printed = checked(bad)[1]
    for line in shown:
        for part in line.split(" ... "):
            assert part.strip() in printed, part
    good = write(tmp_path, HANDWRITTEN.format(forget_negatives=False, overwrite=False), "ok.py")
    printed = checked(good, trainer=train_exercise)[1]
    for quoted in re.findall(r"`(PASS [^`]*)`", section):
        assert quoted.replace(" ...", "").split(" (")[0] in printed, quoted   # scores may vary
