"""The import graph between tongban's apps, as Mermaid, for docs/architecture.md.

`make import-graph` rewrites the block between the markers in the doc; a test fails when the
doc no longer shows the code's graph. `make lint` checks the layers (import-linter contract
in pyproject.toml), so the graph drawn here has no upward arrow and no cycle.
"""

import sys
from pathlib import Path

import grimp

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"
BEGIN, END = "<!-- import-graph -->", "<!-- /import-graph -->"
# Site modules that are wiring, not domain: drawn as one box.
SITE = {"urls", "api", "views", "management", "cli", "wsgi", "asgi", "templatetags", "settings"}


def edges() -> set[tuple[str, str]]:
    graph = grimp.build_graph("tongban")
    names = {child.removeprefix("tongban.") for child in graph.find_children("tongban")}
    found = set()
    for importer in names:
        for imported in names - {importer}:
            if graph.direct_import_exists(
                importer=f"tongban.{importer}", imported=f"tongban.{imported}", as_packages=True
            ):
                found.add((_box(importer), _box(imported)))
    return {(a, b) for a, b in found if a != b}


def _box(name: str) -> str:
    return "site" if name in SITE else name


def mermaid() -> str:
    lines = ["```mermaid", "flowchart TD"]
    lines += [f"    {a} --> {b}" for a, b in sorted(edges())]
    lines.append("```")
    return "\n".join(lines)


def rewrite_doc() -> None:
    text = DOC.read_text()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{mermaid()}\n{END}{tail}")


if __name__ == "__main__":
    rewrite_doc() if sys.argv[1:] == ["--write"] else print(mermaid())
