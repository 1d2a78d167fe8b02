"""``Classifier``: fastText's supervised text classifier, with fastText's names.

::

    from w2v_numpy.classifier import train_supervised
    clf = train_supervised("data/labelled_train.txt", epoch=10, lr=0.5, wordNgrams=2)
    clf.predict("the service was not good", k=2)   # (('__label__negative', ...), array([...]))
    clf.test("data/labelled_test.txt")             # (N, precision@1, recall@1)
    clf.save("reviews.model")

The pieces: :mod:`w2v_numpy.text.labelled` (lines, dictionary, features, batches),
:mod:`w2v_numpy.models.supervised_input` (the input layer of the two losses),
:func:`w2v_numpy.training.loop.train` (the one loop, learning rate decaying linearly
to 0 as in fastText).
Precision and recall at k are fastText's: over all documents with a label,
the correct predictions among the k x N made, and among all true labels.
"""
import os

import numpy as np

from .backend import asarray, to_numpy
from .batching import NegativeSampler
from .batching.document_batcher import DocumentBatcher, document_batch
from .errors import ModelFileError, W2VError
from .files.model_file import ModelParts, read_model_file, write_model_file
from .functional import sigmoid, softmax
from .kernels.subword_rows import class_scores
from .models import MODELS, create
from .models.base import check_integers
from .text.labelled import Dictionary, encode, features, parse_line, read_labelled
from .vectors.keyedvectors import KeyedVectors

#: fastText's ``-loss`` values -> model types.
LOSSES = {"softmax": "supervised_softmax", "ns": "supervised_neg"}


class Classifier:
    """A trained (or loaded) classifier; make one with :func:`train_supervised` or :meth:`load`.

    Attributes: ``config`` (the settings, fastText's names), ``dictionary``,
    ``model`` (:mod:`w2v_numpy.models.supervised_input`), ``state`` (training state).
    """

    def __init__(self, config, dictionary, model, state=None):
        self.config, self.dictionary, self.model, self.state = config, dictionary, model, state

    @property
    def labels(self):
        return self.dictionary.labels

    @property
    def wv(self):
        """The word rows as :class:`KeyedVectors` (what ``export``/``neighbors`` use)."""
        return KeyedVectors(self.dictionary.words, to_numpy(self.model.params["E"]))

    def _features(self, words):
        c = self.config
        return features(words, self.dictionary, c["wordNgrams"], c["bucket"])

    def probabilities(self, texts):
        """(n, labels) probabilities of the texts (softmax, or one sigmoid per label for ns)."""

        feats = [self._features(parse_line(t)[1]) for t in texts]
        ptr = np.zeros(len(feats) + 1, dtype=np.int64)
        np.cumsum([f.size for f in feats], out=ptr[1:])
        empty = ptr[1:] == ptr[:-1]
        ids = np.concatenate(feats) if feats else np.zeros(0, np.int64)
        batch = document_batch(ptr, ids, np.arange(len(feats)), np.zeros(len(feats), np.int64), None)
        scores = to_numpy(class_scores(self.model, batch)).astype(np.float64)   # (n, L)
        scores[empty] = 0.0                                   # no feature: v_D = 0, as fastText
        return softmax(scores, axis=1) if self.config["loss"] == "softmax" else sigmoid(scores)

    def predict(self, text, k=1, threshold=0.0):
        """Top-``k`` labels and their probabilities, as fastText's ``predict``.

        ``text`` is one string (returns ``(labels tuple, probs array)``) or a
        list of strings (returns two lists).
        """
        single = isinstance(text, str)
        P = self.probabilities([text] if single else list(text))
        k = max(1, min(int(k), len(self.labels)))
        out_labels, out_probs = [], []
        for row in P:
            best = np.argsort(-row, kind="stable")[:k]
            best = best[row[best] >= threshold]
            out_labels.append(tuple(self.labels[i] for i in best))
            out_probs.append(row[best])
        return (out_labels[0], out_probs[0]) if single else (out_labels, out_probs)

    def test(self, path, k=1):
        """``(N, precision@k, recall@k)`` on a labelled file, as fastText's ``test``."""
        examples = [(labs, words) for labs, words in read_labelled(path) if labs and words]
        predicted, _ = self.predict([" ".join(w) for _, w in examples], k)
        right = sum(len(set(p) & set(labs)) for p, (labs, _) in zip(predicted, examples))
        made = sum(len(p) for p in predicted)
        gold = sum(len(labs) for labs, _ in examples)
        return len(examples), right / max(made, 1), right / max(gold, 1)

    def save(self, path):
        """Write the model file atomically (the format of every w2v_numpy model)."""
        d = self.dictionary
        config = dict(self.config, labels=d.labels, label_counts=d.label_counts.tolist())
        state = None
        if self.state is not None:
            state = {k: v for k, v in vars(self.state).items() if k != "stop"}
        params = {k: to_numpy(v) for k, v in self.model.params.items()}
        write_model_file(path, ModelParts(params, d.words, d.counts, config, {}, state))

    @classmethod
    def accepts(cls, type_name):
        return type_name in LOSSES.values()

    @classmethod
    def load(cls, path):
        return cls.from_parts(read_model_file(path), path)

    @classmethod
    def from_parts(cls, parts, path="model"):
        c = dict(parts.config)
        try:
            if not cls.accepts(c.get("type")):
                raise W2VError(f"not a classifier model (type {c.get('type')!r})")
            d = Dictionary(parts.words, parts.counts, c.pop("labels"), c.pop("label_counts"))
            model = MODELS[c["type"]].from_params({k: asarray(v) for k, v in parts.params.items()},
                                                  n_labels=len(d.labels), bucket=c["bucket"])
        except (W2VError, KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"cannot load {os.fspath(path)}: {exc}") from None
        return cls(c, d, model)


