"""Pretrained initialisation: ``Word2Vec(init_vectors=PATH, freeze_init=...)`` and the
trainer's ``--init_vectors`` / ``--freeze_init``; the lock mask of
:func:`w2v_numpy.models.base.apply_grad` in every kernel and in Hogwild workers."""
import numpy as np
import pytest

from w2v_numpy import Word2Vec, kernels, load_model
from w2v_numpy.backend import share_safe_scatter, set_backend
from w2v_numpy.errors import W2VError
from w2v_numpy.models import VARIANTS, RowGrad, apply_grad, window_types
from w2v_numpy.training.workers import can_fork
from w2v_numpy.vectors.keyedvectors import KeyedVectors

from test_cli_helpers import assert_one_line_error, run_cli, snapshot
from test_kernels import LAYOUTS, batches_for, model_for

FORMS = sorted((t, f) for t, f in VARIANTS if t in window_types())
KW = dict(vector_size=8, window=3, min_count=1, sample=0, alpha=0.05, epochs=1, batch_size=64,
          seed=3, progress=False)
#: The pretrained words: some group words and a filler, plus words the corpus lacks.
PRETRAINED = ["alphaa", "alphab", "betac", "gammad", "omegaf", "the", "notinthecorpus"]


def write_vectors(path, words=PRETRAINED, dim=8, seed=0, binary=False):
    """A vectors file whose values include exact -0.0s (word2vec text writes them)."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(len(words), dim)).astype(np.float32)
    vectors[:, 0] = -0.0
    KeyedVectors(list(words), vectors).save_word2vec_format(path, binary=binary)
    return KeyedVectors.load_word2vec_format(path, binary=binary)


@pytest.mark.parametrize("binary", [False, True])
def test_found_words_start_from_the_file_and_the_others_at_random(group_corpus, tmp_path, binary):
    path = tmp_path / ("pre.bin" if binary else "pre.vec")
    kv = write_vectors(path, binary=binary)
    w2v = Word2Vec(type="sgram_neg", init_vectors=path, **KW).build_vocab(group_corpus)
    plain = Word2Vec(type="sgram_neg", **KW).build_vocab(group_corpus)
    W, W0 = w2v.model.params["W_in"], plain.model.params["W_in"]
    found = [w for w in PRETRAINED if w in w2v.vocab]
    assert len(found) == 6
    for i, word in enumerate(w2v.vocab.words):
        want = kv[word] if word in found else W0[i]
        assert W[i].tobytes() == np.asarray(want, dtype=W.dtype).tobytes(), word
    assert np.array_equal(w2v.model.params["W_out"], plain.model.params["W_out"])
    assert w2v.model.locked is None


def test_dimension_mismatch_is_one_clear_error(group_corpus, tmp_path):
    write_vectors(tmp_path / "pre.vec", dim=5)
    with pytest.raises(W2VError) as info:
        Word2Vec(group_corpus, type="sgram_neg", init_vectors=tmp_path / "pre.vec", **KW)
    assert info.value.param == "init_vectors"
    assert "5-dimensional" in info.value.message and "vector_size 8" in info.value.message


def test_freeze_needs_init_vectors_and_paths_are_checked():
    with pytest.raises(W2VError) as info:
        Word2Vec(freeze_init=True, **KW)
    assert info.value.param == "freeze_init"
    with pytest.raises(W2VError) as info:
        Word2Vec(init_vectors=3, **KW)
    assert info.value.param == "init_vectors"


def test_no_word_in_common_warns(group_corpus, tmp_path):
    write_vectors(tmp_path / "pre.vec", words=["xx", "yy"])
    with pytest.warns(UserWarning, match="none of the 33 vocabulary words"):
        Word2Vec(type="cbow", init_vectors=tmp_path / "pre.vec", **KW).build_vocab(group_corpus)


def frozen_training(corpus, path, **kw):
    w2v = Word2Vec(init_vectors=path, freeze_init=True, **{**KW, **kw}).build_vocab(corpus)
    start = np.array(w2v.model.params["W_in"])
    w2v.train()
    lock = np.asarray(w2v.model.locked["W_in"])
    return w2v, start, lock


@pytest.mark.parametrize("type_, formulation", FORMS)
def test_frozen_rows_are_bit_identical_after_training(group_corpus, tmp_path, type_, formulation):
    write_vectors(tmp_path / "pre.vec")
    for shuffle in (None, True):            # the type's own layout, and a shuffled one
        w2v, start, lock = frozen_training(group_corpus, tmp_path / "pre.vec", type=type_,
                                           formulation=formulation, shuffle=shuffle)
        W = w2v.model.params["W_in"]
        assert lock.sum() == 6
        assert W[lock].tobytes() == start[lock].tobytes()
        assert (W[~lock] != start[~lock]).any(axis=1).all()          # every other row moved
        assert not np.array_equal(w2v.model.params["W_out"], 0 * w2v.model.params["W_out"])


@pytest.mark.skipif(not can_fork(), reason="workers > 1 needs the fork start method")
@pytest.mark.parametrize("type_", ["sgram_neg", "cbow_neg", "cbow_hs"])
def test_hogwild_workers_honour_the_lock(group_corpus, tmp_path, type_):
    write_vectors(tmp_path / "pre.vec")
    w2v, start, lock = frozen_training(group_corpus, tmp_path / "pre.vec", type=type_, workers=2,
                                       epochs=2)
    W = w2v.model.params["W_in"]
    assert W[lock].tobytes() == start[lock].tobytes()
    assert (W[~lock] != start[~lock]).any(axis=1).all()


@pytest.mark.skipif(not can_fork(), reason="the batch producer needs the fork start method")
def test_the_batch_producer_row_plans_honour_the_lock(group_corpus, tmp_path):
    """With prefetch, a second process plans the scatters for the whole index; the
    locked step must not use a plan for the entries it drops."""
    write_vectors(tmp_path / "pre.vec")
    w2v, start, lock = frozen_training(group_corpus, tmp_path / "pre.vec", type="cbow_neg",
                                       prefetch=True, epochs=2)
    W = w2v.model.params["W_in"]
    assert W[lock].tobytes() == start[lock].tobytes()
    assert (W[~lock] != start[~lock]).any(axis=1).all()


def test_frozen_rows_stay_frozen_through_continued_training(group_corpus, tmp_path):
    write_vectors(tmp_path / "pre.vec")
    w2v, start, lock = frozen_training(group_corpus, tmp_path / "pre.vec", type="sgram_neg")
    (tmp_path / "more.txt").write_text("alphaa zeta eta zeta\neta zeta the\n" * 20,
                                       encoding="utf-8")
    w2v.build_vocab(tmp_path / "more.txt", update=True)
    grown = np.asarray(w2v.model.locked["W_in"])
    assert grown.shape == (len(w2v.vocab),) and (grown[:len(lock)] == lock).all()
    assert not grown[len(lock):].any()
    w2v.train()
    assert w2v.model.params["W_in"][:len(lock)][lock].tobytes() == start[lock].tobytes()


def lock_for(model, rng):
    lock = np.zeros(model.params["W_in"].shape[0], dtype=bool)
    lock[rng.permutation(lock.size)[:lock.size // 2]] = True
    model.params["W_in"][lock, 0] = -0.0                     # adding 0.0 would flip these
    return lock


@pytest.mark.parametrize("variant, order, sharing", LAYOUTS,
                         ids=["-".join(map(str, (*v, o, s))) for v, o, s in LAYOUTS])
def test_every_kernel_step_honours_the_lock(variant, order, sharing, rng):
    """kernels.step (with the producer's row plans) and Model.step, locked: the locked rows
    keep every bit; every other row gets exactly the unlocked step's update."""
    model = model_for(variant, rng)
    lock = lock_for(model, rng)
    model.locked = {"W_in": lock}
    twin, free = model.astype(np.float64), model.astype(np.float64)
    free.locked = None
    before = np.array(model.params["W_in"])
    for batch in batches_for(model, order, sharing, rng):
        kernels.step(model, batch, 0.1, plans=kernels.row_plans(model, batch), max_row_rate=0.2)
        twin.step(batch, 0.1, max_row_rate=0.2)
        kernels.step(free, batch, 0.1, max_row_rate=0.2)
        for m in (model, twin):
            assert m.params["W_in"][lock].tobytes() == before[lock].tobytes()
        # The free rows and every output row move as without a lock: put the unlocked
        # model's locked rows back, and it must equal the locked one.
        free.params["W_in"][lock] = before[lock]
        for k in model.params:
            np.testing.assert_allclose(model.params[k], twin.params[k], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(model.params[k], free.params[k], rtol=1e-10, atol=1e-12)
    assert not np.array_equal(model.params["W_in"][~lock], before[~lock])


def test_apply_grad_drops_locked_entries_sparse_dense_and_elementwise():
    params = {"W": np.arange(12, dtype=np.float64).reshape(4, 3), "D": np.zeros((4, 3))}
    params["W"][1, 0] = -0.0
    lock = {"W": np.array([False, True, False, True]), "D": np.array([True, False, False, False])}
    grads = {"W": RowGrad(np.array([1, 0, 1, 2, 3, 0]), np.ones((6, 3))),
             "D": RowGrad(None, np.ones((4, 3)))}
    want_W = params["W"].copy()
    want_W[0] += 2
    want_W[2] += 1
    before = params["W"].copy()
    apply_grad(params, grads, locked=lock)
    assert params["W"].tobytes() == want_W.tobytes()
    assert params["W"][1].tobytes() == before[1].tobytes()
    assert params["D"].tolist() == [[0] * 3] + [[1] * 3] * 3
    unique = {"W": RowGrad(np.array([1, 2]), np.ones((2, 3)), unique=True)}
    apply_grad(params, unique, locked=lock)
    assert params["W"][1].tobytes() == before[1].tobytes() and params["W"][2, 0] == 8
    share_safe_scatter()                         # the workers' element-by-element scatter
    try:
        apply_grad(params, grads, locked=lock)
        assert params["W"][1].tobytes() == before[1].tobytes()
    finally:
        set_backend("numpy")


def test_cli_init_vectors_and_freeze(tmp_path, group_corpus):
    kv = write_vectors(tmp_path / "pre.vec")
    tiny = ["-t", "sgram_neg", "-v", "8", "-e", "2", "--min_count", "1", "--sample", "0"]
    proc = run_cli(tmp_path, "-d", str(group_corpus), "-m", "f.model", *tiny,
                   "--init_vectors", "pre.vec", "--freeze_init")
    assert proc.returncode == 0, proc.stderr
    wv = load_model(tmp_path / "f.model").wv
    for word in PRETRAINED[:-1]:
        assert wv[word].tobytes() == kv[word].tobytes()
    # Stopped and resumed with the same command: the rows stay frozen.
    run_cli(tmp_path, "-d", str(group_corpus), "-m", "r.model", *tiny, "--init_vectors",
            "pre.vec", "--freeze_init", "--stop_after_batches", "3")
    proc = run_cli(tmp_path, "-d", str(group_corpus), "-m", "r.model", *tiny, "--init_vectors",
                   "pre.vec", "--freeze_init")
    assert proc.returncode == 0, proc.stderr
    resumed = load_model(tmp_path / "r.model")
    assert resumed.state.epoch == 2
    for word in PRETRAINED[:-1]:
        assert resumed.wv[word].tobytes() == kv[word].tobytes()


def test_cli_refuses_bad_init_flags_writing_nothing(tmp_path, group_corpus):
    write_vectors(tmp_path / "pre5.vec", dim=5)
    before = snapshot(tmp_path)
    tiny = ["-v", "8", "-e", "1", "--min_count", "1"]
    cases = [
        (["--init_vectors", "pre5.vec"], ["--init_vectors", "5-dimensional", "vector_size 8"]),
        (["--freeze_init"], ["--init_vectors"]),
        (["--init_vectors", "nope.vec"], ["nope.vec"]),
        (["--init_vectors", "pre5.vec", "-t", "glove"], ["word2vec types"]),
    ]
    for flags, needles in cases:
        assert_one_line_error(run_cli(tmp_path, "-d", str(group_corpus), *tiny, *flags), *needles)
    assert snapshot(tmp_path) == before
