"""LiveNetwork's front end (`live.js`) in headless Chromium, with no kernel: a stub of
anywidget's model object (get, set, on, off, save_changes, send) feeds it states made by
the Python side, and records the messages the buttons send back."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import pytest

from chainrule.data import make_moons
from chainrule.nn import MLP
from chainrule.optim import SGD
from tests.browser import chromium

pytest.importorskip("anywidget")
from chainrule.viz import LiveNetwork

ASSETS = files("chainrule.viz.live") / "assets"

STUB = """
const [source, css, drawing, state, done] = arguments;
document.head.insertAdjacentHTML("beforeend", "<style>" + css + "</style>");
document.body.innerHTML = '<div id="host"></div>';
const data = { drawing, state };
const listeners = {};
window.sent = [];
const model = {
  get: (key) => data[key],
  set: (key, value) => { data[key] = value; },
  on: (event, callback) => { (listeners[event] = listeners[event] || []).push(callback); },
  off: () => {},
  save_changes: () => {},
  send: (message) => window.sent.push(message),
};
window.feed = (next) => { data.state = next; (listeners["change:state"] || []).forEach((f) => f()); };
import("data:text/javascript;base64," + source).then(
  (module) => { module.default.render({ model, el: document.getElementById("host") }); done("ok"); },
  (error) => done(String(error)));
