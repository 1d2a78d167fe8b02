"""cProfile around one epoch of training, for any trainable type, on wiki2m.

    OPENBLAS_NUM_THREADS=1 python benchmarks/profile_train.py sgram_neg window
    OPENBLAS_NUM_THREADS=1 python benchmarks/profile_train.py cbow_neg
    OPENBLAS_NUM_THREADS=1 python benchmarks/profile_train.py glove
    OPENBLAS_NUM_THREADS=1 python benchmarks/profile_train.py fasttext_sgram

Settings are bench_train.py's (dim 100, window radius 5, seed 1, alpha 0.025;
GloVe: dim 50, radius 10, x_max 10, batches of 4096 entries; the fastText
types: n-grams 3-6 in 2,000,000 buckets). Prints the training time and the
18 functions with the most time of their own. With one worker the batches
come from the producer process, which this profile does not see.
"""
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import DEFAULT_CORPUS, plain_text  # noqa: E402

from w2v_numpy import FastText, GloVe, Word2Vec  # noqa: E402
from w2v_numpy.text.corpus import whitespace_tokenize  # noqa: E402


def main():
    typ = sys.argv[1] if len(sys.argv) > 1 else "sgram_neg"
    formulation = sys.argv[2] if len(sys.argv) > 2 else None
    if typ == "glove":
        model = GloVe(vector_size=50, window=10, x_max=10.0, epochs=1, seed=1,
                      tokenizer=whitespace_tokenize, progress=False)
    elif FastText.accepts(typ):
        model = FastText(type=typ, vector_size=100, window=5, epochs=1, seed=1, alpha=0.025,
                         tokenizer=whitespace_tokenize, progress=False)
    else:
        model = Word2Vec(type=typ, vector_size=100, window=5, epochs=1, seed=1, alpha=0.025,
                         formulation=formulation, tokenizer=whitespace_tokenize, progress=False)
    model.build_vocab(plain_text(DEFAULT_CORPUS))
    profile = cProfile.Profile()
    t0 = time.perf_counter()
    profile.enable()
    model.train()
    profile.disable()
    print(f"train {time.perf_counter() - t0:.1f} s")
    pstats.Stats(profile).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