def train_supervised(input, dim=100, lr=None, epoch=5, wordNgrams=1, loss="softmax", neg=5,
                     bucket=2_000_000, minCount=1, batch_size=None, seed=0, progress=False,
                     callbacks=()):
    """Train a classifier on ``__label__X text`` lines (fastText's names and defaults).

    ``bucket`` rows of word n-grams are made only when ``wordNgrams`` > 1
    (fastText does the same): 2,000,000 x ``dim`` float32 is 800 MB at dim 100.
    ``lr`` is per example and decays linearly to 0 over training; ``batch_size``
    documents share one step. ``None`` for either: the policy table's
    (:mod:`w2v_numpy.training.policy`: fastText's 0.1, and 32 documents).

    ``input`` must be one path (``str`` or ``os.PathLike``; ``"-"`` is standard input), and
    the integer settings (``dim``, ``epoch``, ``wordNgrams``, ``neg``, ``minCount``,
    ``batch_size``, ``bucket``, ``seed``) Python or NumPy integers, never a float (``2.0``
    too) or a ``bool``: else :class:`W2VError` naming the parameter.
    """
    from .training.loop import train
    from .training.policy import policy
    from .word2vec import check_paths

    if loss not in LOSSES:
        raise W2VError(f"must be one of {sorted(LOSSES)}, got {loss!r}", param="loss")
    rules = policy(LOSSES[loss])
    lr = rules.alpha if lr is None else lr
    batch_size = rules.batch_size if batch_size is None else batch_size

    check_paths(input, "input", many=False)
    check_integers(1, dim=dim, epoch=epoch, wordNgrams=wordNgrams, neg=neg, minCount=minCount,
                   batch_size=batch_size)
    check_integers(0, bucket=bucket, seed=seed)           # bucket 0: no word n-gram rows
    if not float(lr) > 0:
        raise W2VError(f"must be > 0, got {lr}", param="lr")
    bucket = int(bucket) if int(wordNgrams) > 1 else 0
    examples = read_labelled(input)
    d = Dictionary.from_examples(examples, int(minCount))
    config = dict(type=LOSSES[loss], loss=loss, vector_size=int(dim), dim=int(dim), lr=float(lr),
                  epoch=int(epoch), wordNgrams=int(wordNgrams), neg=int(neg), bucket=bucket,
                  minCount=int(minCount), batch_size=int(batch_size), seed=int(seed))
    model = create(config["type"], len(d.words), int(dim), seed=int(seed), n_labels=len(d.labels),
                   bucket=bucket)
    ptr, ids, gold = encode(examples, d, config["wordNgrams"], bucket)
    negative = config["neg"] if model.uses_negatives else 0
    sampler = NegativeSampler(d.label_counts, power=0.5) if negative else None
    batcher = DocumentBatcher(ptr, ids, gold, config["batch_size"], negative, sampler, seed=seed)
    state = train(model, batcher, epochs=config["epoch"], alpha=config["lr"], min_alpha=0.0,
                  progress=progress, callbacks=callbacks)
    return Classifier(config, d, model, state)
