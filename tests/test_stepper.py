"""The stepper page: its frames read back from the page itself, then driven in headless Chromium.

Expected numbers are worked by hand for the seed example (x=2, w=3, b=1, y=5,
z = w*x + b, a = relu(z), L = (a - y)**2: L = 4, grad(a) = 4, grad(w) = 8, grad(b) = 4),
or come from `backward()` and `backward_steps`, never from the stepper's own code.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings

from chainrule import Value
from chainrule.engine import topological_order
from chainrule.notation import format_number
from chainrule.viz import Stepper, backward_steps, save_stepper
from chainrule.viz.stepper import MAX_NODES
from tests import reference
from tests.browser import chromium
from tests.reference import CHAINRULE_OPS, build, inputs, steps


def seed_example() -> tuple[Value, dict[str, Value]]:
    nodes = reference.seed_example()
    return nodes["L"], nodes


# -- reading the page back -----------------------------------------------------------


def frames_of(page: str) -> list[dict[str, Any]]:
    """The frames embedded in the page, as its script reads them."""
    match = re.search(r'<script type="application/json" id="frames">(.*?)</script>', page, re.DOTALL)
    assert match, "no frames in the page"
    frames: list[dict[str, Any]] = json.loads(match.group(1))
    return frames


def replay(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each frame shows in full: every box's data and grad texts, the marked node, the words."""
    data: dict[str, str] = {}
    grad: dict[str, str] = {}
    states = []
    for f in frames:
        data |= f["data"]
        grad |= f["grad"]
        states.append({"data": dict(data), "grad": dict(grad), "node": f["node"], "lines": f["lines"]})
    return states


def drawing_of(page: str) -> ET.Element:
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    # HTML knows the xlink prefix of the tooltips; an XML parser must be told.
    return ET.fromstring(svg.replace("<svg", '<svg xmlns:xlink="urn:xlink"', 1))


def node_index(page: str, label: str) -> str:
    """The drawing's index (v<i>) of the box whose name row is `label`."""
    for g in drawing_of(page).iter("g"):
        texts = [t.text for t in g.iter("text")]
        if g.get("class") == "node" and g.get("id", "").startswith("v") and texts[0] == label:
            return g.get("id", "")[1:]
    raise AssertionError(f"no box named {label!r}")


# -- the frames ----------------------------------------------------------------------


def test_seed_example_frames_say_the_worked_numbers():
    L, _ = seed_example()
    page = Stepper(L).html
    frames = frames_of(page)
    operations = [v for v in topological_order(L) if not v.is_leaf]
    # A start frame, one per operation forward, one per backward step, and the sum-up.
    assert len(frames) == 1 + len(operations) + len(list(backward_steps(L))) + 1
    assert [f["phase"] for f in frames] == ["start"] + ["forward"] * 5 + ["backward"] * 5 + ["done"]
    lines = [f["lines"] for f in frames]
    assert lines[0] == ["x = 2, w = 3, b = 1, y = 5"]
    assert lines[1:6] == [
        ["mul₁ = w · x = 3 · 2 = 6"],
        ["z = mul₁ + b = 6 + 1 = 7"],
        ["a = relu(z) = relu(7) = 7"],
        ["sub₁ = a - y = 7 - 5 = 2"],
        ["L = sub₁² = 2² = 4"],
    ]
    assert lines[6] == ["grad(L) = 1   (dL/dL: backward starts here)", "grad(sub₁) += grad(L) · dL/dsub₁ = 1 · 4 = 4"]
    assert lines[7] == [
        "grad(a) += grad(sub₁) · dsub₁/da = 4 · 1 = 4",
        "grad(y) += grad(sub₁) · dsub₁/dy = 4 · (-1) = -4",
    ]
    assert lines[8] == ["grad(z) += grad(a) · da/dz = 4 · 1 = 4"]
    assert lines[9] == ["grad(mul₁) += grad(z) · dz/dmul₁ = 4 · 1 = 4", "grad(b) += grad(z) · dz/db = 4 · 1 = 4"]
    assert lines[10] == [
        "grad(w) += grad(mul₁) · dmul₁/dw = 4 · 2 = 8",
        "grad(x) += grad(mul₁) · dmul₁/dx = 4 · 3 = 12",
    ]
    # The last frame sums up each leaf's gradient (the seed's dL/dw = 8, dL/db = 4).
    assert lines[11] == ["grad(x) = 12", "grad(w) = 8", "grad(b) = 4", "grad(y) = -4"]
    # The forward frames reveal the values one node at a time; the drawing ends with every grad.
    end = replay(frames)[-1]
    shown = {label: (end["data"][node_index(page, label)], end["grad"][node_index(page, label)]) for label in "xwbyzaL"}
    assert shown == {
        "x": ("2", "12"),
        "w": ("3", "8"),
        "b": ("1", "4"),
        "y": ("5", "-4"),
        "z": ("7", "4"),
        "a": ("7", "4"),
        "L": ("4", "1"),
    }


