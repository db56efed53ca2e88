"""The neuron playground: seed 000's numbers, descent steps, and the widget driven without a kernel."""

import itertools
import math
import sys

import pytest

from chainrule.viz import NeuronPlayground
from chainrule.viz.playground import PLAYGROUND_ACTIVATIONS


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def central_difference(pg, name, eps=1e-6):
    start = getattr(pg, name)
    setattr(pg, name, start + eps)
    up = pg.loss
    setattr(pg, name, start - eps)
    down = pg.loss
    setattr(pg, name, start)
    return (up - down) / (2 * eps)


def test_seed_numbers_by_hand():
    pg = NeuronPlayground()  # x = 2, target 1, w = 0.5, b = 0, sigmoid
    a = sigmoid(1.0)
    assert pg.z == 1.0 and pg.a == pytest.approx(a) and pg.loss == pytest.approx((a - 1) ** 2)
    assert pg.dloss_da == pytest.approx(2 * (a - 1))
    assert pg.da_dz == pytest.approx(a * (1 - a))
    assert (pg.dz_dw, pg.dz_db) == (2.0, 1.0)
    assert pg.grad_w == pytest.approx(2 * (a - 1) * a * (1 - a) * 2)
    assert pg.grad_w == pytest.approx(pg.dloss_da * pg.da_dz * pg.dz_dw, rel=1e-15)
    assert pg.grad_b == pytest.approx(pg.dloss_da * pg.da_dz * pg.dz_db, rel=1e-15)
    assert str(pg.explain("w")) == "dL/dw = dL/da · da/dz · dz/dw = (-0.5379) · 0.1966 · 2 = -0.2115"


@pytest.mark.parametrize("activation", PLAYGROUND_ACTIVATIONS)
def test_gradients_match_central_differences(activation):
    pg = NeuronPlayground(w=0.2, b=-0.1, activation=activation)
    for name, grad in (("w", pg.grad_w), ("b", pg.grad_b)):
        numerical = central_difference(pg, name)
        assert grad == pytest.approx(numerical, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("activation", PLAYGROUND_ACTIVATIONS)
def test_descent_steps_lower_the_loss(activation):
    pg = NeuronPlayground(x=2.0, target=1.0, w=0.2, activation=activation, lr=0.05)
    for _ in range(5):
        w, b, gw, gb, before = pg.w, pg.b, pg.grad_w, pg.grad_b, pg.loss
        after = pg.step()
        assert (pg.w, pg.b) == (w - 0.05 * gw, b - 0.05 * gb)
        assert after < before
    assert len(pg.history) == 6 and pg.history == sorted(pg.history, reverse=True)


def test_default_sigmoid_steps_lower_the_loss():
    pg = NeuronPlayground()
    losses = [pg.loss] + [pg.step() for _ in range(10)]
    assert all(b < a for a, b in itertools.pairwise(losses))
    assert pg.history == losses


def test_sigmoid_factor_is_bounded_and_flagged_when_small():
    pg = NeuronPlayground()
    assert pg.da_dz_max == 0.25
    for w in [i / 10 for i in range(-40, 41)]:
        pg.w = w
        a = sigmoid(2 * w)
        assert pg.da_dz == pytest.approx(a * (1 - a)) and pg.da_dz <= 0.25
        assert pg.vanishing == (a * (1 - a) < pg.small_factor)
    pg.w = 0.5
    assert not pg.vanishing
    pg.w = 2.0  # z = 4: a(1 - a) = 0.018, the seed's "almost vanishes near w = 2"
    assert pg.vanishing


def test_linear_activation_has_no_activation_node():
    pg = NeuronPlayground(activation="linear")
    assert pg.a == pg.z and pg.da_dz == 1.0
    assert str(pg.explain("b")) == "dL/db = dL/dz · dz/db = 0 · 1 = 0"  # z = 1 = target


def test_setting_w_restarts_history_and_bad_settings_are_named():
    pg = NeuronPlayground()
    pg.step()
    pg.w = 1.0
    assert pg.history == [pg.loss]
    with pytest.raises(ValueError, match="activation must be one of"):
        pg.activation = "softmax"
    with pytest.raises(TypeError, match="NeuronPlayground: w must be a real number"):
        pg.w = "1.0"
    with pytest.raises(ValueError, match="lr must be > 0"):
        NeuronPlayground(lr=0.0)
    with pytest.raises(ValueError, match="b must be finite"):
        pg.b = math.inf
    with pytest.raises(ValueError, match="parameter must be 'w' or 'b'"):
        pg.explain("x")


def find(widget, kind, description):
    """The first widget in the tree of `widget` of class `kind` with that description."""
    stack = [widget]
    while stack:
        w = stack.pop()
        if type(w).__name__ == kind and getattr(w, "description", None) == description:
            return w
        stack.extend(getattr(w, "children", ()))
    raise LookupError(f"no {kind} {description!r}")


def panel_html(widget):
    return widget.children[1].value


def test_widget_sliders_and_descent_button():
    pytest.importorskip("ipywidgets")
    pg = NeuronPlayground()
    box = pg.widget()
    assert "0.1966 (at most 0.25)" in panel_html(box)

    # Slide w to 1: z = 2, a = sigmoid(2), and every factor follows.
    find(box, "FloatSlider", "w").value = 1.0
    a = sigmoid(2.0)
    grad_w = 2 * (a - 1) * a * (1 - a) * 2
    assert pg.w == 1.0
    html = panel_html(box)
    assert f"{a:.4g}" in html and f"{a * (1 - a):.4g}" in html and f"{grad_w:.4g}" in html

    # Press "descent step": w and b move by -lr * grad, the slider follows, the loss history grows.
    find(box, "Button", "descent step").click()
    w = 1.0 - 0.5 * grad_w
    assert pg.w == pytest.approx(w) and find(box, "FloatSlider", "w").value == pytest.approx(w)
    a = sigmoid(2 * pg.w + pg.b)
    assert f"{a:.4g}" in panel_html(box)
    assert len(pg.history) == 2 and pg.history[1] < pg.history[0]
    assert "loss after 1 step:" in box.children[3].value

    # Far into the tail of the sigmoid, the small factor is flagged.
    find(box, "FloatSlider", "w").value = 3.0
    assert "vanishing gradients begin" in panel_html(box)
    find(box, "Dropdown", "activation").value = "relu"
    assert pg.activation == "relu" and "vanishing" not in panel_html(box)


def test_show_without_ipywidgets_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[notebooks\]'"):
        NeuronPlayground().show()
