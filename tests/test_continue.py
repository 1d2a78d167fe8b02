"""Continued training: ``build_vocab(corpus_file, update=True)`` then ``train()`` on new
text, and the trainer's ``--continue_from MODEL``."""
import numpy as np
import pytest

from w2v_numpy import Word2Vec, load_model
from w2v_numpy.batching import NegativeSampler
from w2v_numpy.errors import W2VError
from w2v_numpy.models import VARIANTS, window_types

from conftest import GROUPS, write_group_corpus
from test_cli_helpers import assert_one_line_error, run_cli, snapshot
from test_train import group_precision

FORMS = sorted((t, f) for t, f in VARIANTS if t in window_types())
KW = dict(vector_size=16, window=3, min_count=1, sample=0, alpha=0.05, epochs=3, batch_size=64,
          seed=3, progress=False)


def write_groups(path, groups, n_sentences, seed):
    """conftest's group corpus, drawn from ``groups`` only."""
    return write_group_corpus(path, n_sentences, seed, groups)


@pytest.fixture
def texts(tmp_path):
    """Text A knows three of the five groups; text B all five."""
    a = write_groups(tmp_path / "a.txt", GROUPS[:3], 1800, seed=0)
    b = write_groups(tmp_path / "b.txt", GROUPS, 1800, seed=1)
    return a, b


def margin(w2v):
    """Mean cosine within groups minus mean cosine across groups."""
    W = w2v.model.params["W_in"].astype(np.float64)
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    ids = [[w2v.vocab.key_to_index[w] for w in g] for g in GROUPS]
    label = np.concatenate([[k] * len(g) for k, g in enumerate(ids)])
    S = W[np.concatenate(ids)] @ W[np.concatenate(ids)].T
    same = label[:, None] == label[None, :]
    np.fill_diagonal(same, False)
    other = label[:, None] != label[None, :]
    return S[same].mean() - S[other].mean()


@pytest.mark.parametrize("type_, formulation", FORMS)
def test_update_keeps_every_row_and_adds_fresh_ones(texts, type_, formulation):
    a, b = texts
    w2v = Word2Vec(a, type=type_, formulation=formulation, **{**KW, "epochs": 1})
    old_vocab = w2v.vocab
    before = {k: np.array(v) for k, v in w2v.model.params.items()}
    w2v.build_vocab(b, update=True)
    n_old, vocab = len(old_vocab), w2v.vocab
    # Old words keep their ids, and their counts grow by their counts in B.
    assert vocab.words[:n_old] == old_vocab.words
    new_words = set(vocab.words[n_old:])
    assert new_words == {w for g in GROUPS[3:] for w in g}
    b_counts = {}
    for w in b.read_text(encoding="utf-8").split():
        b_counts[w] = b_counts.get(w, 0) + 1
    assert vocab.counts.tolist() == [old_vocab.counts[i] + b_counts.get(w, 0) if i < n_old
                                     else b_counts[w] for i, w in enumerate(vocab.words)]
    # build_vocab(update=True) alone changes no existing row of any parameter.
    for name, value in before.items():
        assert np.array_equal(w2v.model.params[name][:value.shape[0]], value), name
    # New words get rows: word2vec.c's random input rows, those of a fresh model of this seed.
    W_in = w2v.model.params["W_in"]
    assert W_in.shape[0] == len(vocab)
    fresh = Word2Vec(type=type_, formulation=formulation, **KW)
    fresh.vocab = vocab
    assert np.array_equal(W_in[n_old:], fresh.new_model().params["W_in"][n_old:])
    assert np.all(np.abs(W_in[n_old:]) <= 0.5 / KW["vector_size"])
    # The output layer follows the merged counts: tree over every word, or fresh zero rows.
    if hasattr(w2v.model, "tree"):
        assert w2v.model.tree.lengths.shape[0] == len(vocab)
        assert w2v.model.params["W_out"].shape[0] == len(vocab) - 1
    else:
        assert not w2v.model.params["W_out"][n_old:].any()
    batcher = w2v.make_batcher()
    assert batcher.corpus is w2v.corpus and len(w2v.corpus) == sum(b_counts.values())
    if w2v.model.uses_negatives:
        assert np.allclose(batcher.sampler.probs, NegativeSampler(vocab.counts).probs)
    # Then training on B moves old rows too.
    w2v.train(batcher=batcher)
    assert not np.array_equal(w2v.model.params["W_in"][:n_old], before["W_in"])
    assert np.isfinite(W_in).all()


def test_sub_sampling_follows_the_merged_counts(texts):
    a, b = texts
    w2v = Word2Vec(a, type="sgram_neg", **{**KW, "epochs": 1, "sample": 1e-2})
    w2v.build_vocab(b, update=True)
    keep = w2v.vocab.keep_probs(1e-2)
    f = w2v.vocab.counts / w2v.vocab.counts.sum()
    assert np.allclose(keep, np.minimum(1, np.sqrt(1e-2 / f) + 1e-2 / f))
    w2v.train()


@pytest.mark.parametrize("type_", ["sgram_neg", "cbow_neg", "cbow_hs", "sgram_hs"])
def test_continued_model_is_about_as_good_as_one_trained_on_both(texts, tmp_path, type_):
    a, b = texts
    both = tmp_path / "ab.txt"
    both.write_text(a.read_text(encoding="utf-8") + b.read_text(encoding="utf-8"),
                    encoding="utf-8")
    continued = Word2Vec(a, type=type_, **KW)
    continued.build_vocab(b, update=True)
    continued.train()
    joint = Word2Vec(both, type=type_, **KW)
    assert sorted(continued.vocab.words) == sorted(joint.vocab.words)
    assert group_precision(continued) >= min(0.9, group_precision(joint) - 0.05)
    assert margin(continued) > 0.8 * margin(joint) > 0


