"""Model files: round trip, no pickles, atomic writes, damaged and foreign files."""
import os
import zipfile

import numpy as np
import pytest

from w2v_numpy import Word2Vec
from w2v_numpy import load_model, load_vectors, save_model
from w2v_numpy.files import model_file
from w2v_numpy.files.atomic import link_or_copy
from w2v_numpy.models import VARIANTS, window_types

#: Every way Word2Vec can train a type: (type, formulation), from the registry.
FORMS = sorted((t, f) for t, f in VARIANTS if t in window_types())


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from conftest import write_group_corpus

    path = write_group_corpus(tmp_path_factory.mktemp("io") / "groups.txt", n_sentences=400)
    return Word2Vec(path, type="cbow_neg", vector_size=6, window=2, min_count=1, epochs=2,
                    batch_size=64, seed=3, progress=False)


def test_round_trip_keeps_everything(tmp_path, trained):
    path = tmp_path / "m.model"
    save_model(path, trained, meta={"data_files": ["x.txt"]})
    back = load_model(path)
    for key in ("W_in", "W_out"):
        np.testing.assert_array_equal(back.model.params[key], trained.model.params[key])
        assert back.model.params[key].dtype == np.float32
    assert back.vocab.words == trained.vocab.words
    np.testing.assert_array_equal(back.vocab.counts, trained.vocab.counts)
    assert back.config == trained.config and back.meta == {"data_files": ["x.txt"]}
    assert back.state == trained.state            # every TrainState field, lists included
    assert back.model.type_name == "cbow_neg" and back.corpus is None
    word = trained.vocab.words[3]
    assert back.wv.most_similar(word, topn=3) == trained.wv.most_similar(word, topn=3)
    assert load_vectors(str(path)).index_to_key == trained.vocab.words


@pytest.mark.parametrize("type_, formulation", FORMS)
def test_every_formulation_round_trips_as_itself(tmp_path, group_corpus, type_, formulation):
    """The file remembers the formulation: the same class comes back, with its parameters
    and, for hierarchical softmax, its Huffman tree."""
    cls = VARIANTS[type_, formulation]
    w2v = Word2Vec(group_corpus, type=type_, formulation=formulation, vector_size=6, window=2,
                   min_count=1, epochs=1, seed=2, progress=False)
    assert type(w2v.model) is cls and w2v.config["formulation"] == formulation
    save_model(tmp_path / "m.model", w2v)
    back = load_model(tmp_path / "m.model")
    assert type(back.model) is cls and back.config == w2v.config and back.state == w2v.state
    assert set(back.model.params) == set(w2v.model.params)
    for k, v in w2v.model.params.items():
        np.testing.assert_array_equal(back.model.params[k], v)
    if cls.needs_counts:
        assert len(back.model.tree) == len(w2v.model.tree)
        for a, b in zip(back.model.tree, w2v.model.tree):
            np.testing.assert_array_equal(a, b)


def test_the_file_is_an_npz_without_pickles(tmp_path, trained):
    path = tmp_path / "m.model"
    save_model(path, trained)
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as npz:
        assert str(npz["format"]) == model_file.FORMAT
        assert all(npz[k].dtype != object for k in npz.files)


def test_untrained_model_has_no_state(tmp_path, trained):
    fresh = Word2Vec(type="cbow_neg", vector_size=6, progress=False)
    fresh.vocab, fresh.model = trained.vocab, trained.model
    save_model(tmp_path / "f.model", fresh)
    assert load_model(tmp_path / "f.model").state is None


def test_non_finite_parameters_are_never_written(tmp_path, trained):
    path = tmp_path / "m.model"
    save_model(path, trained)
    before = path.read_bytes()
    w_in = trained.model.params["W_in"]
    saved = w_in[0, 0]
    w_in[0, 0] = np.nan
    try:
        with pytest.raises(ValueError, match="NaN"):
            save_model(path, trained)
    finally:
        w_in[0, 0] = saved
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.model"]     # no temp file left