def test_accumulation_shows_the_running_total():
    x = Value(3.0, "x")
    y = x * x + x  # dy/dx = 2x + 1 = 7: 1 from the sum, then 3 and 3 from the product
    frames = frames_of(Stepper(y).html)
    assert frames[-1]["lines"] == ["grad(x) = 1 + 3 + 3 = 7"]  # every path's share, summed
    assert frames[-2]["lines"] == [
        "grad(x) += grad(mul₁) · dmul₁/dx = 1 · 3 = 3, so grad(x) = 1 + 3 = 4",
        "grad(x) += grad(mul₁) · dmul₁/dx = 1 · 3 = 3, so grad(x) = 4 + 3 = 7",
    ]
    assert "add up (+=)" in frames[-2]["caption"]


def test_the_start_frame_notes_when_backward_has_not_run():
    x = Value(3.0, "x")
    y = x * x + x
    note = "backward() has not run on it"
    assert note in frames_of(Stepper(y).html)[0]["caption"]  # every grad is still 0
    y.backward()
    assert note not in frames_of(Stepper(y).html)[0]["caption"]


def test_the_page_shows_a_fresh_backward_and_leaves_the_graph_alone():
    L, v = seed_example()
    L.backward()
    L.backward()  # leaf grads accumulate: w.grad is now 16
    page = Stepper(L).html
    assert v["w"].grad == 16.0 and v["z"].grad == 4.0
    assert replay(frames_of(page))[-1]["grad"][node_index(page, "w")] == "8"


def check_frames_against_backward(root: Value) -> None:
    """The page's frames agree with backward_steps' numbers and end with backward's grads."""
    page = Stepper(root).html
    frames = frames_of(page)
    operations = [v for v in topological_order(root) if not v.is_leaf]
    replayed = list(backward_steps(root))
    assert len(frames) == 1 + len(operations) + len(replayed) + 1
    for frame, step in zip(frames[1 + len(operations) :], replayed):
        contributions = frame["lines"][1:] if step.node is root else frame["lines"]
        assert len(contributions) == len(step.contributions)
        for line, c in zip(contributions, step.contributions):
            parts = line.split(" = ")
            factors = [s.strip("()") for s in parts[1].split(" · ")]
            assert factors == [format_number(step.grad), format_number(c.local_grad)]
            assert parts[2].split(",")[0] == format_number(c.amount)
            if c.accumulates:
                assert parts[3].split(" + ")[0] == format_number(c.grad_before)
                assert parts[4] == format_number(c.grad_after)
            else:
                assert len(parts) == 3
    states = replay(frames)
    for a, b in pairwise(states):
        assert a != b, "a frame repeats the one before it"
    root.backward()
    index = {v: str(i) for i, v in enumerate(topological_order(root))}
    assert states[-1]["grad"] == {index[v]: format_number(v.grad) for v in index}
    assert states[-1]["data"] == {index[v]: format_number(v.data) for v in index}
    # The sum-up ends each leaf's line with the grad backward() gave it.
    leaves = [v for v in index if v.is_leaf and not v.is_constant]
    assert [line.rsplit(" = ", 1)[1] for line in frames[-1]["lines"]] == [format_number(v.grad) for v in leaves]


def test_seed_and_shared_nodes_frames_agree_with_backward():
    check_frames_against_backward(seed_example()[0])
    p = Value(3.0, "p")
    check_frames_against_backward(p * p)
    x = Value(-2.0, "x")
    check_frames_against_backward((x * 2 - 1).tanh().exp() / 3 + (-x).abs().sqrt() ** x)


@settings(max_examples=15)
@given(program=steps, point=inputs)
def test_random_graphs_frames_agree_with_backward(program, point):
    out = build(program, [])(CHAINRULE_OPS, *[Value(p) for p in point])
    assume(math.isfinite(out.data))
    check_frames_against_backward(out)


# -- the page ------------------------------------------------------------------------


def test_the_page_is_self_contained_and_offline():
    L, _ = seed_example()
    page = Stepper(L).html
    assert page.startswith("<!DOCTYPE html>")
    assert re.search(r"https?:|//[a-z]", page, re.IGNORECASE) is None
    assert re.search(r"\b(src|href)\s*=", page, re.IGNORECASE) is None
    assert page.count("<svg") == 1 and "<style>" in page and "<script>" in page
    assert len(page.encode()) < 100_000


