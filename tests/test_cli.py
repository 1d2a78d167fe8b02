"""The trainer's command line: flags, the original README's commands, bad input, training."""
import json
import math
import re
import shlex
import shutil
import subprocess
import sys

import numpy as np
import pytest

from w2v_numpy import load_model
from w2v_numpy.cli.train import PROBE_WORDS, build_parser, merge_settings
from w2v_numpy.models import MODELS, VARIANTS, window_types

from test_cli_helpers import (ENV, SCRIPT, assert_one_line_error, run_cli, snapshot,
                              write_small_corpus)

TYPES = window_types()   # every word-level type the trainer trains on word windows
#: The types above whose output layer samples negatives: by default their negatives are
#: shared by 8 windows spread over the batch ...
SHARING_TYPES = [t for t in TYPES if MODELS[t].uses_negatives]
#: ... except in a per-pair formulation (skip-gram pairs as the documents write them).
PAIR_FORMS = sorted((t, f) for (t, f), cls in VARIANTS.items()
                    if t in TYPES and cls.uses_negatives and cls.batch_family == "sgram")
TINY = ["-v", "8", "-e", "1"]
#: Words the shipped corpus plants around two probe words the trainer prints
#: (data/make_corpus.py: "royal" concept words and queen; paris's locale).
ROYAL = {"queen", "throne", "crown", "palace", "reign", "kingdom", "court"}
PARIS_LOCALE = {"france", "french", "seine", "baguette"}

# The training commands of the original tool's README, verbatim (odd shell forms included:
# "\  # comment" line ends, backquoted comments, an unquoted glob).
README_COMMANDS = [r"""python train_numpy_model.py \
    --model_file=cbow.model \  # Save model here. Relative to python file.
    --data_file=data/toy_data_41mb_raw.txt.train \ 
    --overwrite_model \  # start new model, or overwrite old one.
    --type=cbow \  # Use CBOW type model.
    --window=7 \
    --vector_dim=300 \
    --batch_size=512 \
    --epochs=1000 \
    --alpha=0.005""", r"""python train_numpy_model.py \
    --model_file=cbow_neg.model \  # Save model here. Relative to python file.
    --data_file=data/toy_data_41mb_raw.txt.train \ 
    --overwrite_model \  # start new model, or overwrite old one.
    --type=cbow_neg \  # Use CBOW type model.
    --window=7 \
    --neg_samples=6 \
    --vector_dim=300 \
    --batch_size=512 \
    --epochs=1000 \
    --alpha=0.1""", r"""python train_numpy_model.py \
    --model_file=sgram.model \  # Save model here. Relative to python file.
    --data_file=data/toy_data_41mb_raw.txt.train \
    --overwrite_model \  # start new model, or overwrite old one.
    --type=sgram \  # Use S-gram type model.
    --window=5 \
    --vector_dim=300 \
    --batch_size=512 \
    --alpha=0.01""", r"""python train_numpy_model.py \
    --model_file=sgram_neg.model `# Save model here. Relative to python file.` \
    --data_file=data/*.train[0-9][0-9] \
    --overwrite_model `# start new model, or overwrite old one.` \
    --type=sgram_neg `# Use S-gram type model.` \
    --window=5 \
    --neg_samples=6 \
    --vector_dim=300 \
    --batch_size=512 \
    --alpha=0.01""",
    "python train_numpy_model.py --model_file=sgram.model --data_file=data/toy_data_41mb_raw.txt.train "
    "--overwrite_model --type=sgram --window=5 --vector_dim=300 --batch_size=512 --alpha=0.05 --k=15",
]
# What each command means: (model_file, type, radius, negatives, vector_dim, batch, epochs, alpha)
README_MEANING = [
    ("cbow.model", "cbow", 3, 0, 300, 512, 1000, 0.005),
    ("cbow_neg.model", "cbow_neg", 3, 6, 300, 512, 1000, 0.1),
    ("sgram.model", "sgram", 2, 0, 300, 512, 5, 0.01),
    ("sgram_neg.model", "sgram_neg", 2, 6, 300, 512, 5, 0.01),
    ("sgram.model", "sgram", 2, 0, 300, 512, 5, 0.05),
]


