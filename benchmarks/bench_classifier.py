"""The classifier against the reference fastText (``pip install fasttext-wheel``), same settings.

    python benchmarks/bench_classifier.py            # both datasets, wordNgrams 1 and 2

Datasets: the shipped reviews (``data/labelled_train.txt`` / ``_test.txt``)
and one built from the shared data: every line ``a b c d`` of Google's
``questions-words.txt`` labelled with its section (14 classes, such as
``capital-common-countries`` or ``gram3-comparative``); every fifth line is
test data. Both tools: dim 50, 10 epochs, lr 0.5, softmax, minCount 1,
bucket 200,000, one thread. Reported: P@1 on the test file and training
examples per second (training wall time, file reading included).
"""
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SETTINGS = dict(dim=50, epoch=10, lr=0.5, loss="softmax", minCount=1, bucket=200_000)


def analogy_sections(folder):
    train, test, section, n = [], [], None, 0
    for line in (DATA / "questions-words.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        (test if n % 5 == 4 else train).append(f"__label__{section} {line.lower()}")
        n += 1
    paths = Path(folder) / "qw_train.txt", Path(folder) / "qw_test.txt"
    for path, lines in zip(paths, (train, test)):
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def ours(train, test, n):
    from w2v_numpy.classifier import train_supervised

    t0 = time.perf_counter()
    clf = train_supervised(str(train), wordNgrams=n, batch_size=32, **SETTINGS)
    secs = time.perf_counter() - t0
    return clf.test(str(test))[1], clf.state.examples / secs


def reference(train, test, n):
    import fasttext

    t0 = time.perf_counter()
    m = fasttext.train_supervised(str(train), wordNgrams=n, thread=1, verbose=0, **SETTINGS)
    secs = time.perf_counter() - t0
    docs = sum(1 for _ in open(train, encoding="utf-8"))
    return m.test(str(test))[1], docs * SETTINGS["epoch"] / secs


def main():
    with tempfile.TemporaryDirectory() as tmp:
        sets = {"reviews": (ROOT / "data" / "labelled_train.txt", ROOT / "data" / "labelled_test.txt")}
        if (DATA / "questions-words.txt").exists():
            sets["analogy_sections"] = analogy_sections(tmp)
        for name, (train, test) in sets.items():
            for n in (1, 2):
                row = {"dataset": name, "wordNgrams": n}
                for impl, fn in (("ours", ours), ("fasttext", reference)):
                    try:
                        p1, speed = fn(train, test, n)
                        row[f"{impl}_P@1"], row[f"{impl}_examples_per_s"] = round(p1, 4), round(speed)
                    except ImportError as exc:
                        row[impl] = f"unavailable: {exc}"
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    sys.exit(main())
