"""LiveNetwork's Python side: each button is `fit`'s step (to the bit), the numbers it sends
are `layer_terms`' and torch's, reset puts everything back, Play leaves the caller free.

The oracles: `fit` run on a twin model (same seed), and PyTorch's autograd on the same
weights; never the widget's own state read back as its own truth.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from chainrule.data import make_moons
from chainrule.micrograd import nn as micrograd_nn
from chainrule.nn import MLP, Layer, Neuron, fit
from chainrule.optim import SGD, Adam
from tests.reference import mlp_deltas_by_hand, torch_mlp_terms

pytest.importorskip("anywidget")
from chainrule.viz import LiveNetwork


def moons(n: int = 24) -> tuple[list[list[float]], list[int]]:
    X, y = make_moons(n, noise=0.1, seed=1)
    return X, y


def twins(
    optimizer: str = "sgd", activation: str = "tanh", nouts: tuple[int, ...] = (4, 3, 1)
) -> tuple[tuple[MLP, Any], tuple[MLP, Any]]:
    """Two models and optimizers made alike: one for the widget, one for fit."""

    def make() -> tuple[MLP, Any]:
        model = MLP(2, list(nouts), activation=activation, seed=4)
        opt = SGD(model.parameters(), lr=0.3, momentum=0.5) if optimizer == "sgd" else Adam(model.parameters(), lr=0.05)
        return model, opt

    return make(), make()


def weights(model: Any) -> list[float]:
    return [p.data for p in model.parameters()]


def send(widget: LiveNetwork, action: str, value: Any = None) -> None:
    """A message as the front end sends it (model.send({action, value}))."""
    content = {"action": action} if value is None else {"action": action, "value": value}
    widget._handle_custom_msg(content, [])


# -- one truth: the same step as fit ---------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_each_button_takes_fits_step_to_the_bit(optimizer):
    X, y = moons()
    (model, opt), (twin, twin_opt) = twins(optimizer)
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt)
    send(live, "forward")
    send(live, "backward")
    send(live, "train-step")  # finishes the step: the update
    send(live, "train-step")  # a whole step
    live.step(2)
    history = fit(twin, X, y, loss="bce_with_logits", optimizer=twin_opt, epochs=4, progress=False)
    assert weights(model) == weights(twin)
    assert live.history.loss == history.loss and live.history.accuracy == history.accuracy
    assert live.history.grad_norms == history.grad_norms


def test_one_sample_mode_is_fit_on_that_sample_alone():
    X, y = moons()
    (model, opt), (twin, twin_opt) = twins("sgd")
    live = LiveNetwork(model, X, y, loss="hinge_loss", optimizer=opt)
    send(live, "mode", "sample")
    send(live, "select", 5)
    live.step(3)
    fit(twin, [X[5]], [y[5]], loss="hinge_loss", optimizer=twin_opt, epochs=3, progress=False)
    assert weights(model) == weights(twin)
    assert live.terms is not None and live.terms[0].a_prev == X[5]


def test_a_micrograd_mlp_trains_as_fit_trains_it():
    X, y = moons(16)
    models = []
    for _ in range(2):
        random.seed(7)  # micrograd's MLP draws from the global random
        models.append(micrograd_nn.MLP(2, [4, 1]))
    live = LiveNetwork(models[0], X, y, loss="mse_loss", optimizer=SGD(models[0].parameters(), lr=0.05))
    live.step(2)
    fit(models[1], X, y, loss="mse_loss", optimizer=SGD(models[1].parameters(), lr=0.05), epochs=2, progress=False)
    assert weights(models[0]) == weights(models[1])


def test_a_training_step_of_ones_own_slots_in():
    X, y = moons()
    (model, opt), (twin, twin_opt) = twins("adam")
    calls = []

    def step(session):
        calls.append(list(session.batch))
        session.forward()
        session.backward()

    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt, step=step)
    live.step(2)
    fit(twin, X, y, loss="bce_with_logits", optimizer=twin_opt, epochs=2, progress=False)
    assert calls == [list(range(len(X)))] * 2 and weights(model) == weights(twin)


# -- the numbers shown ------------------------------------------------------------------


def shown_after_backward(sample: int) -> tuple[dict[str, Any], Any, MLP, list[list[float]], list[int]]:
    """The state a widget sends after a backward pass with `sample` selected, its terms, a twin
    model with the same weights, and the data."""
    X, y = moons()
    (model, opt), (twin, _) = twins("sgd")
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt)
    send(live, "select", sample)
    live.backward()
    return json.loads(json.dumps(live.state)), live.terms, twin, X, y  # the state as the front end gets it


def test_the_numbers_sent_are_layer_terms_and_the_layer_equations_by_hand():
    state, terms, twin, X, y = shown_after_backward(3)
    for q in state["neurons"]:
        i, k = q["layer"], q["neuron"]
        assert (q["z"], q["a"], q["delta"]) == (terms[i].z[k], terms[i].a[k], terms[i].delta[k])
    assert [x["x"] for x in state["inputs"]] == X[3]
    by_hand = mlp_deltas_by_hand(twin, X, y, 3)
    assert [q["delta"] for q in state["neurons"]] == pytest.approx([d for layer in by_hand for d in layer], rel=1e-9)
    grads = {e["id"]: e["grad"] for e in state["edges"]}
    assert grads["w0_1_0"] == terms[0].weight_grads[1][0]


def test_the_numbers_sent_are_torchs():
    state, _, twin, X, y = shown_after_backward(3)
    expected = torch_mlp_terms(twin, X, y, 3)
    for q in state["neurons"]:
        i, k = q["layer"], q["neuron"]
        for key in ("z", "a", "delta"):
            assert q[key] == pytest.approx(expected[i][key][k], rel=1e-12, abs=1e-15)


def test_a_sample_the_loss_ignores_shows_zero_deltas_not_missing_ones():
    # The hinge loss gives a sample beyond the margin no gradient: its δ are 0, after backward.
    X, y = moons()
    (model, opt), _ = twins("sgd", activation="relu")
    live = LiveNetwork(model, X, y, loss="hinge_loss", optimizer=opt)
    live.step(40)
    live.forward()
    scores = [out[0].data for out in live.session.outputs]
    quiet = next(i for i, s in enumerate(scores) if (2 * y[i] - 1) * s > 1.0)
    live.select(quiet)
    live.backward()
    deltas = [q["delta"] for q in live.state["neurons"]]
    assert deltas == [0.0] * len(deltas)
    loud = next(i for i, s in enumerate(scores) if (2 * y[i] - 1) * s < 1.0)
    live.select(loud)
    assert live.state["neurons"][-1]["delta"] == pytest.approx(-(2 * y[loud] - 1) / len(X))


def test_before_backward_no_delta_is_sent_and_after_the_update_the_equation_uses_the_old_weights():
    X, y = moons()
    (model, opt), _ = twins("sgd")
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt)
    assert all(q["z"] is None for q in live.state["neurons"])
    before = [w.data for w in model.layers[1].neurons[0].w]
    live.forward()
    assert all(q["delta"] is None and q["z"] is not None for q in live.state["neurons"])
    live.step()
    # z was computed with the weights before the update; its equation writes those.
    assert live.terms[1].weights[0] == before != [w.data for w in model.layers[1].neurons[0].w]
    z_line = next(q for q in live.state["neurons"] if q["id"] == "n1_0")["equation"][1]
    assert z_line.startswith(f"z = w · a(prev) + b = {before[0]:.4g}" if before[0] > 0 else "z = w · a(prev) + b = (")


# -- reset, divergence, bad input ---------------------------------------------------------


def test_reset_restores_weights_optimizer_state_and_history():
    X, y = moons()
    (model, opt), (twin, twin_opt) = twins("adam")
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt)
    start = weights(model)
    live.step(3)
    send(live, "lr", 0.5)
    send(live, "reset")
    assert weights(model) == start and all(p.grad == 0.0 for p in model.parameters())
    assert live.history.loss == [] and live.state["step"] == 0 and opt.lr == 0.05
    # Adam's moments and step count are back too: the next steps are a fresh fit's.
    live.step(2)
    fit(twin, X, y, loss="bce_with_logits", optimizer=twin_opt, epochs=2, progress=False)
    assert weights(model) == weights(twin)


def test_a_nan_loss_stops_and_says_diverged_and_reset_recovers():
    X, y = moons()
    (model, _), (twin, _) = twins("sgd", activation="relu")
    live = LiveNetwork(model, X, y, loss="mse_loss", optimizer=SGD(model.parameters(), lr=1e150))
    loss = live.step(50)
    assert not math.isfinite(loss) and live.state["diverged"].startswith(f"diverged at step {live.session.steps}")
    steps = live.session.steps
    assert steps < 50
    # The model is as that step left it: fit's same steps give the same (non-finite) weights.
    fit(twin, X, y, loss="mse_loss", optimizer=SGD(twin.parameters(), lr=1e150), epochs=steps, progress=False)
    assert [repr(w) for w in weights(model)] == [repr(w) for w in weights(twin)]
    json.dumps(live.state, allow_nan=False)  # nan and inf are sent as text, valid JSON
    outputs = eager_outputs([layer for _, layer in live.session.layers], plane_grid(X))
    assert not all(map(math.isfinite, outputs[0]))  # the heatmaps below show non-finite numbers
    assert list(live.state["heatmaps"].values()) == [levels(list(column)) for column in zip(*outputs)]
    live.reset()
    assert live.state["diverged"] == "" and all(math.isfinite(w) for w in weights(model))


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (lambda m, samples, y: (m, samples, y[:-1], "mse_loss"), ValueError, "24 samples and y 23 labels"),
        (lambda m, samples, y: (m, [*samples[:-1], [1.0, 2.0, 3.0]], y, "mse_loss"), ValueError, "sample 23"),
        (lambda m, samples, y: (m, samples, y, "l2_loss"), ValueError, "l2_loss"),
        (lambda m, samples, y: (m.layers[0], samples, y, "mse_loss"), TypeError, "must be a chainrule MLP"),
        (lambda m, samples, y: (m, [[float("nan"), 0.0], *samples[1:]], y, "mse_loss"), ValueError, "feature 0 of"),
    ],
)
def test_bad_input_is_refused_before_anything_changes(change, error, words):
    X, y = moons()
    (model, opt), _ = twins("sgd")
    start = weights(model)
    m, X2, y2, loss = change(model, X, y)
    with pytest.raises(error, match=words):
        LiveNetwork(m, X2, y2, loss=loss, optimizer=opt)
    assert weights(model) == start and all(p.grad == 0.0 for p in model.parameters())
    assert isinstance(model.layers[0], Layer)


def test_points_added_are_checked_and_then_trained_on():
    X, y = moons()
    (model, opt), (twin, twin_opt) = twins("sgd")
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt)
    with pytest.raises(ValueError, match="add_point"):
        live.add_point([1.0], 0)
    with pytest.raises(ValueError, match="needs labels in"):
        live.add_point([0.5, 0.5], 7)
    assert len(live.state["points"]) == len(X)
    live.add_point([0.25, -0.5], 1)
    send(live, "class", "0")
    send(live, "add", [120.0, 120.0])  # shift-click at the centre of the plane: a point of the chosen class
    live.step()
    added = live.session.samples[-1]
    samples, labels = [*X, [0.25, -0.5], added], [*y, 1, 0]
    fit(twin, samples, labels, loss="bce_with_logits", optimizer=twin_opt, epochs=1, progress=False)
    assert weights(model) == weights(twin)
    assert len(live.state["points"]) == len(X) + 2


def test_inputs_not_in_a_plane_show_the_rest_and_say_why_no_heatmaps():
    X = [[0.1 * i, -0.2 * i, 0.3] for i in range(8)]
    y = [i % 2 for i in range(8)]
    model = MLP(3, [4, 1], seed=0)
    live = LiveNetwork(model, X, y, loss="hinge_loss", optimizer=SGD(model.parameters(), lr=0.1))
    live.backward()
    state = live.state
    assert state["heatmaps"] is None and "3 features" in state["no_plane"]
    assert all(q["delta"] is not None for q in state["neurons"])


def test_the_boundary_and_output_heatmap_follow_the_outputs_sign_over_the_grid():
    X, y = moons()
    (model, opt), _ = twins("sgd")
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt)
    heat, boundary = live.state["heatmaps"], live.state["boundary"]
    assert sorted(heat) == sorted(q["id"] for q in live.state["neurons"]) and len(boundary) == 24 * 24
    # The boundary's class in a cell is the output's sign at the cell's centre.
    plane = live.session.samples
    xs, ys = [p[0] for p in plane], [p[1] for p in plane]
    x0, x1 = min(xs) - 0.1 * (max(xs) - min(xs)), max(xs) + 0.1 * (max(xs) - min(xs))
    y0, y1 = min(ys) - 0.1 * (max(ys) - min(ys)), max(ys) + 0.1 * (max(ys) - min(ys))
    for cell in (0, 100, 300, 575):
        r, c = divmod(cell, 24)
        out = model([x0 + (c + 0.5) * (x1 - x0) / 24, y1 - (r + 0.5) * (y1 - y0) / 24])[0].data
        assert (boundary[cell] >= "e") == (out > 0)
        assert (heat["n2_0"][cell] > "k") == (out > 0) or abs(out) < 1e-3


def eager_outputs(layers: list[Any], points: list[list[float]]) -> list[list[float]]:
    """Every neuron's output at each point, Layer by Layer, by the eager forward pass."""
    rows = []
    for p in points:
        h: Any = p
        row: list[float] = []
        for layer in layers:
            out = layer(h)
            h = out if isinstance(out, list) else [out]
            row += [v.data for v in h]
        rows.append(row)
    return rows


