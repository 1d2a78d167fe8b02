"""The package's shape: no import cycles, no upward imports.

The import graph is read from the source with :mod:`ast` (module-level and
function-local imports alike), so a cycle hidden inside a function is found too.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "w2v_numpy"
#: Layers that must not import the named higher layers: front doors -> training ->
#: kernels -> models -> batching / text -> foundation (DESIGN.md, "Layout").
FRONT = ("w2v_numpy.word2vec", "w2v_numpy.glove", "w2v_numpy.fasttext", "w2v_numpy.classifier",
         "w2v_numpy.loading", "w2v_numpy.cli")
FORBIDDEN = {
    "w2v_numpy.training": FRONT,
    "w2v_numpy.kernels": FRONT + ("w2v_numpy.training",),
    "w2v_numpy.models": FRONT + ("w2v_numpy.training", "w2v_numpy.kernels", "w2v_numpy.files",
                                 "w2v_numpy.vectors", "w2v_numpy.teaching"),
    "w2v_numpy.batching": FRONT + ("w2v_numpy.training", "w2v_numpy.kernels", "w2v_numpy.models"),
    "w2v_numpy.text": FRONT + ("w2v_numpy.training", "w2v_numpy.kernels", "w2v_numpy.models",
                               "w2v_numpy.batching"),
    "w2v_numpy.files": FRONT + ("w2v_numpy.models", "w2v_numpy.training", "w2v_numpy.vectors"),
    "w2v_numpy.vectors": FRONT + ("w2v_numpy.models", "w2v_numpy.training"),
    "w2v_numpy.teaching": FRONT + ("w2v_numpy.training", "w2v_numpy.kernels"),
    "w2v_numpy.word2vec": ("w2v_numpy.cli",),
}
#: The top level: the front doors and the foundation, nothing else.
TOP_LEVEL = {"__init__", "__main__", "word2vec", "glove", "fasttext", "classifier", "loading",
             "backend", "functional", "errors"}


def modules():
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def import_graph():
    """{module: set of w2v_numpy modules it imports anywhere in its source}."""
    mods = modules()
    graph = {m: set() for m in mods}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                # "from pkg import mod" needs the submodule, not the package's other names
                subs = [f"{base}.{a.name}" for a in node.names]
                targets = [t for t in subs if t in mods] or [base]
                if any(t not in mods for t in subs):
                    targets.append(base)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in mods and t != name}
    return graph


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state, path = {}, []

    def visit(u):
        state[u] = "open"
        path.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == "open":
                return path[path.index(v):] + [v]
            if v not in state:
                cycle = visit(v)
                if cycle:
                    return cycle
        path.pop()
        state[u] = "done"
        return None

    for u in sorted(graph):
        if u not in state:
            cycle = visit(u)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_can_fail():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_upward_imports(layer):
    bad = [(m, t) for m, deps in import_graph().items() if m == layer or m.startswith(layer + ".")
           for t in deps if t.startswith(FORBIDDEN[layer])]
    assert not bad, bad


def test_the_top_level_holds_only_front_doors_and_the_foundation():
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == TOP_LEVEL, top ^ TOP_LEVEL


def test_no_two_classes_share_a_name():
    seen = {}
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                seen.setdefault(node.name, []).append(name)
    assert not {k: v for k, v in seen.items() if len(v) > 1}
