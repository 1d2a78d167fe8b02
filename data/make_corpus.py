"""Generate the small synthetic corpus shipped with w2v_numpy.

The text is made up, sentence by sentence, from a few hand-written word
tables, so that it has structure a working word2vec model must recover:

* countries and their capitals (``paris : france :: berlin : germany``);
  a country and its capital share the words of their locale (adjective,
  landmark), a capital shares "city" words with other capitals and a country
  shares "nation" words with other countries, so the offset capital - country
  is the same for every pair;
* gendered pairs (``king : queen :: man : woman``): each pair shares the
  words of its concept (royalty, childhood, parenthood, ...), male words share
  male pronouns and female words female ones;
* singular and plural nouns (``cat : cats :: apple : apples``);
* topical groups (animals, fruit, colours, sports, instruments, weather),
  whose members share topic words and so should be nearest neighbours.

Function words and a pool of general words are mixed in with a skewed,
Zipf-like frequency, so sub-sampling and ``min_count`` have something to do.

Everything is drawn from :class:`random.Random` seeded by ``--seed``, so the
same seed always gives the same bytes. The shipped files were made with::

    python data/make_corpus.py            # writes data/synthetic.txt,
                                          # data/synthetic_analogies.txt and
                                          # data/synthetic_pairs.tsv

The analogy file uses the Google ``questions-words.txt`` layout (``: section``
headers, then ``a b c d`` lines) and can be passed to any evaluator that reads
that format. The word-pair file uses the WordSim-353 layout (``word1<TAB>word2
<TAB>score``, scores 0-10); its scores are planted by construction, not judged
by people (see :func:`word_pairs`).
"""
import argparse
import itertools
import os
import random

#: country, capital, adjective, and two private "locale" words (a landmark, a dish)
COUNTRIES = [
    ("france", "paris", "french", "seine", "baguette"),
    ("germany", "berlin", "german", "rhine", "pretzel"),
    ("italy", "rome", "italian", "tiber", "pasta"),
    ("spain", "madrid", "spanish", "prado", "paella"),
    ("japan", "tokyo", "japanese", "fuji", "sushi"),
    ("china", "beijing", "chinese", "yangtze", "dumpling"),
    ("russia", "moscow", "russian", "volga", "borscht"),
    ("egypt", "cairo", "egyptian", "nile", "falafel"),
    ("greece", "athens", "greek", "acropolis", "feta"),
    ("poland", "warsaw", "polish", "vistula", "pierogi"),
    ("canada", "ottawa", "canadian", "rockies", "maple"),
    ("sweden", "stockholm", "swedish", "lapland", "meatball"),
    ("portugal", "lisbon", "portuguese", "tagus", "fado"),
    ("austria", "vienna", "austrian", "danube", "strudel"),
    ("ireland", "dublin", "irish", "liffey", "shamrock"),
    ("kenya", "nairobi", "kenyan", "kilimanjaro", "safari"),
]
CITY_WORDS = ["city", "mayor", "streets", "downtown", "metro", "suburbs", "square", "traffic"]
NATION_WORDS = ["nation", "country", "border", "government", "population", "economy",
                "territory", "republic"]
LANGUAGE_WORDS = ["language", "spoken", "speak", "accent", "translated", "grammar",
                  "dialect", "fluent"]

#: male, female, concept
GENDER_PAIRS = [
    ("king", "queen", "royal"), ("prince", "princess", "heir"),
    ("man", "woman", "adult"), ("boy", "girl", "young"),
    ("father", "mother", "parent"), ("son", "daughter", "child"),
    ("brother", "sister", "sibling"), ("husband", "wife", "married"),
    ("uncle", "aunt", "relative"), ("grandfather", "grandmother", "elder"),
]
CONCEPT_WORDS = {
    "royal": ["throne", "crown", "palace", "reign", "kingdom", "court"],
    "heir": ["heir", "castle", "knight", "fairy", "tale", "dragon"],
    "adult": ["worked", "office", "job", "neighbour", "adult", "street"],
    "young": ["school", "toys", "played", "teacher", "little", "homework"],
    "parent": ["raised", "children", "cared", "home", "family", "baby"],
    "child": ["born", "parents", "grew", "inherited", "eldest", "youngest"],
    "sibling": ["twin", "older", "younger", "siblings", "shared", "bedroom"],
    "married": ["wedding", "married", "spouse", "anniversary", "marriage", "ring"],
    "relative": ["nephew", "niece", "visited", "holidays", "cousins", "gifts"],
    "elder": ["grandchildren", "retired", "stories", "old", "pension", "garden"],
}
MALE_WORDS = ["he", "his", "him", "himself"]
FEMALE_WORDS = ["she", "her", "hers", "herself"]

