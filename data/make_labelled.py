"""Generate the small labelled dataset shipped for the fastText classifier.

Made-up one-line reviews, each labelled ``__label__positive`` or
``__label__negative`` in fastText's format. The label is carried by an
opinion word, and in a third of the reviews that word is negated
(``not good`` is negative, ``not bad`` positive), so a bag of words alone
cannot get those right and the word bigrams of ``wordNgrams 2`` can: the
dataset shows what the n-gram features are for. Topic words (what is being
reviewed) and filler words say nothing about the label, and 3% of the labels
are flipped, so no model reaches 100%.

Everything is drawn from :class:`random.Random` seeded by ``--seed``, so the
same seed always gives the same bytes. The shipped files were made with::

    python data/make_labelled.py      # data/labelled_train.txt, data/labelled_test.txt
"""
import argparse
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
PRAISE = ["good", "great", "excellent", "lovely", "superb", "pleasant", "tasty", "friendly",
          "wonderful", "fine"]
COMPLAINT = ["bad", "awful", "poor", "boring", "terrible", "rude", "bland", "dirty", "slow",
             "broken"]
TOPICS = {
    "food": ["pizza", "soup", "bread", "coffee", "dessert", "menu", "salad", "chef", "dinner"],
    "film": ["film", "plot", "actor", "ending", "scene", "script", "music", "cast", "story"],
    "hotel": ["room", "bed", "staff", "pool", "view", "lobby", "breakfast", "hotel", "shower"],
    "phone": ["phone", "screen", "battery", "camera", "charger", "app", "case", "sound", "price"],
}
FILLERS = ["the", "was", "and", "a", "it", "really", "very", "we", "this", "our", "with",
           "quite", "i", "overall", "so", "my", "of", "too"]


def review(rng, positive):
    """One review with the given true sentiment."""
    words = rng.sample(TOPICS[rng.choice(sorted(TOPICS))], 2)
    words += rng.sample(FILLERS, rng.randint(3, 6))
    negate = rng.random() < 1 / 3
    opinion = rng.choice(COMPLAINT if positive == negate else PRAISE)
    phrase = ["not", opinion] if negate else [opinion]
    at = rng.randint(0, len(words))
    words[at:at] = phrase
    if not negate and rng.random() < 0.3:          # "not" elsewhere, away from the opinion word
        words.insert(0, "not")
        words.insert(1, rng.choice(FILLERS))
    return words


def make(n, rng, noise=0.03):
    lines = []
    for _ in range(n):
        positive = rng.random() < 0.5
        words = review(rng, positive)
        label = positive != (rng.random() < noise)
        lines.append(f"__label__{'positive' if label else 'negative'} " + " ".join(words))
    return lines


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--train", type=int, default=3000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--out", default=str(HERE))
    a = p.parse_args(argv)
    rng = random.Random(a.seed)
    for name, n in (("labelled_train.txt", a.train), ("labelled_test.txt", a.test)):
        Path(a.out, name).write_text("\n".join(make(n, rng)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