def test_the_drawing_has_the_parts_the_script_changes():
    L, _ = seed_example()
    page = Stepper(L).html
    svg = drawing_of(page)
    groups = {g.get("id"): g for g in svg.iter("g")}
    nodes = topological_order(L)
    for i, v in enumerate(nodes):
        texts = [t.text for t in groups[f"v{i}"].iter("text")]
        # Each box ends with its data and grad rows, whose values the script replaces.
        assert texts[-4] == "data" and texts[-2] == "grad"
        if not v.is_leaf:
            assert f"op{i}" in groups and f"r{i}" in groups
            assert all(f"e{i}_{k}" in groups for k in range(len(v.parents)))
    # Graphviz laid the boxes out around the widest text each will show: x's grad ends as 12.
    x_box = groups[f"v{node_index(page, 'x')}"]
    assert [t.text for t in x_box.iter("text")][-1] == "12"
    # Tooltips name the node but give away no number before its frame.
    tooltips = [a.get("{urn:xlink}title", "") for a in svg.iter("a")]
    assert "x: input" in tooltips and not any("=" in t for t in tooltips)


def test_labels_cannot_break_the_page():
    x = Value(1.0, "</script><b>&")
    page = Stepper((x * 2).relu()).html
    assert "</script><b>" not in page.replace("</script>\n</body>", "")
    assert frames_of(page)[0]["lines"] == ["</script><b>& = 1"]


def test_save_stepper_writes_the_page(tmp_path):
    L, _ = seed_example()
    path = save_stepper(L, tmp_path / "neuron.html")
    assert path == tmp_path / "neuron.html"
    assert path.read_text(encoding="utf-8") == Stepper(L).html
    assert Stepper(L).save(str(tmp_path / "again.html")).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_in_jupyter_each_stepper_is_an_isolated_iframe():
    L, _ = seed_example()
    stepper = Stepper(L)
    shown = stepper._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts" [^>]*></iframe>', shown)
    assert match, shown[:200]
    assert html.unescape(match.group(1)) == stepper.html
    formatters = pytest.importorskip("IPython.core.formatters")
    assert formatters.HTMLFormatter()(stepper) == shown


def test_a_leaf_has_one_frame_and_bad_input_is_named():
    frames = frames_of(Stepper(Value(2.0, "lone")).html)
    assert len(frames) == 1 and frames[0]["lines"] == ["lone = 2"]
    with pytest.raises(TypeError, match="Stepper: root must be a Value, got float"):
        Stepper(1.0)  # type: ignore[arg-type]


def test_graphs_too_big_to_step_through_are_refused_with_advice():
    x = Value(0.5, "x")
    y = x
    for _ in range(MAX_NODES - 1):
        y = y.tanh()
    assert len(topological_order(y)) == MAX_NODES
    Stepper(y)  # the largest allowed
    y = y.tanh()
    with pytest.raises(ValueError, match=rf"{MAX_NODES + 1} nodes, more than the {MAX_NODES}.*draw_dot"):
        Stepper(y)


def test_the_stepper_takes_draw_dots_options(tmp_path):
    L, v = seed_example()
    default = drawing_of(Stepper(L).html)
    page = Stepper(L, rankdir="TB", highlight=v["w"], show_local=False).html
    svg = drawing_of(page)

    def at(drawing: ET.Element, label: str) -> tuple[float, float]:
        box = next(g for g in drawing.iter("g") if g.get("id") == f"v{node_index(page, label)}")
        text = next(box.iter("text"))
        return float(text.get("x")), float(text.get("y"))

    # Left to right by default; top to bottom asked for (in SVG, y grows downwards).
    assert at(default, "L")[0] > at(default, "x")[0] and at(svg, "L")[1] > at(svg, "x")[1]
    edge_texts = [t.text for g in svg.iter("g") if g.get("class") == "edge" for t in g.iter("text")]
    assert edge_texts == []  # show_local=False: no local derivatives on the arrows
    assert "every path from w to the output" in "".join(t.text or "" for t in svg.iter("text"))
    with pytest.raises(ValueError, match="Stepper: rankdir must be one of"):
        Stepper(L, rankdir="up")
    with pytest.raises(ValueError, match=r"highlight .* is not in the graph"):
        Stepper(L, highlight=Value(1.0))
    path = save_stepper(L, tmp_path / "tb.html", rankdir="TB", highlight=v["w"], show_local=False)
    assert path.read_text(encoding="utf-8") == page


