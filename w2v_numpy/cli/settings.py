"""The trainer's settings: defaults per model type, and how flags meet a saved model.

A setting comes from the command line if given, else from the model file
being resumed, else from the defaults here. The defaults are the original
tool's (or gensim's) for the word2vec types; GloVe has its own where the
paper's differ (:data:`TYPE_DEFAULTS`). A flag that does not apply to the
chosen type (``--neg_samples`` for a full softmax, ``--cbow_update`` for a skip-gram,
``--sample`` for GloVe) is accepted and ignored, with a note saying so.
"""
import inspect

from ..fasttext import FastText
from ..glove import GloVe
from ..batching import WindowBatcher
from ..models import MODELS, formulations, model_class, subword_types, window_types
from ..training.policy import default_formulation, policy
from ..word2vec import Word2Vec, default_shuffle
from .common import UserError

#: Defaults of the settings a model file remembers (CLI names; ``window`` is the full span).
DEFAULTS = dict(type="cbow", vector_dim=300, window=7, neg_samples=5, batch_size=None, epochs=5,
                alpha=None, min_alpha=0.0001, min_count=5, sample=1e-3, max_vocab=None, seed=0,
                cbow_update="word2vec", formulation=None, shared_negatives=None, shuffle=None, run_length=None,
                x_max=100.0, glove_alpha=0.75, min_n=3, max_n=6, bucket=2_000_000)
#: Where a type's defaults differ. GloVe: the paper's window of 10 words each side, 25
#: iterations and a constant AdaGrad rate (min_alpha None = alpha). Batch sizes and
#: learning rates (``None`` above) are the policy table's, :mod:`w2v_numpy.training.policy`,
#: shared with the library (word2vec.c's: 0.025 for skip-gram, 0.05 for CBOW).
#: The subword types: fastText's 100 dimensions, since the n-gram table is bucket x
#: vector_dim floats (2,000,000 x 300 would be 2.4 GB).
TYPE_DEFAULTS = {"glove": dict(window=21, epochs=25, min_alpha=None),
                 **{t: dict(vector_dim=100) for t in subword_types()}}
#: Settings that only some types use: name -> the front door classes that take them.
ONLY_FOR = {"neg_samples": (Word2Vec, FastText), "sample": (Word2Vec, FastText),
            "cbow_update": (Word2Vec,), "formulation": (Word2Vec,),
            "shared_negatives": (Word2Vec, FastText), "shuffle": (Word2Vec, FastText),
            "run_length": (Word2Vec,),
            "x_max": (GloVe,), "glove_alpha": (GloVe,),
            "min_n": (FastText,), "max_n": (FastText,), "bucket": (FastText,)}
#: Word2Vec settings that only some word2vec types use: name -> whether the model class
#: (the type in its formulation) uses it. Asked of the class's capabilities, not read off
#: the type's name, so that a new type gets the right notes without an edit here.
USED_BY = {"cbow_update": lambda cls: cls.averages_inputs,      # the rule for a mean of inputs
           "neg_samples": lambda cls: cls.uses_negatives,
           "shared_negatives": lambda cls: cls.uses_negatives,
           "formulation": lambda cls: len(formulations(cls.type_name)) > 1,   # a choice to make
           "run_length": lambda cls: cls.batch_family in WindowBatcher.SPAN_FAMILIES}
#: CLI name -> config name, for the settings above.
CONFIG_NAMES = dict(vector_dim="vector_size", neg_samples="negative")
#: Library parameter -> flag, for error messages.
FLAGS = {"corpus_file": "--data_file", "vector_size": "--vector_dim", "negative": "--neg_samples",
         **{name: f"--{name}" for name in ("window", "min_count", "max_vocab", "sample", "alpha",
                                           "min_alpha", "epochs", "batch_size", "seed", "type",
                                           "cbow_update", "backend", "formulation", "workers",
                                           "shared_negatives", "shuffle", "run_length",
                                           "x_max", "glove_alpha", "min_n", "max_n", "bucket",
                                           "read_vocab", "init_vectors", "freeze_init")},
         "update": "--continue_from"}


def trainable_types():
    """Every type the trainer can train: the word2vec types, GloVe and the subword types."""
    return sorted(set(window_types()) | set(subword_types())
                  | {t for t in MODELS if GloVe.accepts(t)})


def batch_size_help():
    """``--batch_size``'s help, from the policy table: the usual default and the types
    whose default differs."""
    sizes = {t: policy(t).batch_size for t in trainable_types()}
    usual = max(set(sizes.values()), key=list(sizes.values()).count)
    rest = "".join(f"; {t}: {n}" for t, n in sizes.items() if n != usual)
    return (f"examples per batch: windows, pairs or co-occurrence entries (default {usual}"
            f"{rest})")


