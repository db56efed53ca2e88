"""No import circles in chainrule, lazy imports included (docs/architecture.md).

The import graph is grimp's, the one `lint-imports` checks: it holds every import a module
makes, at its top or inside a function, and leaves out those under `if TYPE_CHECKING:`,
which never run. A circle is a set of modules each reaching every other through imports
(a strongly connected component of more than one module). The controls below plant
circles, in the graph and in a package written to disk, and the check must see them.
"""

from __future__ import annotations

import textwrap

import grimp


def import_graph(package: str):
    return grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)


def import_circles(graph) -> list[list[str]]:
    """Each set of modules that import one another in a circle, sorted; iteratively (Tarjan)."""
    imports = {m: sorted(graph.find_modules_directly_imported_by(m) & graph.modules) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    for start in sorted(imports):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            module, i = work.pop()
            if i == 0:
                index[module] = low[module] = len(index)
                stack.append(module)
                on_stack.add(module)
            if i < len(imports[module]):
                work.append((module, i + 1))
                target = imports[module][i]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            if work:  # back in the module that visited this one
                caller = work[-1][0]
                low[caller] = min(low[caller], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return sorted(circles)


def test_chainrule_has_no_import_circles():
    assert import_circles(import_graph("chainrule")) == []


def test_the_check_sees_a_circle_planted_in_chainrules_graph():
    """A negative control: one import from the bottom layer to the top makes a circle through
    every module in between, and the check must name it."""
    graph = import_graph("chainrule")
    graph.add_import(importer="chainrule.engine.checks", imported="chainrule.viz.graph.draw")
    circles = import_circles(graph)
    assert len(circles) == 1
    assert {"chainrule.engine.checks", "chainrule.viz.graph.draw"} <= set(circles[0])


def test_the_check_sees_a_lazy_circle_and_ignores_a_type_checking_one(tmp_path, monkeypatch):
    """A package on disk: `a` imports `b` at its top and `b` imports `a` inside a function (a
    circle, hidden by the lazy import); `c` imports `a` only for type checking while `a`
    imports `c` (no circle: that import never runs)."""
    package = tmp_path / "planted_circle"
    package.mkdir()
    files = {
        "__init__.py": "",
        "a.py": "from . import b, c\n",
        "b.py": "def late():\n    from . import a\n    return a\n",
        "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n",
    }
    for name, text in files.items():
        (package / name).write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_circles(import_graph("planted_circle")) == [["planted_circle.a", "planted_circle.b"]]