def test_a_failed_write_leaves_the_old_file(tmp_path, trained, monkeypatch):
    path = tmp_path / "m.model"
    save_model(path, trained)
    before = path.read_bytes()

    def boom(archive, name, array):            # the first entry half written, then the disk is full
        archive.writestr(f"{name}.npy", b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(model_file, "_write_npy", boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(path, trained)
    assert path.read_bytes() == before and len(list(tmp_path.iterdir())) == 1


def _damaged(good):
    yield "empty", b""
    yield "text", b"hello world\n" * 10
    yield "truncated", good[: len(good) // 2]
    yield "one byte short", good[:-1]
    yield "flipped data byte", good[:1000] + bytes([good[1000] ^ 0xFF]) + good[1001:]


def test_damaged_files_raise_cannot_load_and_stay_untouched(tmp_path, trained):
    good_path = tmp_path / "good.model"
    save_model(good_path, trained)
    good = good_path.read_bytes()
    for name, data in _damaged(good):
        path = tmp_path / "bad.model"
        path.write_bytes(data)
        with pytest.raises(ValueError, match="cannot load"):
            load_model(path)
        assert path.read_bytes() == data, name


def test_foreign_files_raise_cannot_load(tmp_path, trained):
    np.save(tmp_path / "a.npy", np.zeros(3))
    np.savez(tmp_path / "b.npz", x=np.zeros(3))
    arrays = model_file.to_arrays(trained.to_parts())
    variants = {
        "wrong_tag": dict(arrays, format=np.array("something.else")),
        "bad_shape": dict(arrays, W_out=arrays["W_out"][:-1]),
        "bad_type": dict(arrays, config=model_file._json_bytes(dict(trained.config, type="glove"))),
        "newer": dict(arrays, version=np.array(99)),
        "nan": dict(arrays, W_in=np.full_like(arrays["W_in"], np.nan)),
    }
    for name, content in variants.items():
        np.savez(tmp_path / f"{name}.npz", **content)
    for name in ["a.npy", "b.npz"] + [f"{v}.npz" for v in variants]:
        with pytest.raises(ValueError, match="cannot load"):
            load_model(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.model")


def test_checkpoint_names_and_snapshots(tmp_path, trained):
    model = tmp_path / "m.model"
    save_model(model, trained)
    for epoch in (2, 10, 1):
        link_or_copy(model, model_file.checkpoint_path(model, epoch))
    (tmp_path / "m.model.epoch.x").write_text("not a checkpoint")
    (tmp_path / "other.model.epoch.0001").write_text("another model's")
    found = model_file.list_checkpoints(model)
    assert [e for e, _ in found] == [1, 2, 10]
    assert os.path.basename(found[-1][1]) == "m.model.epoch.0010"
    snap = model_file.checkpoint_path(model, 10)
    before = open(snap, "rb").read()
    trained.model.params["W_in"][0, 0] += 1.0       # a later save replaces, never edits
    try:
        save_model(model, trained)
    finally:
        trained.model.params["W_in"][0, 0] -= 1.0
    assert open(snap, "rb").read() == before != model.read_bytes()


def test_a_model_file_of_format_1_still_loads():
    """tests/fixtures/v1_cbow_neg.w2vmodel was written by the code before the restructure
    (commit 824f1aa, file format 1); the JSON beside it holds what that code read back."""
    import json
    from pathlib import Path

    fixtures = Path(__file__).resolve().parent / "fixtures"
    facts = json.loads((fixtures / "v1_cbow_neg.json").read_text(encoding="utf-8"))
    with np.load(fixtures / "v1_cbow_neg.w2vmodel") as npz:
        assert int(npz["version"]) == 1 and "params" not in npz.files
    w2v = load_model(fixtures / "v1_cbow_neg.w2vmodel")
    # Settings newer than the file come back as the value the old code trained with.
    assert w2v.config == {**facts["config"], "formulation": "pair", "shared_negatives": 1,
                          "run_length": 1, "spread_negatives": False}
    assert w2v.config["type"] == facts["type"]
    assert len(w2v.vocab) == facts["vocab_size"] and w2v.vocab.words[:5] == facts["first_words"]
    np.testing.assert_array_equal(w2v.model.params["W_in"][0], np.float32(facts["W_in_row0"]))
    np.testing.assert_array_equal(w2v.model.params["W_out"][1], np.float32(facts["W_out_row1"]))
    assert w2v.state.epoch == facts["epochs_done"] == 2
    assert len(w2v.state.batch_losses) == facts["n_batch_losses"]
    assert w2v.state.epoch_losses == facts["epoch_losses"]
    assert [w for w, _ in w2v.wv.most_similar("king", topn=3)] == facts["most_similar_king"]