class Clipped(Neuron):
    """A neuron whose graph depends on its number: compile refuses it, eager runs it."""

    def forward(self, x: Any, input_data: Any = None) -> Any:
        out = super().forward(x)
        return out * 0.5 if out.data > 0.5 else out


def test_the_grid_runs_compiled_to_the_bit_and_eagerly_where_compile_refuses():
    X, y = moons()
    model = MLP(2, [4, 3, 1], activation="relu", seed=4)
    micro = micrograd_nn.MLP(2, [4, 1])
    clipped = MLP(2, [3, 1], activation="tanh", seed=2)
    clipped.layers[0].neurons[1] = Clipped(2, "tanh", random.Random(5))
    for net in (model, micro, clipped):
        live = LiveNetwork(net, X, y, loss="hinge_loss", optimizer=SGD(net.parameters(), lr=0.1))
        live.step(3)
        session = live.session
        grid = [[-2.0 + 0.2 * c, 1.5 - 0.25 * r] for r in range(12) for c in range(21)]
        assert session.activations(grid) == eager_outputs([layer for _, layer in session.layers], grid)
        traces = 0 if net is clipped else 1  # compile refused only the clipped one, which runs eagerly
        assert repr(session._compiled).endswith(f"{traces} trace(s))")
    # A setting changed on the model (its parameters the same) is traced again, as compile does.
    session = LiveNetwork(model, X, y, loss="hinge_loss", optimizer=SGD(model.parameters(), lr=0.1)).session
    before = session.activations(grid)
    model.layers[0].neurons[0].activation = "sigmoid"
    after = session.activations(grid)
    assert after == eager_outputs([layer for _, layer in session.layers], grid) and after != before


