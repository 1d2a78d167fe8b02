"""Run every notebook in notebooks/ top to bottom; any error (including a
failed ``assert`` against the reference document) fails the test.

Each notebook ``NN_name.ipynb`` is generated from its jupytext source
``NN_name.py`` by ``python notebooks/sync.py``; the committed ``.ipynb`` must
match its source and carry no outputs.

New notebooks are picked up automatically. Skipped when the notebook tools
(the ``dev`` extra: nbformat, nbclient, ipykernel; jupytext for the sync
check) are not installed.
"""
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SOURCES = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
TIMEOUT_S = 240          # per cell; notebook 05 trains for a few seconds, its Wikipedia part a few more


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"clear the outputs of cells {dirty} (python notebooks/sync.py)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()      # raises CellExecutionError with the failing cell's traceback


def test_every_notebook_has_a_source():
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in SOURCES]


def _cells(nb):
    return [(c.cell_type, c.source) for c in nb.cells]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_notebook_matches_its_source(source):
    jupytext = pytest.importorskip("jupytext")
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert _cells(notebook) == _cells(jupytext.read(source)), \
        f"regenerate it: python notebooks/sync.py {source.name[:2]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_exercises_with_folded_solutions(path):
    """At least two exercises, each solution cell tagged and folded; running the notebook
    (test_notebook_runs) runs the solutions and the cells that check them."""
    nb = nbformat.read(path, as_version=4)
    solutions = [c for c in nb.cells if c.cell_type == "code"
                 and c.source.lstrip().startswith("# solution")]
    assert len(solutions) >= 2, f"{path.name}: {len(solutions)} solution cells"
    for cell in solutions:
        assert "solution" in cell.metadata.get("tags", []), cell.source[:60]
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:60]
