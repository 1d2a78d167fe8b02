"""Kernels: the fast forms of the objectives, each equal to a reference in :mod:`w2v_numpy.models`."""
