"""The trainer's command line: ``train_numpy_model.py`` and ``python -m w2v_numpy train``.

It accepts every flag of the original tool (long and short forms) plus a few
gensim-named additions; run it with ``--help`` for the list. What a run does:

1. check every flag and path, and load ``--model_file`` if it exists (without
   ``--overwrite_model`` training resumes from it); nothing is written until
   all of that has passed, and a bad input ends with one ``error: ...`` line
   on stderr and exit code 2;
2. read the data and build the vocabulary;
3. train, saving the model, the per-epoch checkpoints and the loss plot as
   described in :mod:`w2v_numpy.training.callbacks`; Ctrl-C (or SIGTERM) stops after
   the current batch, saves, and exits with code 130 (143 for SIGTERM);
   divergence (NaN/inf) exits with code 1 and leaves the last good save;
4. print a summary and the nearest neighbours of a few words, and write
   ``--metrics_json`` if asked.
"""
import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from .. import __version__
from ..backend import backend_name, set_backend
from ..batching.producer import wanted
from ..errors import W2VError
from ..files.atomic import atomic_open, remove_stale_temps
from ..files.model_file import list_checkpoints
from ..loading import load_model
from ..models import window_types
from ..text.cooccurrence import DEFAULT_MEMORY_GB
from ..text.corpus import MAX_SENTENCE_LENGTH, expand_paths
from ..text.corpus_cache import default_cache_dir, encode_corpus
from ..training.callbacks import Checkpointer, StopRequest
from ..training.loop import TrainingDiverged, training_workers
from ..training.workers import WorkerDied
from ..word2vec import Word2Vec
from .common import (ArgumentParser, UserError, check_outputs, check_writable, non_empty,
                     number, run)
from .settings import (DEFAULTS, FLAGS, alpha_help, batch_size_help, default, front_door, merge_settings,
                       trainable_types, uses_negatives)

#: The corpus a run uses when no data file is given (made by data/make_corpus.py).
SHIPPED_CORPUS = Path(__file__).resolve().parents[2] / "data" / "synthetic.txt"
SHIPPED_ANALOGIES = SHIPPED_CORPUS.with_name("synthetic_analogies.txt")
#: Words whose neighbours are shown at the end, when the vocabulary has them.
PROBE_WORDS = ["king", "paris", "cat", "apple", "football", "piano", "queen", "france",
               "city", "war", "music", "water", "science", "money"]


#: Upper bound of the size flags (negatives, vector size, batch size, epochs): larger values
#: only ever end in an out-of-memory error or a run that cannot finish.
MAX_SIZE = 1_000_000
#: --prefetch -> the library's ``prefetch``.
PREFETCH = {"auto": None, "on": True, "off": False}


def _prog():
    """How the user called the trainer: as the script, or as ``python -m w2v_numpy train``."""
    script = os.path.basename(sys.argv[0] or "")
    return script if script == "train_numpy_model.py" else "python -m w2v_numpy train"


