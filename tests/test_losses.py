"""The losses: hand-derived values and gradients, parity with torch.nn.functional, extremes, bad input."""

import math

import pytest

from chainrule import Value
from chainrule.nn import bce_with_logits, cross_entropy, hinge_loss, mse_loss
from chainrule.nn.losses import LOSSES, hinge_term
from tests.reference import assert_matches_torch, needs_torch


def values(*xs):
    return [Value(x) for x in xs]


# -- hand-derived values and gradients ----------------------------------------------


def test_mse_by_hand():
    p = values(2.0, 0.0, -1.0)
    L = mse_loss(p, [1.0, 0.0, 1.0])
    L.backward()
    assert L.data == pytest.approx((1 + 0 + 4) / 3)
    assert [v.grad for v in p] == pytest.approx([2 * 1 / 3, 0.0, 2 * -2 / 3])  # 2 (p - t) / n


def test_hinge_term_by_hand_and_the_loss_is_their_mean():
    s, t = Value(0.25), Value(-3.0)
    a, b = hinge_term(s, -1.0), hinge_term(t, -1.0)
    assert (a.data, b.data) == (1.25, 0.0)  # relu(1 + 0.25), relu(1 - 3)
    a.backward()
    assert s.grad == 1.0  # d relu(1 - y s)/ds = -y where the margin is positive
    spec = LOSSES["hinge_loss"]
    scores = [Value(0.5), Value(-2.0), Value(1.5)]
    labels = [1.0, -1.0, -1.0]
    terms = [spec.term(x, y) for x, y in zip(scores, labels)]
    assert spec.of_terms(terms).data == hinge_loss(scores, labels).data == (0.5 + 0.0 + 2.5) / 3


def test_hinge_by_hand():
    s = values(0.5, -2.0, 3.0, -0.5)
    L = hinge_loss(s, [1, -1, 1, 1])
    L.backward()
    # margins 1 - y s: 0.5, -1, -2, 1.5; only the positive ones cost, and only they get a gradient -y / n
    assert L.data == pytest.approx((0.5 + 1.5) / 4)
    assert [v.grad for v in s] == pytest.approx([-0.25, 0.0, 0.0, -0.25])


def test_bce_by_hand():
    x = values(0.0, 2.0)
    L = bce_with_logits(x, [1.0, 0.25])
    L.backward()
    sig2 = 1 / (1 + math.exp(-2.0))
    expected = (-math.log(0.5) + -(0.25 * math.log(sig2) + 0.75 * math.log(1 - sig2))) / 2
    assert L.data == pytest.approx(expected, rel=1e-12)
    assert [v.grad for v in x] == pytest.approx([(0.5 - 1.0) / 2, (sig2 - 0.25) / 2], rel=1e-12)  # (sigmoid - t) / n


def test_cross_entropy_by_hand():
    rows = [values(0.0, 0.0), values(1.0, 2.0)]
    L = cross_entropy(rows, [1, 0])
    L.backward()
    softmax = [math.exp(1) / (math.exp(1) + math.exp(2)), math.exp(2) / (math.exp(1) + math.exp(2))]
    assert L.data == pytest.approx((math.log(2) - math.log(softmax[0])) / 2, rel=1e-12)
    # d/dlogit = (softmax - onehot) / n
    assert [v.grad for v in rows[0]] == pytest.approx([0.25, -0.25])
    assert [v.grad for v in rows[1]] == pytest.approx([(softmax[0] - 1) / 2, softmax[1] / 2], rel=1e-12)


def test_losses_accept_plain_numbers_and_value_targets():
    assert mse_loss([3.0], [1.0]).data == 4.0  # still a Value
    t = Value(1.0)
    p = Value(3.0)
    mse_loss([p], [t]).backward()
    assert (p.grad, t.grad) == (4.0, -4.0)
    t2, x = Value(0.25), Value(2.0)
    bce_with_logits([x], [t2]).backward()
    assert t2.grad == -2.0  # d/dt (softplus(x) - x t) = -x


# -- parity with PyTorch --------------------------------------------------------------

LOGITS = [(0.3, -1.7, 2.2), (0.0, 0.0, 0.0), (30.0, -30.0, 5.0), (1000.0, -1000.0, 0.5)]


@needs_torch
@pytest.mark.parametrize("xs", LOGITS)
def test_mse_matches_torch(xs):
    assert_matches_torch(lambda ops, *p: ops.mse_loss(p, [0.5, -1.0, 2.0]), xs)


@needs_torch
@pytest.mark.parametrize("xs", [*LOGITS, (1.0, -1.0, 0.5)])  # margins exactly 0: the relu kink
def test_hinge_matches_torch(xs):
    assert_matches_torch(lambda ops, *s: ops.hinge_loss(s, [1, -1, -1]), xs)


