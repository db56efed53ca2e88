"""SGD and Adam: hand-derived steps, parity with torch.optim over many steps, bad arguments."""

import math

import pytest

from chainrule import Value
from chainrule.optim import SGD, Adam
from tests.reference import needs_torch, torch


def leaf(x, grad):
    v = Value(x)
    v.grad = grad
    return v


# -- hand-derived steps ---------------------------------------------------------------


def test_sgd_step_by_hand():
    p = leaf(1.0, 2.0)
    SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(0.8)


def test_sgd_momentum_and_weight_decay_by_hand():
    p = leaf(1.0, 2.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    opt.step()  # the buffer starts at the grad: v = 2
    assert p.data == pytest.approx(0.8)
    opt.step()  # v = 0.9 * 2 + 2 = 3.8
    assert p.data == pytest.approx(0.8 - 0.38)
    q = leaf(1.0, 0.0)
    SGD([q], lr=0.1, weight_decay=0.5).step()  # g = 0 + 0.5 * 1
    assert q.data == pytest.approx(0.95)


def test_adam_first_steps_by_hand():
    p = leaf(1.0, 2.0)
    opt = Adam([p], lr=0.1)
    opt.step()  # bias-corrected m = g, v = g**2: a step of lr * g / (|g| + eps)
    first = 1.0 - 0.1 * 2.0 / (2.0 + 1e-8)
    assert p.data == pytest.approx(first, rel=1e-15)
    p.grad = -1.0
    opt.step()
    m = 0.9 * (0.1 * 2.0) + 0.1 * -1.0  # running averages after two grads, 2 then -1
    v = 0.999 * (0.001 * 4.0) + 0.001 * 1.0
    assert opt.t == 2
    expected = first - 0.1 / (1 - 0.9**2) * m / (math.sqrt(v) / math.sqrt(1 - 0.999**2) + 1e-8)
    assert p.data == pytest.approx(expected, rel=1e-12)


def test_zero_grad_and_settable_lr():
    ps = [leaf(1.0, 5.0), leaf(2.0, -3.0)]
    opt = SGD(iter(ps), lr=0.5)  # any iterable of Values
    opt.lr = 0.25
    opt.step()
    assert [p.data for p in ps] == [1.0 - 1.25, 2.0 + 0.75]
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


# -- parity with torch.optim ------------------------------------------------------------


def objective(a, b, c, d):
    """The same expression on Values and on tensors: nonlinear, with coupled parameters."""
    return (a * b - 1.0) ** 2 + (c.tanh() + d * 0.5 - 0.3) ** 2 + (a + d).sigmoid() * c + b * b * 0.1


START = [0.5, -1.5, 2.0, 0.25]


def run_both(make_ours, make_theirs, steps=25, schedule=None):
    ours = [Value(x) for x in START]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    opt, topt = make_ours(ours), make_theirs(theirs)
    for k in range(steps):
        if schedule is not None:
            opt.lr = schedule(k)
            for group in topt.param_groups:
                group["lr"] = schedule(k)
        opt.zero_grad()
        objective(*ours).backward()
        opt.step()
        topt.zero_grad()
        objective(*theirs).backward()
        topt.step()
        for p, t in zip(ours, theirs):
            assert p.data == pytest.approx(t.item(), rel=1e-12, abs=1e-12), f"step {k}"
    assert any(abs(p.data - x) > 0.02 for p, x in zip(ours, START))  # the parameters did move


@needs_torch
@pytest.mark.parametrize(("momentum", "weight_decay"), [(0.0, 0.0), (0.9, 0.0), (0.0, 0.1), (0.9, 0.05)])
def test_sgd_matches_torch(momentum, weight_decay):
    run_both(
        lambda ps: SGD(ps, lr=0.05, momentum=momentum, weight_decay=weight_decay),
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=momentum, weight_decay=weight_decay),
    )


@needs_torch
def test_sgd_with_a_schedule_matches_torch():
    run_both(
        lambda ps: SGD(ps, lr=1.0, momentum=0.5, weight_decay=1e-4),
        lambda ps: torch.optim.SGD(ps, lr=1.0, momentum=0.5, weight_decay=1e-4),
        schedule=lambda k: 0.1 - 0.09 * k / 25,
    )


@needs_torch
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"lr": 0.05}, {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}, {"lr": 0.05, "weight_decay": 0.1}],
)
def test_adam_matches_torch(kwargs):
    run_both(lambda ps: Adam(ps, **kwargs), lambda ps: torch.optim.Adam(ps, **kwargs), steps=40)


@needs_torch
def test_adam_with_a_schedule_matches_torch():
    run_both(
        lambda ps: Adam(ps, lr=0.1),
        lambda ps: torch.optim.Adam(ps, lr=0.1),
        schedule=lambda k: 0.1 * 0.9**k,
    )


# -- bad arguments ----------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_bad_parameter_lists(optimizer):
    p = Value(1.0)
    with pytest.raises(ValueError, match=f"{optimizer.__name__}: the parameter list is empty"):
        optimizer([], lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 is a float, not a Value"):
        optimizer([p, 2.0], lr=0.1)
    with pytest.raises(ValueError, match=r"parameter 1 .* appears more than once"):
        optimizer([p, p], lr=0.1)


@pytest.mark.parametrize("optimizer", [SGD, Adam])
@pytest.mark.parametrize(
    ("lr", "error"),
    [(-0.1, ValueError), (math.nan, ValueError), (math.inf, ValueError), ("0.1", TypeError), (None, TypeError)],
)
def test_bad_learning_rates(optimizer, lr, error):
    with pytest.raises(error, match="lr must be"):
        optimizer([Value(1.0)], lr=lr)
    opt = optimizer([Value(1.0)], lr=0.1)
    with pytest.raises(error, match="lr must be"):
        opt.lr = lr
    assert opt.lr == 0.1


def test_bad_hyperparameters():
    p = [Value(1.0)]
    with pytest.raises(ValueError, match="SGD: momentum"):
        SGD(p, lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match="SGD: weight_decay"):
        SGD(p, lr=0.1, weight_decay=-1.0)
    with pytest.raises(ValueError, match="Adam: betas"):
        Adam(p, betas=(1.0, 0.999))
    with pytest.raises(ValueError, match="Adam: betas"):
        Adam(p, betas=(0.9,))
    with pytest.raises(ValueError, match=r"Adam: betas\[1\]"):
        Adam(p, betas=(0.9, -0.1))
    with pytest.raises(ValueError, match="Adam: eps"):
        Adam(p, eps=-1e-8)
    with pytest.raises(ValueError, match="Adam: weight_decay"):
        Adam(p, weight_decay=-0.1)
    with pytest.raises(TypeError, match="Adam: betas must be a pair of numbers"):
        Adam(p, betas=0.9)
    with pytest.raises(TypeError, match=r"Adam: betas\[0\] must be a real number, got str"):
        Adam(p, betas=("0.9", 0.999))


def test_repr():
    assert repr(SGD([Value(1.0)], lr=0.1, momentum=0.9)) == "SGD(1 parameters, lr=0.1, momentum=0.9, weight_decay=0.0)"
    assert repr(Adam([Value(1.0)])).startswith("Adam(1 parameters, lr=0.001, betas=(0.9, 0.999)")
