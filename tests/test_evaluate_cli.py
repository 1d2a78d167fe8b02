"""The command-line tools: evaluate, neighbors, export, plot (JSON shape, outputs, one-line errors)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from vector_helpers import structured_kv, write_analogies, write_pairs
from w2v_numpy.cli import evaluate, export, neighbors, plot
from w2v_numpy.vectors.plotting import pca_2d
from w2v_numpy.vectors.keyedvectors import KeyedVectors


@pytest.fixture
def files(tmp_path):
    kv = structured_kv()
    kv.save_word2vec_format(tmp_path / "v.vec")
    (tmp_path / "garbled.vec").write_bytes(b"3 16\nland0 1 2\n")
    return {"dir": tmp_path, "kv": kv, "vec": str(tmp_path / "v.vec"),
            "analogies": str(write_analogies(tmp_path / "analogies.txt")),
            "pairs": str(write_pairs(tmp_path / "pairs.tsv"))}


def run_module(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60)


def assert_one_line_error(proc_or_rc, stderr=None):
    rc, err = (proc_or_rc.returncode, proc_or_rc.stderr) if stderr is None else (proc_or_rc, stderr)
    assert rc == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err


def test_evaluate_prints_one_json_object(files):
    proc = run_module("w2v_numpy.cli.evaluate", files["vec"], "--analogies", files["analogies"],
                      "--pairs", files["pairs"], files["pairs"])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["vocab_size"] == len(files["kv"]) and out["vector_size"] == 16
    assert out["restrict_vocab"] == 300000 and out["case_insensitive"] is True
    analogies = out["analogies"]
    score, sections = files["kv"].evaluate_word_analogies(files["analogies"])
    assert analogies["accuracy"] == pytest.approx(score)
    assert analogies["semantic"] == pytest.approx(len(sections[0]["correct"]) / 61)
    assert analogies["syntactic"] == pytest.approx(len(sections[1]["correct"]) / 50)
    assert analogies["evaluated"] == 111 and analogies["questions"] == 112
    assert analogies["oov"] == pytest.approx(100 / 112)
    assert set(analogies["sections"]) == {"capital-common-countries", "gram1-adjective-to-adverb"}
    assert set(analogies["sections"]["gram1-adjective-to-adverb"]) == {"correct", "evaluated",
                                                                       "accuracy"}
    (name, pairs), = out["pairs"].items()  # the same file twice: one entry
    pearson, spearman, oov = files["kv"].evaluate_word_pairs(files["pairs"])
    assert name == files["pairs"]
    assert pairs["spearman"] == pytest.approx(spearman[0]) and pairs["pearson"] == pytest.approx(pearson[0])
    assert pairs["oov"] == pytest.approx(oov) and 0 <= pairs["spearman_pvalue"] <= 1


def test_dispatcher_runs_the_same_tool(files):
    proc = run_module("w2v_numpy", "evaluate", files["vec"], "--pairs", files["pairs"])
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) == {"vectors", "vocab_size", "vector_size",
                                            "restrict_vocab", "case_insensitive", "pairs"}


@pytest.mark.parametrize("case", ["missing model", "no evaluation flag", "garbled vectors",
                                  "unknown flag", "missing pairs file"])
def test_evaluate_user_errors_are_one_line(files, case):
    args = {"missing model": ["nope.vec", "--pairs", files["pairs"]],
            "no evaluation flag": [files["vec"]],
            "garbled vectors": [str(files["dir"] / "garbled.vec"), "--pairs", files["pairs"]],
            "unknown flag": [files["vec"], "--frobnicate"],
            "missing pairs file": [files["vec"], "--pairs", "nope.tsv"]}[case]
    assert_one_line_error(run_module("w2v_numpy.cli.evaluate", *args, cwd=files["dir"]))


def test_evaluate_in_process_options(files, capsys):
    assert evaluate.main([files["vec"], "--analogies", files["analogies"],
                          "--restrict_vocab", "24", "--case_sensitive"]) == 0
    out = json.loads(capsys.readouterr().out)["analogies"]
    assert out["syntactic"] is None and out["evaluated"] == 60  # adjectives are beyond 24 words
    assert evaluate.main([files["vec"], "--pairs", files["pairs"], "--restrict_vocab", "0"]) == 2
    assert_one_line_error(2, capsys.readouterr().err)
    assert evaluate.main(["--help"]) == 0 and "--analogies" in capsys.readouterr().out


def test_neighbors(files):
    proc = run_module("w2v_numpy.cli.neighbors", files["vec"], "land1", "city2", "--topn", "3")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "land1" and len(lines) == 2 * 4 + 1 and lines[5] == "city2"
    top = files["kv"].most_similar("land1", topn=3)
    assert lines[1].split() == [top[0][0], f"{top[0][1]:.4f}"]
    assert_one_line_error(run_module("w2v_numpy.cli.neighbors", files["vec"], "land1", "zzz"))


def test_neighbors_json(files, capsys):
    assert neighbors.main([files["vec"], "adj1", "--topn", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [w for w, _ in out["adj1"]] == [w for w, _ in files["kv"].most_similar("adj1", topn=2)]
    assert neighbors.main([files["vec"], "adj1", "--topn", "0"]) == 2


@pytest.mark.parametrize("suffix,binary", [(".bin", True), (".txt", False), (".vec", False)])
def test_export_formats(files, capsys, suffix, binary):
    out = files["dir"] / f"exported{suffix}"
    assert export.main([files["vec"], str(out)]) == 0
    back = KeyedVectors.load_word2vec_format(out, binary=binary)
    assert back.index_to_key == files["kv"].index_to_key
    np.testing.assert_array_equal(back.vectors, files["kv"].vectors)
    assert str(out) in capsys.readouterr().out


def test_export_rejects_unknown_extension(files, capsys):
    assert export.main([files["vec"], str(files["dir"] / "out.npy")]) == 2
    assert_one_line_error(2, capsys.readouterr().err)
    assert not (files["dir"] / "out.npy").exists()


def test_plot(files, capsys):
    out = files["dir"] / "words.png"
    assert plot.main([files["vec"], "land0", "land1", "city0", "city1", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert plot.main([files["vec"], "land0", "--out", str(out)]) == 2
    assert plot.main([files["vec"], "land0", "nope", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)


def test_pca_2d():
    coords, explained = pca_2d([[0, 0, 0], [2, 0, 0], [0, 1, 0], [2, 1, 0]])
    assert coords.shape == (4, 2) and explained == pytest.approx([0.8, 0.2])
    assert np.abs(coords[:, 0]).tolist() == pytest.approx([1, 1, 1, 1])
    coords, explained = pca_2d([[1.0, 2.0], [1.0, 2.0]])  # no variance at all
    assert not coords.any() and not explained.any()