def build_parser(prog=None):
    """The argument parser. Defaults are ``None`` so that a resumed run can tell
    the flags given on the command line from those remembered in the model file."""
    p = ArgumentParser(prog=prog or "train_numpy_model.py", description="Train word2vec models in NumPy.",
                       epilog="Flags not given take their value from --model_file when "
                              "training resumes, else the defaults shown.")
    a = p.add_argument
    a("more_data", nargs="*", metavar="DATA_FILE",
      help="more data files (what the shell makes of --data_file=data/*.txt)")
    a("-m", "--model_file", type=non_empty("--model_file"), help="model file (default TYPE.model, e.g. cbow.model); if it "
                                 "exists, training resumes from it")
    a("-d", "--data_file", nargs="+", action="extend", type=non_empty("--data_file"),
      help="text files or quoted globs, one sentence per line (.xz/.gz/.bz2 ok; default: the "
           "shipped corpus)")
    a("-o", "--overwrite_model", action="store_true",
      help="start a new model even if --model_file exists")
    a("-t", "--type", choices=trainable_types(), help="model type (default cbow)")
    a("-w", "--window", type=number(int, 3, odd=True, high=2 * MAX_SENTENCE_LENGTH + 1,
                                    why=f" (lines are cut into {MAX_SENTENCE_LENGTH}-token pieces)"),
      help="full window span including the centre word, odd (default 7 = 3 each side; "
           "glove: 21 = 10 each side, the span over which co-occurrences are counted)")
    a("-k", "--neg_samples", "--k", type=number(int, 1, high=MAX_SIZE), help="negatives per example for the *_neg types (default 5; ignored by the others)")
    a("-v", "--vector_dim", type=number(int, 1, high=MAX_SIZE), help="embedding size (default 300; fasttext_*: 100)")
    a("-B", "--batch_size", type=number(int, 1, high=MAX_SIZE), help=batch_size_help())
    a("-e", "--epochs", type=number(int, 1, high=MAX_SIZE), help="total passes over the data (default 5; glove: 25)")
    a("-a", "--alpha", type=number(float, 0, strict=True),
      help=alpha_help())
    a("--min_alpha", type=number(float, 0),
      help="final learning rate (default 0.0001; glove: none, the AdaGrad rate stays constant)")
    a("--min_count", type=number(int, 1), help="drop rarer words (default 5)")
    a("--sample", type=number(float, 0), help="sub-sampling threshold, 0 = off (default 1e-3)")
    a("--max_vocab", type=number(int, 1), help="keep only the most frequent words")
    a("--seed", type=number(int, 0, high=2 ** 63 - 1), help="random seed (default 0)")
    a("--cbow_update", choices=["exact", "word2vec"],
      help="CBOW context update: word2vec.c's undivided dL/dh (default, gensim's quality) or "
           "'exact', the true gradient of the mean (dL/dh / n, as the documents derive it)")
    a("--x_max", type=number(float, 0, strict=True),
      help="glove: count at which the weight f(x) reaches 1 (default 100, the paper's)")
    a("--glove_alpha", type=number(float, 0, strict=True),
      help="glove: exponent of the weight f(x) = (x/x_max)^glove_alpha (default 0.75)")
    a("--formulation", choices=["pair", "window"], help="sgram_neg, sgram_hs: 'window' (default; a "
      "centre word's whole window at once, faster) or 'pair' (the documents' objective)")
    a("--shuffle", action="store_const", const=True, default=None,
      help="shuffle the examples of each corpus chunk (default: corpus order, as word2vec.c and "
           "gensim, which the fast banded path needs, for cbow_neg and sgram_neg)")
    a("--shared_negatives", type=number(int, 1, high=1 << 20),
      help="sgram_neg, cbow_neg, fasttext_*: examples that share one draw of negatives, spread "
           "over the batch (default: the type's, 8: 1.4-1.8x faster for cbow_neg, 1.1-1.3x for "
           "sgram_neg's window form, about 0.5 analogy points fewer on wiki17m, 1.6x a step for "
           "fasttext_sgram; 1 for fasttext_cbow; 1: a draw per example)")
    a("--run_length", type=number(int, 1, high=1 << 20),
      help="shuffled cbow/sgram types: shuffle runs of this many consecutive windows (default: "
           "the type's, 8 for cbow_hs, whose runs take the banded path; 1 otherwise)")
    a("--workers", type=number(int, 1, high=1024), help="processes training at once (default: every core; 1 is reproducible)")
    a("--prefetch", choices=["auto", "on", "off"], default="auto", help="with one worker, make "
      "the batches in a second process (same result; default auto: where it was measured to pay)")
    a("--min_n", type=number(int, 1, high=100), help="fasttext_*: shortest character n-gram (default 3)")
    a("--max_n", type=number(int, 1, high=100), help="fasttext_*: longest character n-gram (default 6)")
    a("--bucket", type=number(int, 1, high=2 ** 31 - 1),
      help="fasttext_*: rows of the hashed n-gram table (default 2000000: bucket x vector_dim "
           "float32, 800 MB at the fasttext default --vector_dim 100)")
    a("--save_vocab", metavar="FILE", type=non_empty("--save_vocab"),
      help="write the vocabulary, 'word count' per line as word2vec.c's -save-vocab")
    a("--read_vocab", metavar="FILE", type=non_empty("--read_vocab"),
      help="word2vec types: use this vocabulary ('word count' per line, e.g. word2vec.c's "
           "-save-vocab or --save_vocab) instead of the data's; other words are out-of-vocabulary")
    a("--continue_from", metavar="MODEL", type=non_empty("--continue_from"),
      help="word2vec types: continue training MODEL on new --data_file text (its new words get "
           "fresh rows), writing the result to --model_file, which must be another file")
    a("--init_vectors", metavar="FILE", type=non_empty("--init_vectors"),
      help="word2vec types: start the words found in this .vec/.bin (or model) file from its "
           "vectors, the others at random; its dimension must be --vector_dim")
    a("--freeze_init", action="store_true",
      help="with --init_vectors: those words' vectors never change in training")
    a("--backend", choices=["numpy", "cupy"], default=None, help="array backend (default numpy)")
    a("--save_every", type=number(int, 1), default=10, help="batches between periodic saves "
      "(default 10; also at least max(5 s, 30x the last save's duration) apart)")
    a("--save_seconds", type=number(float, 0), default=None,
      help="fixed minimum seconds between periodic saves instead (0: every --save_every batches)")
    a("--keep_checkpoints", type=number(int, 0), default=3,
      help="per-epoch checkpoints MODEL.epoch.NNNN to keep (default 3, 0 = none)")
    a("--plot_file", type=non_empty("--plot_file"), help="loss curve PNG (default MODEL.loss.png)")
    a("--metrics_json", metavar="PATH", type=non_empty("--metrics_json"), help="write final throughput, loss and times as JSON")
    a("--no_progress", action="store_true", help="no progress bar")
    a("--cache_dir", metavar="DIR", type=non_empty("--cache_dir"),
      help="keep the encoded corpus here, so that later runs, resumes and workers on the same "
           "files and settings map it instead of reading the text again (default: "
           "$W2V_NUMPY_CACHE_DIR, else ~/.cache/w2v_numpy/corpora)")
    a("--no_cache", action="store_true",
      help="encode the corpus into a temporary folder, removed when the run ends")
    a("--memory", metavar="GB", type=number(float, 0, strict=True),
      help=f"glove: GB the co-occurrence counting may hold before it spills sorted runs to "
           f"disk (default {DEFAULT_MEMORY_GB:g}, glove.c's cooccur -memory)")
    # Hidden, for tests: stop after N batches of this run, exactly as Ctrl-C would.
    a("--stop_after_batches", type=number(int, 1), help=argparse.SUPPRESS)
    return p


