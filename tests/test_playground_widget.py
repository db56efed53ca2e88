"""The playground's anywidget: its traits driven as the controls drive them, with no kernel,
numbers checked by hand and against PyTorch; then its front end in headless Chromium, fed
states through a stub of anywidget's model object, its controls' messages read back."""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from pathlib import Path

import anywidget
import pytest

from chainrule.engine import topological_order
from chainrule.viz import NeuronPlayground
from chainrule.viz.playground import PLAYGROUND_ACTIVATIONS
from chainrule.viz.playground.widget import PlaygroundWidget
from tests.browser import chromium
from tests.playground_view import expected_view
from tests.reference import needs_torch, torch


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def index_of(pg: NeuronPlayground) -> dict[str, int]:
    """Where each labelled node of the neuron's graph sits in the state's `nodes`."""
    return {v.label: i for i, v in enumerate(topological_order(pg.graph())) if v.label}


# -- the Python side, without a kernel ---------------------------------------------------


def test_the_state_holds_the_engines_numbers_checked_by_hand():
    pg = NeuronPlayground()  # x = 2, target 1, w = 0.5, b = 0, sigmoid
    s = PlaygroundWidget(pg).state
    a = sigmoid(1.0)
    grad_w = 2 * (a - 1) * a * (1 - a) * 2
    assert s["settings"] == {"w": 0.5, "b": 0.0, "x": 2.0, "target": 1.0, "lr": 0.5, "activation": "sigmoid"}
    assert s["z"] == 1.0 and s["a"] == pytest.approx(a, rel=1e-15) and s["loss"] == pytest.approx((a - 1) ** 2)
    assert s["dloss_da"] == pytest.approx(2 * (a - 1)) and s["da_dz"] == pytest.approx(a * (1 - a))
    assert (s["dz_dw"], s["da_dz_max"]) == (2.0, 0.25)
    assert s["grad_w"] == pytest.approx(grad_w) and s["grad_b"] == pytest.approx(grad_w / 2)
    assert s["meter"] == pytest.approx(a * (1 - a) / 0.25) and s["slope"] == "a(1 - a)"
    assert s["warning"] is None and (s["history"], s["moves"], s["steps"]) == ([s["loss"]], [], 0)
    # The chain rule as explain writes it: its names and each term's number.
    chain_w, chain_b = s["chains"]
    assert (chain_w["upper"], chain_w["lower"], chain_b["lower"]) == ("L", "w", "b")
    assert [t[:2] for t in chain_w["terms"]] == [["L", "a"], ["a", "z"], ["z", "w"]]
    assert [t[2] for t in chain_w["terms"]] == pytest.approx([2 * (a - 1), a * (1 - a), 2.0])
    assert chain_b["terms"][2] == ["z", "b", 1.0] and chain_b["gradient"] == pytest.approx(grad_w / 2)
    # Every node's data, grad and local derivatives, in the drawing's order.
    nodes, at = s["nodes"], index_of(pg)
    assert nodes[at["w"]] == {"data": 0.5, "grad": pytest.approx(grad_w), "local": []}
    assert nodes[at["z"]]["local"] == [2.0, 0.5, 1.0]  # dz/dw = x, dz/dx = w, dz/db = 1
    assert nodes[at["a"]]["local"] == pytest.approx([a * (1 - a)])
    assert nodes[at["L"]]["data"] == pytest.approx((a - 1) ** 2) and nodes[at["L"]]["grad"] == 1.0
    assert nodes[at["L"]]["local"] == pytest.approx([2 * (a - 1)])  # L = (a - y)², after the difference a - y
    # The loss against w across the slider, and its tangent at w, whose slope is dL/dw.
    curve = s["curve"]
    assert len(curve["points"]) == 161 and curve["points"][0][0] == -4.0 and curve["points"][-1][0] == 4.0
    for w, loss in curve["points"][::20]:
        assert loss == pytest.approx((sigmoid(2 * w) - 1) ** 2, rel=1e-12, abs=1e-15)
    (u0, v0), (u1, v1) = curve["tangent"]
    assert (v1 - v0) / (u1 - u0) == pytest.approx(grad_w) and curve["point"] == [0.5, s["loss"]]
    json.dumps(s, allow_nan=False)  # the state goes to the browser as JSON: plain, finite numbers


