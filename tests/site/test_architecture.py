"""docs/architecture.md shows the import graph the code has."""

from scripts.import_graph import BEGIN, DOC, END, edges, mermaid


def test_the_architecture_doc_draws_the_current_import_graph():
    drawn = DOC.read_text().split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert drawn == mermaid(), "run `make import-graph`"


def test_no_app_imports_one_that_imports_it_back():
    found = edges()
    assert not {(a, b) for a, b in found if (b, a) in found}
