"""Probe used for benchmarks/RESULTS.md (issue 10); run from the repository root after
bench_train.py has decompressed wiki2m to /tmp/w2v_bench_wiki2m.txt_all."""
import time, numpy as np
from w2v_numpy import Word2Vec
from w2v_numpy.corpus import whitespace_tokenize
from w2v_numpy.backend import _numpy_scatter_add
w=Word2Vec(type="sgram_neg", vector_size=100, window=5, tokenizer=whitespace_tokenize, progress=False, seed=1)
w.build_vocab("/tmp/w2v_bench_wiki2m.txt_all")
bat=w.make_batcher()
idxs=[]
for i,(c,b,wd,batch) in enumerate(bat.iter_epoch(0)):
    idxs.append(batch.inputs[batch.mask]); 
    idx=np.empty((len(batch.targets),6),np.int64); idx[:,0]=batch.targets; idx[:,1:]=batch.negatives; idxs.append(idx.ravel())
    if i>=300: break
V=len(w.vocab); d=100
rng=np.random.default_rng(0)
vals=[rng.normal(size=(ix.size,d)).astype(np.float32) for ix in idxs]
print("mean n", np.mean([ix.size for ix in idxs]), "mean unique frac", np.mean([np.unique(ix).size/ix.size for ix in idxs]))
def cur(T,ix,v): _numpy_scatter_add(T,ix,v)
def sortred(T,ix,v):
    order=np.argsort(ix,kind="stable"); s=ix[order]
    starts=np.flatnonzero(np.r_[True, s[1:]!=s[:-1]])
    sums=np.add.reduceat(v[order],starts,axis=0)
    T[s[starts]]+=sums
def addat(T,ix,v):
    np.add.at(T,ix,v)
def split2(T,ix,v):
    # bincount split, repeated via sort+reduceat
    occ=np.bincount(ix,minlength=T.shape[0])[ix]
    once=occ==1
    T[ix[once]]+=v[once]
    rep=np.flatnonzero(~once)
    if rep.size:
        r=ix[rep]; order=np.argsort(r,kind="stable"); s=r[order]
        starts=np.flatnonzero(np.r_[True, s[1:]!=s[:-1]])
        T[s[starts]]+=np.add.reduceat(v[rep[order]],starts,axis=0)
def rounds(T,ix,v):
    # k-th occurrence rounds: each round has unique indices
    order=np.argsort(ix,kind="stable"); s=ix[order]
    first=np.r_[True, s[1:]!=s[:-1]]
    grp=np.cumsum(first)-1
    starts=np.flatnonzero(first)
    rank=np.arange(s.size)-starts[grp]
    maxr=rank.max()
    for k in range(maxr+1):
        sel=order[rank==k]
        T[ix[sel]]+=v[sel]
for name,f in [("cur",cur),("sortred",sortred),("split2",split2),("addat",addat)]:
    T=np.zeros((V,d),np.float32)
    t=time.perf_counter()
    for ix,v in zip(idxs,vals): f(T,ix,v)
    el=time.perf_counter()-t
    print(name, el/len(idxs)*1e3, "ms/call", float(T.sum()))
import timeit
ix=idxs[100]; v=vals[100]; T=np.zeros((V,d),np.float32)
occ=np.bincount(ix,minlength=V)[ix]; once=occ==1
io=ix[once]; vo=v[once]; rep=~once; ir=ix[rep]; vr=v[rep]
fl=(ir[:,None]*d+np.arange(d)).ravel()
tests={"bincount":lambda: np.bincount(ix,minlength=V)[ix],
"mask idx":lambda: (ix[once], v[once]),
"T[io]+=vo":lambda: T.__setitem__(io, T[io]+vo),
"take":lambda: T[io],
"take np.take":lambda: np.take(T,io,axis=0),
"put":lambda: T.__setitem__(io, vo),
"rep gather":lambda: (ix[rep], v[rep]),
"flat build":lambda: (ir[:,None]*d+np.arange(d)).ravel(),
"add.at flat":lambda: np.add.at(T.reshape(-1), fl, vr.reshape(-1)),
}
print("once", io.size, "rep", ir.size)
for k,f in tests.items():
    n=200; t=timeit.timeit(f,number=n)/n*1e6; print(f"{k:15s} {t:8.1f} us")
