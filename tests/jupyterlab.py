"""A real JupyterLab for end-to-end tests of the widgets: a server on 127.0.0.1 with a token
and a free port, in a temporary directory, its settings and runtime files kept there too, and
a notebook opened and run in headless Chromium. The tests skip without the `lab` extra.

    with jupyterlab(tmp_path) as lab, chromium() as driver:
        lab.open(driver, lab.notebook("live.ipynb", ["from chainrule.viz import LiveNetwork", ...]))
        lab.run_all(driver)

The server is always shut down (terminated, then killed) when the block ends (`tests/servers.py`).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.servers import checkout_env, free_port, serving, wait_for

# No news, no update checks: the server and the page stay offline.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False}
}


class Lab:
    """A running JupyterLab: its address, token and directory, and how to drive it."""

    def __init__(self, url: str, token: str, root: Path) -> None:
        self.url, self.token, self.root = url, token, root

    def notebook(self, name: str, cells: list[str]) -> str:
        """Write a notebook of code cells (python3 kernel) into the server's directory."""
        nb = {
            "cells": [
                {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
                for src in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        (self.root / name).write_text(json.dumps(nb), encoding="utf-8")
        return name

    def open(self, driver: Any, name: str, timeout: float = 90.0) -> None:
        """Open notebook `name` in the browser and wait until its kernel is idle. A page that has
        not got there in half the time is loaded once more (CI saw one stall for the whole 90 s
        that a fresh run did not repeat); a second failure names what the page showed last and
        ends with the server's log."""
        script = (
            "const app = window.jupyterapp, w = app && app.shell.currentWidget;"
            "const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
            "if (!w) return app ? 'the app, with no widget open' : 'no app yet';"
            "if (!w.context || !w.context.path.endsWith(arguments[0])) return 'another widget: ' + w.title.label;"
            "return k ? 'kernel ' + k.status : 'the notebook, with no kernel yet';"
        )
        seen = ["nothing"]

        def idle() -> bool:
            seen[0] = driver.execute_script(script, name)
            return seen[0] == "kernel idle"

        for attempt in (1, 2):
            driver.get(f"{self.url}/lab/tree/{name}?token={self.token}")
            try:
                wait_for(idle, timeout / 2, f"{name} open with an idle kernel")
                return
            except pytest.fail.Exception:
                if attempt == 2:
                    log = (self.root / "jupyterlab.log").read_text(encoding="utf-8", errors="replace")
                    pytest.fail(f"{name} did not open with an idle kernel; the page showed {seen[0]}:\n{log[-3000:]}")

    def run_all(self, driver: Any) -> None:
        """Run every cell of the open notebook (the command Run > Run All Cells)."""
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")

    def output(self, driver: Any, index: int) -> tuple[int | None, str]:
        """Cell `index` of the open notebook: its execution count (None before it ran) and the
        text it printed or returned (streams and text/plain, joined)."""
        script = (
            "const cell = window.jupyterapp.shell.currentWidget.model.cells.get(arguments[0]);"
            "const text = cell.outputs.toJSON().map((o) => [].concat("
            "  o.text || (o.data && o.data['text/plain']) || []).join('')).join('');"
            "return [cell.executionCount, text];"
        )
        count, text = driver.execute_script(script, index)
        return count, text

    def run_cell(self, driver: Any, index: int, timeout: float = 60.0) -> str:
        """Run cell `index` of the open notebook (select it, Run > Run Selected Cell) and return
        its text output once it has run again."""
        before = wait_for(lambda: self.output(driver, index)[0], timeout, f"cell {index} to have run once")
        driver.execute_script(
            "const panel = window.jupyterapp.shell.currentWidget;"
            "panel.content.activeCellIndex = arguments[0];"
            "window.jupyterapp.commands.execute('notebook:run-cell');",
            index,
        )

        def ran() -> str | None:
            count, text = self.output(driver, index)
            return text if count not in (None, before) and text else None

        result: str = wait_for(ran, timeout, f"cell {index} to run again")
        return result


@contextmanager
def jupyterlab(root: Path) -> Iterator[Lab]:
    """A JupyterLab server serving `root`, shut down when the block ends, whatever happens."""
    pytest.importorskip("jupyterlab", reason="needs the lab extra: pip install 'chainrule[lab]'")
    settings = root / ".lab-settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    port, token = free_port(), secrets.token_hex(16)
    env = checkout_env()
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(root / ".lab-workspaces"),
        JUPYTER_RUNTIME_DIR=str(root / ".jupyter-runtime"),
        JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"),
    )
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
        "--LabApp.extension_manager=readonly",  # no queries to PyPI
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # CI containers run as root
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with serving("JupyterLab", command, root, env, f"{url}/api/status?token={token}"):
        yield Lab(url, token, root)