def _data_files(args, saved_meta):
    given = [p for p in (args.data_file or []) + args.more_data if p.strip()]
    if given:
        return expand_paths(given)
    if saved_meta and saved_meta.get("data_files"):
        return expand_paths(saved_meta["data_files"])
    if not SHIPPED_CORPUS.is_file():
        raise UserError(f"no --data_file given, and the demo corpus {SHIPPED_CORPUS} is not there "
                        "(it ships with a source checkout, not with 'pip install .'): pass "
                        "--data_file FILE, or install with 'pip install -e .' from a clone")
    return [str(SHIPPED_CORPUS)]


def _continued(args, model_file):
    """The model ``--continue_from`` names, checked; ``None`` without the flag.

    Why a separate path from resuming: a continued model trains on new text with a
    grown vocabulary and a new learning-rate schedule, so it is written to another
    file and the model it starts from is never replaced. Sets ``args.continuing``:
    ``"new"``, or ``"resume"`` when ``--model_file`` is this same continuation,
    stopped (its meta names the source), which the same command then resumes.
    """
    source = args.continue_from
    args.continuing = None
    if source is None:
        return None
    if args.model_file is None:
        raise UserError("--continue_from needs --model_file: where to write the continued model "
                        f"({source} is left as it is)")
    if os.path.realpath(model_file) == os.path.realpath(source):
        raise UserError(f"--model_file and --continue_from name the same file ({source}): "
                        "continued training writes a new model; give --model_file another path")
    if not [p for p in (args.data_file or []) + args.more_data if p.strip()]:
        raise UserError("--continue_from needs --data_file: the new text to train on")
    for flag in ("init_vectors", "read_vocab"):
        if getattr(args, flag):
            raise UserError(f"--{flag} is for a new model, --continue_from continues one (its "
                            "vocabulary grows from the new text): give one of them")
    if os.path.exists(model_file) and not args.overwrite_model:
        try:
            previous = load_model(model_file)
        except (W2VError, OSError):     # not a model at all: not this continuation either
            previous = None
        if previous is not None and previous.meta.get("continued_from") == os.path.realpath(source):
            # The same command again after a stop: resume that run, as a plain run resumes.
            args.continuing = "resume"
            return previous
        raise UserError(f"--model_file {model_file} exists: continued training writes a new "
                        "model; pass --overwrite_model to replace it, or give another --model_file")
    if not os.path.isfile(source):
        raise UserError(f"--continue_from: {source}: no such file")
    loaded = load_model(source)     # ModelFileError "cannot load ..." if damaged
    args.continuing = "new"
    if not Word2Vec.accepts(loaded.config.get("type")):
        raise UserError(f"--continue_from: {source} holds a {loaded.config.get('type')} model; "
                        f"continued training takes the word2vec types ({', '.join(window_types())})")
    for flag, given, saved in (("--type", args.type, loaded.config["type"]),
                               ("--vector_dim", args.vector_dim, loaded.config["vector_size"])):
        if given is not None and given != saved:
            raise UserError(f"--continue_from: {source} holds a {loaded.config['type']} model "
                            f"with vector_dim {loaded.config['vector_size']}, not {flag} {given}")
    return loaded


