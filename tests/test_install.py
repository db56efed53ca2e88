"""Set-up a learner meets first: `make lab` and its `lab` extra, and drawings without Graphviz's `dot`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_the_lab_extra_brings_a_front_end():
    # Read without tomllib, which Python 3.10 lacks: the extra is one line of pyproject.toml.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r"^lab = \[(.*)\]$", text, flags=re.MULTILINE)
    assert found is not None, "pyproject.toml has no one-line `lab = [...]` extra"
    lab = re.findall(r'"([^"]*)"', found.group(1))
    assert "jupyterlab>=4" in lab
    assert "chainrule[viz,notebooks]" in lab  # the kernel, widgets and plots the notebooks use


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_installs_the_extra_checks_the_command_then_opens_the_notebooks(tmp_path):
    # A dry run (-n) with a fresh .venv of its own prints the commands and runs none of them.
    venv = tmp_path / "venv"
    run = subprocess.run(
        ["make", "-n", "lab", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    lines = run.stdout.splitlines()
    install = next(i for i, line in enumerate(lines) if "pip install" in line and "'.[lab]'" in line)
    check = lines.index(f"{venv}/bin/jupyter-lab --version")
    assert install < check < lines.index(f"{venv}/bin/jupyter-lab notebooks/")
    # `make test` runs the install and the check, and starts no server.
    run = subprocess.run(
        ["make", "-n", "test", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert f"{venv}/bin/jupyter-lab --version" in run.stdout.splitlines()
    assert f"{venv}/bin/jupyter-lab notebooks/" not in run.stdout


def test_the_front_end_command_exists_where_make_lab_installed_it():
    # Under `make test` the lab extra is installed (lab-install) beside this Python.
    command = Path(sys.executable).parent / "jupyter-lab"
    if not command.exists():
        pytest.skip("the lab extra is not installed here: make lab-install installs it")
    run = subprocess.run([str(command), "--version"], capture_output=True, text=True, timeout=120, check=True)
    assert int(run.stdout.strip().split(".")[0]) >= 4


# -- drawings without dot ----------------------------------------------------------------

INLINE_DRAWING = """
from IPython.core.formatters import DisplayFormatter
from chainrule import Value, draw_dot
from chainrule.viz import GraphvizNotFound

x, w = Value(2.0, "x"), Value(3.0, "w")
L = (w * x).relu()
L.label = "L"
L.backward()
dot = draw_dot(L)
try:
    dot._repr_mimebundle_()          # what Jupyter calls to show a cell's value
except GraphvizNotFound as exc:
    print("raised GraphvizNotFound:", exc)
DisplayFormatter().format(dot)       # as IPython formats it: its traceback goes to stderr
"""


def test_an_inline_drawing_without_dot_says_how_to_install_graphviz():
    pytest.importorskip("graphviz")
    pytest.importorskip("IPython")
    env = dict(os.environ, PATH="")  # no `dot` to be found
    run = subprocess.run(
        [sys.executable, "-c", INLINE_DRAWING], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("raised GraphvizNotFound: chainrule could not find the Graphviz `dot` program")
    assert "brew install graphviz" in run.stdout and "apt-get install graphviz" in run.stdout
    # What the notebook shows: chainrule's error and its advice, not graphviz's raw one.
    assert "GraphvizNotFound: chainrule could not find the Graphviz `dot` program" in run.stderr
    assert "ExecutableNotFound" not in run.stderr


def test_with_dot_the_inline_drawing_is_the_svg_save_svg_writes(tmp_path):
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    from chainrule import Value, draw_dot
    from chainrule.viz import save_svg

    L = Value(2.0, "x") * Value(3.0, "w")
    L.label = "L"
    L.backward()
    bundle = draw_dot(L)._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert bundle["image/svg+xml"] == save_svg(L, tmp_path / "L.svg").read_text(encoding="utf-8")
