"""The neuron playground's widget end to end, in a real JupyterLab: a server on 127.0.0.1 with a
token, a notebook opened in headless Chromium whose cell shows a `NeuronPlayground`; the w slider
moved with the keyboard, "descent step" and "10 steps" clicked, as a user does. The numbers the
page then shows are compared with the neuron's formula worked in plain floats, and a second cell,
run again, prints the kernel's w and b, which must have followed."""

from __future__ import annotations

import math

import pytest

from tests.browser import chromium
from tests.jupyterlab import jupyterlab, wait_for

pytest.importorskip("anywidget")

SHOW = """\
from chainrule.viz import NeuronPlayground

pg = NeuronPlayground()  # x = 2, target 1, w = 0.5, b = 0, sigmoid, learning rate 0.5
pg.show()"""
PRINT = "print(repr(pg.w), repr(pg.b), len(pg.history), pg.moves)"

X, TARGET, LR = 2.0, 1.0, 0.5


def by_hand(w: float, b: float) -> dict[str, float]:
    """The neuron a = sigmoid(w·x + b), L = (a - y)², and its derivatives, in plain floats."""
    z = w * X + b
    a = 1.0 / (1.0 + math.exp(-z))
    dloss_da, da_dz = 2.0 * (a - TARGET), a * (1.0 - a)
    return {
        "z": z,
        "a": a,
        "L": (a - TARGET) ** 2,
        "dL_da": dloss_da,
        "da_dz": da_dz,
        "dz_dw": X,
        "grad_w": dloss_da * da_dz * X,
        "grad_b": dloss_da * da_dz,
    }


def descend(w: float, b: float, steps: int) -> tuple[float, float, list[float]]:
    """`steps` descent steps from (w, b): w and b, and the loss after each step."""
    losses = []
    for _ in range(steps):
        n = by_hand(w, b)
        w, b = w - LR * n["grad_w"], b - LR * n["grad_b"]
        losses.append(by_hand(w, b)["L"])
    return w, b, losses


def shown(x: float) -> str:
    """A number as the page writes it: four significant digits, "%.4g"."""
    return f"{x:.4g}"


def test_keyboard_and_descent_buttons_in_jupyterlab_show_the_neuron_worked_by_hand(tmp_path):
    start_loss = by_hand(0.5, 0.0)["L"]
    w_moved = 0.53  # three presses of → on the w slider, whose step is 0.01
    moved = by_hand(w_moved, 0.0)
    w1, b1, (loss1,) = descend(w_moved, 0.0, 1)
    w11, b11, losses = descend(w1, b1, 10)
    assert w1 > w_moved and w11 > w1 and losses[-1] < loss1 < moved["L"] < start_loss  # descent goes downhill

    with jupyterlab(tmp_path) as lab, chromium(1400, 1000) as driver:
        lab.open(driver, lab.notebook("playground.ipynb", [SHOW, PRINT]))
        lab.run_all(driver)
        menu = wait_for(lambda: driver.find_element("css selector", ".cr-playground select"), 120, "the widget")
        prefix = menu.get_attribute("id").removesuffix("activation")  # one per widget in the page

        def element(name):
            return driver.find_element("css selector", f"#{prefix}{name}")

        def text(name):
            return element(name).text

        def box(label):
            """The data and grad a node of the neuron's drawing shows (its texts: label, data, grad)."""
            script = (
                "for (const g of document.querySelectorAll('.cr-playground .neuron.shown g.node')) {"
                "  const t = [...g.querySelectorAll('text')].map((e) => e.textContent);"
                "  if (t[0] === arguments[0]) return [t[t.length - 3], t[t.length - 1]]; }"
            )
            return tuple(driver.execute_script(script, label))

        def showing(name, expected, what):
            wait_for(lambda: text(name) == expected, 60, f"{what}: {name} to show {expected!r}")

        showing("out-w", "0.5", "the first state")
        showing("f-grad_w", shown(by_hand(0.5, 0.0)["grad_w"]), "the first state")
        wait_for(lambda: lab.output(driver, 1)[1], 60, "the second cell's first output")
        assert lab.output(driver, 1) == (2, "0.5 0.0 1 []\n")

        # The keyboard moves the w slider by its step; each press waits for the kernel's answer.
        slider = element("w")
        for w in (0.51, 0.52, 0.53):
            slider.send_keys("\ue014")  # the right arrow key
            showing("out-w", shown(w), "the w slider moved with the keyboard")
        for name, key in (("out-z", "z"), ("out-a", "a"), ("out-L", "L"), ("f-dL_da", "dL_da")):
            assert text(name) == shown(moved[key]), name
        assert (text("f-da_dz"), text("f-dz_dw"), text("f-grad_w")) == (
            shown(moved["da_dz"]),
            "2",
            shown(moved["grad_w"]),
        )
        assert text("chain-w") == (
            f"dL/dw = dL/da · da/dz · dz/dw = ({shown(moved['dL_da'])}) · {shown(moved['da_dz'])} · 2 = "
            f"{shown(moved['grad_w'])}"
        )
        assert lab.run_cell(driver, 1) == "0.53 0.0 2 [1]\n"  # the kernel's playground moved: one move

        # "descent step": w ← w - η·dL/dw, b ← b - η·dL/db, by the kernel; the page shows where it went.
        element("step").click()
        showing("out-w", shown(w1), "the descent step")
        after = by_hand(w1, b1)
        assert (text("out-b"), text("out-L"), text("f-grad_w")) == (
            shown(b1),
            shown(loss1),
            shown(after["grad_w"]),
        )
        # The drawing of the neuron's graph: each node's data and grad, the same numbers.
        assert box("w") == (shown(w1), shown(after["grad_w"])) and box("b") == (shown(b1), shown(after["grad_b"]))
        assert box("z") == (shown(after["z"]), shown(after["grad_b"])) and box("L") == (shown(loss1), "1")
        history = " → ".join(map(shown, [start_loss, moved["L"], loss1]))
        assert text("history-text").startswith("1 descent step, 1 move ") and text("history-text").endswith(
            f"Losses: {history}"
        )

        # "10 steps", then the kernel's own w and b, printed by running the second cell again.
        element("step10").click()
        showing("out-w", shown(w11), "ten descent steps")
        last = by_hand(w11, b11)
        assert (text("out-b"), text("out-L"), text("out-a"), text("f-grad_w")) == (
            shown(b11),
            shown(losses[-1]),
            shown(last["a"]),
            shown(last["grad_w"]),
        )
        assert text("history-text").startswith("11 descent steps, 1 move ")
        assert text("history-text").endswith("Losses: " + " → ".join(map(shown, losses[-5:])))
        w, b, count, moves = lab.run_cell(driver, 1).split(" ", 3)
        assert float(w) == pytest.approx(w11, rel=1e-12) and float(b) == pytest.approx(b11, rel=1e-12)
        assert (count, moves) == ("13", "[1]\n")  # the start, the move, eleven steps
