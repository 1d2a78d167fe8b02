"""Small generated vectors and evaluation files shared by the KeyedVectors / format / CLI tests."""
from pathlib import Path

import numpy as np
import pytest

from w2v_numpy.vectors.keyedvectors import KeyedVectors

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_file(name):
    """Path of a file in ``../shared/data``; skips the test when it is absent."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"{path} not available (../shared is not part of a fresh clone)")
    return path


def structured_kv(n=12, dim=16, noise=0.05, seed=0, extra=40):
    """Vectors where ``land_i : city_i`` and ``adj_i : adj_i+ly`` analogies (mostly) hold.

    ``city_i = land_i + offset1 + noise``, ``adv_i = adj_i + offset2 + noise``,
    plus ``extra`` random filler words. Words are ordered as a frequency-sorted
    vocabulary would be: lands, cities, adjectives, adverbs, fillers.
    """
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((2 * n, dim))
    off1, off2 = 2 * rng.standard_normal(dim), 2 * rng.standard_normal(dim)
    land, adj = base[:n], base[n:]
    city = land + off1 + noise * rng.standard_normal((n, dim))
    adv = adj + off2 + noise * rng.standard_normal((n, dim))
    keys = ([f"land{i}" for i in range(n)] + [f"city{i}" for i in range(n)]
            + [f"adj{i}" for i in range(n)] + [f"adj{i}ly" for i in range(n)]
            + [f"filler{i}" for i in range(extra)])
    vectors = np.vstack([land, city, adj, adv, rng.standard_normal((extra, dim))])
    return KeyedVectors(keys, vectors.astype(np.float32))


def write_analogies(path, n=12, with_noise_lines=True):
    """An analogy file for :func:`structured_kv`: one semantic and one syntactic section.

    With ``with_noise_lines``, also a question with an unknown word, an invalid
    line and mixed-case words (matched case-insensitively).
    """
    lines = [": capital-common-countries"]
    lines += [f"land{i} city{i} land{j} city{j}" for i in range(n) for j in range(n) if i != j][:60]
    if with_noise_lines:
        lines += ["land0 city0 atlantis city1", "too few words", "LAND1 City1 land2 CITY2"]
    lines += [": gram1-adjective-to-adverb"]
    lines += [f"adj{i} adj{i}ly adj{j} adj{j}ly" for i in range(n) for j in range(n) if i != j][:50]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_pairs(path):
    """A small tab-separated word-pair file with a comment, a tie, an OOV pair and a bad line."""
    rows = ["# word1\tword2\tscore", "land0\tcity0\t9.0", "land1\tcity1\t8.5", "adj0\tadj0ly\t8.5",
            "land0\tadj3\t1.0", "city2\tfiller0\t0.5", "land2\tland3\t3.0", "adj1\tCITY1\t2.0",
            "land4\tunknownword\t5.0", "not a valid line", "adj2\tadj2ly\tseven"]
    Path(path).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def words_in(*files):
    """All words used in analogy / word-pair files (skipping headers and comments)."""
    words = set()
    for f in files:
        for line in Path(f).read_text(encoding="utf-8").splitlines():
            if line.startswith((":", "#")):
                continue
            fields = line.split("\t") if "\t" in line else line.split()
            words.update(w for w in fields[:4] if w and not _is_number(w))
    return sorted(words)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def gensim_kv(kv):
    """The same vectors as a gensim ``KeyedVectors`` (skips if gensim is absent)."""
    gensim_models = pytest.importorskip("gensim.models")
    g = gensim_models.KeyedVectors(kv.vector_size)
    g.add_vectors(kv.index_to_key, kv.vectors)
    return g


def same_sections(ours, theirs):
    """Whether two analogy section lists agree (names, correct and incorrect questions)."""
    def strip(sections):
        return [(s["section"], list(s["correct"]), list(s["incorrect"])) for s in sections]
    return strip(ours) == strip(theirs)