def plane_grid(samples: list[list[float]]) -> list[list[float]]:
    """The 24 x 24 cell centres over the data with a 10% margin, row by row from the top."""
    xs, ys = [p[0] for p in samples], [p[1] for p in samples]
    x0, x1 = min(xs) - 0.1 * (max(xs) - min(xs)), max(xs) + 0.1 * (max(xs) - min(xs))
    y0, y1 = min(ys) - 0.1 * (max(ys) - min(ys)), max(ys) + 0.1 * (max(ys) - min(ys))
    return [[x0 + (c + 0.5) * (x1 - x0) / 24, y1 - (r + 0.5) * (y1 - y0) / 24] for r in range(24) for c in range(24)]


def levels(values: list[float]) -> str:
    """A heatmap's letters: 21 from 'a' (a = -scale) through 'k' (a = 0) to 'u' (a = scale), the
    scale the largest finite |a|; -inf is 'a', inf and nan 'u'."""
    scale = max((abs(v) for v in values if math.isfinite(v)), default=0.0) or 1.0
    return "".join(chr(ord("k") + round(10 * v / scale)) if math.isfinite(v) else "a" if v < 0 else "u" for v in values)


def test_each_heatmap_is_its_neurons_eager_output_in_levels():
    X, y = moons()
    (model, opt), _ = twins("sgd")
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt)
    live.step(5)
    outputs = eager_outputs([layer for _, layer in live.session.layers], plane_grid(X))
    for column, key in ((0, "n0_0"), (5, "n1_1"), (7, "n2_0")):
        assert live.state["heatmaps"][key] == levels([row[column] for row in outputs])


