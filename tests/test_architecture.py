"""The shape of the package (docs/architecture.md): what `lint-imports` does not check.

The layers themselves are import-linter contracts in pyproject.toml, run by `make test`.
Here: no module reaches into another's underscore names, the engine imports nothing
else from chainrule, and no file or function grows past what a reader takes in at once.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "chainrule"
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_FILE_LINES = 400
# The whole story of a node (its slots, primitives and backward) reads best in one module,
# with backward's rule (masked edges, and why skipping zero work changes no result) stated
# beside the loop that follows it.
LONGER_FILES = {"engine/value.py": 780}
MAX_FUNCTION_LINES = 60  # of code: a docstring does not count


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_module(path: Path, node: ast.ImportFrom) -> str:
    """The absolute name of the module a `from ... import` reads from."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_reach_ins(path: Path, text: str | None = None) -> list[str]:
    """`from other import _name`, and `other._name` on a chainrule module imported by name,
    in the module at `path` (or in `text`, read as that module)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    found, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = imported_module(path, node)
            if source.startswith("chainrule"):
                found += [f"line {node.lineno}: {a.name} from {source}" for a in node.names if is_private(a.name)]
                modules.update({a.asname or a.name: f"{source}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            modules.update({a.asname or a.name: a.name for a in node.names if a.name.startswith("chainrule")})
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        owner = modules.get(node.value.id)
        if owner is not None and owner != module_name(path) and is_private(node.attr):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_uses_another_modules_underscore_names(path):
    assert private_reach_ins(path) == []


def test_the_reach_in_check_catches_private_imports():
    """A negative control: the check above must see the reach-ins it is there to forbid."""
    text = "from ..engine.value import _const, Value\nfrom .. import engine\nengine._scope\nengine.Value\n"
    assert private_reach_ins(PACKAGE / "viz" / "graph.py", text) == [
        "line 1: _const from chainrule.engine.value",
        "line 3: engine._scope",
    ]


def test_the_engine_imports_nothing_else_from_chainrule():
    for path in PACKAGE.joinpath("engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                source = imported_module(path, node)
                assert not source.startswith("chainrule") or source.startswith("chainrule.engine"), (path, source)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("chainrule") for a in node.names), path


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_files_and_functions_stay_short(path):
    text = path.read_text(encoding="utf-8")
    limit = LONGER_FILES.get(path.relative_to(PACKAGE).as_posix(), MAX_FILE_LINES)
    assert text.count("\n") <= limit, f"{path.name} has {text.count(chr(10))} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                body = body[1:]  # the docstring
            if body:
                length = (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1
                assert length <= MAX_FUNCTION_LINES, f"{node.name} (line {node.lineno}) has {length} lines of code"