def prepare(args):
    """Validate everything and build the (fresh or loaded) model. Writes nothing."""
    model_file = args.model_file or f"{args.type or DEFAULTS['type']}.model"
    check_writable(model_file, "--model_file")     # before --plot_file, named after it
    plot_file = args.plot_file or f"{model_file}.loss.png"
    loaded = continued = _continued(args, model_file)
    if continued is None and os.path.exists(model_file) and not args.overwrite_model:
        loaded = load_model(model_file)     # ModelFileError "cannot load ..." if damaged
        if loaded.config.get("type") not in trainable_types():
            raise UserError(f"{model_file} holds a {loaded.config.get('type')} model (a text "
                            "classifier), not word embeddings this trainer can resume: give "
                            "another --model_file, or --overwrite_model to replace it")
    elif continued is None and not os.path.exists(model_file) and not args.overwrite_model \
            and list_checkpoints(model_file):
        raise UserError(f"{model_file} is missing but its epoch checkpoints exist: copy the newest "
                        "one to it to resume, or pass --overwrite_model to start again")
    settings, notes = merge_settings(args, loaded, args.continue_from
                                     if args.continuing == "new" else model_file)
    if settings["min_alpha"] is not None and settings["min_alpha"] > settings["alpha"]:
        raise UserError(f"--min_alpha {settings['min_alpha']} is larger than --alpha "
                        f"{settings['alpha']}: the rate decays from --alpha down to --min_alpha")
    type_name = args.type or (loaded.config["type"] if loaded else DEFAULTS["type"])
    for flag in ("read_vocab", "init_vectors", "freeze_init"):
        if getattr(args, flag) and front_door(type_name) is not Word2Vec:
            raise UserError(f"--{flag} applies to the word2vec types "
                            f"({', '.join(window_types())}), not --type {type_name}")
    if args.freeze_init and not args.init_vectors:
        raise UserError("--freeze_init freezes the vectors taken from --init_vectors: "
                        "give --init_vectors FILE too")
    files = _data_files(args, loaded.meta if loaded and args.continuing != "new" else None)
    check_outputs([("--model_file", model_file), ("--plot_file", plot_file),
                   ("--metrics_json", args.metrics_json), ("--save_vocab", args.save_vocab)],
                  inputs=[("--data_file", f) for f in files]
                  + [("--continue_from", args.continue_from), ("--read_vocab", args.read_vocab),
                     ("--init_vectors", args.init_vectors)])
    for flag in ("read_vocab", "init_vectors"):        # read later, after the data: check now
        path = getattr(args, flag)
        if path is not None and not os.path.isfile(path):
            why = "not a regular file" if os.path.exists(path) else "no such file"
            raise UserError(f"--{flag}: {path}: {why}")
    if loaded is None:
        extra = {} if front_door(type_name) is not Word2Vec else \
            dict(read_vocab=args.read_vocab, init_vectors=args.init_vectors,
                 freeze_init=args.freeze_init)
        w2v = front_door(type_name)(**settings, **extra, progress=not args.no_progress)
    else:
        w2v = loaded
        w2v.config.update(settings)
        if "cbow_update" in settings:
            w2v.model.cbow_update = settings["cbow_update"]
        w2v.progress = not args.no_progress
        w2v.read_vocab = args.read_vocab
        if args.continuing == "new":
            w2v.state = None                  # new text, new schedule: epoch 1 of --epochs
    return model_file, plot_file, w2v, files, notes


