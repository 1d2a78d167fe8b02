"""The derivation pages in docs/derivations cannot rot.

* every page the index (docs/derivations/README.md) lists exists;
* every model class (the registry, the window formulations included) links
  to an existing page from its module docstring;
* every code reference ``w2v_numpy/<path>.py: <name>`` in the pages names a
  file that exists and, for ``Class.method``, a class and a method of that
  file.
"""
import re
import sys
from pathlib import Path

import pytest

from w2v_numpy.models import MODELS, VARIANTS

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "derivations"
#: A page link in the index: ``[name](name.md)``.
INDEX_LINK = re.compile(r"\]\(([\w.-]+\.md)\)")
#: A docstring's link to a page: ``docs/derivations/<page>.md``.
DOC_LINK = re.compile(r"docs/derivations/([\w-]+\.md)")
#: A code reference in a page: ``w2v_numpy/models/cbow.py: output_loss_and_grad``.
CODE_REF = re.compile(r"(w2v_numpy/[\w/]+\.py): ([A-Za-z_][\w.]*)")


def index_pages():
    return INDEX_LINK.findall((PAGES / "README.md").read_text(encoding="utf-8"))


def all_pages():
    return sorted(PAGES.glob("*.md"))


def test_index_lists_pages_that_exist():
    listed = index_pages()
    assert len(listed) >= 8
    missing = [name for name in listed if not (PAGES / name).is_file()]
    assert not missing, f"docs/derivations/README.md lists missing pages: {missing}"


def test_every_page_is_in_the_index():
    listed = set(index_pages())
    unlisted = [p.name for p in all_pages() if p.name != "README.md" and p.name not in listed]
    assert not unlisted, f"pages missing from docs/derivations/README.md: {unlisted}"


@pytest.mark.parametrize("cls", sorted(set(VARIANTS.values()) | set(MODELS.values()),
                                       key=lambda c: c.__module__), ids=lambda c: c.__name__)
def test_every_model_links_to_a_page(cls):
    doc = sys.modules[cls.__module__].__doc__ or ""
    links = DOC_LINK.findall(doc)
    assert links, f"{cls.__module__}'s docstring links to no docs/derivations page"
    missing = [name for name in links if not (PAGES / name).is_file()]
    assert not missing, f"{cls.__module__} links to missing pages: {missing}"


def defined_names(source):
    """Names defined by ``def``/``class`` anywhere in ``source`` (methods included)."""
    return set(re.findall(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)", source, flags=re.M))


def code_refs():
    refs = []
    for page in all_pages():
        for path, name in CODE_REF.findall(page.read_text(encoding="utf-8")):
            refs.append((page.name, path, name.rstrip(".")))
    return refs


def test_pages_have_code_references():
    pages = {page for page, _, _ in code_refs()}
    expected = {p.name for p in all_pages()} - {"README.md"}
    assert expected <= pages, f"pages with no code reference: {sorted(expected - pages)}"


@pytest.mark.parametrize("page,path,name", code_refs())
def test_code_reference_resolves(page, path, name):
    file = ROOT / path
    assert file.is_file(), f"{page}: {path} does not exist"
    names = defined_names(file.read_text(encoding="utf-8"))
    missing = [part for part in name.split(".") if part not in names]
    assert not missing, f"{page}: {path} defines no {missing} (from {name!r})"
