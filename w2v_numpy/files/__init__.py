"""Everything w2v_numpy reads or writes on disk.

* :mod:`w2v_numpy.files.atomic`: atomic writes, snapshots, clean-up of temporaries;
* :mod:`w2v_numpy.files.model_file`: model files and checkpoints (``.npz``, no pickles);
* :mod:`w2v_numpy.files.word2vec_format`: the word2vec.c text and binary vector formats.

This layer deals in plain arrays and dicts; it imports nothing above it.
"""
