"""Probe used for benchmarks/RESULTS.md (issue 10); run from the repository root after
bench_train.py has decompressed wiki2m to /tmp/w2v_bench_wiki2m.txt_all."""
import time, sys, numpy as np
from w2v_numpy import Word2Vec, parallel
from w2v_numpy.corpus import whitespace_tokenize
typ=sys.argv[1]
for spec in sys.argv[2].split(","):
    wk, safe = int(spec[0]), spec[1:] == "s"
    parallel.SAFE_SCATTER = safe
    w=Word2Vec(type=typ, vector_size=100, window=5, tokenizer=whitespace_tokenize, progress=False, seed=1, epochs=1, workers=wk, alpha=0.025 if typ.startswith("sgram") else 0.05)
    w.build_vocab("/tmp/w2v_bench_wiki2m.txt_all")
    t=time.perf_counter(); st=w.train(); el=time.perf_counter()-t
    print(spec, "train s", round(el,2), "words/s", round(2000103/el), "loss", round(st.epoch_losses[-1],5), flush=True)
