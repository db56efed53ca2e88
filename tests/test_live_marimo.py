"""LiveNetwork in marimo (a smoke test): `marimo run` serves a notebook that shows a LiveNetwork,
on 127.0.0.1 with a token, its config and state in a temporary directory; headless Chromium
opens it, clicks Training step, and reads δ of one neuron, compared with the layer equations
worked in plain floats. marimo draws an anywidget in a shadow root, so the page is searched
through shadow roots. The server is always shut down (`tests/servers.py`). Skips without
marimo, which the `test` extra installs."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from chainrule.data import make_moons
from chainrule.nn import MLP
from tests.browser import chromium
from tests.reference import mlp_deltas_by_hand
from tests.servers import checkout_env, free_port, serving, wait_for

pytest.importorskip("anywidget")

NOTEBOOK = """\
import marimo

app = marimo.App()


@app.cell
def _():
    from chainrule.data import make_moons
    from chainrule.nn import MLP
    from chainrule.optim import SGD
    from chainrule.viz import LiveNetwork

    X, y = make_moons(40, noise=0.1, seed=0)
    model = MLP(2, [4, 3, 1], activation="tanh", seed=0)
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=0.1))
    live
    return
"""

# The first element matching a CSS selector, in the document or any shadow root under it.
FIND = """
const find = (root) => {
  const hit = root.querySelector(arguments[0]);
  if (hit) return hit;
  for (const el of root.querySelectorAll("*")) {
    const inner = el.shadowRoot && find(el.shadowRoot);
    if (inner) return inner;
  }
  return null;
};
return find(document);
"""


@contextmanager
def marimo_run(root: Path) -> Iterator[str]:
    """`marimo run` serving root/live.py; yields its address with the token."""
    pytest.importorskip("marimo", reason="needs marimo: pip install 'chainrule[test]'")
    (root / "live.py").write_text(NOTEBOOK, encoding="utf-8")
    port, token = free_port(), secrets.token_hex(16)
    env = checkout_env()
    env["MARIMO_SKIP_UPDATE_CHECK"] = "1"  # offline: no query to PyPI
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[name] = str(root / ".xdg" / name.lower())
    command = [
        sys.executable, "-m", "marimo", "run", "live.py", "--headless", "--host", "127.0.0.1",
        "--port", str(port), "--token-password", token,
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}/?access_token={token}"
    with serving("marimo", command, root, env, url):
        yield url


def test_training_step_in_marimo_shows_the_delta_worked_by_hand(tmp_path):
    X, y = make_moons(40, noise=0.1, seed=0)
    expected = mlp_deltas_by_hand(MLP(2, [4, 3, 1], activation="tanh", seed=0), X, y, 0)
    with marimo_run(tmp_path) as url, chromium(1400, 1000) as driver:
        driver.get(url)
        button: Any = wait_for(lambda: driver.execute_script(FIND, "#train-step"), 120, "the widget in marimo")
        wait_for(button.is_enabled, 30, "the Training step button")
        assert driver.execute_script(FIND, "#n1_2").get_attribute("data-delta") == ""
        button.click()
        delta = wait_for(
            lambda: driver.execute_script(FIND, "#n1_2").get_attribute("data-delta"), 60, "δ after the step"
        )
        # The step's graph is the one before the update: the model's starting weights, δ by hand.
        assert float(delta) == pytest.approx(expected[1][2], rel=1e-9)
        assert driver.execute_script(FIND, "#step").text == "step 1"