def test_save_writes_the_steps_so_far_as_the_network_page(tmp_path):
    X, y = moons()
    (model, opt), _ = twins("sgd", activation="relu")
    live = LiveNetwork(model, X, y, loss="hinge_loss", optimizer=opt)
    with pytest.raises(ValueError, match="no training step yet"):
        live.save(tmp_path / "none.html")
    live.step(3)
    page = live.save(tmp_path / "session.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.DOTALL)[1])
    assert data["losses"] == [f"{v:.4g}" for v in live.history.loss]  # the page replays the same steps
    send(live, "lr", 0.01)
    live.step()
    with pytest.raises(ValueError, match="learning rate"):
        live.save(tmp_path / "mixed.html")


def test_a_diverged_session_saves_a_page_with_strict_json(tmp_path):
    X, y = moons()
    model = MLP(2, [4, 3, 1], activation="tanh", seed=4)
    live = LiveNetwork(model, X, y, loss="mse_loss", optimizer=SGD(model.parameters(), lr=1e300))
    live.step(5)  # stops at the first loss that is not finite
    assert live.session.diverged and 1 < live.session.steps < 5
    page = live.save(tmp_path / "diverged.html").read_text(encoding="utf-8")
    text = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.DOTALL)[1]
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the page's data"))
    assert data["losses"] == [f"{v:.4g}" for v in live.history.loss] and not math.isfinite(live.history.loss[-1])