def intended_argv(command):
    """The arguments the README author meant: comments dropped, lines joined."""
    command = re.sub(r"`#[^`]*`", "", command)
    lines = [re.sub(r"\\\s*(#.*)?$", "", line).strip() for line in command.splitlines()]
    return shlex.split(" ".join(lines))[2:]        # drop "python train_numpy_model.py"


def parse(argv):
    args = build_parser().parse_intermixed_args(argv)
    return args, merge_settings(args, None, "x.model")[0]


@pytest.mark.parametrize("command, meaning", list(zip(README_COMMANDS, README_MEANING)))
def test_readme_commands_parse_and_mean_what_they_meant(command, meaning):
    args, kw = parse(intended_argv(command))
    assert (args.model_file, kw["type"], kw["window"], kw["negative"], kw["vector_size"],
            kw["batch_size"], kw["epochs"], kw["alpha"]) == meaning
    assert args.overwrite_model and args.data_file


@pytest.mark.parametrize("command", README_COMMANDS)
def test_readme_commands_parse_as_bash_really_passes_them(command):
    """In bash, "\\  # comment" passes a lone " " and ends the command there; whatever bash
    hands over must still parse (a blank argument is ignored)."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    stub = "python() { \"$PY\" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' \"$@\"; }\n"
    proc = subprocess.run(["bash", "-c", stub + command], capture_output=True, text=True,
                          env=dict(ENV, PY=sys.executable), timeout=60)
    argvs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(argvs) == 1 and argvs[0][0] == "train_numpy_model.py"
    args, kw = parse(argvs[0][1:])
    assert args.model_file.endswith(".model") and kw["type"] in TYPES


def test_short_forms_and_synonyms():
    args, kw = parse(["-m", "a.model", "-d", "x.txt", "y.txt", "-o", "-t", "sgram_neg", "-w", "9",
                      "-k", "3", "-v", "20", "-B", "64", "-e", "2", "-a", "0.02", "z.txt"])
    assert args.model_file == "a.model" and args.overwrite_model
    assert args.data_file + args.more_data == ["x.txt", "y.txt", "z.txt"]
    assert (kw["type"], kw["window"], kw["negative"], kw["vector_size"], kw["batch_size"],
            kw["epochs"], kw["alpha"]) == ("sgram_neg", 4, 3, 20, 64, 2, 0.02)
    assert parse(["-t", "cbow_neg", "--k=15"])[1]["negative"] == 15
    _, kw = parse([])
    assert (kw["type"], kw["window"], kw["vector_size"], kw["epochs"], kw["alpha"]) == \
        ("cbow", 3, 300, 5, 0.05)


def test_readme_sgram_neg_command_runs_in_bash(tmp_path):
    """The one README block that is valid shell, run by bash: backquoted comments and an
    unquoted glob that the shell expands to several files."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    (tmp_path / "data").mkdir()
    for i in (1, 2):
        write_small_corpus(tmp_path / "data" / f"toy.train0{i}", lines=150 * i)
    command = README_COMMANDS[3].replace(
        "python train_numpy_model.py", f"{shlex.quote(sys.executable)} {shlex.quote(str(SCRIPT))}")
    proc = subprocess.run(["bash", "-c", command + " --epochs=1 --no_progress --workers 1"],
                          cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env=ENV)
    assert proc.returncode == 0, proc.stderr
    w2v = load_model(tmp_path / "sgram_neg.model")
    assert w2v.config["window"] == 2 and w2v.config["negative"] == 6
    assert w2v.model.vector_dim == 300 and len(w2v.meta["data_files"]) == 2


def printed_neighbours(stdout):
    """{probe word: [(neighbour, similarity text), ...]} from the trainer's closing summary
    (lines ``      paris: seine 0.97, baguette 0.95, ...``)."""
    pair = r"\S+ -?\d+\.\d\d"
    out = {}
    for line in stdout.splitlines():
        found = re.fullmatch(rf" +(\S+): ({pair}(?:, {pair})*)", line)
        if found:
            out[found[1]] = [tuple(x.split()) for x in found[2].split(", ")]
    return out


