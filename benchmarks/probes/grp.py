"""Probe used for benchmarks/RESULTS.md (issue 10); run from the repository root after
bench_train.py has decompressed wiki2m to /tmp/w2v_bench_wiki2m.txt_all."""
import timeit, numpy as np
from w2v_numpy import Word2Vec
from w2v_numpy.corpus import whitespace_tokenize
from w2v_numpy.models.window import hidden_layer, input_grads, context_sizes
w=Word2Vec(type="cbow_neg", vector_size=100, window=5, tokenizer=whitespace_tokenize, progress=False, seed=1)
w.build_vocab("/tmp/w2v_bench_wiki2m.txt_all")
for i,(c,b,wd,batch) in enumerate(w.make_batcher().iter_epoch(0)):
    if i==100: break
W_in=np.random.rand(len(w.vocab),100).astype(np.float32)
inputs,mask,t,neg=batch; B,C=inputs.shape
def cur():
    return hidden_layer(W_in,inputs,mask)[0]
def mmT():
    n=mask.sum(1,keepdims=True); weight=(mask/n).astype(np.float32)
    return (W_in[inputs].transpose(0,2,1)@weight[:,:,None])[:,:,0]
def grouped():
    n=mask.sum(1)
    order=np.argsort(~mask,axis=1,kind="stable")
    packed=np.take_along_axis(inputs,order,1)
    rows=np.argsort(n,kind="stable"); ns=n[rows]
    cuts=np.flatnonzero(np.diff(ns))+1
    h=np.empty((B,100),np.float32)
    for r in np.split(np.arange(B),cuts):
        g=rows[r]; k=ns[r[0]]
        h[g]=W_in[packed[g,:k]].sum(1)/np.float32(k)
    return h
def flatsum():
    # real rows gathered once; per-column adds over left-packed layout
    n=mask.sum(1)
    order=np.argsort(~mask,axis=1,kind="stable")
    packed=np.take_along_axis(inputs,order,1)
    h=W_in[packed[:,0]].copy()
    for j in range(1,C):
        live=np.flatnonzero(n>j)
        if not live.size: break
        h[live]+=W_in[packed[live,j]]
    return h/n[:,None]
ref=cur()
for f in (cur,mmT,grouped,flatsum):
    np.testing.assert_allclose(f(),ref,rtol=1e-5)
    print(f.__name__, timeit.timeit(f,number=300)/300*1e6)