def _read_data(args, w2v, files, model_file, notes):
    """Build or check the vocabulary and encode the data: a new run, a continued one
    (``--continue_from``: new words added), or the resume of either. Writes nothing but
    the corpus cache."""
    saved_vocab = w2v.vocab
    if args.cache_dir and args.no_cache:
        raise UserError("--cache_dir keeps the encoded corpus, --no_cache keeps none: give one")
    if args.cache_dir and os.path.exists(args.cache_dir) and not os.path.isdir(args.cache_dir):
        raise UserError(f"--cache_dir: {args.cache_dir} is not a directory")
    w2v.cache_dir = None if args.no_cache else (args.cache_dir or default_cache_dir())
    if args.memory is not None:
        if hasattr(w2v, "memory"):
            w2v.memory = args.memory
        else:
            notes.append(f"note: --memory does not apply to --type {w2v.config['type']} (it "
                         "caps glove's co-occurrence counting); ignored")
    if args.continuing == "new":
        n_old = len(saved_vocab)
        w2v.build_vocab(files, update=True)
        notes.append(f"note: continuing {args.continue_from}: {n_old} words, {len(w2v.vocab) - n_old} "
                     f"new from the data, written to {model_file}")
        return
    if args.continuing == "resume":
        # Its vocabulary is the grown one, not the new text's own: encode the text with it.
        w2v.corpus = encode_corpus(files, w2v.vocab, w2v.tokenizer, w2v.cache_dir, w2v.progress)
        return
    w2v.build_vocab(files)
    if saved_vocab is None:
        return
    if args.init_vectors:
        # A resumed run: its rows were copied from the file by the first run; freeze again.
        if args.freeze_init:
            w2v.load_init_vectors(args.init_vectors, freeze=True, copy=False)
        else:
            notes.append(f"note: resuming {model_file}: --init_vectors only starts a new "
                         "model, so the file is not read again")
    if saved_vocab.words != w2v.vocab.words or (saved_vocab.counts != w2v.vocab.counts).any():
        raise UserError(f"the vocabulary of the data differs from the one in {model_file} "
                        "(other data or --min_count/--max_vocab): give the same data to resume, "
                        "or --overwrite_model to start a new model")


def _corpus_note(corpus):
    """Where the encoded corpus came from, for the run's first lines."""
    origin, folder = getattr(corpus, "origin", None), getattr(corpus, "folder", "")
    if origin == "cache":
        return f"corpus: {len(corpus):,} tokens mapped from the cache {folder} (encoded by an earlier run)"
    if origin == "encoded":
        size = len(corpus) * 4 + corpus.starts.size * 8
        return (f"corpus: encoded once into {folder} ({size / 1e6:,.1f} MB); later runs on the same "
                "files and settings map it (--no_cache: keep no copy)")
    return f"corpus: {len(corpus):,} tokens encoded into a temporary folder, removed when the run ends"


def _how(w2v, batcher):
    """How this run trains, in words, for its first line."""
    c = w2v.config
    how = [f"{c['formulation']} formulation"] if "formulation" in c else []
    if c.get("run_length", 1) > 1:
        how.append(f"shuffled in runs of {c['run_length']} windows")
    if c.get("shared_negatives", 1) > 1:
        how.append(f"negatives shared by {c['shared_negatives']} examples"
                   + (" spread over the batch" if c.get("spread_negatives") else ""))
    workers = training_workers(w2v.model, batcher, w2v.workers, getattr(w2v, "optimizer", None))
    how.append(f"{workers} worker(s)" + (", batches from a second process" if workers == 1
                                         and wanted(w2v.prefetch, batcher) else ""))
    return ", ".join(how)