def test_the_traits_move_the_playground_as_the_controls_do():
    pg = NeuronPlayground()
    widget = PlaygroundWidget(pg)
    widget.w = 1.0  # the w slider
    a = sigmoid(2.0)
    assert pg.w == 1.0 and pg.moves == [1]
    assert widget.state["a"] == pytest.approx(a) and widget.state["grad_w"] == pytest.approx(
        2 * (a - 1) * a * (1 - a) * 2
    )
    widget.x, widget.target, widget.lr = 1.5, 0.5, 0.2
    assert (pg.x, pg.target, pg.lr) == (1.5, 0.5, 0.2) and pg.moves == [1]  # one move: no step between

    # "descent step": the front end adds 1 to `steps`; w and b move by -lr·grad, and the w and b
    # traits follow without counting as a move.
    a = sigmoid(1.5)
    grad_w = 2 * (a - 0.5) * a * (1 - a) * 1.5
    widget.steps += 1
    assert pg.w == pytest.approx(1.0 - 0.2 * grad_w) and widget.w == pg.w and widget.b == pg.b
    assert pg.moves == [1] and widget.state["steps"] == 1 and widget.state["settings"]["w"] == pg.w
    widget.steps += 10  # "10 steps"
    assert len(pg.history) == 13 and all(b < a for a, b in itertools.pairwise(pg.history[1:]))
    assert widget.step(2) == pg.history[-1] and widget.steps == 13 and widget.state["steps"] == 13
    assert widget.state["history"] == pg.history and widget.state["moves"] == [1]
    widget.steps = 5  # a count going back (a stale message) takes no step
    assert len(pg.history) == 15

    # The warnings: far into the sigmoid's tail and far from the target; a dead ReLU.
    widget.target, widget.w = 1.0, -3.0
    assert (
        widget.state["warning"]["kind"] == "vanishing"
        and "vanishing gradients begin" in widget.state["warning"]["text"]
    )
    widget.activation = "relu"
    assert pg.activation == "relu" and widget.state["warning"]["kind"] == "dead"
    assert widget.state["da_dz"] == 0.0 and widget.state["meter"] == 0.0


