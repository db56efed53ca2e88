"""The neuron playground's maths: seed 000's numbers, descent steps, moves and warnings.

Its widget is tested in tests/test_playground_widget.py, its page in tests/test_playground_page.py.
"""

import itertools
import math

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


def test_sigmoid_factor_is_bounded_and_flagged_when_small_far_from_the_target():
    pg = NeuronPlayground()
    assert pg.da_dz_max == 0.25
    for w in [i / 10 for i in range(-40, 41)]:
        pg.w = w
        a = sigmoid(2 * w)
        assert pg.da_dz == pytest.approx(a * (1 - a)) and pg.da_dz <= 0.25
        small, far = a * (1 - a) < 0.1, (a - 1) ** 2 >= 0.05
        assert pg.vanishing == (small and far)
        assert (pg.warning is not None) == (small and far)
    pg.w = -2.0  # z = -4: a(1 - a) = 0.018 and a = 0.018, far from the target 1
    assert pg.vanishing and "vanishing gradients begin" in pg.warning and "0.01766" in pg.warning
    pg.w = 2.0  # z = 4: the same small factor, but a = 0.982 is near the target: converging
    assert pg.da_dz < pg.small_factor and not pg.vanishing and pg.warning is None


def test_a_converging_tanh_is_not_warned_about():
    # The case: tanh descending towards the target, the loss below 0.001.
    pg = NeuronPlayground(activation="tanh", w=0.5, lr=0.1)
    while pg.loss > 0.0008:
        pg.step()
    t = math.tanh(2 * pg.w + pg.b)
    assert pg.da_dz == pytest.approx(1 - t * t) and pg.da_dz < pg.small_factor  # the factor is small
    assert not pg.vanishing and pg.warning is None
    pg.target = -1.0  # now the saturated tanh is far from its target: the factor blocks it
    assert pg.vanishing and pg.warning.startswith(f"da/dz = {1 - t * t:.4g} is small")


def test_a_dead_relu_has_its_own_message():
    pg = NeuronPlayground(activation="relu", w=-1.0, b=0.5)  # z = -1.5
    assert pg.da_dz == 0.0 and pg.grad_w == 0.0 and pg.dead and not pg.vanishing
    assert pg.warning.startswith("Dead ReLU: z ≤ 0, so a = 0 and da/dz = 0")
    assert pg.step(3) == pg.history[0] and pg.w == -1.0  # descent cannot move it
    pg.b = 0.0  # z = 0, the kink: still dead (slope 0 there, as in the engine)
    assert pg.dead
    pg.w = 0.5  # z = 1: alive, slope 1, nothing to warn about
    assert not pg.dead and pg.warning is None
    assert NeuronPlayground(activation="linear", w=-4.0).warning is None


def test_the_tangent_slope_is_the_gradient():
    # loss_at is the curve the plot draws; its central-difference slope at w is grad_w.
    for activation in PLAYGROUND_ACTIVATIONS:
        pg = NeuronPlayground(w=0.3, b=0.2, x=1.5, target=0.4, activation=activation)
        eps = 1e-6
        slope = (pg.loss_at(pg.w + eps) - pg.loss_at(pg.w - eps)) / (2 * eps)
        assert pg.grad_w == pytest.approx(slope, rel=1e-6, abs=1e-9)
        assert pg.loss_at(pg.w) == pg.loss and len(pg.history) == 1  # asking moves nothing


def test_x_and_target_are_controls_too():
    pg = NeuronPlayground()
    pg.x, pg.target = -1.0, 0.25
    a = sigmoid(-0.5)
    assert pg.z == -0.5 and pg.dz_dw == -1.0 and pg.loss == pytest.approx((a - 0.25) ** 2)
    assert pg.grad_w == pytest.approx(2 * (a - 0.25) * a * (1 - a) * -1.0)
    pg.lr = 0.1
    w = pg.w
    pg.step()
    assert pg.w == pytest.approx(w - 0.1 * 2 * (a - 0.25) * a * (1 - a) * -1.0)


def test_linear_activation_has_no_activation_node():
    pg = NeuronPlayground(activation="linear")
    assert pg.a == pg.z and pg.da_dz == 1.0
    assert str(pg.explain("b")) == "dL/db = dL/dz · dz/db = 0 · 1 = 0"  # z = 1 = target


def test_a_move_is_marked_and_the_history_goes_on():
    pg = NeuronPlayground()
    losses = [pg.loss, pg.step(), pg.step()]
    pg.w = 1.0  # a move: marked, nothing wiped
    pg.w = 1.2  # dragged on, with no step between: still one move
    assert pg.history == [*losses, pg.loss] and pg.moves == [3]
    pg.step(2)
    pg.activation = "tanh"
    assert len(pg.history) == 7 and pg.moves == [3, 6] and pg.history[:3] == losses
    assert pg.history[6] == pg.loss


def test_bad_settings_are_named():
    pg = NeuronPlayground()
    with pytest.raises(ValueError, match="activation must be one of"):
        pg.activation = "softmax"
    with pytest.raises(TypeError, match="NeuronPlayground: w must be a real number"):
        pg.w = "1.0"
    with pytest.raises(ValueError, match="lr must be > 0"):
        NeuronPlayground(lr=0.0)
    with pytest.raises(ValueError, match="b must be finite"):
        pg.b = math.inf
    with pytest.raises(ValueError, match="x must be finite"):
        pg.x = math.nan
    with pytest.raises(ValueError, match="parameter must be 'w' or 'b'"):
        pg.explain("x")
    with pytest.raises(ValueError, match=r"NeuronPlayground\.step: count"):
        pg.step(0)
    assert pg.history == [pg.loss] and pg.moves == []  # refused settings change nothing