def alpha_help():
    """``--alpha``'s help, from the policy table: each rate and the types that start at it."""
    by_rate = {}
    for t in trainable_types():
        by_rate.setdefault(policy(t).alpha, []).append(t)
    rates = "; ".join(f"{a:g} for {', '.join(ts)}" for a, ts in sorted(by_rate.items()))
    return f"initial learning rate per example (default {rates})"


def front_door(type_name):
    """The class that trains ``type_name``: :class:`GloVe`, :class:`FastText` or :class:`Word2Vec`."""
    for door in (FastText, GloVe):
        if door.accepts(type_name):
            return door
    return Word2Vec


def uses_negatives(type_name):
    """Whether a model type's output layer needs sampled negatives (asks the class)."""
    return MODELS[type_name].uses_negatives


def default(name, type_name):
    """The default of setting ``name`` for ``type_name``: the learning rate from the policy
    table, the others from :data:`TYPE_DEFAULTS` or :data:`DEFAULTS`."""
    if name == "alpha" and type_name in MODELS:
        return policy(type_name).alpha
    return TYPE_DEFAULTS.get(type_name, {}).get(name, DEFAULTS[name])


def _from_config(config, name):
    value = config.get(CONFIG_NAMES.get(name, name), default(name, config.get("type")))
    if name == "window":
        return 2 * value + 1
    if name == "neg_samples" and not value:
        return DEFAULTS[name]
    return value


def merge_settings(args, loaded, model_file):
    """Front-door keyword arguments: the flags given, else the loaded model's, else defaults.

    Returns ``(kwargs, notes)``; raises UserError if the model file holds another
    type or vector size than asked for.
    """
    cli, notes = {}, []
    type_name = args.type or (loaded.config["type"] if loaded else DEFAULTS["type"])
    door = front_door(type_name)
    for name in DEFAULTS:
        given = getattr(args, name)
        why = not_applicable(name, args, loaded, type_name, door)
        if why is not None:
            if given is not None:
                notes.append(f"note: --{name} does not apply to --type {type_name}{why}; ignored")
            continue
        if loaded is None:
            cli[name] = default(name, type_name) if given is None else given
            continue
        saved = _from_config(loaded.config, name)
        cli[name] = saved if given is None else given
        if given is not None and given != saved:
            if name == "neg_samples" and not uses_negatives(cli["type"]):
                continue
            if name in ("type", "vector_dim", "formulation"):
                c = loaded.config
                how = f" ({c['formulation']} formulation)" if c.get("formulation") else ""
                raise UserError(f"{model_file} holds a {c['type']} model with vector_dim "
                                f"{c['vector_size']}{how}, not --{name} {given}: "
                                "use --overwrite_model to replace it, or another --model_file")
            if name in ("min_n", "max_n", "bucket"):       # they fix the n-gram table
                raise UserError(f"{model_file} holds a model with --{name} {saved}, not {given}: "
                                "use --overwrite_model to replace it, or another --model_file")
            notes.append(f"note: resuming with --{name} {given} instead of {saved}")
    kwargs = {CONFIG_NAMES.get(k, k): v for k, v in cli.items()}
    kwargs["window"] = (cli["window"] - 1) // 2
    if door is Word2Vec and not uses_negatives(cli["type"]):
        kwargs["negative"] = 0
    known = inspect.signature(door).parameters
    return {k: v for k, v in kwargs.items() if k in known}, notes


def not_applicable(name, args, loaded, type_name, door):
    """``None`` if setting ``name`` is used by ``type_name`` as this run will train it, else
    how the note "--NAME does not apply to --type T" ends (``""``, or why not)."""
    if name in ONLY_FOR and door not in ONLY_FOR[name]:
        return ""
    if name not in USED_BY or type_name not in window_types():
        return None
    # The formulation and the order this run trains in: the flags', else the model file's
    # (if it holds this type; another type is an error later), else the type's defaults.
    saved = loaded.config if loaded is not None and loaded.config.get("type") == type_name else {}
    choice = len(formulations(type_name)) > 1
    formulation = (args.formulation if choice else None) or saved.get("formulation") \
        or default_formulation(type_name)
    if not USED_BY[name](model_class(type_name, formulation)):
        other = any(USED_BY[name](model_class(type_name, f)) for f in formulations(type_name))
        return f" in its {formulation} formulation" if other else ""
    if name == "run_length":               # runs of windows are what a shuffle shuffles
        shuffle = args.shuffle if args.shuffle is not None else saved.get("shuffle")
        if shuffle is None and not default_shuffle(type_name, formulation):
            return " in corpus order (its default; add --shuffle)"
        if shuffle is False:
            return " in corpus order (as the model file was trained; add --shuffle)"
    return None
