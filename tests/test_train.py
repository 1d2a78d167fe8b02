"""End to end: every model learns planted structure; the loop's bookkeeping."""
from dataclasses import replace

import numpy as np
import pytest

from w2v_numpy import Word2Vec
from w2v_numpy.training.loop import TrainingDiverged, alpha_at
from w2v_numpy.models import MODELS, VARIANTS, formulations, model_class, window_types

from conftest import GROUPS

TYPES = window_types()   # every type Word2Vec and the trainer accept
#: ... in every formulation (sgram_neg and sgram_hs: the documents' per-pair form and the
#: window form Word2Vec trains by default).
FORMS = sorted((t, f) for t, f in VARIANTS if t in TYPES)


def group_precision(w2v, topn=5):
    """Fraction of each group word's nearest neighbours that are in its group."""
    vocab = w2v.vocab
    W = w2v.model.params["W_in"].astype(np.float64)
    W = W / np.linalg.norm(W, axis=1, keepdims=True)
    hits = total = 0
    for group in GROUPS:
        members = {vocab.key_to_index[w] for w in group}
        for w in members:
            sims = W @ W[w]
            sims[w] = -np.inf
            top = np.argsort(-sims)[:topn]
            hits += len(members.intersection(top.tolist()))
            total += topn
    return hits / total


def test_the_forms_cover_the_registry():
    assert {t for t, _ in FORMS} == set(TYPES)
    assert all(len(formulations(t)) == sum(x == t for x, _ in FORMS) for t in TYPES)
    assert all(MODELS[t].formulation in formulations(t) for t in TYPES)


@pytest.mark.parametrize("type_, formulation", FORMS)
def test_each_model_learns_the_groups(type_, formulation, group_corpus):
    w2v = Word2Vec(group_corpus, type=type_, vector_size=16, window=3, min_count=1, sample=0,
                   negative=5, alpha=0.05, epochs=4, batch_size=64, seed=3, progress=False,
                   formulation=formulation)
    assert type(w2v.model) is model_class(type_, formulation)
    assert w2v.config["formulation"] == formulation
    chance = 5 / (len(w2v.vocab) - 1)
    precision = group_precision(w2v)
    assert precision > 0.9 > 4 * chance, (precision, chance)
    s = w2v.state
    assert len(s.epoch_losses) == 4 and s.epoch_losses[-1] < s.epoch_losses[0]
    assert s.words_done == 4 * len(w2v.corpus)


def test_training_is_reproducible(group_corpus):
    kw = dict(type="sgram_neg", vector_size=8, window=2, min_count=1, epochs=1, progress=False)
    a = Word2Vec(group_corpus, seed=5, **kw)
    b = Word2Vec(group_corpus, seed=5, **kw)
    c = Word2Vec(group_corpus, seed=6, **kw)
    assert np.array_equal(a.model.params["W_in"], b.model.params["W_in"])
    assert a.state.batch_losses == b.state.batch_losses
    assert not np.array_equal(a.model.params["W_in"], c.model.params["W_in"])


def test_losses_alpha_schedule_and_callbacks(group_corpus):
    seen = []

    class Recorder:
        def on_batch_end(self, state):
            seen.append((state.alpha, state.words_done, state.batch_loss))

        def on_epoch_end(self, state):
            seen.append(("epoch", state.epoch))

    w2v = Word2Vec(group_corpus, type="cbow_neg", vector_size=8, window=2, min_count=1, epochs=2,
                   alpha=0.04, min_alpha=0.001, progress=False, callbacks=[Recorder()])
    s = w2v.state
    batches = [x for x in seen if x[0] != "epoch"]
    alphas = [a for a, _, _ in batches]
    assert alphas[0] == 0.04 and alphas == sorted(alphas, reverse=True) and alphas[-1] > 0.001
    assert [x for x in seen if x[0] == "epoch"] == [("epoch", 1), ("epoch", 2)]
    assert len(s.batch_losses) == len(batches) and all(isinstance(x, float) for x in s.batch_losses)
    assert s.words_done == 2 * len(w2v.corpus)
    # the epoch mean is the example-weighted mean of the batch means
    n1 = s.epoch_batch_index[0]
    assert np.isclose(s.epoch_losses[0], np.mean(s.batch_losses[:n1]), rtol=0.05)
    assert alpha_at(0.5, 0.04, 0.0) == 0.02 and alpha_at(2.0, 0.04, 0.001) == 0.001


@pytest.mark.parametrize("type_, formulation", FORMS)
def test_a_callback_can_stop_and_training_resumes_exactly(group_corpus, type_, formulation):
    kw = dict(type=type_, vector_size=8, window=2, min_count=1, epochs=2, seed=1,
              progress=False, formulation=formulation)
    full = Word2Vec(group_corpus, **kw)

    class StopAt:
        def on_batch_end(self, state):
            state.stop = len(state.batch_losses) == 7

    part = Word2Vec(**kw).build_vocab(group_corpus)
    state = part.train(callbacks=[StopAt()])
    assert len(state.batch_losses) == 7
    part.train(state=state)
    np.testing.assert_array_equal(part.model.params["W_in"], full.model.params["W_in"])
    assert part.state.batch_losses == full.state.batch_losses


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_is_reported(group_corpus, monkeypatch):
    """The guard stays: with the bound on crowded rows off, an absurd rate blows up."""
    from w2v_numpy.training import policy as rules

    key = ("cbow", "pair")
    monkeypatch.setitem(rules.POLICIES, key, replace(rules.POLICIES[key], max_row_rate=None))
    with pytest.raises(TrainingDiverged, match="alpha"):
        Word2Vec(group_corpus, type="cbow", vector_size=8, min_count=1, alpha=1e30, epochs=1,
                 progress=False)


@pytest.mark.parametrize("kw, name", [
    (dict(window=0), "window"),
    (dict(vector_size=0), "vector_size"),
    (dict(type="sgram_neg", negative=0), "negative"),
    (dict(type="cbow_neg", negative=-2), "negative"),
    (dict(epochs=0), "epochs"),
    (dict(min_count=0), "min_count"),
])
def test_bad_parameters_name_themselves(group_corpus, kw, name):
    args = dict(type="sgram", min_count=1, progress=False)
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        Word2Vec(group_corpus, **args)


@pytest.mark.parametrize("type_", sorted(set(MODELS) - set(TYPES)))
def test_word2vec_refuses_every_other_registered_type(type_):
    """GloVe, the subword types and the classifiers have their own front doors."""
    with pytest.raises(ValueError, match="type"):
        Word2Vec(type=type_, progress=False)


def test_empty_corpus_and_vocabulary(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match="empty"):
        Word2Vec(empty, progress=False)
    small = tmp_path / "small.txt"
    small.write_text("a b c\n")
    with pytest.raises(ValueError, match="min_count"):
        Word2Vec(small, min_count=5, progress=False)


def test_batch_size_defaults_to_the_models_own():
    """512 examples, except sgram_hs's window form (128 windows: see SkipGramHSWindow);
    a batch size asked for is kept."""
    assert Word2Vec(type="sgram_neg", progress=False).config["batch_size"] == 512
    assert Word2Vec(type="sgram_hs", progress=False).config["batch_size"] == 128
    assert Word2Vec(type="sgram_hs", formulation="pair", progress=False).config["batch_size"] == 512
    assert Word2Vec(type="sgram_hs", batch_size=300, progress=False).config["batch_size"] == 300
