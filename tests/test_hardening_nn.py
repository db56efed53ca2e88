"""Issue 16, the nn side: checkpoints that survive a failed save, fit that checks all its data
first, confident losses to the last digits, and clear errors for the usual misuse."""

import errno
import json
import math
import os
from decimal import Decimal, localcontext

import pytest

from chainrule import Value
from chainrule.nn import MLP, bce_with_logits, clip_grad_norm, cross_entropy, fit, mse_loss
from chainrule.optim import SGD, Adam
from tests.reference import assert_matches_torch, needs_torch, same_float, torch

# -- 1. save and load ------------------------------------------------------------------


def saved(tmp_path, seed=0):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=seed).save(path)
    return path, path.read_bytes()


def test_a_save_that_fills_the_disk_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path, before = saved(tmp_path)

    write = os.write

    def full_disk(fd, data):
        write(fd, bytes(data[:30]))  # part of the file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.json"]  # the temporary file is gone too


def test_save_flushes_to_disk_before_it_replaces_the_file(tmp_path, monkeypatch):
    path, before = saved(tmp_path)

    def failing_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output error"):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.json"]


def test_save_writes_a_new_file_and_replaces_an_old_one(tmp_path):
    path, _ = saved(tmp_path)
    other = MLP(2, [3, 1], seed=1)
    other.save(path)
    assert json.loads(path.read_text()) == other.state_dict()
    assert os.listdir(tmp_path) == ["model.json"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_save_refuses_a_parameter_json_cannot_hold(tmp_path, bad):
    path, before = saved(tmp_path)
    model = MLP(2, [3, 1], seed=1)
    model.layers[1].neurons[0].b.data = bad
    with pytest.raises(ValueError, match=r"parameter 'layers\.1\.neurons\.0\.b' is"):
        model.save(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content", [b"", b'{"layers.0.neurons.0.w.0": 0.1', b"\x80\x81\xfe\xff\x00binary", b"not json"]
)
def test_load_of_a_corrupt_file_names_the_file(tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"broken\.json"):
        model.load(path)
    assert model.state_dict() == before


def test_load_of_a_state_dict_for_another_model_names_the_file(tmp_path):
    path = tmp_path / "small.json"
    MLP(2, [1], seed=0).save(path)
    with pytest.raises(KeyError, match=r"load '.*small\.json': .*missing keys"):
        MLP(2, [3, 1], seed=0).load(path)


# -- 2. fit checks all the data before the first step --------------------------------------

SAMPLES = [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.5, 0.5], [0.2, 0.9], [0.9, 0.1], [0.3, 0.3]]


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ([0.0, "a"], TypeError, "feature 1 of sample 7 must be a real number"),
        ([None, 0.0], TypeError, "feature 0 of sample 7 must be a real number"),
        ({0: 0.5, 1: 0.5}, TypeError, "sample 7 must be a sequence of numbers, got dict"),
        ("ab", TypeError, "sample 7 must be a sequence of numbers, got str"),
        ([0.0, 10**400], ValueError, "feature 1 of sample 7 is too large for a float"),
    ],
)
@pytest.mark.parametrize("loss", ["hinge_loss", lambda outputs, labels: mse_loss([o[0] for o in outputs], labels)])
def test_fit_checks_every_sample_before_the_first_step(bad, error, message, loss):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    X, y = [*SAMPLES[:7], bad], [0, 1, 0, 1, 0, 1, 0, 1]
    with pytest.raises(error, match=message):
        fit(model, X, y, loss=loss, optimizer=SGD(model.parameters(), lr=0.5), epochs=2, batch_size=1, progress=False)
    assert model.state_dict() == before


def test_fit_checks_the_samples_width_against_the_model_with_a_custom_loss():
    model = MLP(3, [3, 1], seed=0)
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        fit(model, SAMPLES, [0.0] * 8, loss=lambda o, t: o[0][0], optimizer=SGD(model.parameters(), lr=0.1), epochs=1)


# -- 3. confident losses keep their digits -------------------------------------------------

TINY = 2.2250738585072014e-308  # the smallest normal float


def log1p_exact(e):
    """log(1 + e) for a Decimal e >= 0, with the series where 1 + e would round."""
    return e - e * e / 2 + e * e * e / 3 if e < Decimal("1e-30") else (1 + e).ln()


def bce_exact(x, t):
    """softplus(x) - t x = max(x, 0) - t x + log(1 + exp(-|x|)): the first part exactly (a float
    has at most 767 significant digits), the rest to 60 digits."""
    d, t = Decimal(x), Decimal(t)
    with localcontext() as ctx:
        ctx.prec = 2000
        linear = max(d, Decimal(0)) - t * d
        ctx.prec = 60
        return float(linear + log1p_exact((-abs(d)).exp()))


def cross_entropy_exact(row, target):
    """log(sum(exp(z - z_target))) at 60 digits, the largest term factored out."""
    with localcontext() as ctx:
        ctx.prec = 60
        d = [Decimal(z) - Decimal(row[target]) for z in row]
        top = max(d)
        rest = sum(((v - top).exp() for k, v in enumerate(d) if k != d.index(top)), Decimal(0))
        return float(top + log1p_exact(rest))


