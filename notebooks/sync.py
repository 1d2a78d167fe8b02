"""Write each notebook ``NN_name.ipynb`` from its source ``NN_name.py``.

Usage (from the repository root; needs jupytext, nbformat)::

    python notebooks/sync.py            # every notebook
    python notebooks/sync.py 03 04      # only those whose name starts so

The ``.py`` files (jupytext percent format) are the sources. The ``.ipynb``
files are rebuilt from scratch: no outputs, no execution counts, kernel
python3, cell ids derived from the position and only the cell metadata
written in a cell's header as ``tags`` or ``jupyter`` (a solution cell:
``# %% tags=["solution"] jupyter={"source_hidden": true}``), so that rebuilding an
unchanged source gives a byte-identical file.
"""
import sys
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _kept(metadata):
    """The cell metadata a notebook keeps: its tags and Jupyter's display flags
    (``source_hidden`` folds a solution cell). jupytext's layout keys are dropped."""
    return {k: metadata[k] for k in ("tags", "jupyter") if k in metadata}


def sync(source):
    text = jupytext.read(source)
    new = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb = nbformat.v4.new_notebook(cells=[new[c.cell_type](c.source, metadata=_kept(c.metadata))
                                         for c in text.cells],
                                  metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{source.stem[:2]}-{i:02d}"
    nbformat.validate(nb)
    nbformat.write(nb, source.with_suffix(".ipynb"))
    return source.with_suffix(".ipynb")


if __name__ == "__main__":
    for path in sorted(HERE.glob("[0-9][0-9]_*.py")):
        if len(sys.argv) == 1 or any(path.name.startswith(p) for p in sys.argv[1:]):
            print("wrote", sync(path).relative_to(HERE.parent))