def test_group_boxes_the_modules_in_the_stepper():
    from chainrule.nn import MLP

    model = MLP(2, [2, 1], seed=0)
    page = Stepper(model([Value(0.5, "x0"), Value(1.0, "x1")])[0], group=True).html
    titles = [t.text for g in drawing_of(page).iter("g") if g.get("class") == "cluster" for t in g.iter("text")]
    assert "layers[0].neurons[1] (Neuron)" in titles


def test_max_nodes_lets_a_bigger_graph_through():
    x = Value(0.5, "x")
    y = x
    for _ in range(MAX_NODES + 10):
        y = y.tanh()
    with pytest.raises(ValueError, match="pass max_nodes=None"):
        Stepper(y)
    assert len(frames_of(Stepper(y, max_nodes=None).html)) == 1 + 2 * (MAX_NODES + 10) + 1
    with pytest.raises(ValueError, match=r"more than the 20 a stepper shows"):
        Stepper(y, max_nodes=20)


# -- in a real browser ---------------------------------------------------------------

RED, BLUE = (220, 38, 38), (37, 99, 235)  # the page's backward and forward colours


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def colours(png: bytes) -> tuple[int, int, int]:
    """(distinct colours, pixels near the page's red, pixels near its blue) in a screenshot."""
    image = pytest.importorskip("PIL.Image").open(io.BytesIO(png)).convert("RGB")
    counts = image.getcolors(image.width * image.height)

    def near(target: tuple[int, int, int]) -> int:
        return sum(n for n, c in counts if sum(abs(a - b) for a, b in zip(c, target)) < 60)

    return len(counts), near(RED), near(BLUE)


def test_the_page_steps_in_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    L, _ = seed_example()
    page = save_stepper(L, tmp_path / "neuron.html")
    browser.get(page.as_uri())

    def text(element_id: str) -> str:
        return browser.find_element(By.ID, element_id).text

    def equation() -> list[str]:
        return text("equation").split("\n")

    def drawn(label: str) -> list[str]:
        """The data and grad texts drawn in the box named `label`."""
        return browser.execute_script(
            """const g = [...document.querySelectorAll('#drawing g.node')]
                 .find(g => g.querySelector('text').textContent === arguments[0]);
               const t = g.querySelectorAll('text');
               return [t[t.length - 3].textContent, t[t.length - 1].textContent];""",
            label,
        )

    def drawing() -> str:
        return browser.find_element(By.ID, "drawing").get_attribute("innerHTML")

    assert text("counter") == "step 1 of 12"
    assert equation() == ["x = 2, w = 3, b = 1, y = 5"]
    assert drawn("w") == ["3", ""] and drawn("z") == ["?", ""] and drawn("L") == ["?", ""]
    # Nothing was fetched: the page is all there is.
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    # Next, clicked: the forward pass, one value at a time.
    expected = [
        ("mul₁ = w · x = 3 · 2 = 6", "mul₁", "6"),
        ("z = mul₁ + b = 6 + 1 = 7", "z", "7"),
        ("a = relu(z) = relu(7) = 7", "a", "7"),
    ]
    for k, (expected_equation, label, value) in enumerate(expected, start=2):
        before = drawing()
        browser.find_element(By.ID, "next").click()
        assert text("counter") == f"step {k} of 12"
        assert equation() == [expected_equation]
        assert drawn(label) == [value, ""]
        assert drawing() != before
    assert text("phase") == "forward pass"
    assert drawn("L") == ["?", ""]
    forward_shot = browser.find_element(By.ID, "drawing").screenshot_as_png

    # The arrow key: on to the output, then backward.
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert equation() == ["L = sub₁² = 2² = 4"]
    assert drawn("L") == ["4", ""]
    body.send_keys(Keys.ARROW_RIGHT)
    assert text("phase") == "backward pass"
    assert equation() == ["grad(L) = 1   (dL/dL: backward starts here)", "grad(sub₁) += grad(L) · dL/dsub₁ = 1 · 4 = 4"]
    body.send_keys(Keys.ARROW_RIGHT)
    assert drawn("a") == ["7", "4"]
    before = drawing()
    body.send_keys(Keys.ARROW_RIGHT)
    assert text("counter") == "step 9 of 12"
    assert equation() == ["grad(z) += grad(a) · da/dz = 4 · 1 = 4"]
    assert drawn("z") == ["7", "4"] and drawn("w") == ["3", ""]
    assert drawing() != before
    backward_shot = browser.get_screenshot_as_png()
    (tmp_path / "backward.png").write_bytes(backward_shot)

    # Back with Prev and the left arrow, to the end with End.
    browser.find_element(By.ID, "prev").click()
    body.send_keys(Keys.ARROW_LEFT)
    assert text("counter") == "step 7 of 12" and drawn("z") == ["7", ""]
    body.send_keys(Keys.END)
    assert text("phase") == "done"
    assert equation() == ["grad(x) = 12", "grad(w) = 8", "grad(b) = 4", "grad(y) = -4"]
    body.send_keys(Keys.ARROW_LEFT)
    assert equation() == [
        "grad(w) += grad(mul₁) · dmul₁/dw = 4 · 2 = 8",
        "grad(x) += grad(mul₁) · dmul₁/dx = 4 · 3 = 12",
    ]
    assert [drawn(v) for v in "wbxL"] == [["3", "8"], ["1", "4"], ["2", "12"], ["4", "1"]]
    body.send_keys(Keys.END)
    assert not browser.find_element(By.ID, "next").is_enabled()

    # Play from the start steps on by itself, and pauses.
    body.send_keys(Keys.HOME)
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 10).until(lambda b: text("counter") == "step 2 of 12")
    assert text("play").endswith("Pause")
    browser.find_element(By.ID, "play").click()
    assert text("play").endswith("Play")
    settled = text("counter")
    time.sleep(1.5)
    assert text("counter") == settled

    # The speed control: at 4x, Play passes frame 4 long before 1x would (3.6 s).
    from selenium.webdriver.support.ui import Select

    body.send_keys(Keys.HOME)
    Select(browser.find_element(By.ID, "speed")).select_by_value("300")  # 4x
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 2.5, poll_frequency=0.05).until(lambda b: int(text("counter").split()[1]) >= 4)
    browser.find_element(By.ID, "play").click()

    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    # Not blank: a drawing in many colours, blue while forward, red while backward.
    distinct, red, blue = colours(backward_shot)
    assert distinct > 100 and red > 200
    distinct, red, blue = colours(forward_shot)
    assert blue > 200 and red < 20


