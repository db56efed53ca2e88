"""The kernel-free playground page: read back from its text, then driven in headless Chromium.

Every number the page shows is compared with the Python engine's, written by
`format_number` (the digits the page shows): a `NeuronPlayground` built from the
slider values the page reports, its graph's nodes and local derivatives, `explain`.
"""

from __future__ import annotations

import itertools
import json
import random
import re

import pytest

from chainrule.engine import topological_order
from chainrule.notation import node_names
from chainrule.viz import NeuronPlayground, PlaygroundPage, save_playground
from chainrule.viz.playground import PLAYGROUND_ACTIVATIONS
from tests.browser import chromium, distinct_colours, near
from tests.playground_view import expected_view


def data_of(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.DOTALL)
    assert match, "no data in the page"
    return json.loads(match.group(1))


# -- the page's text -------------------------------------------------------------------


def test_the_page_is_one_offline_file_with_a_drawing_per_activation(tmp_path):
    path = save_playground(tmp_path / "playground.html", w=1.5, activation="tanh")
    page = path.read_text(encoding="utf-8")
    assert re.search(r"https?:|//[a-z]", page, re.IGNORECASE) is None  # names no web address
    assert "<link" not in page and "src=" not in page  # loads nothing
    data = data_of(page)
    assert data["settings"] == {"x": 2.0, "target": 1.0, "w": 1.5, "b": 0.0, "activation": "tanh", "lr": 0.5}
    for f in PLAYGROUND_ACTIVATIONS:
        # The structure the script evaluates is the engine's graph, node for node.
        root = NeuronPlayground(activation=f).graph()
        nodes = topological_order(root)
        assert [(n["op"], n["name"]) for n in data["graphs"][f]["nodes"]] == [
            (v.op, node_names(root)[v]) for v in nodes
        ]
        # Its drawing has draw_graph's ids, one box per node, under the activation's prefix.
        assert len(re.findall(rf'id="{f}-v\d+"', page)) == len(nodes)
    assert len(data["graphs"]["linear"]["nodes"]) == len(data["graphs"]["relu"]["nodes"]) - 1  # no node for a


def test_bad_settings_are_named():
    with pytest.raises(TypeError, match="save_playground: unknown setting 'weight'"):
        PlaygroundPage(weight=1.0)
    with pytest.raises(ValueError, match="activation must be one of"):
        PlaygroundPage(activation="softmax")
    with pytest.raises(ValueError, match="lr must be > 0"):
        PlaygroundPage(lr=-1.0)
    with pytest.raises(TypeError, match="path must be a str or a path"):
        PlaygroundPage().save(3)


def test_in_jupyter_the_page_shows_in_a_sandboxed_iframe():
    shown = PlaygroundPage()._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in shown


def test_a_playground_gives_its_page_at_its_settings():
    pg = NeuronPlayground(x=-1.0, target=0.5, w=2.0, b=0.25, activation="relu", lr=0.1)
    pg.step()
    settings = data_of(pg.page().html)["settings"]
    assert settings == {"x": -1.0, "target": 0.5, "w": pg.w, "b": pg.b, "activation": "relu", "lr": 0.1}


# -- in a browser ----------------------------------------------------------------------

READ = """
const t = (id) => document.getElementById(id).textContent;
const shown = document.querySelector('#drawing .neuron.shown');
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
const warning = document.getElementById('warning');
return {
  sliders: Object.fromEntries(['w', 'b', 'x', 'target', 'lr'].map((n) => [n, document.getElementById(n).value])),
  shown: Object.fromEntries(['w', 'b', 'x', 'target', 'lr', 'z', 'a', 'L'].map((n) => [n, t('out-' + n)])),
  factors: [t('f-dL_da'), t('f-da_dz'), t('f-dz_dw'), t('f-grad_w')],
  chains: [t('chain-w'), t('chain-b')],
  warning: warning.hidden ? null : warning.textContent,
  history: t('history-text'),
  activation: shown.dataset.activation,
  boxes, edges,
};
"""

SET = """
for (const [name, value] of Object.entries(arguments[0])) {
  const s = document.getElementById(name);
  s.value = value;
  s.dispatchEvent(new Event('input', {bubbles: true}));
}
"""


def view(browser) -> dict:
    got = browser.execute_script(READ)
    return {k: got[k] for k in ("shown", "factors", "chains", "warning", "activation", "boxes", "edges")}


def engine_at(browser, activation: str, lr: float | None = None) -> NeuronPlayground:
    """A NeuronPlayground at the slider values the page reports."""
    s = browser.execute_script(READ)["sliders"]
    return NeuronPlayground(
        x=float(s["x"]),
        target=float(s["target"]),
        w=float(s["w"]),
        b=float(s["b"]),
        activation=activation,
        lr=float(s["lr"]) if lr is None else lr,
    )


