"""Trained vectors: KeyedVectors, vectors from subwords, evaluation and plots."""