"""


def live_widget(nin: int = 2) -> LiveNetwork:
    if nin == 2:
        X, y = make_moons(30, noise=0.1, seed=2)
    else:
        X, y = [[0.1 * i, 0.2, -0.1 * i] for i in range(6)], [0, 1] * 3
    model = MLP(nin, [4, 3, 1], activation="tanh", seed=1)
    return LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=0.2))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def show(driver: Any, widget: LiveNetwork) -> None:
    source = base64.b64encode(ASSETS.joinpath("live.js").read_bytes()).decode()
    css = ASSETS.joinpath("live.css").read_text(encoding="utf-8")
    driver.get("about:blank")
    state = json.loads(json.dumps(widget.state))
    assert driver.execute_async_script(STUB, source, css, widget.drawing, state) == "ok"


def feed(driver: Any, widget: LiveNetwork) -> None:
    driver.execute_script("window.feed(arguments[0])", json.loads(json.dumps(widget.state)))


def sent(driver: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = driver.execute_script("const m = window.sent; window.sent = []; return m;")
    return messages


def test_the_buttons_send_their_actions(browser):
    widget = live_widget()
    show(browser, widget)
    for button in ("forward", "backward", "train-step", "reset", "play"):
        browser.find_element("id", button).click()
    assert sent(browser) == [{"action": a} for a in ("forward", "backward", "train-step", "reset", "play")]
    browser.execute_script(
        "const s = document.getElementById('lr'); s.value = '0.05'; s.dispatchEvent(new Event('change'));"
        "const m = document.getElementById('mode'); m.value = 'sample'; m.dispatchEvent(new Event('change'));"
        "const c = document.getElementById('class'); c.value = '1'; c.dispatchEvent(new Event('change'));"
    )
    assert sent(browser) == [
        {"action": "lr", "value": 0.05},
        {"action": "mode", "value": "sample"},
        {"action": "class", "value": "1"},
    ]
    # Click a data point: select it. Shift-click the plane: add a point there (panel pixels).
    browser.find_element("css selector", "#points circle[data-index='7']").click()
    assert sent(browser) == [{"action": "select", "value": 7}]
    browser.execute_script(
        "const box = document.getElementById('points').getBoundingClientRect();"
        "document.getElementById('points').dispatchEvent(new MouseEvent('click', "
        "{bubbles: true, shiftKey: true, clientX: box.left + 60, clientY: box.top + 180}));"
    )
    [message] = sent(browser)
    assert message["action"] == "add" and message["value"] == pytest.approx([60, 180], abs=0.5)


def test_each_neuron_shows_the_states_numbers_and_carries_them_in_full(browser):
    widget = live_widget()
    show(browser, widget)
    widget.backward()
    feed(browser, widget)
    terms = widget.terms
    for i, t in enumerate(terms):
        for k in range(len(t.z)):
            g = browser.find_element("id", f"n{i}_{k}")
            assert (g.get_attribute("data-layer"), g.get_attribute("data-neuron")) == (str(i), str(k))
            got = {key: float(g.get_attribute(f"data-{key}")) for key in ("z", "a", "delta")}
            assert got == {"z": t.z[k], "a": t.a[k], "delta": t.delta[k]}  # full precision
            texts = [e.text for e in g.find_elements("css selector", "text")]
            shown = dict(zip(texts[1::2], texts[2::2]))
            # To the digits shown: 4 significant digits.
            assert float(shown["δ"]) == pytest.approx(t.delta[k], rel=5e-4, abs=1e-300)
            assert float(shown["z"]) == pytest.approx(t.z[k], rel=5e-4)
    assert browser.find_element("id", "phase").text == "backward pass"


def test_clicking_a_neuron_or_a_weight_writes_its_equation_in_numbers(browser):
    widget = live_widget()
    show(browser, widget)
    widget.backward()
    feed(browser, widget)
    t = widget.terms
    browser.find_element("css selector", "#n0_1 text").click()
    equation = browser.find_element("id", "equation").text
    assert "δ = σ′(z) · Σ w · δ(next layer)" in equation
    assert equation.endswith(f"= {t[0].delta[1]:.4g}")
    browser.find_element("css selector", "#n2_0 text").click()
    assert "δ = ∇ₐLoss ⊙ σ′(z)" in browser.find_element("id", "equation").text
    browser.execute_script("document.getElementById('w1_2_0').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    equation = browser.find_element("id", "equation").text
    assert f"dLoss/dw = Σ over the 30 samples of δ · a(prev) = {t[1].weight_grads[2][0]:.4g}" in equation


def test_the_loss_and_accuracy_curves_are_drawn_from_the_states_points(browser):
    widget = live_widget()
    show(browser, widget)
    assert browser.find_element("id", "accuracy-key").text == ""
    widget.step(6)
    feed(browser, widget)
    curve = widget.state["curve"]
    for line, points in (("curve-line", curve["points"]), ("accuracy-line", curve["accuracy"])):
        drawn = browser.find_element("id", line).get_attribute("points").split()
        assert [[float(v) for v in p.split(",")] for p in drawn] == points and len(points) == 6
    assert browser.find_element("id", "accuracy-key").text == "and accuracy (dashed, 0 to 1)"
    assert browser.find_element("id", "loss-last").text == f"after the last step: {widget.history.loss[-1]:.4g}"


def test_while_playing_the_step_buttons_wait_and_play_reads_pause(browser):
    widget = live_widget()
    show(browser, widget)
    state = dict(widget.state, playing=True)
    browser.execute_script("window.feed(arguments[0])", json.loads(json.dumps(state)))
    assert browser.find_element("id", "play").text.endswith("Pause")
    assert not browser.find_element("id", "train-step").is_enabled()
    browser.find_element("id", "play").click()
    assert sent(browser) == [{"action": "pause"}]


def test_without_a_plane_the_rest_shows_and_says_why(browser):
    widget = live_widget(nin=3)
    show(browser, widget)
    widget.forward()
    feed(browser, widget)
    assert "3 features" in browser.find_element("id", "no-plane").text
    assert not browser.find_element("id", "plane-panel").is_displayed()
    assert browser.find_element("id", "n1_2").get_attribute("data-z") != ""
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_the_script_and_styles_are_package_files_that_fetch_nothing():
    # anywidget reads them from the package's files (a Path each), as the pages read their assets.
    assert str(LiveNetwork._esm) == ASSETS.joinpath("live.js").read_text(encoding="utf-8")
    assert str(LiveNetwork._css) == ASSETS.joinpath("live.css").read_text(encoding="utf-8")
    for name in ("live.js", "live.css"):
        text = ASSETS.joinpath(name).read_text(encoding="utf-8")
        assert "http" not in text and "import " not in text and "@import" not in text and "url(" not in text
