"""LiveNetwork end to end, in a real JupyterLab: a server on 127.0.0.1 with a token, a notebook
opened in headless Chromium, a cell that shows a LiveNetwork, a click on Training step, and δ
of one neuron read from the page and compared with the layer equations worked in plain floats."""

from __future__ import annotations

import pytest

from chainrule.data import make_moons
from chainrule.nn import MLP
from tests.browser import chromium
from tests.jupyterlab import jupyterlab, wait_for
from tests.reference import mlp_deltas_by_hand

pytest.importorskip("anywidget")

CELL = """\
from chainrule.data import make_moons
from chainrule.nn import MLP
from chainrule.optim import SGD
from chainrule.viz import LiveNetwork

X, y = make_moons(40, noise=0.1, seed=0)
model = MLP(2, [4, 3, 1], activation="tanh", seed=0)
live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=0.1))
live"""


def test_training_step_in_jupyterlab_shows_the_delta_worked_by_hand(tmp_path):
    X, y = make_moons(40, noise=0.1, seed=0)
    expected = mlp_deltas_by_hand(MLP(2, [4, 3, 1], activation="tanh", seed=0), X, y, 0)
    with jupyterlab(tmp_path) as lab, chromium(1400, 1000) as driver:
        lab.open(driver, lab.notebook("live.ipynb", [CELL]))
        lab.run_all(driver)
        button = wait_for(lambda: driver.find_element("css selector", ".chainrule-live #train-step"), 120, "the widget")
        wait_for(button.is_enabled, 30, "the Training step button")
        button.click()
        neuron = driver.find_element("css selector", ".chainrule-live #n1_2")
        delta = wait_for(lambda: neuron.get_attribute("data-delta"), 60, "δ after the training step")
        # The step's graph is the one before the update: the model's starting weights, δ by hand.
        assert float(delta) == pytest.approx(expected[1][2], rel=1e-9)
        step = driver.find_element("css selector", ".chainrule-live #step").text
        assert step == "step 1"