def _start_files(args, w2v, files, model_file, plot_file, state):
    """Everything written before training: the vocabulary file, stale temporaries and (a
    new run) old checkpoints gone; returns the Checkpointer that saves the run."""
    if args.save_vocab:
        w2v.vocab.save_word2vec_format(args.save_vocab)
    remove_stale_temps(model_file)
    remove_stale_temps(plot_file)
    if state is None:
        for _, path in list_checkpoints(model_file):
            os.remove(path)
            print(f"removed old checkpoint {path}", file=sys.stderr)
    meta = {"data_files": [os.path.abspath(f) for f in files], "w2v_numpy": __version__}
    if args.continue_from:              # lets the same command resume this run after a stop
        meta["continued_from"] = os.path.realpath(args.continue_from)
    return Checkpointer(w2v, model_file, args.save_every, args.save_seconds,
                        args.keep_checkpoints, plot_file, meta)


def _main(argv):
    t_start = time.perf_counter()
    args = build_parser(_prog()).parse_intermixed_args(argv)
    set_backend(args.backend)
    model_file, plot_file, w2v, files, notes = prepare(args)
    _read_data(args, w2v, files, model_file, notes)
    for note in notes:
        print(note, file=sys.stderr)
    state = w2v.state
    if state is not None and state.epoch >= w2v.config["epochs"]:
        print(f"{model_file} has already completed {state.epoch} epochs (--epochs "
              f"{w2v.config['epochs']}): nothing to train. Pass a larger --epochs to train "
              "further, or --overwrite_model to start again.", file=sys.stderr)
        if args.save_vocab:
            w2v.vocab.save_word2vec_format(args.save_vocab)
        report(w2v, files, args, model_file, t_start, state, None, None)
        return 0
    w2v.workers, w2v.prefetch = args.workers, PREFETCH[args.prefetch]
    batcher = w2v.make_batcher()   # refuses a corpus that yields no example, before any file changes
    saver = _start_files(args, w2v, files, model_file, plot_file, state)
    done0 = (state.words_done, state.examples, state.train_s) if state else (0, 0, 0.0)
    print(_corpus_note(w2v.corpus), file=sys.stderr)
    if getattr(w2v, "cooccurrences", None) is not None:
        print(f"co-occurrences: {w2v.cooccurrences.nnz:,} non-zero entries (window "
              f"{w2v.config['window']} words each side, 1/distance weighting)", file=sys.stderr)
    w2v.start_s = time.perf_counter() - t_start        # --metrics_json: time to the first batch
    print(f"training {w2v.config['type']} ({_how(w2v, batcher)}) on {len(files)} file(s): "
          f"{len(w2v.vocab)} words, {w2v.corpus.raw_words} tokens; model file {model_file}"
          + (f" (resuming at epoch {state.epoch + 1})" if state else ""), file=sys.stderr)
    with StopRequest(args.stop_after_batches) as stopper:
        try:
            state = w2v.train(callbacks=[stopper, saver], state=state, batcher=batcher)
        except (TrainingDiverged, WorkerDied) as exc:
            kept = kept_after_failure(model_file, saver, resumed=state is not None)
            print(f"error: training diverged: {exc.what}; try a smaller --alpha; {kept}"
                  if isinstance(exc, TrainingDiverged) else
                  f"error: {exc}; {kept}; run the same command again to resume from it (or "
                  "with --workers 1)", file=sys.stderr)
            return 1
    report(w2v, files, args, model_file, t_start, state, done0, saver)
    if stopper.stopped and state.epoch < state.epochs:
        why = "interrupted" if stopper.signum else "stopped by --stop_after_batches"
        ends = state.epoch_batch_index
        in_epoch = len(state.batch_losses) - (ends[-1] if ends else 0)
        print(f"{why}: saved {model_file} at epoch {state.epoch + 1} of {state.epochs}, after "
              f"batch {in_epoch} of that epoch; run the same command again to continue",
              file=sys.stderr)
        return 128 + int(stopper.signum or signal.SIGINT)
    return 0


