"""Keeps the layers honest (STYLE.md 16): no import circles in lib, no streamlit below lib/ui,
no SQL in pages/ or lib/ui, page modules that only define functions, page file stems that differ
from their url paths."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "lib"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in LIB.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    """Every lib module `path` imports, at the top or inside a function (`from lib.x import y`
    counts lib.x.y when that is a module, else lib.x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("lib")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lib") and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in MODULES else node.module)
    return {m for m in found if m in MODULES}


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        # a package's __init__ is imported by its submodules' import machinery, not by their code
        graph[name] = {m for m in _imports(path) if m != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_lib_has_no_import_circles():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_streamlit_below_lib_ui():
    offenders = [name for name, path in MODULES.items()
                 if not name.startswith("lib.ui") and re.search(r"^\s*(import|from) streamlit",
                                                                path.read_text(encoding="utf-8"), re.M)]
    assert offenders == []


_SQL = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)", re.I)


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def _sql_in(folder: Path) -> list[str]:
    return [f"{p.relative_to(folder)}:{line}" for p in sorted(folder.rglob("*.py"))
            for line, text in _string_constants(p) if _SQL.search(text)]


def test_no_sql_in_pages_or_lib_ui():
    assert _sql_in(ROOT / "pages") == []
    assert _sql_in(LIB / "ui") == []


def test_the_sql_finder_sees_sql(tmp_path):
    (tmp_path / "x.py").write_text('q = "SELECT a FROM b"\ndef f():\n    """Says SELECT x FROM y."""\n')
    assert [s.split(":")[1] for s in _sql_in(tmp_path)] == ["1"]


PAGE_FILES = sorted(p for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_page_modules_only_define(path):
    """Streamlit runs files in a pages/ folder on its own until st.navigation is first called in
    the process: a page module must draw nothing when executed as a script."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef)
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue                                    # the docstring
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            value = node.value
            assert isinstance(value, (ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.Set)), \
                f"{path.name}:{node.lineno}: only constants at the top level"
            continue
        assert isinstance(node, allowed), f"{path.name}:{node.lineno}: {type(node).__name__} at the top level"


def test_page_stems_differ_from_url_paths():
    from lib.ui import nav
    stems = {p.stem for p in PAGE_FILES}
    urls = {page.url for page in nav.PAGES}
    assert stems.isdisjoint(urls)
    assert {page.module for page in nav.PAGES} == {f"pages.{s}" for s in stems}


def test_only_the_gateway_opens_duckdb():
    offenders = [name for name, path in MODULES.items()
                 if name not in ("lib.store.db", "lib.store.postgres")     # the gateway, for files and for PostgreSQL
                 and "duckdb.connect" in path.read_text(encoding="utf-8")]
    assert offenders == []