def relative_error(ours, exact):
    return abs(ours - exact) / abs(exact)


LOGITS = sorted(
    {s * m * 10.0**e for s in (1, -1) for m in (1.0, 2.5, 7.3) for e in range(-12, 309) if m * 10.0**e < 1.7e308}
    | {x / 4 for x in range(-3000, 3001, 7)}
    | {0.0, 30.0, 40.0, 700.0, 708.0, -745.0, 1.7976931348623157e308, -1.7976931348623157e308}
)


@pytest.mark.parametrize("target", [0.0, 1.0, 0.5, 0.25, 0.75, 0.1, 0.999])
def test_bce_with_logits_is_exact_to_1e_12_wherever_the_loss_is_a_normal_float(target):
    worst = (0.0, 0.0)
    for x in LOGITS:
        exact = bce_exact(x, target)
        if not TINY <= exact < math.inf:
            continue
        error = relative_error(bce_with_logits([Value(x)], [target]).data, exact)
        worst = max(worst, (error, x))
    assert worst[0] <= 1e-12, f"relative error {worst[0]:.3g} at logit {worst[1]!r}"


def test_the_confident_bce_cases_of_the_issue():
    assert bce_with_logits([Value(30.0)], [1.0]).data == pytest.approx(math.log1p(math.exp(-30.0)), rel=1e-15)
    assert bce_with_logits([Value(40.0)], [1.0]).data == pytest.approx(4.248354255291589e-18, rel=1e-15)
    assert bce_with_logits([Value(-40.0)], [0.0]).data == pytest.approx(4.248354255291589e-18, rel=1e-15)
    assert bce_with_logits([Value(math.inf)], [0.0]).data == math.inf
    assert bce_with_logits([Value(-math.inf)], [1.0]).data == math.inf
    assert bce_with_logits([Value(math.inf)], [1.0]).data == 0.0


@pytest.mark.parametrize("target", [0.0, 1.0])
def test_bce_gradient_is_exact_for_hard_targets(target):
    for x in LOGITS:
        with localcontext() as ctx:
            ctx.prec = 60
            e = (-abs(Decimal(x))).exp()
            big, small = 1 / (1 + e), e / (1 + e)  # sigmoid(|x|) and sigmoid(-|x|), no cancellation
            sigmoid, one_minus_sigmoid = (big, small) if x >= 0 else (small, big)
            exact = float(sigmoid) if target == 0.0 else -float(one_minus_sigmoid)
        if abs(exact) < TINY:
            continue
        v = Value(x)
        bce_with_logits([v], [target]).backward()
        assert relative_error(v.grad, exact) <= 1e-12, (x, v.grad, exact)


@needs_torch
@pytest.mark.parametrize("x", [-30.0, -8.0, -1.5, -1e-3, 0.0, 1e-3, 0.7, 4.0, 12.0, 30.0])
@pytest.mark.parametrize("t", [0.0, 0.3, 1.0])
def test_bce_values_and_gradients_match_torch(x, t):
    # torch cancels (x - log_sigmoid(x)), so it is off by about an ulp of x: allow that, absolutely.
    atol = 1e-15 * max(1.0, abs(x))
    assert_matches_torch(lambda ops, v: ops.bce_with_logits([v], [t]), [x], rel=1e-12, atol=atol)


def test_cross_entropy_subtracts_before_it_rounds():
    assert cross_entropy([[Value(1e12), Value(1e12), Value(0.0)]], [0]).data == pytest.approx(math.log(2), rel=1e-15)


ROWS = [
    [1e12, 1e12, 0.0],
    [40.0, 0.0, 0.0],
    [700.0, 0.0, -3.0, 2.0],
    [1e300, -1e300, 5.0],
    [3.0, 3.0 - 1e-9],
    [0.1, -0.2, 0.3, 0.05],
    [-20.0, 15.0, 14.5],
    [1e-8, 0.0],
    [2.5, 2.5, 2.5],
    [100.0, 99.0, -50.0],
]


def test_cross_entropy_is_exact_to_1e_12_wherever_the_loss_is_a_normal_float():
    for row in ROWS:
        for target in range(len(row)):
            exact = cross_entropy_exact(row, target)
            if not TINY <= exact < math.inf:
                continue
            ours = cross_entropy([[Value(z) for z in row]], [target]).data
            assert relative_error(ours, exact) <= 1e-12, (row, target, ours, exact)


def test_cross_entropy_of_one_class_is_zero():
    v = Value(3.0)
    loss = cross_entropy([[v]], [0])
    loss.backward()
    assert loss.data == 0.0 and v.grad == 0.0


@needs_torch
@pytest.mark.parametrize("row", [[0.5, -1.0, 2.0], [10.0, -3.0, 0.0, 4.0], [-25.0, 25.0], [1.0, 1.0, 1.0]])
def test_cross_entropy_values_and_gradients_match_torch(row):
    for target in range(len(row)):

        def fn(ops, *xs, target=target):
            return ops.cross_entropy([list(xs)], [target])

        assert_matches_torch(fn, row, rel=1e-12, atol=1e-15)


