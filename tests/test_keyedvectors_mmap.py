"""KeyedVectors.save / load: the JSON + .npy pair, memory-mapped loading, damaged files."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vector_helpers import structured_kv, write_analogies, write_pairs
from w2v_numpy.errors import NonFiniteError, W2VError
from w2v_numpy.vectors import keyedvectors as kvmod
from w2v_numpy.vectors.keyedvectors import NPY_SUFFIX, KeyedVectors, is_keyedvectors_file
from w2v_numpy.vectors.subword_vectors import FastTextKeyedVectors

REPO = Path(__file__).resolve().parents[1]


def saved(tmp_path, kv, name="v.kv"):
    path = tmp_path / name
    kv.save(path)
    return path


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_round_trip_is_exact(tmp_path, dtype):
    rng = np.random.default_rng(1)
    words = ["a", "naïve", "日本語", "tab\tin", "\udcff-surrogate", ""]
    kv = KeyedVectors(words, rng.standard_normal((len(words), 7)).astype(dtype))
    path = saved(tmp_path, kv)
    assert sorted(os.listdir(tmp_path)) == ["v.kv", "v.kv" + NPY_SUFFIX]
    for mmap in (None, "r"):
        back = KeyedVectors.load(path, mmap=mmap)
        assert back.index_to_key == words and back.key_to_index == kv.key_to_index
        assert back.vectors.dtype == dtype
        np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert KeyedVectors.load(str(path)).vectors.flags.writeable  # in memory: an ordinary array
    assert np.load(str(path) + NPY_SUFFIX, allow_pickle=False).shape == (6, 7)  # a plain .npy
    assert is_keyedvectors_file(path) and not is_keyedvectors_file(str(path) + NPY_SUFFIX)
    assert not is_keyedvectors_file(tmp_path / "missing")
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["format"] == "w2v_numpy.KeyedVectors" and meta["version"] == 1
    assert (meta["count"], meta["vector_size"], meta["dtype"]) == (6, 7, np.dtype(dtype).name)


def test_big_endian_and_non_contiguous_input(tmp_path):
    base = np.arange(40, dtype=">f4").reshape(4, 10)
    kv = KeyedVectors(list("abcd"), base[:, ::2])
    back = KeyedVectors.load(saved(tmp_path, kv), mmap="r")
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.vectors.dtype == np.dtype("<f4")


def test_empty_vectors_round_trip(tmp_path):
    path = saved(tmp_path, KeyedVectors([], np.zeros((0, 5), dtype=np.float32)))
    for mmap in (None, "r"):
        back = KeyedVectors.load(path, mmap=mmap)
        assert len(back) == 0 and back.vector_size == 5


def test_mmap_is_read_only_and_answers_as_in_memory(tmp_path):
    kv = structured_kv()
    path = saved(tmp_path, kv)
    npy = str(path) + NPY_SUFFIX
    before = digest(npy)
    mm = KeyedVectors.load(path, mmap="r")
    assert isinstance(mm.vectors, np.memmap) and not mm.vectors.flags.writeable
    assert os.path.samefile(mm.vectors.filename, npy)
    with pytest.raises(ValueError):
        mm.vectors[0, 0] = 1.0
    mem = KeyedVectors.load(path)
    assert not isinstance(mem.vectors, np.memmap)
    words = mem.index_to_key
    a, b, c = words[0], words[1], words[2]
    for kv_ in (mm, mem):  # fresh objects: the first queries run before any norm exists
        assert kv_.norms is None
    assert mm.similarity(a, b) == mem.similarity(a, b)
    np.testing.assert_array_equal(mm.get_vector(c, norm=True), mem.get_vector(c, norm=True))
    assert mm.most_similar(positive=[b, c], negative=[a]) == \
        mem.most_similar(positive=[b, c], negative=[a])
    assert mm.most_similar(a, topn=5, restrict_vocab=20) == mem.most_similar(a, topn=5,
                                                                            restrict_vocab=20)
    all_mm, all_mem = mm.most_similar(a, topn=None), mem.most_similar(a, topn=None)
    assert type(all_mm) is np.ndarray
    np.testing.assert_array_equal(all_mm, all_mem)
    assert mm.most_similar_cosmul(positive=[b, c], negative=[a]) == \
        mem.most_similar_cosmul(positive=[b, c], negative=[a])
    assert mm.most_similar([mem[a]], topn=3) == mem.most_similar([mem[a]], topn=3)
    assert mm.doesnt_match(words[:5]) == mem.doesnt_match(words[:5])
    np.testing.assert_array_equal(mm[[a, b]], mem[[a, b]])
    analogies, pairs = write_analogies(tmp_path / "q.txt"), write_pairs(tmp_path / "p.tsv")
    assert mm.evaluate_word_analogies(analogies) == mem.evaluate_word_analogies(analogies)
    assert mm.evaluate_word_pairs(pairs) == mem.evaluate_word_pairs(pairs)
    np.testing.assert_array_equal(mm.normed_rows([3, 1]), mem.get_normed_vectors()[[3, 1]])
    np.testing.assert_array_equal(mm.get_normed_vectors(), mem.get_normed_vectors())
    mm.fill_norms(force=True)
    assert not mm.vectors.flags.writeable and isinstance(mm.vectors, np.memmap)
    assert digest(npy) == before  # nothing wrote into the file


def test_row_normalisation_is_bitwise_the_cached_one():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((300, 37)).astype(np.float32)
    vectors[5] = 0
    fresh = KeyedVectors([f"w{i}" for i in range(300)], vectors)
    rows = [fresh.get_vector(i, norm=True).copy() for i in range(300)]  # before any norm exists
    assert fresh.norms is None
    np.testing.assert_array_equal(np.stack(rows), fresh.get_normed_vectors())
    np.testing.assert_array_equal(rows[5], 0)


def test_norms_in_blocks_equal_the_whole_array(monkeypatch):
    rng = np.random.default_rng(4)
    for dtype in (np.float32, np.float64):
        vectors = rng.standard_normal((1000, 33)).astype(dtype)
        monkeypatch.setattr(kvmod, "_BLOCK_BYTES", 33 * np.dtype(dtype).itemsize * 7)
        np.testing.assert_array_equal(kvmod._row_norms(vectors), np.linalg.norm(vectors, axis=1))


def test_saving_over_the_mapped_file_keeps_the_old_mapping(tmp_path):
    kv = structured_kv()
    path = saved(tmp_path, kv)
    mm = KeyedVectors.load(path, mmap="r")
    first = mm.most_similar(mm.index_to_key[0])
    mm.save(path)  # reads the mapping while it writes the replacement
    KeyedVectors(kv.index_to_key, kv.vectors * 2).save(path)
    assert mm.most_similar(mm.index_to_key[0]) == first  # still the old (renamed-over) file
    np.testing.assert_array_equal(KeyedVectors.load(path, mmap="r").vectors, kv.vectors * 2)


def test_subword_vectors_save_their_in_vocabulary_vectors(tmp_path):
    rng = np.random.default_rng(5)
    ft = FastTextKeyedVectors(["alpha", "beta"], rng.standard_normal((2, 4)).astype(np.float32),
                              rng.standard_normal((50, 4)).astype(np.float32), 3, 4)
    ft.save(tmp_path / "ft.kv")
    back = FastTextKeyedVectors.load(tmp_path / "ft.kv", mmap="r")
    assert type(back) is KeyedVectors
    np.testing.assert_array_equal(back.vectors, ft.vectors)


def test_save_refuses_what_it_cannot_store(tmp_path):
    vectors = np.ones((2, 3), dtype=np.float32)
    vectors[1, 2] = np.nan
    with pytest.raises(NonFiniteError, match="'b' .row 1. contains NaN"):
        KeyedVectors(["a", "b"], vectors).save(tmp_path / "nan.kv")
    with pytest.raises(W2VError, match="keys must be strings"):
        KeyedVectors(["a", 7], np.ones((2, 3))).save(tmp_path / "int.kv")
    if hasattr(np, "longdouble") and np.dtype(np.longdouble).itemsize > 8:
        with pytest.raises(W2VError, match="float16, float32 or float64 only"):
            KeyedVectors(["a"], np.ones((1, 3), dtype=np.longdouble)).save(tmp_path / "ld.kv")
    assert os.listdir(tmp_path) == []  # nothing written, no temporary file left
    with pytest.raises(W2VError, match="directory"):
        KeyedVectors(["a"], np.ones((1, 3))).save(tmp_path)


def test_interrupted_save_is_detected(tmp_path, monkeypatch):
    kv = structured_kv()
    path = saved(tmp_path, kv)
    other = KeyedVectors(kv.index_to_key, kv.vectors[::-1].copy())

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(kvmod.json, "dumps", crash)  # killed between the two files
    with pytest.raises(KeyboardInterrupt):
        other.save(path)
    monkeypatch.undo()
    with pytest.raises(W2VError, match="do not match the fingerprint .*different saves") as err:
        KeyedVectors.load(path, mmap="r")
    assert str(path) + NPY_SUFFIX in str(err.value) and "\n" not in str(err.value)
    assert sorted(os.listdir(tmp_path)) == ["v.kv", "v.kv" + NPY_SUFFIX]  # no temporary left


def _edit_json(change):
    def edit(path, npy):
        meta = json.loads(path.read_text(encoding="utf-8"))
        change(meta)
        path.write_text(json.dumps(meta), encoding="utf-8")
    return edit


def _write(text=None, data=None, which="json"):
    def edit(path, npy):
        target = path if which == "json" else Path(npy)
        target.write_bytes(data if data is not None else text.encode())
    return edit


def _cut(which, keep):
    def edit(path, npy):
        target = path if which == "json" else Path(npy)
        raw = target.read_bytes()
        target.write_bytes(raw[:keep(len(raw))])
    return edit


def _npy_from(kv):
    def edit(path, npy):
        kv.save(path.with_name("other.kv"))
        os.replace(str(path.with_name("other.kv")) + NPY_SUFFIX, npy)
    return edit


def _append(path, npy):
    with open(npy, "ab") as f:
        f.write(b"\0" * 8)


def _pickled(path, npy):
    np.save(npy, np.array([[object()]], dtype=object), allow_pickle=True)


BASE = structured_kv()
DAMAGE = {
    "missing json": (lambda path, npy: path.unlink(), "json", "no such file"),
    "missing npy": (lambda path, npy: os.unlink(npy), "npy", "no such file.*keep them together"),
    "word2vec text": (_write("3 2\na 1 2\n"), "json", "not a file written by KeyedVectors.save"),
    "empty json": (_write(""), "json", "not a file written by KeyedVectors.save"),
    "binary junk": (_write(data=b"\x00\xff" * 50), "json", "not a file written by"),
    "truncated json": (_cut("json", lambda n: n // 2), "json", "damaged or truncated"),
    "other json": (_write('{"a": 1}'), "json", 'no "format"'),
    "newer version": (_edit_json(lambda m: m.update(version=2)), "json", "newer .* upgrade"),
    "bad version": (_edit_json(lambda m: m.update(version="1")), "json", "bad \"version\""),
    "words not strings": (_edit_json(lambda m: m["words"].__setitem__(0, 5)), "json",
                          '"words" must be a list of strings'),
    "count mismatch": (_edit_json(lambda m: m.update(count=3)), "json", '"count" must be'),
    "missing dtype": (_edit_json(lambda m: m.pop("dtype")), "json", '"dtype" must be .*missing'),
    "object dtype": (_edit_json(lambda m: m.update(dtype="object")), "json", '"dtype" must be'),
    "bad check rows": (_edit_json(lambda m: m.update(check_rows=[10 ** 9])), "json",
                       '"check_rows"'),
    "duplicate word": (_edit_json(lambda m: m["words"].__setitem__(1, m["words"][0])), "json",
                       "appears twice"),
    "empty npy": (_write("", which="npy"), "npy", "not a valid .npy file"),
    "not npy": (_write("hello world, not an array", which="npy"), "npy", "not a valid .npy"),
    "damaged npy header": (_cut("npy", lambda n: 30), "npy", "not a valid .npy file"),
    "truncated npy": (_cut("npy", lambda n: n - 5), "npy", "truncated"),
    "longer npy": (_append, "npy", "bytes, .* says"),
    "npy of other shape": (_npy_from(structured_kv(n=5)), "npy",
                           r"shape \(60, 16\), .* says 88 words x 16: .*different saves"),
    "npy of other dtype": (_npy_from(KeyedVectors(BASE.index_to_key, BASE.vectors.astype(float))),
                           "npy", "holds float64"),
    "npy of other save": (_npy_from(KeyedVectors(BASE.index_to_key, BASE.vectors + 1)), "npy",
                          "rows do not match the fingerprint"),
    "pickled npy": (_pickled, "npy", "holds object"),
}


@pytest.mark.parametrize("mmap", [None, "r"])
@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_files_give_one_line_errors(tmp_path, case, mmap):
    path = saved(tmp_path, BASE)
    npy = str(path) + NPY_SUFFIX
    damage, named, pattern = DAMAGE[case]
    damage(path, npy)
    with pytest.raises(W2VError, match=pattern) as err:
        KeyedVectors.load(path, mmap=mmap)
    message = str(err.value)
    assert "\n" not in message and len(message) < 400
    assert message.startswith(str(path) if named == "json" else npy)


def test_random_damage_never_escapes_as_another_error(tmp_path):
    """Flipped bytes and cuts anywhere in the JSON file or the .npy header: a one-line
    W2VError, or (a flip inside a word or a number that stays consistent) a clean load."""
    kv = structured_kv(n=3, dim=4, extra=5)
    path = saved(tmp_path, kv)
    npy = Path(str(path) + NPY_SUFFIX)
    good = {p: p.read_bytes() for p in (path, npy)}
    rng = np.random.default_rng(7)
    outcomes = {"error": 0, "loaded": 0}
    for trial in range(400):
        target = path if trial % 2 else npy
        raw = bytearray(good[target])
        span = len(raw) if target == path else 128  # the npy header (data: the fingerprint)
        if trial % 5 == 0:
            raw = raw[:rng.integers(0, span)]
        else:
            for pos in rng.integers(0, span, rng.integers(1, 4)):
                raw[pos] = rng.integers(0, 256)
        target.write_bytes(bytes(raw))
        try:
            KeyedVectors.load(path, mmap="r" if trial % 3 else None)
            outcomes["loaded"] += 1
        except W2VError as err:
            assert "\n" not in str(err) and str(err).startswith((str(path), str(npy)))
            outcomes["error"] += 1
        target.write_bytes(good[target])
    assert outcomes["error"] > 300


def test_other_bad_arguments(tmp_path):
    path = saved(tmp_path, BASE)
    with pytest.raises(W2VError, match="^mmap: must be None or 'r'"):
        KeyedVectors.load(path, mmap="r+")
    with pytest.raises(W2VError, match="is a directory"):
        KeyedVectors.load(tmp_path)


RSS_SCRIPT = r"""
import json, os, sys
import numpy as np
from w2v_numpy.vectors.keyedvectors import KeyedVectors