# -- play and pause --------------------------------------------------------------------


def test_play_trains_in_the_background_and_pause_stops_within_a_step():
    X, y = moons()
    (model, opt), (twin, twin_opt) = twins("sgd")
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt, speed=30)
    send(live, "play")
    start = time.perf_counter()
    total = sum(i * i for i in range(200_000))  # the caller goes on meanwhile
    assert total > 0 and time.perf_counter() - start < 5.0
    deadline = time.monotonic() + 10
    while live.session.steps < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    send(live, "forward")  # ignored while playing: Play takes whole steps
    send(live, "pause")
    steps = live.session.steps
    assert steps >= 3 and not live.state["playing"]
    time.sleep(0.3)
    assert live.session.steps == steps and live.session.phase == "update"
    fit(twin, X, y, loss="bce_with_logits", optimizer=twin_opt, epochs=steps, progress=False)
    assert weights(model) == weights(twin)
    assert not any(t.name == "LiveNetwork.play" for t in threading.enumerate())


def test_play_leaves_a_real_kernel_responsive():
    manager = pytest.importorskip("jupyter_client.manager")
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    km, kc = manager.start_new_kernel(kernel_name="python3", env=env)
    try:

        def run(code: str) -> tuple[str, float]:
            start = time.perf_counter()
            reply = kc.execute_interactive(code, timeout=60, output_hook=lambda msg: out.append(msg))
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(
                m["content"].get("text", "") for m in out if m["msg_type"] == "stream"
            ), time.perf_counter() - start

        out: list[dict[str, Any]] = []
        run(
            "from chainrule.data import make_moons\nfrom chainrule.nn import MLP\nfrom chainrule.optim import SGD\n"
            "from chainrule.viz import LiveNetwork\nX, y = make_moons(200, seed=0)\nmodel = MLP(2, [8, 8, 1], seed=0)\n"
            "opt = SGD(model.parameters(), lr=0.1)\n"
            "live = LiveNetwork(model, X, y, loss='bce_with_logits', optimizer=opt, speed=30)\n"
            "live.play()"
        )
        out.clear()
        text, seconds = run("import time; time.sleep(1.0); print(sum(range(1000)), live.session.steps)")
        total, steps = map(int, text.split())
        # Another cell ran (its own second and little more) while Play trained in the kernel.
        assert total == 499500 and steps >= 2 and seconds < 10
        out.clear()
        text, _ = run("live.pause(); n = live.session.steps; time.sleep(0.5); print(n, live.session.steps)")
        before, after = map(int, text.split())
        assert before == after >= steps
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_curves_are_the_historys_loss_and_accuracy_in_chart_points():
    X, y = moons()
    (model, opt), _ = twins("sgd")
    live = LiveNetwork(model, X, y, loss="bce_with_logits", optimizer=opt)
    assert live.state["curve"]["points"] == [] and live.state["curve"]["accuracy"] == []
    live.step(4)
    curve, history = live.state["curve"], live.history
    top = max(history.loss)
    # x from 20 (step 0) to 290 (the last step); y from 150 (0) up to 20 (the top: the largest loss, or 1)
    assert curve["points"] == [
        [round(20 + 90 * s, 1), round(150 - 130 * v / top, 1)] for s, v in enumerate(history.loss)
    ]
    assert curve["accuracy"] == [
        [round(20 + 90 * s, 1), round(150 - 130 * a, 1)] for s, a in enumerate(history.accuracy)
    ]
    assert curve["points"][0][1] == 20.0 and len({a for a in history.accuracy}) > 1  # a curve that moves
    live.step(400)  # 404 steps: 300 evenly spaced, and the last
    curve = live.state["curve"]
    assert len(curve["points"]) == len(curve["accuracy"]) == 301
    assert curve["accuracy"][-1] == [290.0, round(150 - 130 * live.history.accuracy[-1], 1)]
    regression = MLP(2, [3, 1], seed=0)
    mse = LiveNetwork(
        regression, X, [0.5 * v for v in y], loss="mse_loss", optimizer=SGD(regression.parameters(), lr=0.1)
    )
    mse.step(2)
    assert mse.history.accuracy is None and mse.state["curve"]["accuracy"] == []  # no classes, no accuracy