# -- 4. silent acceptance -----------------------------------------------------------------


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_optimizers_refuse_a_parameter_that_is_not_a_leaf(optimizer):
    x = Value(1.0, "x")
    with pytest.raises(ValueError, match=r"parameter 1 \(Value\(data=2\.0.*is not a leaf but the result of '\*'"):
        optimizer([x, x * 2], lr=0.1)


@pytest.mark.parametrize("sample", [{0: 5.0, 1: 7.0}, {5.0, 7.0}, "ab", b"ab", 5.0, None])
def test_a_sample_must_be_a_sequence_of_inputs(sample):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match="MLP: a sample must be a sequence"):
        model(sample)
    with pytest.raises(TypeError, match="Layer: a sample must be a sequence"):
        model.layers[0](sample)
    with pytest.raises(TypeError, match="Neuron: a sample must be a sequence"):
        model.layers[0].neurons[0](sample)


def test_a_sample_may_be_a_tuple_or_a_list_of_values():
    model = MLP(2, [3, 1], seed=0)
    assert model((0.5, 1.0))[0].data == model([Value(0.5), Value(1.0)])[0].data == model([0.5, 1.0])[0].data


def test_mlp_refuses_an_activation_neurons_do_not_have():
    with pytest.raises(ValueError, match="MLP: activation must be one of"):
        MLP(2, [1], activation="softmax")


# -- 5. errors that name the call and the argument ----------------------------------------


def test_losses_refuse_one_sample_given_without_its_list():
    with pytest.raises(TypeError, match=r"cross_entropy: logits must hold one row of logits per sample.*pass \[row\]"):
        cross_entropy([Value(1.0), Value(2.0), Value(0.5)], [0])
    with pytest.raises(TypeError, match=r"mse_loss: predictions must be a list .* got Value"):
        mse_loss(Value(1.0), 2.0)
    with pytest.raises(TypeError, match=r"mse_loss: targets must be a list .* got float"):
        mse_loss([Value(1.0)], 2.0)
    with pytest.raises(TypeError, match=r"bce_with_logits: predictions must be a list"):
        bce_with_logits(Value(1.0), [1.0])


@pytest.mark.parametrize("call", [SGD, Adam, lambda params, lr: clip_grad_norm(params, lr)])
def test_a_model_or_its_method_is_not_a_parameter_list(call):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=r"params must be an iterable of Values, got MLP; pass model\.parameters\(\)"):
        call(model, 0.1)
    with pytest.raises(TypeError, match=r"got method; call it: pass model\.parameters\(\)"):
        call(model.parameters, 0.1)
    with pytest.raises(TypeError, match=r"got Value; pass model\.parameters\(\)"):
        call(Value(1.0), 0.1)
    call(iter(model.parameters()), 0.1)  # any iterable of Values will do


def test_mlp_layer_sizes_must_be_a_list():
    with pytest.raises(TypeError, match="MLP: nouts must be a list of layer sizes, got int"):
        MLP(2, 3)


@needs_torch
def test_adam_with_eps_0_and_a_zero_grad_follows_torch():
    p = Value(1.0)
    Adam([p], lr=0.1, eps=0.0).step()
    t = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor(0.0, dtype=torch.float64)
    torch.optim.Adam([t], lr=0.1, eps=0.0).step()
    assert same_float(p.data, t.item()) and math.isnan(p.data)


def test_load_state_dict_refuses_what_is_not_a_dict():
    model = MLP(2, [1], seed=0)
    for state in (None, [1.0, 2.0, 3.0], "layers"):
        with pytest.raises(TypeError, match="load_state_dict: state must be a dict"):
            model.load_state_dict(state)


def test_load_state_dict_takes_numpy_numbers_as_floats():
    np = pytest.importorskip("numpy")
    model = MLP(2, [1], seed=0)
    model.load_state_dict({name: np.float32(0.5) for name in model.state_dict()})
    assert all(type(v) is float and v == 0.5 for v in model.state_dict().values())


@needs_torch
@pytest.mark.parametrize(
    ("grads", "max_norm"),
    [
        ([1.0, math.nan, 2.0], 1.0),
        ([1.0, math.nan, 2.0], 100.0),
        ([math.inf, 1.0], 1.0),
        ([math.inf, math.nan], 1.0),
        ([math.inf, 1.0], math.inf),
        ([3.0, 4.0], math.inf),
    ],
)
def test_clip_grad_norm_of_non_finite_grads_follows_torch(grads, max_norm):
    ours = [Value(0.0) for _ in grads]
    theirs = [torch.zeros((), dtype=torch.float64, requires_grad=True) for _ in grads]
    for p, t, g in zip(ours, theirs, grads):
        p.grad = g
        t.grad = torch.tensor(g, dtype=torch.float64)
    total = clip_grad_norm(ours, max_norm)
    assert same_float(total, torch.nn.utils.clip_grad_norm_(theirs, max_norm).item())
    assert all(same_float(p.grad, t.grad.item()) for p, t in zip(ours, theirs)), [p.grad for p in ours]