page = os.sysconf("SC_PAGE_SIZE")

def statm():  # resident, shared (file-backed) pages
    with open("/proc/self/statm") as f:
        fields = f.read().split()
    return int(fields[1]) * page, int(fields[2]) * page

out = {}
r0, s0 = statm()
kv = KeyedVectors.load(sys.argv[1], mmap=sys.argv[2] if sys.argv[2] != "None" else None)
out["similarity"] = kv.similarity("w1", "w2")
r1, s1 = statm()
out["load_and_similarity"] = r1 - r0
neighbours = kv.most_similar("w1", topn=3)
r2, s2 = statm()
out["after_most_similar"] = r2 - r0
out["after_most_similar_anon"] = (r2 - s2) - (r0 - s0)
print(json.dumps(out))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc/self/statm")
@pytest.mark.parametrize("V, d", [(200_000, 100), (20_000, 1000)])  # 80 MB each
def test_mapping_a_large_file_reads_little_of_it(tmp_path, V, d):
    vectors = np.random.default_rng(0).standard_normal((V, d), dtype=np.float32)
    path = tmp_path / "big.kv"
    KeyedVectors([f"w{i}" for i in range(V)], vectors).save(path)
    del vectors
    size = os.path.getsize(str(path) + NPY_SUFFIX)
    assert size > 80_000_000
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO)] + sys.path))

    def measure(mmap):  # in a fresh process, so that nothing of this one counts
        run = subprocess.run([sys.executable, "-c", RSS_SCRIPT, str(path), mmap], env=env,
                             capture_output=True, text=True, timeout=300, check=True)
        return json.loads(run.stdout)

    mapped, read = measure("r"), measure("None")
    print(f"\n{V} x {d} float32, file {size / 1e6:.1f} MB; RSS increase (MB): "
          f"mapped: {_mb(mapped)}; read: {_mb(read)}")
    assert mapped["similarity"] == read["similarity"]
    assert read["load_and_similarity"] > size  # the measurement does see a full read
    assert read["load_and_similarity"] - mapped["load_and_similarity"] > 0.9 * size
    # what remains is the words as Python objects (a list and a dict, ~170 bytes a word)
    # and the pages of two rows; far less than the array
    words = 250 * V
    assert mapped["load_and_similarity"] < size / 10 + words
    # a neighbour search reads every row: those pages are the file's (page cache, shared
    # with other processes, reclaimable); the process's own memory grows by the norms, the
    # scores and a block, far less than the array
    assert mapped["after_most_similar_anon"] < size / 10 + words


def _mb(result):
    return ", ".join(f"{k} {v / 1e6:.1f}" for k, v in result.items() if k != "similarity")
