"""fastText's hashed n-grams: our bucket ids equal gensim's ``ft_ngram_hashes``."""
import numpy as np
import pytest

from w2v_numpy.text.ngrams import (fasttext_ngrams, ft_hash_many, ngram_hashes, subword_table,
                                char_ngrams)

from conftest import slow_ft_hash, slow_ngram_ids

WORDS = ["king", "a", "ab", "the", "кошка", "Ёжик", "naïve", "日本語", "x" * 30, ""]
SETTINGS = [(3, 6, 2_000_000), (1, 3, 2_000_000), (2, 5, 1000), (1, 1, 7)]
#: Written down once from :func:`conftest.slow_ngram_ids` (which gensim 4.4 agrees with):
#: they hold even where gensim is not installed.
FIXED = {
    "king": [299675, 1736367, 824152, 785298, 1950837, 736598, 420536, 771707, 590751, 217300],
    "кошка": [469847, 1862926, 807872, 222976, 17888, 467486, 959502, 137616, 1444044, 321324,
              791766, 1688490, 1108860, 933339],
    "naïve": [1806890, 1907692, 878190, 933201, 1590546, 1719404, 832043, 156687, 356832,
              1223007, 1505331, 1711570, 1788548, 1088654],
}


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("min_n, max_n, bucket", SETTINGS)
def test_ids_equal_gensim(word, min_n, max_n, bucket):
    ft = pytest.importorskip("gensim.models.fasttext")
    assert ngram_hashes(word, min_n, max_n, bucket).tolist() == \
        ft.ft_ngram_hashes(word, min_n, max_n, bucket)


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("min_n, max_n, bucket", SETTINGS)
def test_ids_equal_the_slow_definition(word, min_n, max_n, bucket):
    assert ngram_hashes(word, min_n, max_n, bucket).tolist() == \
        slow_ngram_ids(word, min_n, max_n, bucket)


@pytest.mark.parametrize("word", sorted(FIXED))
def test_fixed_ids(word):
    assert ngram_hashes(word).tolist() == FIXED[word]
    assert slow_ngram_ids(word, 3, 6, 2_000_000) == FIXED[word]


def test_the_signed_byte_quirk_matters():
    """Reading bytes as unsigned would give other ids for Cyrillic, the same for ASCII."""
    def unsigned_hash(text):
        h = 2166136261
        for b in text.encode("utf-8"):
            h = ((h ^ b) * 16777619) & 0xFFFFFFFF
        return h

    assert ft_hash_many(["кош"])[0] == slow_ft_hash("кош") != unsigned_hash("кош")
    assert ft_hash_many(["kin"])[0] == slow_ft_hash("kin") == unsigned_hash("kin")


def test_ngrams_are_cut_on_characters_in_fasttext_order():
    assert fasttext_ngrams("кот", 3, 4) == ["<ко", "<кот", "кот", "кот>", "от>"]
    assert fasttext_ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]
    for word in WORDS:
        assert sorted(fasttext_ngrams(word, 2, 5)) == sorted(char_ngrams(word, 2, 5))


def test_subword_table_is_the_per_word_ids():
    ptr, ids = subword_table(WORDS, 2, 4, 97)
    assert ptr.shape == (len(WORDS) + 1,) and ids.dtype == np.int64
    for i, w in enumerate(WORDS):
        assert ids[ptr[i]:ptr[i + 1]].tolist() == slow_ngram_ids(w, 2, 4, 97)
    with pytest.raises(ValueError, match="bucket"):
        subword_table(WORDS, bucket=0)
    with pytest.raises(ValueError, match="min_n"):
        fasttext_ngrams("a", 4, 3)