def test_minimum_count_and_max_vocab_apply_to_new_words(tmp_path, texts):
    a, _ = texts
    (tmp_path / "c.txt").write_text("zeta zeta zeta eta alphaa\nzeta eta iota\n", encoding="utf-8")
    w2v = Word2Vec(a, type="cbow_neg", **{**KW, "epochs": 1, "min_count": 2})
    n_old = len(w2v.vocab)
    w2v.build_vocab(tmp_path / "c.txt", update=True)
    assert w2v.vocab.words[n_old:] == ["zeta", "eta"]           # iota: 1 < min_count
    capped = Word2Vec(a, type="cbow_neg", **{**KW, "epochs": 1, "max_vocab": n_old + 1})
    capped.build_vocab(tmp_path / "c.txt", update=True)
    assert capped.vocab.words[n_old:] == ["zeta"]


def test_update_needs_a_vocabulary_first(texts):
    with pytest.raises(W2VError) as info:
        Word2Vec(type="sgram_neg", **KW).build_vocab(texts[1], update=True)
    assert info.value.param == "update"


def test_a_loaded_model_continues(tmp_path, texts):
    a, b = texts
    Word2Vec(a, type="sgram_neg", **{**KW, "epochs": 1}).save(tmp_path / "a.model")
    w2v = Word2Vec.load(tmp_path / "a.model")
    w2v.progress = False
    w2v.build_vocab(b, update=True)
    w2v.train()
    assert len(w2v.vocab) == 33 and np.isfinite(w2v.model.params["W_in"]).all()


def test_cli_continue_from(tmp_path, texts):
    a, b = texts
    tiny = ["-t", "sgram_neg", "-v", "16", "-e", "2", "--min_count", "1", "--sample", "0"]
    assert run_cli(tmp_path, "-d", str(a), "-m", "a.model", *tiny).returncode == 0
    source = (tmp_path / "a.model").read_bytes()
    proc = run_cli(tmp_path, "-d", str(b), "-m", "ab.model", "--continue_from", "a.model",
                   "-e", "2", "--no_progress")
    assert proc.returncode == 0, proc.stderr
    assert "continuing a.model: 21 words, 12 new from the data, written to ab.model" in proc.stderr
    assert (tmp_path / "a.model").read_bytes() == source                 # never replaced
    old, new = load_model(tmp_path / "a.model"), load_model(tmp_path / "ab.model")
    assert new.vocab.words[:len(old.vocab)] == old.vocab.words
    assert len(new.vocab) == len(old.vocab) + 12
    assert new.state.epoch == 2 and new.config["type"] == "sgram_neg"
    assert group_precision(new) > 0.9


def test_cli_continued_run_stopped_then_resumed_by_the_same_command(tmp_path, texts):
    a, b = texts
    tiny = ["-t", "cbow_neg", "-v", "16", "-e", "2", "--min_count", "1", "--sample", "0"]
    assert run_cli(tmp_path, "-d", str(a), "-m", "a.model", *tiny).returncode == 0
    command = ["-d", str(b), "-m", "ab.model", "--continue_from", "a.model", "-e", "2"]
    stopped = run_cli(tmp_path, *command, "--stop_after_batches", "3")
    assert stopped.returncode == 130, stopped.stderr
    assert load_model(tmp_path / "ab.model").state.epoch == 0
    resumed = run_cli(tmp_path, *command)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming at epoch 1" in resumed.stderr
    model = load_model(tmp_path / "ab.model")
    assert model.state.epoch == 2 and len(model.vocab) == 33
    assert model.meta["continued_from"] == str((tmp_path / "a.model").resolve())


def test_cli_continue_from_refuses_bad_combinations(tmp_path, texts):
    a, b = texts
    tiny = ["-t", "sgram_neg", "-v", "8", "-e", "1", "--min_count", "1"]
    assert run_cli(tmp_path, "-d", str(a), "-m", "a.model", *tiny).returncode == 0
    (tmp_path / "taken.model").write_bytes(b"not mine")
    before = snapshot(tmp_path)
    cases = [
        (["-d", str(b), "-m", "a.model"], ["same file"]),
        (["-d", str(b), "-m", "./a.model"], ["same file"]),
        (["-d", str(b)], ["needs --model_file"]),
        (["-m", "c.model"], ["needs --data_file"]),
        (["-d", str(b), "-m", "taken.model"], ["exists", "--overwrite_model"]),
        (["-d", str(b), "-m", "c.model", "-v", "16"], ["vector_dim 8", "--vector_dim 16"]),
        (["-d", str(b), "-m", "c.model", "-t", "cbow"], ["--type cbow"]),
        (["-d", str(b), "-m", "c.model", "--init_vectors", "a.model"], ["--init_vectors"]),
    ]
    for flags, needles in cases:
        assert_one_line_error(run_cli(tmp_path, "--continue_from", "a.model", *flags), *needles)
    assert_one_line_error(run_cli(tmp_path, "--continue_from", "nope.model", "-d", str(b),
                                  "-m", "c.model"), "nope.model")
    assert snapshot(tmp_path) == before


def test_subword_models_are_not_grown(texts):
    from w2v_numpy.fasttext import FastText
    a, b = texts
    ft = FastText(a, type="fasttext_sgram", vector_size=8, min_count=1, epochs=1, bucket=100,
                  progress=False)
    with pytest.raises(W2VError, match="word-level") as info:
        ft.build_vocab(b, update=True)
    assert info.value.param == "update"