def kept_after_failure(model_file, saver, resumed):
    """What a failed run leaves in ``model_file``: this run's last save, the model it
    resumed, or (never saved) the older file it was about to replace, or nothing."""
    if saver.saves:
        return f"{model_file} keeps this run's last good save"
    if resumed:
        return f"{model_file} is the model this run resumed, unchanged"
    if os.path.exists(model_file):
        return f"nothing was saved ({model_file} is the older file this run would have replaced)"
    return "nothing was saved"


def metrics(w2v, t_start, state, done0, saver):
    """The ``--metrics_json`` record (see the README for the definitions)."""
    wall = time.perf_counter() - t_start
    per_epoch = w2v.epoch_size()
    words0, examples0, train0 = done0 or (state.words_done, state.examples, state.train_s)
    epochs_run = (state.words_done - words0) / per_epoch
    train_s = state.train_s - train0
    if state.epoch_losses:
        final_loss = state.epoch_losses[-1]
    else:
        final_loss = state.epoch_loss_sum / state.epoch_examples if state.epoch_examples else None
    raw_run = w2v.corpus.raw_words * epochs_run
    return {
        "type": w2v.config["type"], "epochs_done": state.epoch, "epochs": state.epochs,
        "completed": state.epoch >= state.epochs, "examples": state.examples,
        "examples_this_run": state.examples - examples0, "raw_words": w2v.corpus.raw_words,
        "corpus_words": len(w2v.corpus), "epoch_units": per_epoch, "vocab_size": len(w2v.vocab),
        "vector_dim": w2v.config["vector_size"], "window": 2 * w2v.config["window"] + 1,
        "batch_size": w2v.config["batch_size"], "backend": backend_name(),
        "wall_s": wall, "train_s": train_s,
        "words_per_s": raw_run / wall if wall > 0 else None,
        "train_words_per_s": raw_run / train_s if train_s > 0 else None,
        "pairs_per_s": (state.examples - examples0) / train_s if train_s > 0 else None,
        "final_loss": final_loss, "saves": saver.saves if saver else 0,
        "save_s": saver.save_s if saver else 0.0,
        "corpus_from": getattr(w2v.corpus, "origin", None), "start_s": getattr(w2v, "start_s", None),
    }


def report(w2v, files, args, model_file, t_start, state, done0, saver):
    """Print the summary and neighbours; write ``--metrics_json``."""
    m = metrics(w2v, t_start, state, done0, saver)
    loss = "n/a" if m["final_loss"] is None else f"{m['final_loss']:.4f}"
    speed = f" ({m['words_per_s']:,.0f} words/s)" if m["examples_this_run"] else ""
    print(f"{m['type']}: {m['epochs_done']}/{m['epochs']} epochs, loss {loss}, "
          f"{m['wall_s']:.1f} s this run{speed}, model in {model_file}")
    wv = w2v.wv
    rank = len(wv) // 10
    probes = [w for w in PROBE_WORDS if w in wv][:4] or list(wv.index_to_key[rank:rank + 4])
    for word in probes:
        near = ", ".join(f"{w} {s:.2f}" for w, s in wv.most_similar(word, topn=6))
        print(f"  {word:>10}: {near}")
    if all(w in wv for w in ("king", "man", "woman")):
        (best, score), = wv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)
        print(f"  king - man + woman ~ {best} ({score:.2f})")
    if [os.path.abspath(f) for f in files] == [str(SHIPPED_CORPUS)] and SHIPPED_ANALOGIES.is_file():
        score, _ = wv.evaluate_word_analogies(str(SHIPPED_ANALOGIES))
        m["analogy_accuracy"] = score
        print(f"  planted analogies ({SHIPPED_ANALOGIES.name}): {100 * score:.1f}% correct")
    if args.metrics_json:
        with atomic_open(args.metrics_json) as fh:
            fh.write((json.dumps(m, indent=2) + "\n").encode("utf-8"))
    return m


def main(argv=None):
    """Run the trainer; returns the exit code (see the module docstring)."""
    return run(_main, argv, FLAGS)


if __name__ == "__main__":
    sys.exit(main())
