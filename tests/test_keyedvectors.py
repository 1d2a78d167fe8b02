"""KeyedVectors: lookups, similarity queries, evaluation, and parity with gensim."""
import numpy as np
import pytest

from vector_helpers import (gensim_kv, same_sections, shared_file, structured_kv,
                            words_in, write_analogies, write_pairs)
from w2v_numpy.vectors import evaluation
from w2v_numpy.vectors.evaluation import betainc, pearson, rankdata, spearman
from w2v_numpy.vectors.keyedvectors import KeyedVectors, top_indices
from w2v_numpy.loading import load_vectors


@pytest.fixture
def kv():
    return structured_kv()


def small():
    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1], [-1, 0], [0.5, 0.5]], dtype=np.float32)
    return KeyedVectors(["a", "b", "c", "d", "e"], vectors)


def test_lookup_api():
    kv = small()
    assert len(kv) == 5 and kv.vector_size == 2 and "c" in kv and "z" not in kv
    assert kv.key_to_index["d"] == 3 and kv.index_to_key[3] == "d"
    assert kv.get_index("e") == 4 and kv.get_index(2) == 2 and kv.get_index("z", -1) == -1
    np.testing.assert_array_equal(kv["c"], [0, 1])
    assert kv[["a", "c"]].shape == (2, 2)
    np.testing.assert_allclose(kv.get_vector("e", norm=True), [2 ** -0.5] * 2, rtol=1e-6)
    with pytest.raises(KeyError):
        kv["z"]
    with pytest.raises(ValueError):
        kv["a"][0] = 5.0  # read-only view: the norm cache cannot go stale behind our back
    with pytest.raises(ValueError, match="unique"):
        KeyedVectors(["a", "a"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        KeyedVectors(["a", "b"], np.zeros((3, 2)))


def test_normed_cache_follows_replaced_vectors():
    kv = small()
    first = kv.get_normed_vectors()
    assert kv.get_normed_vectors() is first  # cached
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1, rtol=1e-6)
    kv.vectors = kv.vectors * np.array([1, -1], dtype=np.float32)
    assert kv.get_normed_vectors() is not first
    np.testing.assert_allclose(kv.get_vector("c", norm=True), [0, -1])
    kv.vectors[0] = [0, 3]  # in-place change: fill_norms(force=True) refreshes
    kv.fill_norms(force=True)
    np.testing.assert_allclose(kv.get_vector("a", norm=True), [0, 1])


def test_zero_vector_has_zero_similarity():
    kv = KeyedVectors(["a", "b", "zero"], np.array([[1, 0], [0, 1], [0, 0]], dtype=np.float32))
    assert sorted(kv.most_similar("a", topn=2)) == [("b", 0.0), ("zero", 0.0)]
    assert np.all(np.isfinite(kv.get_normed_vectors()))


def test_most_similar_forms():
    kv = small()
    result = kv.most_similar("a", topn=3)
    assert [w for w, _ in result] == ["b", "e", "c"]  # the query word itself is left out
    assert result[0][1] == pytest.approx(0.9 / np.hypot(0.9, 0.1), rel=1e-6)
    assert kv.most_similar(["a"], topn=3) == result
    assert kv.most_similar(positive="a", negative="d", topn=1)[0][0] == "b"
    assert [w for w, _ in kv.most_similar([("a", 1.0), ("c", 1.0)], topn=1)] == ["e"]
    assert kv.most_similar(np.array([0, 1], dtype=np.float32), topn=1)[0][0] == "c"
    assert kv.most_similar("a", topn=10, restrict_vocab=3) == [("b", result[0][1]),
                                                               ("c", pytest.approx(0.0, abs=1e-7))]
    scores = kv.most_similar("a", topn=None)
    assert scores.shape == (5,) and scores[0] == pytest.approx(1.0)
    assert kv.most_similar("a", topn=0) == []
    with pytest.raises(KeyError):
        kv.most_similar("nope")
    with pytest.raises(ValueError):
        kv.most_similar()


def test_similarity_doesnt_match_cosmul(kv):
    assert kv.similarity("land0", "land0") == pytest.approx(1.0)
    assert kv.similarity("land0", "city0") == pytest.approx(kv.similarity("city0", "land0"))
    assert kv.doesnt_match(["city0", "city1", "city2", "adj5ly"]) == "adj5ly"
    assert kv.doesnt_match(["city0", "city1", "nope", "adj5ly"]) == "adj5ly"
    best = kv.most_similar_cosmul(positive=["city0", "land1"], negative=["land0"], topn=1)
    assert best[0][0] == "city1"
    assert kv.most_similar(positive=["city0", "land1"], negative=["land0"], topn=1)[0][0] == "city1"


def test_top_indices_order_and_ties():
    scores = np.array([0.1, 0.9, 0.5, 0.9, -1.0], dtype=np.float32)
    top = list(top_indices(scores, 3))
    assert sorted(top[:2]) == [1, 3] and top[2] == 2
    assert list(top_indices(scores, 10)) == list(np.argsort(-scores))


def test_analogies_on_generated_file(tmp_path, kv):
    path = write_analogies(tmp_path / "analogies.txt")
    score, sections = kv.evaluate_word_analogies(path)
    names = [s["section"] for s in sections]
    assert names == ["capital-common-countries", "gram1-adjective-to-adverb", "Total accuracy"]
    sem, syn, total = sections
    assert len(sem["correct"]) + len(sem["incorrect"]) == 61  # 60 + the mixed-case one; OOV skipped
    assert len(syn["correct"]) + len(syn["incorrect"]) == 50
    assert ("LAND1", "CITY1", "LAND2", "CITY2") in sem["correct"]  # case-insensitive, upper-cased
    assert score == len(total["correct"]) / 111 and score > 0.8
    assert total["correct"] == sem["correct"] + syn["correct"]
    # case-sensitive: the mixed-case question has unknown words, so it is skipped
    _, sections = kv.evaluate_word_analogies(path, case_insensitive=False)
    assert len(sections[0]["correct"]) + len(sections[0]["incorrect"]) == 60
    # restricting the vocabulary to lands and cities skips the whole syntactic section
    score, sections = kv.evaluate_word_analogies(path, restrict_vocab=24)
    assert sections[1]["correct"] == sections[1]["incorrect"] == []
    report = evaluation.evaluate_word_analogies(kv, path, dummy4unknown=True)
    assert report["oov"] == 1 and report["questions"] == 112
    assert ("LAND0", "CITY0", "ATLANTIS", "CITY1") in report["sections"][0]["incorrect"]


def test_analogy_file_errors(tmp_path, kv):
    bad = tmp_path / "bad.txt"
    bad.write_text("land0 city0 land1 city1\n")
    with pytest.raises(ValueError, match="section"):
        kv.evaluate_word_analogies(bad)
    bad.write_bytes(b": s\nland0 city0 \xff\xfe city1\n")
    with pytest.raises(ValueError, match="UTF-8"):
        kv.evaluate_word_analogies(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert kv.evaluate_word_analogies(empty) == (0.0, [{"section": "Total accuracy",
                                                         "correct": [], "incorrect": []}])


def test_fast_path_and_exact_fallback_agree(tmp_path, monkeypatch):
    """Exact duplicates force ties: those questions go through the exact (gensim) path."""
    kv = structured_kv(noise=0.3)
    keys = kv.index_to_key + [k + "_copy" for k in kv.index_to_key[:24]]
    kv2 = KeyedVectors(keys, np.vstack([kv.vectors, kv.vectors[:24]]))
    path = write_analogies(tmp_path / "a.txt")
    calls = []
    real = evaluation._exact
    monkeypatch.setattr(evaluation, "_exact", lambda *a: calls.append(a) or real(*a))
    report = evaluation.evaluate_word_analogies(kv2, path)
    n_done = len(report["sections"][-1]["correct"]) + len(report["sections"][-1]["incorrect"])
    assert 0 < len(calls) < n_done  # both paths were used
    monkeypatch.setattr(evaluation, "_TOPK", 10 ** 9)  # "tiny vocabulary": everything exact
    assert evaluation.evaluate_word_analogies(kv2, path)["sections"] == report["sections"]


def test_word_pairs_on_generated_file(tmp_path, kv):
    path = write_pairs(tmp_path / "pairs.tsv")
    pearson_r, spearman_r, oov = kv.evaluate_word_pairs(path)
    gold = [9.0, 8.5, 8.5, 1.0, 0.5, 3.0, 2.0]
    pairs = [("land0", "city0"), ("land1", "city1"), ("adj0", "adj0ly"), ("land0", "adj3"),
             ("city2", "filler0"), ("land2", "land3"), ("adj1", "city1")]
    model = [kv.similarity(a, b) for a, b in pairs]
    assert pearson_r[0] == pytest.approx(np.corrcoef(gold, model)[0, 1], abs=1e-9)
    assert spearman_r.statistic == pytest.approx(
        np.corrcoef(rankdata(gold), rankdata(model))[0, 1], abs=1e-9)
    assert spearman_r.correlation == spearman_r[0] and 0 <= spearman_r.pvalue <= 1
    assert oov == pytest.approx(100 / 8)
    _, _, oov = kv.evaluate_word_pairs(path, dummy4unknown=True)
    assert oov == pytest.approx(100 / 8)  # 1 OOV among 8 scored pairs
    with pytest.raises(ValueError, match="0 usable word pair.*at least 2"):
        kv.evaluate_word_pairs(path, restrict_vocab=1)


def test_statistics_without_scipy():
    assert list(rankdata([3, 1, 3, 2, 2, 2])) == [5.5, 1, 5.5, 3, 3, 3]
    assert betainc(1.0, 1.0, 0.3) == pytest.approx(0.3, rel=1e-12)
    assert betainc(2.5, 1.0, 0.4) == pytest.approx(0.4 ** 2.5, rel=1e-12)
    assert betainc(0.7, 3.0, 0.0) == 0.0 and betainc(0.7, 3.0, 1.0) == 1.0
    r = pearson([1, 2, 3, 4], [2, 4, 6, 8])
    assert r.statistic == pytest.approx(1.0) and r.pvalue == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(pearson([1, 1, 1], [1, 2, 3]).statistic)
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic == pytest.approx(0.8207826816681233)


def test_statistics_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    for n in (3, 7, 40, 353):
        x = rng.standard_normal(n)
        y = np.round(x + 2 * rng.standard_normal(n))  # ties in y
        for ours, theirs in ((pearson(x, y), stats.pearsonr(x, y)),
                             (spearman(x, y), stats.spearmanr(x, y))):
            assert ours[0] == pytest.approx(theirs[0], abs=1e-12)
            assert ours[1] == pytest.approx(theirs[1], rel=1e-8, abs=1e-300)


# --- parity with gensim ------------------------------------------------------------------

def _kv_over(words, dim, seed, variants=60, fillers=300):
    """Random vectors over ``words`` plus case variants (some exact copies) and fillers."""
    rng = np.random.default_rng(seed)
    words = list(words)
    rng.shuffle(words)
    lower = [w.lower() for w in words[:variants] if w.lower() != w]
    upper = [w.upper() for w in words[variants:2 * variants] if w.upper() != w]
    keys = list(dict.fromkeys(words + lower + upper + [f"filler{i}" for i in range(fillers)]))
    vectors = rng.standard_normal((len(keys), dim)).astype(np.float32)
    index = {k: i for i, k in enumerate(keys)}
    for w in words[:variants:2]:  # every other lower-case variant is an exact copy: ties
        vectors[index[w.lower()]] = vectors[index[w]]
    return KeyedVectors(keys, vectors)


def test_generated_files_match_gensim(tmp_path):
    analogies, pairs = write_analogies(tmp_path / "a.txt"), write_pairs(tmp_path / "p.tsv")
    for kv in (structured_kv(noise=0.5, seed=1), structured_kv(n=6, extra=0, noise=0.2)):
        g = gensim_kv(kv)
        for restrict in (300000, 30, None):
            ours, theirs = kv.evaluate_word_analogies(analogies, restrict_vocab=restrict), \
                g.evaluate_word_analogies(str(analogies), restrict_vocab=restrict)
            assert ours[0] == theirs[0] and same_sections(ours[1], theirs[1])
        for kwargs in ({}, {"dummy4unknown": True}, {"case_insensitive": False}):
            ours, theirs = kv.evaluate_word_pairs(pairs, **kwargs), g.evaluate_word_pairs(pairs, **kwargs)
            assert ours[0][0] == pytest.approx(theirs[0][0], abs=1e-6)
            assert ours[1][0] == pytest.approx(theirs[1][0], abs=1e-6)
            assert ours[0][1] == pytest.approx(theirs[0][1], rel=1e-4)
            assert ours[2] == pytest.approx(theirs[2])


def test_shared_analogies_match_gensim():
    questions = shared_file("questions-words.txt")
    kv = _kv_over(words_in(questions), dim=20, seed=5)
    g = gensim_kv(kv)
    for restrict in (300000, 700):  # 700: many questions have an out-of-vocabulary word
        ours = kv.evaluate_word_analogies(questions, restrict_vocab=restrict)
        theirs = g.evaluate_word_analogies(str(questions), restrict_vocab=restrict)
        assert ours[0] == theirs[0]
        assert same_sections(ours[1], theirs[1])
    assert len(ours[1]) == 15 and 0 < len(ours[1][-1]["correct"]) + len(ours[1][-1]["incorrect"])


def test_shared_wordsim_matches_gensim():
    pairs = shared_file("wordsim353.tsv")
    kv = _kv_over(words_in(pairs), dim=20, seed=6)
    g = gensim_kv(kv)
    for restrict in (300000, 250):
        (p1, s1, o1), (p2, s2, o2) = (kv.evaluate_word_pairs(pairs, restrict_vocab=restrict),
                                      g.evaluate_word_pairs(pairs, restrict_vocab=restrict))
        assert abs(p1[0] - p2[0]) < 1e-6 and abs(s1[0] - s2[0]) < 1e-6
        assert p1[1] == pytest.approx(p2[1], rel=1e-3) and s1[1] == pytest.approx(s2[1], rel=1e-3)
        assert o1 == pytest.approx(o2)


@pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")  # gensim's init_sims
def test_most_similar_matches_gensim(kv):
    g = gensim_kv(kv)
    for query in ("land3", ["city1", "land2"], {"positive": ["city0", "land1"], "negative": ["land0"]}):
        args = query if isinstance(query, dict) else {"positive": query}
        assert kv.most_similar(topn=7, **args) == g.most_similar(topn=7, **args)
        assert kv.most_similar(topn=5, restrict_vocab=30, **args) == \
            g.most_similar(topn=5, restrict_vocab=30, **args)
        assert [w for w, _ in kv.most_similar_cosmul(topn=5, **args)] == \
            [w for w, _ in g.most_similar_cosmul(topn=5, **args)]
    assert kv.doesnt_match(["city0", "city1", "adj2", "city3"]) == \
        g.doesnt_match(["city0", "city1", "adj2", "city3"])
    assert kv.similarity("land1", "city1") == pytest.approx(float(g.similarity("land1", "city1")))


def test_load_vectors_dispatch(tmp_path, kv):
    kv.save_word2vec_format(tmp_path / "v.vec")
    kv.save_word2vec_format(tmp_path / "v.BIN", binary=True)
    for name in ("v.vec", "v.BIN"):
        loaded = load_vectors(tmp_path / name)
        assert loaded.index_to_key == kv.index_to_key
        np.testing.assert_array_equal(loaded.vectors, kv.vectors)
    with pytest.raises(FileNotFoundError):
        load_vectors(tmp_path / "missing.vec")


def test_load_vectors_reads_other_files_as_models(tmp_path, monkeypatch, kv):
    """Any other extension goes to ``load_model(path).wv`` (faked here)."""
    import types

    from w2v_numpy import loading

    calls = []
    monkeypatch.setattr(loading, "load_model",
                        lambda path: calls.append(path) or types.SimpleNamespace(wv=kv))
    (tmp_path / "m.model").write_bytes(b"whatever")
    assert load_vectors(tmp_path / "m.model") is kv and calls == [str(tmp_path / "m.model")]
