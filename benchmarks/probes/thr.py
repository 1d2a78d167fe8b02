"""Probe used for benchmarks/RESULTS.md (issue 10); run from the repository root after
bench_train.py has decompressed wiki2m to /tmp/w2v_bench_wiki2m.txt_all."""
import time, sys, threading, numpy as np
from w2v_numpy import Word2Vec
from w2v_numpy.corpus import whitespace_tokenize
typ=sys.argv[1]
w=Word2Vec(type=typ, vector_size=100, window=5, tokenizer=whitespace_tokenize, progress=False, seed=1)
w.build_vocab("/tmp/w2v_bench_wiki2m.txt_all")
bat=w.make_batcher()
def run(chunks, out):
    t=time.perf_counter(); n=0
    for ch in chunks:
        for c,_,_,b in bat.iter_epoch(0, ch, 0):
            if c != ch: break
            w.model.step(b, 0.01); n+=1
    out.append((n, time.perf_counter()-t))
chunks=list(range(bat.n_chunks))
o=[]; t=time.perf_counter(); run(chunks[:8], o); print("seq 8 chunks", time.perf_counter()-t, o)
o=[]; t=time.perf_counter()
th=[threading.Thread(target=run, args=(chunks[i:8:2], o)) for i in range(2)]
[x.start() for x in th]; [x.join() for x in th]
print("2 threads 8 chunks", time.perf_counter()-t, o)
import multiprocessing as mp
from multiprocessing import shared_memory
shms=[]
for k,v in list(w.model.params.items()):
    shm=shared_memory.SharedMemory(create=True, size=v.nbytes); shms.append(shm)
    a=np.ndarray(v.shape, v.dtype, buffer=shm.buf); a[:]=v; w.model.params[k]=a
def prun(chunks):
    o=[]; run(chunks,o); print("child", o, flush=True)
ctx=mp.get_context("fork")
t=time.perf_counter()
ps=[ctx.Process(target=prun, args=(chunks[i:8:2],)) for i in range(2)]
[p.start() for p in ps]; [p.join() for p in ps]
print("2 procs 8 chunks", time.perf_counter()-t, float(np.abs(w.model.params["W_out"]).sum()))