def test_the_current_node_is_kept_in_view(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    x = Value(0.3, "x")
    y = x
    for _ in range(30):
        y = y.tanh() * 1.5
    page = save_stepper(y, tmp_path / "tall.html", rankdir="TB")  # a drawing far taller than the window
    browser.get(page.as_uri())
    body = browser.find_element(By.TAG_NAME, "body")

    def current_in_view() -> bool:
        return browser.execute_script(
            """const g = document.querySelector('#drawing g.node.cur[id^="v"]');  // its box
               const r = g.getBoundingClientRect();
               return r.top >= 0 && r.bottom <= window.innerHeight;"""
        )

    assert browser.execute_script("return document.body.scrollHeight") > 3 * browser.execute_script(
        "return window.innerHeight"
    )
    for _ in range(61):  # to the output, at the bottom of the drawing
        body.send_keys(Keys.ARROW_RIGHT)
    assert browser.execute_script("return window.scrollY") > 0 and current_in_view()
    for _ in range(59):  # backward, back up to the input (the last step, before the sum-up)
        body.send_keys(Keys.ARROW_RIGHT)
    assert current_in_view()


def test_the_readme_example_runs(tmp_path):
    # The README's "Stepping through forward and backward" example, run as written.
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Stepping through forward and backward", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=120)
    frames = frames_of((tmp_path / "neuron.html").read_text(encoding="utf-8"))
    assert "grad(z) += grad(a) · da/dz = 4 · 1 = 4" in frames[8]["lines"]


def test_every_page_saves_and_shows_itself_the_same_way(tmp_path):
    """Stepper, NetworkStepper and PlaygroundPage are all Pages: save and the inline iframe."""
    from chainrule.nn import MLP
    from chainrule.optim import SGD
    from chainrule.viz import NetworkStepper, PlaygroundPage

    L, _ = seed_example()
    model = MLP(2, [2, 1], seed=0)
    pages = [
        Stepper(L),
        NetworkStepper(
            model, [[0.5, -1.0]], [1.0], loss="mse_loss", optimizer=SGD(model.parameters(), lr=0.1), steps=1
        ),
        PlaygroundPage(),
    ]
    for i, page in enumerate(pages):
        path = page.save(tmp_path / f"page{i}.html")
        assert path.read_text(encoding="utf-8") == page.html
        frame = page._repr_html_()
        assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
        assert html.unescape(frame.split('srcdoc="', 1)[1].split('" sandbox', 1)[0]) == page.html
        with pytest.raises(TypeError, match=f"{type(page).__name__}.save: path must be a str or a path, got int"):
            page.save(3)  # type: ignore[arg-type]