def hybrid(T, ix, v, R=3):
    order = np.argsort(ix, kind="stable"); s = ix[order]
    first = np.empty(s.size, bool); first[0] = True; np.not_equal(s[1:], s[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    rank = np.arange(s.size) - np.repeat(starts, np.diff(np.append(starts, s.size)))
    for k in range(R):
        sel = order[rank == k]
        if sel.size == 0: return
        T[ix[sel]] += v[sel]
    left = rank >= R
    if left.any():
        lo = order[left]; ls = s[left]
        f2 = np.empty(ls.size, bool); f2[0] = True; np.not_equal(ls[1:], ls[:-1], out=f2[1:])
        st = np.flatnonzero(f2)
        T[ls[st]] += np.add.reduceat(v[lo], st, axis=0)
def hybrid2(T, ix, v):
    # unique rows first via bincount split; repeated: rounds
    occ=np.bincount(ix,minlength=T.shape[0])
    o=occ[ix]; once=o==1
    T[ix[once]]+=v[once]
    rep=np.flatnonzero(~once)
    if not rep.size: return
    r=ix[rep]; order=np.argsort(r,kind="stable"); s=r[order]
    first = np.empty(s.size, bool); first[0] = True; np.not_equal(s[1:], s[:-1], out=first[1:])
    starts=np.flatnonzero(first)
    rank = np.arange(s.size) - np.repeat(starts, np.diff(np.append(starts, s.size)))
    R=3
    for k in range(R):
        sel=rep[order[rank==k]]
        T[ix[sel]]+=v[sel]
    left=rank>=R
    if left.any():
        lo=rep[order[left]]; ls=s[left]
        f2 = np.empty(ls.size, bool); f2[0] = True; np.not_equal(ls[1:], ls[:-1], out=f2[1:])
        st=np.flatnonzero(f2)
        T[ls[st]] += np.add.reduceat(v[lo], st, axis=0)
allr=[]
for ix in idxs[:50]:
    s=np.sort(ix); first=np.r_[True,s[1:]!=s[:-1]]; st=np.flatnonzero(first)
    allr.append(np.arange(s.size)-np.repeat(st,np.diff(np.append(st,s.size))))
allr=np.concatenate(allr); print("rank dist", [(k, round(float(np.mean(allr==k)),3)) for k in range(6)], "max", allr.max())
for name,f in [("cur",cur),("hyb2",lambda T,i,v: hybrid(T,i,v,2)),("hyb3",hybrid),("hyb5",lambda T,i,v: hybrid(T,i,v,5)),("hybrid2",hybrid2)]:
    T=np.zeros((V,d),np.float32)
    t=time.perf_counter()
    for ix,v in zip(idxs,vals): f(T,ix,v)
    el=time.perf_counter()-t
    print(name, el/len(idxs)*1e3, "ms/call", float(T.sum()))
tests={"add.at 2d":lambda: np.add.at(T, ir, vr),
"flat build i32":lambda: (ir.astype(np.int32)[:,None]*np.int32(d)+np.arange(d,dtype=np.int32)).ravel(),
"argsort":lambda: np.argsort(ix),
"argsort stable":lambda: np.argsort(ix, kind="stable"),
"unique inv":lambda: np.unique(ix, return_inverse=True),
}
for k,f in tests.items():
    n=200; t=timeit.timeit(f,number=n)/n*1e6; print(f"{k:15s} {t:8.1f} us")
def hybrid3(T, ix, v, R=4):
    n = ix.size
    order = np.argsort(ix)
    s = ix[order]
    first = np.empty(n, bool); first[0] = True; np.not_equal(s[1:], s[:-1], out=first[1:])
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.arange(n) - grp_start
    for k in range(R):
        sel = order[rank == k]
        if sel.size == 0: return
        T[ix[sel]] += v[sel]
    sel = order[rank >= R]
    if sel.size:
        d = T.shape[1]
        rows = ix[sel].astype(np.int32)
        flat = (rows[:, None] * np.int32(d) + np.arange(d, dtype=np.int32)).ravel()
        np.add.at(T.reshape(-1), flat, v[sel].reshape(-1))
for R in (1,2,3,4,6,8):
    T=np.zeros((V,d),np.float32)
    t=time.perf_counter()
    for ix,v in zip(idxs,vals): hybrid3(T,ix,v,R)
    el=time.perf_counter()-t
    print("hybrid3",R, el/len(idxs)*1e3, "ms/call", float(T.sum()))
uq=[np.random.default_rng(i).choice(V, ix.size, replace=False) for i,ix in enumerate(idxs)]
T=np.zeros((V,d),np.float32)
t=time.perf_counter()
for ix,v in zip(uq,vals): T[ix]+=v
print("floor unique fancy add", (time.perf_counter()-t)/len(idxs)*1e3)
t=time.perf_counter()
for ix,v in zip(idxs,vals): T[ix]+=v
print("dup-losing fancy add real idx", (time.perf_counter()-t)/len(idxs)*1e3)
t=time.perf_counter()
for ix,v in zip(idxs,vals): np.add.at(T.reshape(-1), (ix.astype(np.int32)[:,None]*np.int32(d)+np.arange(d,dtype=np.int32)).ravel(), v.reshape(-1))
print("flat add.at all", (time.perf_counter()-t)/len(idxs)*1e3)
