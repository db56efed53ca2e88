"""The servers the end-to-end tests start (JupyterLab, marimo): on 127.0.0.1 at a free port, with
this checkout's chainrule on their PYTHONPATH and their output in a log, waited for until they
answer, and always stopped (terminated, then killed, with whatever they started).

    with serving("marimo", command, root, env, url):
        driver.get(url)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0  # seconds for a server to answer, on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.25) -> Any:
    """Poll `condition` until it returns something true; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except Exception:  # not ready yet: a server starting, a page loading (pytest.fail is no Exception)
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def checkout_env() -> dict[str, str]:
    """The environment, with this checkout's chainrule first on PYTHONPATH: the server and its
    kernels import what the test process imports."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


@contextmanager
def serving(name: str, command: list[str], root: Path, env: dict[str, str], probe: str) -> Iterator[None]:
    """Run `command` in `root` (its output in root/<name>.log) until `probe` answers 200, then
    yield; stop it when the block ends, whatever happens. A server that exits fails the test
    with the end of its log."""
    log_path = root / f"{name.lower()}.log"
    log = log_path.open("wb")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:

        def answers() -> bool:
            if server.poll() is not None:
                text = log_path.read_text(encoding="utf-8", errors="replace")
                pytest.fail(f"{name} exited with status {server.returncode}:\n{text[-2000:]}")
            return bool(urllib.request.urlopen(probe, timeout=5).status == 200)

        wait_for(answers, START_TIMEOUT, f"{name} to answer at {probe.split('?')[0]} (log: {log_path})")
        yield
    finally:
        stop(server)
        log.close()


def stop(server: subprocess.Popen[bytes]) -> None:
    """Terminate the server and its kernels (its own process group); kill them if they linger."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
    with suppress(ProcessLookupError):  # kernels the server started, if any survived it
        os.killpg(server.pid, signal.SIGKILL)