@needs_torch
@pytest.mark.parametrize("xs", LOGITS)
@pytest.mark.parametrize("targets", [(1.0, 0.0, 1.0), (0.0, 1.0, 0.25), (0.5, 0.5, 0.5)])
def test_bce_with_logits_matches_torch(xs, targets):
    # The gradient sigmoid(x) - t is a difference of numbers near 1 when x is large and
    # t = 1; both engines round it at the scale of 1 (about 1e-16), so it is compared
    # absolutely there.
    assert_matches_torch(lambda ops, *x: ops.bce_with_logits(x, targets), xs, atol=1e-15)


@needs_torch
@pytest.mark.parametrize("xs", [*LOGITS, (-1000.0, 1000.0, -1000.0)])
@pytest.mark.parametrize("targets", [(0, 2), (1, 1), (2, 0)])
def test_cross_entropy_matches_torch(xs, targets):
    a, b, c = xs

    def fn(ops, a, b, c):
        return ops.cross_entropy([[a, b, c], [c * 0.5, a - b, b]], targets)

    assert_matches_torch(fn, [a, b, c])


# -- extreme logits -------------------------------------------------------------------


@pytest.mark.parametrize("logit", [-1e3, 1e3, -1e6, 1e6, -1e300, 1e300])
@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_bce_is_finite_at_extreme_logits(logit, target):
    x = Value(logit)
    L = bce_with_logits([x], [target])
    L.backward()
    assert math.isfinite(L.data) and math.isfinite(x.grad)
    expected_grad = (1.0 if logit > 0 else 0.0) - target  # sigmoid saturates
    assert x.grad == pytest.approx(expected_grad)
    wrong_side = (1.0 - target) if logit > 0 else target  # the cost of the mass on the wrong side
    assert L.data == pytest.approx(wrong_side * abs(logit), rel=1e-12)


def test_cross_entropy_is_finite_at_extreme_logits():
    row = values(1000.0, -1000.0, 999.0)
    L = cross_entropy([row], [1])
    L.backward()
    assert L.data == pytest.approx(2000.0 + math.log1p(math.exp(-1.0)), rel=1e-15)
    grads = [v.grad for v in row]
    assert all(math.isfinite(g) for g in grads)
    assert grads == pytest.approx([1 / (1 + math.exp(-1)), -1.0, 1 / (1 + math.exp(1))], rel=1e-12)


def test_hinge_and_mse_at_large_scores_are_finite():
    s = values(1000.0, -1000.0)
    L = hinge_loss(s, [-1, -1])
    L.backward()
    assert L.data == 1001.0 / 2 and [v.grad for v in s] == [0.5, 0.0]


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("loss", [mse_loss, hinge_loss, bce_with_logits])
def test_length_mismatch_names_both_lengths(loss):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: 3 predictions but 2 targets"):
        loss(values(1.0, 2.0, 3.0), [1, 1])
    with pytest.raises(ValueError, match="empty"):
        loss([], [])


@pytest.mark.parametrize("label", [0, 2, 0.5, -1.5])
def test_hinge_rejects_labels_other_than_plus_minus_one(label):
    with pytest.raises(ValueError, match=rf"labels must be -1 or \+1, got {label!r} at position 1"):
        hinge_loss(values(1.0, 2.0), [1, label])


@pytest.mark.parametrize("target", [-0.1, 1.5, math.nan])
def test_bce_rejects_targets_outside_0_1(target):
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\].*position 0"):
        bce_with_logits(values(1.0), [target])


def test_bad_targets_are_type_errors_naming_the_position():
    with pytest.raises(TypeError, match="mse_loss: target at position 1 must be a real number, got str"):
        mse_loss(values(1.0, 2.0), [1.0, "2"])
    with pytest.raises(TypeError, match="prediction at position 0"):
        hinge_loss(["a"], [1])


def test_cross_entropy_rejections():
    rows = [values(1.0, 2.0, 3.0), values(0.0, 0.0, 0.0)]
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        cross_entropy(rows, [0, 1, 2])
    with pytest.raises(ValueError, match="target 3 at position 1 is out of range for 3 classes"):
        cross_entropy(rows, [0, 3])
    with pytest.raises(ValueError, match="target -1 at position 0 is out of range"):
        cross_entropy(rows, [-1, 0])
    for bad in (1.0, True, "1"):
        with pytest.raises(TypeError, match=f"target at position 0 must be a class index, got {bad!r}"):
            cross_entropy(rows, [bad, 0])
    with pytest.raises(ValueError, match="row 1 has 2 logits, row 0 has 3"):
        cross_entropy([rows[0], values(1.0, 2.0)], [0, 0])