#: topic -> (members, topic words). Members of the first two topics also get a
#: private word each (``PRIVATE``) and appear in singular and plural form.
TOPICS = {
    "animals": (["cat", "dog", "horse", "cow", "lamb", "goat", "pig", "rabbit"],
                ["fur", "tail", "farm", "fed", "pet", "barn", "vet"]),
    "fruit": (["apple", "banana", "orange", "grape", "pear", "cherry", "plum", "lemon"],
              ["sweet", "ripe", "juice", "tree", "peeled", "orchard", "fresh"]),
    "colours": (["red", "blue", "green", "yellow", "purple", "pink", "grey", "brown"],
                ["paint", "bright", "shade", "colour", "painted", "dark", "light"]),
    "sports": (["football", "tennis", "hockey", "golf", "cricket", "baseball", "rugby",
                "basketball"], ["match", "team", "score", "season", "coach", "league", "won"]),
    "instruments": (["piano", "guitar", "violin", "drum", "flute", "trumpet", "cello", "harp"],
                    ["music", "tune", "sound", "band", "concert", "melody", "orchestra"]),
    "weather": (["rain", "snow", "wind", "storm", "fog", "hail", "frost", "sunshine"],
                ["forecast", "cold", "weather", "sky", "clouds", "temperature", "warm"]),
}
PRIVATE = {
    "cat": "whiskers", "dog": "bark", "horse": "saddle", "cow": "milk", "lamb": "wool",
    "goat": "horns", "pig": "mud", "rabbit": "burrow", "apple": "cider", "banana": "tropical",
    "orange": "marmalade", "grape": "vineyard", "pear": "poached", "cherry": "blossom",
    "plum": "prune", "lemon": "sour",
}
SINGULAR_WORDS = ["a", "this", "one", "single", "that"]
PLURAL_WORDS = ["many", "these", "several", "two", "those"]

FUNCTION_WORDS = ["the", "of", "and", "in", "to", "was", "is", "on", "with", "for", "at",
                  "by", "from", "it", "as", "an"]
GENERAL_WORDS = ["time", "year", "day", "people", "world", "way", "life", "work", "place",
                 "part", "number", "story", "morning", "evening", "week", "name", "idea",
                 "thing", "moment", "news", "picture", "book", "letter", "road"]


def plural(word):
    """English plural of the regular nouns used here (cherry -> cherries)."""
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("ch", "sh", "s", "x")) else "s")


class Generator:
    """Draws sentences; ``rng`` is a :class:`random.Random`."""

    def __init__(self, rng):
        self.rng = rng
        # Zipf-like weights for the filler words: rank r gets weight 1/r
        self.fillers = FUNCTION_WORDS + GENERAL_WORDS
        self.filler_weights = [1.0 / (r + 1) for r in range(len(self.fillers))]

    def pick(self, words, k):
        return [self.rng.choice(words) for _ in range(k)]

    def sentence(self, focus, context):
        """Shuffle ``focus`` words and ``context`` words together with fillers."""
        words = list(focus) + list(context)
        n_fill = self.rng.randint(2, 6)
        words += self.rng.choices(self.fillers, weights=self.filler_weights, k=n_fill)
        self.rng.shuffle(words)
        return " ".join(words)

    def country_sentence(self):
        country, capital, adj, *locale = self.rng.choice(COUNTRIES)
        r = self.rng.random()
        if r < 0.3:     # about the capital
            return self.sentence([capital], self.pick(locale, 2) + self.pick(CITY_WORDS, 3))
        if r < 0.6:     # about the country
            return self.sentence([country], self.pick(locale, 2) + self.pick(NATION_WORDS, 3))
        if r < 0.85:    # about its language or people
            return self.sentence([adj], self.pick(locale, 2) + self.pick(LANGUAGE_WORDS, 3))
        return self.sentence([capital, "capital", country], self.pick(locale, 1))

    def gender_sentence(self):
        male, female, concept = self.rng.choice(GENDER_PAIRS)
        if self.rng.random() < 0.5:
            word, pronouns = male, MALE_WORDS
        else:
            word, pronouns = female, FEMALE_WORDS
        return self.sentence([word], self.pick(pronouns, 2) + self.pick(CONCEPT_WORDS[concept], 3))

    def topic_sentence(self):
        name = self.rng.choice(sorted(TOPICS))
        members, topic_words = TOPICS[name]
        word = self.rng.choice(members)
        context = self.pick(topic_words, 3)
        if word in PRIVATE:
            context.append(PRIVATE[word])
            if self.rng.random() < 0.5:
                word = plural(word)
                context += self.pick(PLURAL_WORDS, 2)
            else:
                context += self.pick(SINGULAR_WORDS, 2)
        return self.sentence([word], context)

    def line(self):
        r = self.rng.random()
        if r < 0.4:
            return self.country_sentence()
        if r < 0.7:
            return self.gender_sentence()
        return self.topic_sentence()


