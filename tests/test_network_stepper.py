"""The network stepper: its page read back, then driven in headless Chromium as a user does.

The weights a step should give come from PyTorch (the same network and loss, its autograd
and `w - lr * grad`) or from plain floats, never from chainrule's own training code.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from chainrule.data import make_moons, make_spiral
from chainrule.nn import MLP, Neuron
from chainrule.notation import format_number
from chainrule.optim import SGD, Adam
from chainrule.viz import NetworkStepper, save_network_stepper
from chainrule.viz.pages import script_json
from tests.browser import chromium


def data_of(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.DOTALL)
    assert match, "no data in the page"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def small() -> tuple[MLP, list[list[float]], list[int]]:
    X, y = make_moons(12, noise=0.1, seed=3)
    return MLP(2, [4, 3, 1], seed=2), X, y


def torch_step(model: MLP, samples: list[list[float]], y: list[int], lr: float) -> dict[str, float]:
    """The parameters after one full-batch SGD step on the mean squared error, by torch."""
    grads = torch_grads(model, samples, y)
    return {name: value - lr * grad for name, (value, grad) in grads.items() if not name.startswith("δ")}


def torch_grads(model: MLP, samples: list[list[float]], y: list[int]) -> dict[str, tuple[float, float]]:
    """Each parameter's value and gradient of the mean squared error over the samples, by torch;
    and under "δ l k", dLoss/dz of neuron k of layer l for sample 0 (its value is z)."""
    torch = pytest.importorskip("torch")
    value = {
        name: torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for name, p in model.named_parameters()
    }
    total = torch.tensor(0.0, dtype=torch.float64)
    first: dict[str, Any] = {}
    for i, (x, target) in enumerate(zip(samples, y)):
        a = [torch.tensor(v, dtype=torch.float64) for v in x]
        for l, layer in enumerate(model.layers):
            zs = [
                sum(value[f"layers.{l}.neurons.{k}.w.{j}"] * a[j] for j in range(layer.nin))
                + value[f"layers.{l}.neurons.{k}.b"]
                for k in range(layer.nout)
            ]
            if i == 0:
                for k, z in enumerate(zs):
                    z.retain_grad()
                    first[f"δ {l} {k}"] = z
            a = zs if l == len(model.layers) - 1 else [torch.relu(z) for z in zs]
        total = total + (a[0] - target) ** 2
    (total / len(samples)).backward()
    out = {name: (float(t.detach()), float(t.grad)) for name, t in value.items()}
    return out | {name: (float(z.detach()), float(z.grad)) for name, z in first.items()}


def test_frames_follow_the_training_step_layer_by_layer():
    model, X, y = small()
    stepper = NetworkStepper(model, X, y, loss="mse_loss", optimizer=SGD(model.parameters(), lr=0.1), steps=2)
    data = data_of(stepper.html)
    phases = [(f["phase"], f["step"], f["layer"]) for f in data["frames"]]
    one = [("forward", 0, 0), ("forward", 0, 1), ("forward", 0, 2), ("loss", 0, 3)]
    one += [("backward", 0, 2), ("backward", 0, 1), ("backward", 0, 0), ("update", 0, 3)]
    assert phases == [("start", 0, -1), *one, *[(p, 1, l) for p, _, l in one]]
    assert [f["end"] for f in data["frames"] if f["end"]] == ["forward", "backward", "update"] * 2
    # The update names the largest changes with their values before and after.
    after = torch_step(MLP(2, [4, 3, 1], seed=2), X, y, 0.1)
    before = dict(MLP(2, [4, 3, 1], seed=2).named_parameters())
    for line in data["frames"][8]["lines"]:
        name, old, new = re.match(r"(\S+): (\S+) → (\S+)", line).groups()
        assert (old, new) == (format_number(before[name].data), format_number(after[name]))
    # The backward frame of the hidden layer writes one neuron's δ from the next layer's.
    lines = data["frames"][6]["lines"]
    assert re.match(r"layers\.1\.neurons\.\d: δ = dLoss/dz = relu′\(\S+\) · Σ w · δ\(next\) = ", lines[0])
    assert "dLoss/da · linear′" in data["frames"][5]["lines"][0]
    # Each backward frame ends with one weight's gradient, summed over the batch.
    grads = torch_grads(MLP(2, [4, 3, 1], seed=2), X, y)
    for frame in data["frames"][5:8]:
        # The δ written out is torch's dLoss/dz of that neuron for sample 0.
        l, k, delta = re.match(
            r"layers\.(\d)\.neurons\.(\d): δ = .* = (\S+)$", "\n".join(frame["lines"][:-1]), re.DOTALL
        ).groups()
        assert delta == format_number(grads[f"δ {l} {k}"][1]) and frame["focus"] == f"n{l}_{k}"
        name, grad = re.fullmatch(
            r"dLoss/d\((\S+)\) = Σ over the samples of δ · a\(prev\) = (\S+)", frame["lines"][-1]
        ).groups()
        assert grad == format_number(grads[name][1])


def test_the_model_passed_is_left_alone_and_a_copy_is_trained():
    model, X, y = small()
    state = model.state_dict()
    opt = SGD(model.parameters(), lr=0.1)
    stepper = NetworkStepper(model, X, y, loss="mse_loss", optimizer=opt, steps=1)
    assert model.state_dict() == state and all(p.grad == 0.0 for p in model.parameters())
    expected = torch_step(model, X, y, 0.1)
    assert stepper.model.state_dict() == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert NetworkStepper(model, X, y, loss="mse_loss", optimizer=opt, steps=1).html == stepper.html
    # Adam's state is copied with it: two pages from one optimizer are the same.
    adam = Adam(model.parameters(), lr=0.01)
    assert (
        NetworkStepper(model, X, y, loss="mse_loss", optimizer=adam).html
        == NetworkStepper(model, X, y, loss="mse_loss", optimizer=adam).html
    )


def test_bad_arguments_are_named():
    model, X, y = small()
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="unknown loss 'l2'"):
        NetworkStepper(model, X, y, loss="l2", optimizer=opt)
    with pytest.raises(ValueError, match="none of the model's parameters"):
        NetworkStepper(model, X, y, loss="mse_loss", optimizer=SGD(MLP(2, [1]).parameters(), lr=0.1))
    with pytest.raises(TypeError, match=r"optimizer must be a chainrule\.optim Optimizer"):
        NetworkStepper(model, X, y, loss="mse_loss", optimizer="sgd")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="12 samples and y 11 labels"):
        NetworkStepper(model, X, y[:-1], loss="mse_loss", optimizer=opt)
    with pytest.raises(ValueError, match="sample 0 must be a list of 2 numbers"):
        NetworkStepper(model, [[1.0]] * 12, y, loss="mse_loss", optimizer=opt)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        NetworkStepper(model, X, y, loss="mse_loss", optimizer=opt, steps=0)
    with pytest.raises(IndexError, match="sample 12 is out of range for 12 samples"):
        NetworkStepper(model, X, y, loss="mse_loss", optimizer=opt, sample=12)
    with pytest.raises(TypeError, match="sample must be an int"):
        NetworkStepper(model, X, y, loss="mse_loss", optimizer=opt, sample=1.0)  # type: ignore[arg-type]


def test_inputs_that_are_not_2_d_get_no_boundary_panel():
    X = [[0.1 * i, -0.2 * i, 0.3] for i in range(6)]
    model = MLP(3, [2, 2], activation="tanh", seed=0)
    data = data_of(
        NetworkStepper(
            model, X, [i % 2 for i in range(6)], loss="cross_entropy", optimizer=SGD(model.parameters(), lr=0.1)
        ).html
    )
    assert data["panel"] is None and len(data["frames"]) == 1 + 5 * 6
    assert "dLoss/da · linear′" in data["frames"][4]["lines"][0]


def test_a_moons_page_is_offline_and_under_3_mb(tmp_path):
    X, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    path = save_network_stepper(
        model, X, y, tmp_path / "moons.html", loss="hinge_loss", optimizer=SGD(model.parameters(), lr=0.05), steps=10
    )
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and len(page.encode()) < 3_000_000
    assert re.search(r"https?:|//[a-z]", page, re.IGNORECASE) is None
    assert re.search(r"\b(src|href)\s*=", page, re.IGNORECASE) is None
    data = data_of(page)
    assert len(data["frames"]) == 1 + 10 * 8 and len(data["boundaries"]) == 11
    assert len(set(data["boundaries"])) > 1  # the boundary moves as the model learns
    assert len(data["panel"]["points"]) == 100


def boundary_letters(model: Any, samples: list[list[float]], threshold: float) -> str:
    """The boundary as the page's docstring defines it, from the eager forward pass: 24 x 24
    cells over the data with a 10% margin, row by row from the top; per cell the class (the
    output above `threshold`, or the largest output) and its margin (distance to the threshold,
    or to the runner-up) in four levels cut at 0.25, 0.75 and 1.5: 'a'-'d' class 0, 'e'-'h' 1..."""
    xs, ys = [p[0] for p in samples], [p[1] for p in samples]
    x0, x1 = min(xs) - 0.1 * (max(xs) - min(xs)), max(xs) + 0.1 * (max(xs) - min(xs))
    y0, y1 = min(ys) - 0.1 * (max(ys) - min(ys)), max(ys) + 0.1 * (max(ys) - min(ys))
    letters = ""
    for r in range(24):
        for c in range(24):
            out = [v.data for v in model([x0 + (c + 0.5) * (x1 - x0) / 24, y1 - (r + 0.5) * (y1 - y0) / 24])]
            if len(out) == 1:
                cls, margin = int(out[0] > threshold), abs(out[0] - threshold)
            else:
                cls = out.index(max(out))
                margin = out[cls] - max(v for k, v in enumerate(out) if k != cls)
            level = sum(margin >= cut for cut in (0.25, 0.75, 1.5))
            letters += "abcdefghijklmnopqrstuvwx"[4 * cls + level]
    return letters


class Clipped(Neuron):
    """A neuron whose graph depends on its number: compile refuses it, eager runs it."""

    def forward(self, x: Any, input_data: Any = None) -> Any:
        out = super().forward(x)
        return out * 0.5 if out.data > 0.2 else out


@pytest.mark.parametrize("case", ["tanh", "clipped", "three classes"])
def test_each_boundary_is_the_eager_models_to_the_bit(case):
    X, y = make_moons(40, noise=0.2, seed=5)
    loss, threshold = "hinge_loss", 0.0
    model = MLP(2, [6, 1], activation="tanh", seed=7)
    if case == "clipped":
        model.layers[0].neurons[2] = Clipped(2, "tanh", random.Random(1))
    elif case == "three classes":
        X, y = make_spiral(15, 3, seed=2)
        model, loss = MLP(2, [8, 3], activation="relu", seed=4), "cross_entropy"
    before = boundary_letters(model, X, threshold)
    stepper = NetworkStepper(model, X, y, loss=loss, optimizer=SGD(model.parameters(), lr=0.5), steps=3)
    boundaries = data_of(stepper.html)["boundaries"]
    assert boundaries[0] == before and boundaries[-1] == boundary_letters(stepper.model, X, threshold)
    assert boundaries[-1] != before and len(set(before)) > 1  # it learned, and the plane is not one class


def diverged() -> NetworkStepper:
    """Four steps at lr = 1e300: step 1's loss is finite and its update takes the weights to
    about 1e300; step 2's loss overflows to inf and its update leaves inf and nan weights; the
    losses after it are nan."""
    model, X, y = small()
    return NetworkStepper(model, X, y, loss="mse_loss", optimizer=SGD(model.parameters(), lr=1e300), steps=4)


def test_a_diverged_run_still_makes_a_page_with_strict_json():
    stepper = diverged()
    match = re.search(r'<script type="application/json" id="data">(.*?)</script>', stepper.html, re.DOTALL)
    assert match

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the page's data: its JSON.parse would fail")

    data = json.loads(match.group(1), parse_constant=refuse)
    model, X, y = small()
    first = sum((model(x)[0].data - t) ** 2 for x, t in zip(X, y)) / len(X)  # the eager model, before any step
    assert data["losses"][0] == format_number(first) and data["losses"][1:] == ["inf", "nan", "nan"]
    assert data["curve"][0] == "20.0,20.0" and data["curve"][1:] == [None, None, None]  # step 1 at the top
    assert data["top"] == format_number(first)
    last = data["steps"][-1]["after"]
    assert "nan" in last["text"] and all(0.4 <= w <= 4.0 for w in last["width"])
    captions = [f["caption"] for f in data["frames"] if f["phase"] == "loss"]
    assert "diverged" not in captions[0] and all("not finite: the training diverged" in c for c in captions[1:])
    # The small model's output is nan over the whole plane by then: class 0 (nan > 0 is false), faint.
    assert data["boundaries"][-1] == "a" * 24 * 24 and len(set(data["boundaries"][0])) > 1


def test_a_page_refuses_data_that_is_not_finite():
    with pytest.raises(ValueError, match="page: its data holds a number that is not finite"):
        script_json({"width": [1.0, float("nan")]})
    assert script_json({"end": "</script>"}) == '{"end":"<\\/script>"}'


def test_in_jupyter_the_page_is_an_isolated_iframe():
    model, X, y = small()
    stepper = NetworkStepper(model, X, y, loss="mse_loss", optimizer=SGD(model.parameters(), lr=0.1), steps=1)
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts" [^>]*></iframe>', stepper._repr_html_())
    assert match and html.unescape(match.group(1)) == stepper.html


# -- in a real browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def test_the_page_trains_in_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    model, X, y = small()
    expected = torch_step(model, X, y, 0.1)
    page = save_network_stepper(
        model, X, y, tmp_path / "net.html", loss="mse_loss", optimizer=SGD(model.parameters(), lr=0.1), steps=3
    )
    browser.get(page.as_uri())

    def text(element_id: str) -> str:
        return browser.find_element(By.ID, element_id).text

    def cells(node: str) -> dict[str, str]:
        return browser.execute_script(
            """const t = [...document.getElementById(arguments[0]).querySelectorAll('text')];
               const out = {};
               for (let i = 1; i + 1 < t.length; i += 2) out[t[i].textContent] = t[i + 1].textContent;
               return out;""",
            node,
        )

    def weights() -> dict[str, str]:
        """Every parameter shown: each arrow's tooltip names its weight and value; each
        neuron's b row shows its bias."""
        tips = browser.execute_script(
            """return [...document.querySelectorAll('#drawing g.edge a')]
                 .map(a => a.getAttribute('xlink:title'));"""
        )
        shown = dict(tip.split("\n")[0].split(" = ") for tip in tips)
        for l, layer in enumerate(model.layers):
            shown |= {f"layers.{l}.neurons.{k}.b": cells(f"n{l}_{k}")["b"] for k in range(layer.nout)}
        return shown

    def boundary() -> list[str]:
        return browser.execute_script(
            "return [...document.querySelectorAll('#boundary rect')]"
            ".map(r => r.getAttribute('fill-opacity') + r.getAttribute('fill'))"
        )

    start = model.named_parameters()
    assert text("counter") == "frame 1 of 25"
    assert cells("n0_0")["z"] == "?" and cells("n0_0")["δ"] == ""
    assert weights() == {name: format_number(p.data) for name, p in start}
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    first_boundary = boundary()

    browser.find_element(By.ID, "forward").click()  # to the end of the forward pass
    assert text("counter") == "frame 4 of 25" and text("phase") == "forward pass"
    assert all(cells(f"n{l}_0")["z"] != "?" for l in range(3)) and cells("n2_0")["δ"] == ""
    browser.find_element(By.ID, "backward").click()  # past the loss, to the end of backward
    assert text("counter") == "frame 8 of 25" and text("phase") == "backward pass"
    assert all(cells(f"n{l}_0")["δ"] not in ("", "?") for l in range(3))
    assert "δ = dLoss/dz" in text("equation")
    # The neuron whose δ the equation writes out is marked, and only it.
    focus = re.match(r"layers\.0\.neurons\.(\d+):", text("equation")).group(1)
    marked = browser.execute_script("return [...document.querySelectorAll('#drawing g.node.focus')].map(g => g.id)")
    assert marked == [f"n0_{focus}"]
    widths = browser.execute_script(
        "return [...document.querySelectorAll('#drawing g.edge path')].map(p => p.getAttribute('stroke-width'))"
    )
    browser.find_element(By.ID, "train-step").click()  # the update of step 1
    assert text("counter") == "frame 9 of 25" and text("phase") == "update"
    assert (
        browser.execute_script(
            "return [...document.querySelectorAll('#drawing g.edge path')].map(p => p.getAttribute('stroke-width'))"
        )
        != widths
    )
    assert weights() == {name: format_number(value) for name, value in expected.items()}
    assert boundary() != first_boundary and "after step 1" in text("boundary-when")
    assert text("loss-now").startswith("after 1 step")
    browser.find_element(By.ID, "train-step").click()
    assert text("counter") == "frame 17 of 25"

    # Prev, Next and the arrow keys step one frame; each frame shows something new.
    seen = set()
    body = browser.find_element(By.TAG_NAME, "body")
    for move in (lambda: browser.find_element(By.ID, "prev").click(), lambda: body.send_keys(Keys.ARROW_LEFT)):
        move()
        seen.add((text("counter"), text("caption"), json.dumps(cells("n1_0"))))
    assert {c for c, _, _ in seen} == {"frame 16 of 25", "frame 15 of 25"} and len(seen) == 2
    browser.find_element(By.ID, "next").click()
    assert text("counter") == "frame 16 of 25"
    body.send_keys(Keys.END)
    assert not browser.find_element(By.ID, "train-step").is_enabled()

    # Play, at the fastest speed, steps on by itself.
    body.send_keys(Keys.HOME)
    Select(browser.find_element(By.ID, "speed")).select_by_value("250")
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 5).until(lambda b: text("counter") == "frame 5 of 25")
    browser.find_element(By.ID, "play").click()
    assert text("play").endswith("Play")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_diverged_page_steps_to_its_end_in_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(diverged().save(tmp_path / "diverged.html").as_uri())
    browser.get_log("browser")  # what the earlier pages logged

    def text(element_id: str) -> str:
        return browser.find_element(By.ID, element_id).text

    assert text("counter") == "frame 1 of 33"  # 1 + 4 steps of 3 forward, the loss, 3 backward, the update
    for _ in range(2):
        browser.find_element(By.ID, "train-step").click()
    assert text("counter") == "frame 17 of 33" and text("loss-now") == "after 2 steps: inf"
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(4):  # back to step 2's loss frame (frame 13)
        body.send_keys(Keys.ARROW_LEFT)
    assert text("phase") == "loss" and "inf. It is not finite: the training diverged" in text("caption")
    body.send_keys(Keys.END)
    assert text("counter") == "frame 33 of 33" and text("loss-now") == "after 4 steps: nan"
    assert browser.find_element(By.ID, "curve-line").get_attribute("points") == "20.0,20.0"  # step 1's loss alone
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
