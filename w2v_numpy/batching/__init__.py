"""Batches: the batch types, the batchers that make them, negatives, the batch producer.

* :mod:`.batch`: the batch types, one per family of objectives (the batch contract);
* :mod:`.window_batcher`: word windows of a corpus, for the word2vec and subword objectives;
* :mod:`.cooccurrence_batcher`: shuffled co-occurrence entries, for GloVe;
* :mod:`.document_batcher`: labelled documents, for the classifier;
* :mod:`.negatives`: the unigram^0.75 sampler;
* :mod:`.producer`: a second process that makes batches while training runs.
"""
from .batch import Batch, CooccurrenceBatch, DocumentBatch, slot_offsets
from .negatives import NegativeSampler
from .window_batcher import EXAMPLE_SLOTS, WindowBatcher

__all__ = ["Batch", "CooccurrenceBatch", "DocumentBatch", "NegativeSampler", "WindowBatcher",
           "EXAMPLE_SLOTS", "slot_offsets"]