def analogies():
    """The planted analogies, as ``(section, [(a, b, c, d), ...])`` pairs."""
    capitals = [(cap, country) for country, cap, *_ in COUNTRIES]
    adjectives = [(country, adj) for country, _, adj, *_ in COUNTRIES]
    gender = [(m, f) for m, f, _ in GENDER_PAIRS]
    nouns = sorted(PRIVATE)
    plurals = [(w, plural(w)) for w in nouns]
    sections = []
    for name, pairs in (("capital-country", capitals), ("country-adjective", adjectives),
                        ("family-gender", gender), ("noun-plural", plurals)):
        rows = [(a, b, c, d) for (a, b), (c, d) in itertools.permutations(pairs, 2)]
        sections.append((name, rows))
    return sections


def word_pairs():
    """Word pairs with the similarity the corpus plants between them, on WordSim's 0-10 scale.

    The scores rank how much context two words share by construction: a noun
    and its own plural share a private word (8.5); members of one topic share
    topic words (8); a country shares its locale words with its adjective
    (7.5) and its capital (7); a gendered pair shares its concept words but
    not its pronouns (6.5); a country and another country's capital share only
    the kind of sentence (3); words of two different topics share nothing but
    fillers (1).
    """
    rows = [(w, plural(w), 8.5) for w in sorted(PRIVATE)]
    names = sorted(TOPICS)
    for name in names:
        members = TOPICS[name][0]
        rows += [(a, b, 8.0) for a, b in zip(members, members[1:])]
    for country, capital, adj, *_ in COUNTRIES:
        rows += [(country, adj, 7.5), (country, capital, 7.0)]
    rows += [(m, f, 6.5) for m, f, _ in GENDER_PAIRS]
    rows += [(a[0], b[1], 3.0) for a, b in zip(COUNTRIES, COUNTRIES[1:])]
    for name, other in zip(names, names[1:] + names[:1]):
        rows += [(a, b, 1.0) for a, b in zip(TOPICS[name][0][:3], TOPICS[other][0][-3:])]
    return rows


def write_atomic(path, text):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--sentences", type=int, default=16000)
    parser.add_argument("--out", default=os.path.join(here, "synthetic.txt"))
    parser.add_argument("--analogies", default=os.path.join(here, "synthetic_analogies.txt"))
    parser.add_argument("--pairs", default=os.path.join(here, "synthetic_pairs.tsv"))
    args = parser.parse_args(argv)
    gen = Generator(random.Random(args.seed))
    write_atomic(args.out, "\n".join(gen.line() for _ in range(args.sentences)) + "\n")
    lines = []
    for name, rows in analogies():
        lines.append(f": {name}")
        lines.extend(" ".join(row) for row in rows)
    write_atomic(args.analogies, "\n".join(lines) + "\n")
    pairs = ["# word1\tword2\tscore: similarities planted in synthetic.txt (see make_corpus.py)"]
    pairs += [f"{a}\t{b}\t{score:.1f}" for a, b, score in word_pairs()]
    write_atomic(args.pairs, "\n".join(pairs) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