@needs_torch
@pytest.mark.parametrize("activation", PLAYGROUND_ACTIVATIONS)
def test_the_numbers_and_a_descent_step_match_torch(activation):
    settings = {"x": 1.5, "target": 0.3, "w": -0.7, "b": 0.4, "lr": 0.3}
    widget = PlaygroundWidget(NeuronPlayground(activation=activation, **settings))
    x = torch.tensor(settings["x"], dtype=torch.float64)
    w = torch.tensor(settings["w"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(settings["b"], dtype=torch.float64, requires_grad=True)
    z = w * x + b
    a = z if activation == "linear" else getattr(torch, activation)(z)
    a.retain_grad()
    loss = (a - settings["target"]) ** 2
    loss.backward()
    s = widget.state
    assert s["loss"] == pytest.approx(loss.item(), rel=1e-12) and s["a"] == pytest.approx(a.item(), rel=1e-12)
    assert s["dloss_da"] == pytest.approx(a.grad.item(), rel=1e-12)
    assert s["grad_w"] == pytest.approx(w.grad.item(), rel=1e-12, abs=1e-300)
    assert s["grad_b"] == pytest.approx(b.grad.item(), rel=1e-12, abs=1e-300)
    widget.step()
    assert widget.w == pytest.approx(settings["w"] - 0.3 * w.grad.item(), rel=1e-12)
    assert widget.b == pytest.approx(settings["b"] - 0.3 * b.grad.item(), rel=1e-12)


def test_the_sliders_widen_to_hold_a_value_beyond_them():
    widget = PlaygroundWidget(NeuronPlayground(lr=0.5))
    assert widget.state["ranges"] == {
        "w": [-4.0, 4.0],
        "b": [-4.0, 4.0],
        "x": [-3.0, 3.0],
        "target": [-2.0, 2.0],
        "lr": [0.01, 2.0],
    }
    widget.w = 5.5
    widget.b = -4.5
    assert widget.state["ranges"]["w"] == [-4.0, 6] and widget.state["ranges"]["b"] == [-5, 4.0]
    assert widget.state["curve"]["points"][-1][0] == 6.0  # the loss curve spans the w slider
    widget.w = 0.0  # a slider never narrows again
    assert widget.state["ranges"]["w"] == [-4.0, 6]


def test_refused_settings_raise_the_playgrounds_error_and_change_nothing():
    pg = NeuronPlayground()
    widget = PlaygroundWidget(pg)
    before = widget.state
    with pytest.raises(ValueError, match="NeuronPlayground: lr must be > 0"):
        widget.lr = 0.0
    with pytest.raises(ValueError, match="activation must be one of"):
        widget.activation = "softmax"
    with pytest.raises(ValueError, match="NeuronPlayground: w must be finite"):
        widget.w = math.nan
    with pytest.raises(ValueError, match=r"PlaygroundWidget\.step: count must be a positive int"):
        widget.step(0)
    with pytest.raises(TypeError, match="playground must be a NeuronPlayground or PlaygroundNeuron, got str"):
        PlaygroundWidget("sigmoid")
    assert (widget.lr, widget.activation, widget.w) == (0.5, "sigmoid", 0.5)
    assert widget.state == before and pg.history == [pg.loss] and pg.moves == []


def test_show_returns_the_anywidget_and_its_files_ship_in_the_package():
    widget = NeuronPlayground().widget()
    assert isinstance(widget, anywidget.AnyWidget)
    package = Path(sys.modules["chainrule"].__file__).parent
    for key, name in (("_esm", "playground_view.js"), ("_css", "playground.css")):
        text = getattr(widget, key)  # what anywidget sends: the package file's text
        assert text == (package / "viz" / "pages" / "assets" / name).read_text(encoding="utf-8")
        assert re.search(r"https?:|\bimport\b\s*[\"'(]|//[a-z]|@import", text, re.IGNORECASE) is None  # fetches nothing
    assert len(re.findall(r'id="sigmoid-v\d+"', widget.drawings)) == len(topological_order(widget.playground.graph()))
    # One front end: the offline page draws with the widget's very module and styles.
    page = widget.playground.page().html
    assert widget._esm in page and widget._css in page


def test_show_without_anywidget_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)  # makes `import anywidget` fail
    monkeypatch.delitem(sys.modules, "chainrule.viz.playground.widget")
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[notebooks\]'"):
        NeuronPlayground().show()


# -- the front end in headless Chromium, with no kernel ------------------------------------

# A stub of anywidget's model object: get, set, save_changes, on and off, as the front end
# uses them. Each save_changes is recorded as one message; feed() sets the state as the
# kernel would and fires change:state.
HARNESS = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>$css</style></head>
<body><div id="one"></div><div id="two"></div>
<script type="application/json" id="esm">$esm</script>
<script type="module">
function stub(values) {
  const handlers = {}, pending = {};
  const model = {
    get: (key) => values[key],
    set: (key, value) => { values[key] = value; pending[key] = value; },
    save_changes: () => { window.sent.push(Object.assign({}, pending)); for (const k in pending) delete pending[k]; },
    on: (event, f) => { (handlers[event] = handlers[event] || []).push(f); },
    off: (event, f) => { handlers[event] = (handlers[event] || []).filter((g) => g !== f); },
    feed: (state) => { values.state = state; (handlers["change:state"] || []).forEach((f) => f()); },
  };
  return model;
}
window.sent = [];
const source = JSON.parse(document.getElementById("esm").textContent);
const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
const widget = (await import(url)).default;
window.models = {};
window.start = (id, values) => {
  window.models[id] = stub(values);
  widget.render({ model: window.models[id], el: document.getElementById(id) });
};
window.ready = true;
</script></body></html>
"""

# What a widget's root shows: the numbers' texts, the sliders, the drawing's boxes and arrows.
READ = """
const root = document.getElementById(arguments[0]);
const t = (part) => root.querySelector('[id$="-' + part + '"]').textContent;
const shown = root.querySelector('.drawing .neuron.shown');
const boxes = {}, edges = {};
for (const g of shown.querySelectorAll('g.node')) {
  const m = /-v(\\d+)$/.exec(g.id);
  if (!m) continue;
  const texts = g.querySelectorAll('text');
  boxes[m[1]] = [texts[texts.length - 3].textContent, texts[texts.length - 1].textContent];
}
for (const g of shown.querySelectorAll('g.edge')) {
  const m = /-e(\\d+)_(\\d+)$/.exec(g.id);
  if (m) edges[m[1] + '_' + m[2]] = g.querySelector('text').textContent;
}
const warning = root.querySelector('.warning');
return {
  shown: Object.fromEntries(['w', 'b', 'x', 'target', 'lr', 'z', 'a', 'L'].map((n) => [n, t('out-' + n)])),
  factors: [t('f-dL_da'), t('f-da_dz'), t('f-dz_dw'), t('f-grad_w')],
  chains: [t('chain-w'), t('chain-b')],
  warning: warning.hidden ? null : warning.textContent,
  activation: shown.dataset.activation,
  boxes, edges,
  sliders: Object.fromEntries(['w', 'b', 'x', 'target', 'lr'].map((n) => {
    const s = root.querySelector('input[id$="-' + n + '"]');
    return [n, [s.value, s.min, s.max]];
  })),
  history: t('history-text'),
};
"""


def model_values(widget: PlaygroundWidget) -> dict:
    """The synced traits as the front end's model holds them."""
    names = ("w", "b", "x", "target", "lr", "activation", "steps", "state", "drawings")
    return {name: getattr(widget, name) for name in names}


def test_the_front_end_shows_the_state_and_sends_the_controls_changes(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    first, second = NeuronPlayground(), NeuronPlayground(activation="tanh", w=-1.0, x=1.5)
    one, two = PlaygroundWidget(first), PlaygroundWidget(second)
    page = HARNESS.replace("$css", one._css).replace("$esm", json.dumps(one._esm).replace("</", "<\\/"))
    path = tmp_path / "harness.html"
    path.write_text(page, encoding="utf-8")

    def shown(id_: str) -> dict:
        got = browser.execute_script(READ, id_)
        return {k: got[k] for k in ("shown", "factors", "chains", "warning", "activation", "boxes", "edges")}

    def feed(id_: str, widget: PlaygroundWidget) -> None:
        browser.execute_script("window.models[arguments[0]].feed(arguments[1])", id_, widget.state)

    def sent() -> list[dict]:
        return browser.execute_script("const s = window.sent; window.sent = []; return s;")

    def deliver(widget: PlaygroundWidget, messages: list[dict]) -> None:
        """What the kernel does with the front end's messages: set the traits they name."""
        for message in messages:
            for name, value in message.items():
                setattr(widget, name, value)

    with chromium(1250, 1400) as browser:
        browser.get(path.as_uri())
        WebDriverWait(browser, 10).until(lambda d: d.execute_script("return window.ready === true"))
        browser.execute_script(
            "window.start('one', arguments[0]); window.start('two', arguments[1]);",
            model_values(one),
            model_values(two),
        )
        # Two widgets on one page, each with its own numbers, drawn from the state it was fed.
        assert shown("one") == expected_view(first)
        assert shown("two") == expected_view(second)
        assert browser.execute_script(READ, "one")["sliders"]["w"] == ["0.5", "-4", "4"]

        # Moving a slider sends the trait it names; the kernel's new state comes back and is shown.
        root = browser.find_element(By.ID, "one")
        w_slider = root.find_element(By.CSS_SELECTOR, 'input[id$="-w"]')
        w_slider.send_keys(Keys.ARROW_RIGHT)
        messages = sent()
        assert messages == [{"w": 0.51}]
        deliver(one, messages)
        feed("one", one)
        assert first.w == 0.51 and shown("one") == expected_view(first)

        browser.execute_script(
            "const s = arguments[0]; s.value = '-2.5'; s.dispatchEvent(new Event('input', {bubbles: true}));",
            root.find_element(By.CSS_SELECTOR, 'input[id$="-x"]'),
        )
        Select(root.find_element(By.TAG_NAME, "select")).select_by_value("relu")
        messages = sent()
        assert messages == [{"x": -2.5}, {"activation": "relu"}]
        deliver(one, messages)
        feed("one", one)
        assert (first.x, first.activation) == (-2.5, "relu") and shown("one") == expected_view(first)
        assert shown("one")["warning"].startswith("Dead ReLU")  # z = 0.51·(-2.5) < 0

        # The buttons add to `steps`: 1 for "descent step", 10 for "10 steps".
        browser.execute_script(
            "const s = arguments[0]; s.value = '1.5'; s.dispatchEvent(new Event('input', {bubbles: true}));",
            root.find_element(By.CSS_SELECTOR, 'input[id$="-x"]'),
        )
        deliver(one, sent())
        root.find_element(By.CSS_SELECTOR, 'button[id$="-step"]').click()
        assert sent() == [{"steps": 1}]
        root.find_element(By.CSS_SELECTOR, 'button[id$="-step10"]').click()
        messages = sent()
        assert messages == [{"steps": 11}]
        check = NeuronPlayground(x=1.5, w=0.51, activation="relu")
        losses = [check.loss, *(check.step() for _ in range(11))]
        deliver(one, [{"steps": 1}, *messages])
        feed("one", one)
        assert (first.w, first.b) == (check.w, check.b) and first.history[-12:] == losses
        assert shown("one") == expected_view(first) and shown("two") == expected_view(second)
        text = browser.execute_script(READ, "one")["history"]
        assert text.startswith("11 descent steps, 1 move ")  # the drag of x and the menu: one move

        # A descent step past the slider's end widens it, as the kernel's state says.
        one.x, one.b, one.target, one.w = 1.0, -3.0, 2.0, 3.9  # z = 0.9: a = 0.9, below the target 2
        one.step()  # w <- 3.9 - 0.5·2(0.9 - 2)·1 = 5
        feed("one", one)
        value, _, high = browser.execute_script(READ, "one")["sliders"]["w"]
        assert float(high) == math.ceil(first.w) > 4 and float(value) == pytest.approx(first.w, abs=0.006)

        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        (tmp_path / "widget.png").write_bytes(browser.get_screenshot_as_png())