@pytest.mark.parametrize("type_", TYPES)
def test_each_type_trains_on_the_shipped_corpus(tmp_path, type_):
    proc = run_cli(tmp_path, "-t", type_, *TINY, "--metrics_json", "m.json")
    assert proc.returncode == 0, proc.stderr
    m = json.loads((tmp_path / "m.json").read_text())
    for key in ("type", "epochs_done", "examples", "raw_words", "vocab_size", "backend", "wall_s",
                "train_s", "words_per_s", "pairs_per_s", "final_loss"):
        assert key in m
    assert m["type"] == type_ and m["epochs_done"] == 1 and m["backend"] == "numpy"
    assert m["raw_words"] > 100_000 and m["train_s"] < m["wall_s"]
    w2v = load_model(tmp_path / f"{type_}.model")
    first = w2v.state.batch_losses[0]
    assert math.isfinite(m["final_loss"]) and m["final_loss"] < first
    assert (tmp_path / f"{type_}.model.epoch.0001").is_file()
    assert (tmp_path / f"{type_}.model.loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The neighbours printed are the saved model's: six per probe word, with their cosines.
    shown = printed_neighbours(proc.stdout)
    assert list(shown) == [w for w in PROBE_WORDS if w in w2v.wv][:4], proc.stdout
    assert list(shown)[:2] == ["king", "paris"]
    for word, near in shown.items():
        assert near == [(w, f"{s:.2f}") for w, s in w2v.wv.most_similar(word, topn=6)], word
    # One epoch of 8 dimensions (one worker: the same numbers every run) already finds the
    # planted words. When written, king's 7 concept words ranked 1-7 for every type (5 of
    # the 6 shown are asked for), and paris's locale had 1-4 words among the 6 (cbow_neg:
    # france, 4th).
    assert sum(w in ROYAL for w, _ in shown["king"]) >= 5, shown["king"]
    assert PARIS_LOCALE & {w for w, _ in shown["paris"]}, shown["paris"]


@pytest.mark.slow
def test_default_run_finishes_and_learns_the_planted_structure(tmp_path):
    """The default settings on the shipped corpus (one worker, so that the accuracy is that
    of one reproducible run: 0.83 when written)."""
    proc = run_cli(tmp_path, "--type=sgram_neg", "--metrics_json", "m.json", progress=True)
    assert proc.returncode == 0, proc.stderr
    assert "1 worker(s)" in proc.stderr
    m = json.loads((tmp_path / "m.json").read_text())
    assert m["epochs_done"] == 5 and m["analogy_accuracy"] > 0.6
    losses = load_model(tmp_path / "sgram_neg.model").state.epoch_losses
    assert len(losses) == 5 and losses == sorted(losses, reverse=True)
    assert "king - man + woman ~ queen" in proc.stdout


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_small_corpus(tmp_path_factory.mktemp("corpus") / "small.txt", lines=1500)


@pytest.mark.parametrize("argv, needles", [
    (["-d", "missing.txt"], ["missing.txt"]),
    (["-d", "empty.txt"], ["empty"]),
    (["-d", "nothing/*.txt"], ["matches no file"]),
    (["-d", "SMALL", "-t", "word2vec"], ["--type", "word2vec"]),
    (["-d", "SMALL", "-w", "4"], ["--window", "odd"]),
    (["-d", "SMALL", "-w", "1"], ["--window"]),
    (["-d", "SMALL", "-v", "0"], ["--vector_dim"]),
    (["-d", "SMALL", "--vector_dim=-3"], ["--vector_dim"]),
    (["-d", "SMALL", "-B", "0"], ["--batch_size"]),
    (["-d", "SMALL", "-e", "0"], ["--epochs"]),
    (["-d", "SMALL", "-t", "sgram_neg", "-k", "0"], ["--neg_samples"]),
    (["-d", "SMALL", "-a", "0"], ["--alpha"]),
    (["-d", "SMALL", "-v", "ten"], ["--vector_dim"]),
    (["-d", "SMALL", "--min_count", "100000"], ["min_count"]),
    (["-d", "SMALL", "--bogus"], ["--bogus"]),
    (["-d", "SMALL", "-m", "no_dir/x.model"], ["--model_file", "no_dir"]),
    (["-d", "SMALL", "-m", "empty.txt/x.model"], ["--model_file"]),
    (["-d", "SMALL", "--metrics_json", "no_dir/m.json"], ["--metrics_json"]),
    (["-d", "SMALL", "-m", "/proc/x.model"], ["--model_file"]),
    (["-d", "SMALL", "-m", "."], ["--model_file", "directory"]),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, small, argv, needles):
    (tmp_path / "empty.txt").write_text("\n \n")
    argv = [str(small) if a == "SMALL" else a for a in argv]
    before = snapshot(tmp_path)
    assert_one_line_error(run_cli(tmp_path, *argv), *needles)
    assert snapshot(tmp_path) == before


def test_corrupt_truncated_or_foreign_model_file_is_refused_and_untouched(tmp_path, small):
    assert run_cli(tmp_path, "-d", small, "-t", "cbow_neg", *TINY).returncode == 0
    good = (tmp_path / "cbow_neg.model").read_bytes()
    np.save(tmp_path / "array.npy", np.zeros(3))
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    (tmp_path / "garbage.model").write_bytes(b"not a model\n" * 50)
    (tmp_path / "half.model").write_bytes(good[: len(good) // 2])
    (tmp_path / "empty.model").write_bytes(b"")
    for name in ("array.npy", "other.npz", "garbage.model", "half.model", "empty.model"):
        before = snapshot(tmp_path)
        proc = run_cli(tmp_path, "-d", small, "-m", name, *TINY)
        assert_one_line_error(proc, "cannot load", name)
        assert snapshot(tmp_path) == before
    # --overwrite_model replaces a damaged file
    assert run_cli(tmp_path, "-d", small, "-m", "half.model", "-o", *TINY).returncode == 0
    assert load_model(tmp_path / "half.model").config["type"] == "cbow"


def test_an_existing_model_is_never_overwritten_silently(tmp_path, small):
    assert run_cli(tmp_path, "-d", small, "-t", "sgram_neg", "-m", "a.model", *TINY).returncode == 0
    before = snapshot(tmp_path)
    assert_one_line_error(run_cli(tmp_path, "-d", small, "-t", "cbow", "-m", "a.model", *TINY),
                          "a.model", "--overwrite_model")
    assert_one_line_error(run_cli(tmp_path, "-d", small, "-m", "a.model", "-v", "9", "-e", "1"),
                          "--vector_dim")
    assert snapshot(tmp_path) == before
    proc = run_cli(tmp_path, "-d", small, "-t", "cbow", "-m", "a.model", "-o", *TINY)
    assert proc.returncode == 0, proc.stderr
    assert load_model(tmp_path / "a.model").config["type"] == "cbow"


def test_other_data_is_refused_when_resuming(tmp_path, small):
    other = tmp_path / "other.txt"
    other.write_text(small.read_text()[:20000])
    assert run_cli(tmp_path, "-d", small, *TINY).returncode == 0
    before = snapshot(tmp_path)
    assert_one_line_error(run_cli(tmp_path, "-d", other, "-v", "8", "-e", "2"), "vocabulary")
    assert snapshot(tmp_path) == before


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_is_one_line_nonzero_and_keeps_the_last_good_save(tmp_path, small):
    assert run_cli(tmp_path, "-d", small, *TINY).returncode == 0
    good = snapshot(tmp_path)["cbow.model"]
    proc = run_cli(tmp_path, "-d", small, "-v", "8", "-e", "2", "-a", "1e30")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line = [x for x in proc.stderr.splitlines() if x.startswith("error:")]
    assert len(line) == 1 and "--alpha" in line[0] and "diverged" in line[0]
    assert snapshot(tmp_path)["cbow.model"] == good


def test_data_file_forms(tmp_path, small):
    for i in range(3):
        shutil.copy(small, tmp_path / f"part{i}.txt")
    for argv in (["-d", "part*.txt"], ["--data_file=part0.txt", "part1.txt", "part2.txt"],
                 ["-d", "part0.txt", "part1.txt", "-d", "part2.txt"]):
        proc = run_cli(tmp_path, *argv, "-o", "--metrics_json", "m.json", *TINY)
        assert proc.returncode == 0, proc.stderr
        words = json.loads((tmp_path / "m.json").read_text())["raw_words"]
        assert words >= 2 * sum(len(x.split()) for x in small.read_text().splitlines())


def test_python_m_w2v_numpy_train_is_the_same_command(tmp_path, small):
    proc = subprocess.run([sys.executable, "-m", "w2v_numpy", "train", "-d", str(small), *TINY,
                           "--no_progress", "--workers", "1"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cbow.model").is_file()


def test_cbow_trains_with_the_word2vec_update_by_default():
    """Issue 16: the defaults a user gets use word2vec.c's / gensim's CBOW update; the
    documents' exact update stays one flag away."""
    assert parse([])[1]["cbow_update"] == "word2vec"
    assert parse(["--cbow_update", "exact"])[1]["cbow_update"] == "exact"
    from w2v_numpy import Word2Vec
    assert Word2Vec(type="cbow_neg").config["cbow_update"] == "word2vec"


@pytest.mark.parametrize("setting, flags, old_value", [
    ("cbow_update", ["--cbow_update", "word2vec"], "exact"),
    ("shared_negatives", ["--shared_negatives", "8"], 1),
    ("run_length", ["--shuffle", "--run_length", "4"], 1),
])
def test_a_file_without_a_newer_setting_resumes_as_its_code_trained(tmp_path, small, setting,
                                                                     flags, old_value):
    """Model files from before an option existed resume with what their code did: the
    exact CBOW update, one draw of negatives per example."""
    from w2v_numpy.files import model_file

    assert run_cli(tmp_path, "-d", small, "-t", "cbow_neg", "-v", "8", "-e", "1",
                   *flags).returncode == 0
    path = tmp_path / "cbow_neg.model"
    parts = model_file.read_model_file(path)
    del parts.config[setting]
    model_file.write_model_file(path, parts)
    args = build_parser().parse_intermixed_args(["-m", str(path), "-e", "2"])
    kw, _ = merge_settings(args, load_model(path), str(path))
    assert kw[setting] == old_value


def test_corpus_order_and_shared_negatives_flags(tmp_path, small):
    """Defaults: corpus order; a draw of negatives per 8 examples spread over the batch
    for the negative-sampling types (cbow_neg, and sgram_neg in its window form), per
    example in a per-pair form; the flags change them, the training line says so and the
    model file keeps them."""
    assert SHARING_TYPES and PAIR_FORMS
    kw = parse(["-t", "cbow_neg"])[1]
    assert kw["shuffle"] is None and kw["shared_negatives"] is None  # None: the class decides
    kw = parse(["-t", "cbow_neg", "--shuffle", "--shared_negatives", "8"])[1]
    assert kw["shuffle"] is True and kw["shared_negatives"] == 8
    for type_ in SHARING_TYPES:
        proc = run_cli(tmp_path, "-d", small, "-t", type_, "-v", "8", "-e", "1")
        assert proc.returncode == 0, proc.stderr
        assert "negatives shared by 8 examples spread over the batch" in proc.stderr
        config = load_model(tmp_path / f"{type_}.model").config
        assert (config["shuffle"], config["shared_negatives"], config["spread_negatives"]) == \
            (False, 8, True)
    proc = run_cli(tmp_path, "-d", small, "-t", "sgram_neg", "-v", "8", "-e", "1", "-o",
                   "--shuffle", "--shared_negatives", "1")
    assert proc.returncode == 0, proc.stderr
    assert "negatives shared" not in proc.stderr
    config = load_model(tmp_path / "sgram_neg.model").config
    assert (config["shuffle"], config["shared_negatives"]) == (True, 1)
    for type_, formulation in PAIR_FORMS:                                     # the documents' form
        proc = run_cli(tmp_path, "-d", small, "-t", type_, "--formulation", formulation, "-v",
                       "8", "-e", "1", "-o")
        assert proc.returncode == 0, proc.stderr
        assert f"{formulation} formulation" in proc.stderr and "negatives shared" not in proc.stderr


def test_prefetch_flag(tmp_path, small):
    """--prefetch on/off: batches from a second process or not (the training line says
    which); auto leaves a corpus this small to one process; a bad value is an error."""
    proc = run_cli(tmp_path, "-d", small, "-t", "cbow_neg", "-v", "8", "-e", "1")
    assert proc.returncode == 0 and "second process" not in proc.stderr
    proc = run_cli(tmp_path, "-d", small, "-t", "cbow_neg", "-v", "8", "-e", "1", "-o",
                   "--prefetch", "on")
    assert proc.returncode == 0, proc.stderr
    assert "1 worker(s), batches from a second process)" in proc.stderr
    proc = run_cli(tmp_path, "-d", small, "-t", "cbow_neg", "--prefetch", "maybe")
    assert proc.returncode == 2 and "--prefetch" in proc.stderr


def test_workers_flag(tmp_path):
    """The test of the workers themselves (every other test here passes --workers 1):
    --workers 2 trains the shipped corpus's two chunks in two processes, and the training
    line says so; more workers than chunks are not started; 0 is a one-line error."""
    from w2v_numpy.training.workers import can_fork

    if not can_fork():
        pytest.skip("workers > 1 needs the fork start method")
    assert parse([])[0].workers is None                                 # default: every core
    proc = run_cli(tmp_path, "-t", "cbow_neg", *TINY, workers=2)
    assert proc.returncode == 0, proc.stderr
    assert "2 worker(s)" in proc.stderr
    w2v = load_model(tmp_path / "cbow_neg.model")
    assert w2v.state.epoch == 1 and w2v.state.batch_losses[-1] < w2v.state.batch_losses[0]
    proc = run_cli(tmp_path, "-t", "cbow_neg", *TINY, "-o", workers=3)
    assert proc.returncode == 0 and "2 worker(s)" in proc.stderr, proc.stderr
    assert_one_line_error(run_cli(tmp_path, "-t", "cbow_neg", *TINY, workers=0), "--workers")


def test_run_length_flag(tmp_path, small):
    """cbow_hs is shuffled in runs of a tile by default; the flag sets it, and the
    training line says so; a bad value is a one-line error."""
    assert parse(["-t", "cbow_hs"])[1]["run_length"] is None          # the library decides
    proc = run_cli(tmp_path, "-d", small, "-t", "cbow_hs", "-v", "8", "-e", "1")
    assert proc.returncode == 0, proc.stderr
    assert "shuffled in runs of 8 windows" in proc.stderr
    assert load_model(tmp_path / "cbow_hs.model").config["run_length"] == 8
    proc = run_cli(tmp_path, "-d", small, "-t", "cbow_hs", "-v", "8", "-e", "1", "-o",
                   "--run_length", "1")
    assert proc.returncode == 0 and "runs of" not in proc.stderr
    proc = run_cli(tmp_path, "-d", small, "-t", "cbow_hs", "--run_length", "0")
    assert proc.returncode == 2 and "run_length" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sgram_hs_trains_and_resumes(tmp_path):
    """Hierarchical softmax from the command line: stopped mid-epoch, then resumed to the
    end; the Huffman tree is rebuilt from the counts in the model file (-k is ignored)."""
    corpus = write_small_corpus(tmp_path / "tiny.txt", lines=400)
    argv = ["-d", corpus, "-t", "sgram_hs", "-v", "8", "-e", "1", "-k", "9"]
    stopped = run_cli(tmp_path, *argv, "--stop_after_batches", "5")
    assert stopped.returncode == 130, stopped.stderr
    resumed = run_cli(tmp_path, *argv)
    assert resumed.returncode == 0 and "resuming at epoch 1" in resumed.stderr, resumed.stderr
    w2v = load_model(tmp_path / "sgram_hs.model")
    assert (w2v.config["type"], w2v.config["negative"], w2v.state.epoch) == ("sgram_hs", 0, 1)
    assert w2v.model.params["W_out"].shape == (len(w2v.vocab) - 1, 8)