def positions() -> list[dict[str, str]]:
    """Slider positions: the seed's, a dead ReLU, a saturated tail, the slider ends, and random ones."""
    fixed = [
        {"w": "0.5", "b": "0", "x": "2", "target": "1"},
        {"w": "-1", "b": "0.5", "x": "2", "target": "1"},  # z = -1.5: a dead ReLU
        {"w": "-3", "b": "-1", "x": "2", "target": "1"},  # far into the tails, far from the target
        {"w": "2", "b": "0", "x": "2", "target": "1"},  # near the target, the factor small
        {"w": "4", "b": "-4", "x": "-3", "target": "-2"},
        {"w": "1.25", "b": "0", "x": "1.25", "target": "0"},  # z = 1.5625: a tie in the 5th digit
    ]
    rng = random.Random(15)
    fixed += [
        {
            name: f"{rng.randint(-lim * 100, lim * 100) / 100:g}"
            for name, lim in (("w", 4), ("b", 4), ("x", 3), ("target", 2))
        }
        for _ in range(8)
    ]
    return fixed


def test_the_page_matches_the_engine_and_descends_in_chromium(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    path = save_playground(tmp_path / "playground.html")
    with chromium(1250, 1400) as browser:
        browser.get(path.as_uri())
        assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
        assert view(browser) == expected_view(NeuronPlayground())
        menu = Select(browser.find_element(By.ID, "activation"))

        # Many slider positions, each activation: every number equals the engine's.
        for activation in PLAYGROUND_ACTIVATIONS:
            menu.select_by_value(activation)
            for position in positions():
                browser.execute_script(SET, position)
                assert view(browser) == expected_view(engine_at(browser, activation)), (activation, position)

        # The warnings: a dead ReLU has its own; a saturated sigmoid far from the target warns;
        # a converging tanh (a small loss) does not.
        menu.select_by_value("relu")
        browser.execute_script(SET, {"w": "-1", "b": "0.5", "x": "2", "target": "1"})
        assert view(browser)["warning"].startswith("Dead ReLU")
        menu.select_by_value("sigmoid")
        browser.execute_script(SET, {"w": "-3", "b": "0"})
        assert "vanishing gradients begin" in view(browser)["warning"]
        menu.select_by_value("tanh")
        browser.execute_script(SET, {"w": "0.9", "b": "0.1"})
        pg = engine_at(browser, "tanh")
        assert pg.loss < 0.01 and pg.da_dz < pg.small_factor and view(browser)["warning"] is None

        # Descent steps: the page moves w and b as the engine does, and the loss falls.
        menu.select_by_value("sigmoid")
        browser.execute_script(SET, {"w": "-0.5", "b": "0", "x": "1.5", "target": "0.8", "lr": "0.8"})
        pg = engine_at(browser, "sigmoid")
        before = pg.loss
        browser.find_element(By.ID, "step").click()
        pg.step()
        assert view(browser) == expected_view(pg) and pg.loss < before
        browser.find_element(By.ID, "step10").click()
        losses = pg.history[-1:]
        for _ in range(10):
            losses.append(pg.step())
        assert view(browser) == expected_view(pg)
        assert all(b < a for a, b in itertools.pairwise(losses))

        # A slider moved by the keyboard is a move, marked in the history, which goes on.
        def counts() -> tuple[int, int, int]:
            text = browser.execute_script(READ)["history"]
            steps, moves = re.match(r"(\d+) descent steps?, (\d+) moves? ", text).groups()
            return int(steps), int(moves), len(re.findall(r"→", text))

        steps, moves, _ = counts()
        assert steps == 11
        w_slider = browser.find_element(By.ID, "w")
        w_slider.send_keys(Keys.ARROW_RIGHT)
        assert counts()[:2] == (11, moves + 1)
        pg.w = float(w_slider.get_attribute("value"))  # b stays where the steps left it
        assert pg.w == pytest.approx(float(view(browser)["shown"]["w"]), abs=0.006)
        assert view(browser) == expected_view(pg)
        browser.find_element(By.ID, "step").click()
        assert counts()[:2] == (12, moves + 1)

        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        shot = browser.get_screenshot_as_png()
        (tmp_path / "playground.png").write_bytes(shot)
    distinct, counts = distinct_colours(shot)
    assert distinct > 100  # text, a drawing and two plots, not a blank page
    assert near(counts, (225, 29, 72)) > 100  # the product card, the tangent and its point
    assert near(counts, (37, 99, 235)) > 100  # the loss curve
