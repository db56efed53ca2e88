"""Training end to end: micrograd's demo, fit with each loss, clipping, gradient norms, bad input."""

import contextlib
import gc
import math
import sys

import pytest

import chainrule
from chainrule import Value, no_grad
from chainrule.data import make_circles, make_moons, make_spiral
from chainrule.nn import (
    LOSSES,
    MLP,
    History,
    LossSpec,
    Module,
    bce_with_logits,
    clip_grad_norm,
    collector_paused,
    cross_entropy,
    fit,
    grad_norms,
    hinge_loss,
    mse_loss,
)
from chainrule.optim import SGD, Adam
from tests.reference import needs_torch, torch


def accuracy(model, samples, labels, correct):
    with no_grad():
        return sum(correct(model(x), t) for x, t in zip(samples, labels)) / len(samples)


# -- end to end -----------------------------------------------------------------------


def test_micrograd_demo_reproduced():
    """micrograd's demo.ipynb, step for step: full-batch SGD on the hinge loss plus L2."""
    X, y = make_moons(100, noise=0.1, seed=1)
    labels = [2 * v - 1 for v in y]  # micrograd's y * 2 - 1
    model = MLP(2, [16, 16, 1], seed=1)
    opt = SGD(model.parameters(), lr=1.0)
    for k in range(100):
        scores = [model(x)[0] for x in X]
        loss = hinge_loss(scores, labels) + 1e-4 * sum(p * p for p in model.parameters())
        opt.zero_grad()
        loss.backward()
        opt.lr = 1.0 - 0.9 * k / 100
        opt.step()
    acc = accuracy(model, X, labels, lambda out, t: (out[0].data > 0) == (t > 0))
    print(f"micrograd demo: final loss {loss.data:.4f}, training accuracy {acc:.2f}")
    assert acc >= 0.97


def test_adam_bce_on_circles():
    X, y = make_circles(50, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    history = fit(
        model, X, y, loss="bce_with_logits", optimizer=Adam(model.parameters(), lr=0.05), epochs=30, progress=False
    )
    assert history.accuracy[-1] >= 0.95
    assert accuracy(model, X, y, lambda out, t: (out[0].data > 0) == (t == 1)) >= 0.95
    assert history.loss[-1] < 0.1 * history.loss[0]


def test_cross_entropy_on_a_three_class_spiral_in_minibatches():
    X, y = make_spiral(25, 3, seed=0)
    model = MLP(2, [12, 12, 3], seed=0)
    opt = Adam(model.parameters(), lr=0.03)
    history = fit(model, X, y, loss=cross_entropy, optimizer=opt, epochs=40, batch_size=25, seed=0, progress=False)
    assert history.accuracy[-1] >= 0.9

    def correct(out, t):
        return max(range(3), key=lambda k: out[k].data) == t

    assert accuracy(model, X, y, correct) >= 0.9


# -- what fit computes ------------------------------------------------------------------


class Fixed(Module):
    """A model whose outputs are given per sample, with one parameter so optimizers accept it."""

    def __init__(self, outputs):
        self.outputs = outputs
        self.scale = Value(1.0)

    def forward(self, x):
        return [self.scale * o for o in self.outputs[int(x[0])]]


@pytest.mark.parametrize(
    ("loss", "outputs", "y", "given", "expected_accuracy"),
    [
        # hinge: labels 0/1 become -1/+1; correct when score > 0 exactly for the +1 samples
        (hinge_loss, [[0.5], [-2.0], [0.0], [3.0]], [1, 0, 1, 0], [1, -1, 1, -1], 2 / 4),
        (hinge_loss, [[0.5], [-2.0]], [1, -1], [1, -1], 1.0),  # -1/+1 kept
        # bce: labels as they are; correct when logit > 0 exactly for label >= 0.5
        (bce_with_logits, [[0.5], [-2.0], [1.0], [-1.0]], [1, 0, 0, 0.75], [1.0, 0.0, 0.0, 0.75], 2 / 4),
        # cross-entropy: class indices; correct when the label's logit is the largest
        (cross_entropy, [[1.0, 2.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [1, 2, 0], [1, 2, 0], 2 / 3),
        (mse_loss, [[0.5], [2.0]], [1, 0], [1.0, 0.0], None),
    ],
)
def test_fit_maps_labels_and_measures_accuracy(loss, outputs, y, given, expected_accuracy):
    model = Fixed(outputs)
    X = [[i] for i in range(len(y))]
    history = fit(model, X, y, loss=loss.__name__, optimizer=SGD(model.parameters(), lr=0.0), epochs=1, progress=False)
    out = [[Value(v) for v in row] for row in outputs]
    direct = loss(out, given) if loss is cross_entropy else loss([row[0] for row in out], given)
    assert history.loss == [pytest.approx(direct.data, rel=1e-15)]
    if expected_accuracy is None:
        assert history.accuracy is None
    else:
        assert history.accuracy == [pytest.approx(expected_accuracy)]


def test_a_loss_in_the_registry_is_one_fit_knows(monkeypatch):
    """fit reads everything about a named loss from LOSSES: adding one entry is enough."""

    def l1_loss(preds, targets):
        return sum(((p - t).relu() + (t - p).relu() for p, t in zip(preds, targets)), Value(0.0)) / len(preds)

    def labels(y, width, where):
        return [float(v) for v in y]

    monkeypatch.setitem(LOSSES, "l1_loss", LossSpec("l1_loss", l1_loss, labels, lambda t: 1 if t > 0.5 else 0))
    model = Fixed([[0.5], [-2.0], [3.0]])
    X, y = [[0], [1], [2]], [1, 0, 0]
    for loss in ("l1_loss", l1_loss):  # by name, or the function itself
        history = fit(model, X, y, loss=loss, optimizer=SGD(model.parameters(), lr=0.0), epochs=1, progress=False)
        assert history.loss == [pytest.approx((0.5 + 2.0 + 3.0) / 3)]
        assert history.accuracy == [pytest.approx(2 / 3)]  # 3.0 predicts class 1 for a 0
    wide = MLP(1, [3], seed=0)
    with pytest.raises(ValueError, match="fit: l1_loss needs a model with 1 output, got 3"):
        fit(wide, X, y, loss="l1_loss", optimizer=SGD(wide.parameters(), lr=0.1), epochs=1)


def test_fit_history_and_full_batch_steps():
    X, y = make_moons(20, seed=0)
    model = MLP(2, [4, 1], seed=0)
    steps = []

    class Counting(SGD):
        def step(self):
            steps.append(1)
            super().step()

    opt = Counting(model.parameters(), lr=0.1)
    history = fit(model, X, y, loss="hinge_loss", optimizer=opt, epochs=3, progress=False)
    assert isinstance(history, History)
    assert len(history.loss) == len(history.accuracy) == len(history.grad_norms) == 3
    assert len(steps) == 3  # full batch: one step per epoch
    assert list(history.grad_norms[0]) == ["layers.0", "layers.1"]
    # The last entry is each layer's norm of the grads the last step left (the update keeps them).
    for i, layer in enumerate(model.layers):
        by_hand = math.sqrt(sum(p.grad**2 for p in layer.parameters()))
        assert history.grad_norms[-1][f"layers.{i}"] == pytest.approx(by_hand, rel=1e-15)
    assert history.grad_norms[0] != history.grad_norms[-1]  # recorded afresh each epoch
    assert history.wall_time > 0
    assert repr(history).startswith("History(epochs=3, loss=")


def test_fit_minibatches_are_seeded_shuffles():
    X, y = make_moons(20, seed=0)
    seen = []

    def recording_loss(outputs, labels):
        seen.append(list(labels))
        return mse_loss([o[0] for o in outputs], labels)

    def run(seed):
        model = MLP(2, [4, 1], seed=0)
        seen.clear()
        fit(model, X, y, loss=recording_loss, optimizer=SGD(model.parameters(), lr=0.05), epochs=2, batch_size=6,
            seed=seed, progress=False)  # fmt: skip
        return model.state_dict(), [list(b) for b in seen]

    state_a, batches_a = run(3)
    state_b, batches_b = run(3)
    _, batches_c = run(4)
    assert state_a == state_b and batches_a == batches_b
    assert batches_a != batches_c
    assert [len(b) for b in batches_a] == [6, 6, 6, 2] * 2  # every sample once per epoch
    assert sorted(v for b in batches_a[:4] for v in b) == sorted(y)


def test_fit_with_a_custom_loss_gets_outputs_and_raw_labels():
    X, y = [[0.0, 1.0], [1.0, 0.0]], ["a", "b"]
    model = MLP(2, [2], seed=0)
    calls = []

    def custom(outputs, labels):
        calls.append((len(outputs), [len(o) for o in outputs], labels))
        return outputs[0][0] * 0.0 + 1.5

    history = fit(model, X, y, loss=custom, optimizer=SGD(model.parameters(), lr=0.1), epochs=1, progress=False)
    assert calls == [(2, [2, 2], ["a", "b"])]
    assert history.loss == [1.5] and history.accuracy is None


def test_progress_bar_shows_then_a_summary_line_and_both_can_be_silenced(capsys):
    X, y = make_moons(8, seed=0)
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, X, y, loss="hinge_loss", optimizer=SGD(model.parameters(), lr=0.1), epochs=2)
    out, err = capsys.readouterr()
    assert "fit" in err and "2/2" in err and "loss=" in err and "accuracy=" in err
    # One plain line on stdout, after the bar: what a static export or a log keeps.
    assert out == (
        f"fit: 2 epochs, final loss {history.loss[-1]:.4g}, accuracy {100 * history.accuracy[-1]:.1f}%, "
        f"{history.wall_time:.3g} s\n"
    )
    fit(model, X, y, loss="hinge_loss", optimizer=SGD(model.parameters(), lr=0.1), epochs=2, progress=False)
    assert capsys.readouterr() == ("", "")
    fit(model, X, y, loss="mse_loss", optimizer=SGD(model.parameters(), lr=0.1), epochs=1)
    assert capsys.readouterr().out.startswith("fit: 1 epoch, final loss ")  # no accuracy to report


def test_history_summary_by_hand():
    assert History(loss=[0.9, 0.31], accuracy=[0.5, 0.875], wall_time=1.25).summary() == (
        "fit: 2 epochs, final loss 0.31, accuracy 87.5%, 1.25 s"
    )
    assert History(loss=[2.0], wall_time=0.5).summary() == "fit: 1 epoch, final loss 2, 0.5 s"
    assert History().summary() == "fit: 0 epochs"


def test_fit_works_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm...` raise ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    X, y = make_moons(8, seed=0)
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, X, y, loss="hinge_loss", optimizer=SGD(model.parameters(), lr=0.1), epochs=2)
    assert len(history.loss) == 2
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("fit: 2 epochs")  # no bar, the summary still


# -- bad input leaves the model untouched ---------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": [0, 1]}, "4 samples in X but 2 labels in y"),
        ({"X": [], "y": []}, "X is empty"),
        ({"X": [[0.0, 1.0], [1.0], [0.0, 0.0], [1.0, 1.0]]}, "sample 1 has 1 features, sample 0 has 2"),
        ({"epochs": 0}, "epochs must be a positive int, got 0"),
        ({"batch_size": 0}, "batch_size must be a positive int or None, got 0"),
        ({"loss": "mse"}, r"unknown loss 'mse'; the named losses are \['bce_with_logits', 'cross_entropy'"),
        ({"y": [0, 1, 2, 1]}, r"hinge_loss needs labels 0/1 or -1/\+1, got \[0.0, 1.0, 2.0\]"),
        ({"loss": "bce_with_logits", "y": [0, 2, 1, 0]}, r"bce_with_logits needs labels in \[0, 1\], got 2"),
        ({"loss": "cross_entropy"}, "cross_entropy needs a model with one output per class, got 1 output"),
    ],
)
def test_fit_rejects_bad_input_before_training(kwargs, message):
    fit_rejects(kwargs, ValueError, message)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"loss": "mse_loss", "y": [0, "1", 0, 1]}, "label '1' of sample 1 is not a number"),
        ({"loss": 3}, "loss must be a loss name or a callable, got int"),
        ({"epochs": 2.0}, "epochs must be a positive int, got float 2.0"),
        ({"batch_size": "4"}, "batch_size must be a positive int or None, got str '4'"),
    ],
)
def test_fit_rejects_arguments_of_the_wrong_type_before_training(kwargs, message):
    fit_rejects(kwargs, TypeError, message)


def fit_rejects(kwargs, error, message):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    args = {"X": [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [1.0, 1.0]], "y": [0, 1, 0, 1], "loss": "hinge_loss", "epochs": 1}
    args.update(kwargs)
    X, y = args.pop("X"), args.pop("y")
    with pytest.raises(error, match=message):
        fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.5), progress=False, **args)
    assert model.state_dict() == before


def test_fit_rejects_bad_class_indices_and_widths():
    X = [[0.0, 1.0], [1.0, 0.0]]
    three = MLP(2, [3, 3], seed=0)
    with pytest.raises(ValueError, match=r"label 3 of sample 1 is not a class index 0\.\.2"):
        fit(three, X, [0, 3], loss="cross_entropy", optimizer=SGD(three.parameters(), lr=0.1), epochs=1)
    with pytest.raises(ValueError, match="hinge_loss needs a model with 1 output, got 3"):
        fit(three, X, [0, 1], loss="hinge_loss", optimizer=SGD(three.parameters(), lr=0.1), epochs=1)
    with pytest.raises(TypeError, match=r"label 1\.0 of sample 1 is not a class index 0\.\.2"):
        fit(three, X, [0, 1.0], loss="cross_entropy", optimizer=SGD(three.parameters(), lr=0.1), epochs=1)


# -- clip_grad_norm and grad_norms ----------------------------------------------------------


def test_clip_grad_norm_by_hand():
    a, b, c = Value(0.0), Value(0.0), Value(0.0)
    a.grad, b.grad, c.grad = 3.0, 4.0, 12.0  # norm 13
    assert clip_grad_norm([a, b, c], 6.5) == 13.0
    scale = 6.5 / (13.0 + 1e-6)
    assert [a.grad, b.grad, c.grad] == [3.0 * scale, 4.0 * scale, 12.0 * scale]
    assert math.hypot(a.grad, b.grad, c.grad) == pytest.approx(6.5)
    assert clip_grad_norm([a, b, c], 100.0) == pytest.approx(6.5)  # below the limit: unchanged
    assert [a.grad, b.grad, c.grad] == [3.0 * scale, 4.0 * scale, 12.0 * scale]


def test_clip_grad_norm_does_not_overflow():
    a, b = Value(0.0), Value(0.0)
    a.grad, b.grad = 3e200, 4e200  # squaring them would overflow
    assert clip_grad_norm([a, b], 1.0) == pytest.approx(5e200)
    assert (a.grad, b.grad) == (pytest.approx(0.6), pytest.approx(0.8))


def test_clip_grad_norm_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_norm must be a number >= 0, got -1"):
        clip_grad_norm([Value(1.0)], -1)
    with pytest.raises(TypeError, match="parameter 0 is a float"):
        clip_grad_norm([1.0], 1.0)
    with pytest.raises(TypeError, match="max_norm must be a real number, got NoneType"):
        clip_grad_norm([Value(1.0)], None)
    p = Value(0.0)
    p.grad = 1e300
    assert clip_grad_norm([p], math.inf) == 1e300 and p.grad == 1e300  # an infinite limit never clips


@needs_torch
def test_clip_grad_norm_matches_torch():
    grads = [0.3, -2.5, 1.75, 0.0, -0.01]
    ours = [Value(0.0) for _ in grads]
    theirs = [torch.zeros((), dtype=torch.float64, requires_grad=True) for _ in grads]
    for p, t, g in zip(ours, theirs, grads):
        p.grad = g
        t.grad = torch.tensor(g, dtype=torch.float64)
    assert clip_grad_norm(ours, 1.0) == pytest.approx(torch.nn.utils.clip_grad_norm_(theirs, 1.0).item(), rel=1e-15)
    assert [p.grad for p in ours] == pytest.approx([t.grad.item() for t in theirs], rel=1e-15)


def test_grad_norms_per_layer_of_an_mlp():
    model = MLP(2, [4, 3, 1], seed=0)
    model([0.5, -1.0])[0].backward()
    norms = grad_norms(model)
    assert list(norms) == ["layers.0", "layers.1", "layers.2"]
    for i, layer in enumerate(model.layers):
        by_hand = math.sqrt(sum(p.grad**2 for p in layer.parameters()))
        assert norms[f"layers.{i}"] == pytest.approx(by_hand, rel=1e-15)
    assert norms["layers.2"] > 0


def test_grad_norms_of_other_modules():
    class Scaled(Module):
        def __init__(self):
            self.temperature = Value(2.0)
            self.body = MLP(1, [2], seed=0)

        def forward(self, x):
            return [o * self.temperature for o in self.body(x)]

    model = Scaled()
    sum(model([1.0]), Value(0.0)).backward()
    norms = grad_norms(model)
    assert list(norms) == ["temperature", "body"]
    assert norms["temperature"] == pytest.approx(abs(model.temperature.grad))
    assert norms["body"] == pytest.approx(math.sqrt(sum(p.grad**2 for p in model.body.parameters())))


def test_public_homes():
    assert chainrule.nn.fit is chainrule.nn.training.fit and chainrule.nn.mse_loss is chainrule.nn.losses.mse_loss
    for name in ("data", "nn", "optim", "plot"):
        assert name in chainrule.__all__ and getattr(chainrule, name).__name__ == f"chainrule.{name}"
    for name in ("fit", "History", "clip_grad_norm", "grad_norms", "mse_loss", "hinge_loss", "bce_with_logits"):
        assert name in chainrule.nn.__all__


def _loss_seeing_the_collector(seen):
    """A custom loss that records whether the cyclic collector runs while fit's step does."""

    def loss(outputs, labels):
        seen.append(gc.isenabled())
        return mse_loss([out[0] for out in outputs], labels)

    return loss


def test_fit_pauses_the_collector_in_each_step_and_restores_it():
    X, y = make_moons(20, seed=0)
    model = MLP(2, [4, 1], seed=0)
    seen = []
    assert gc.isenabled()
    fit(model, X, y, loss=_loss_seeing_the_collector(seen), optimizer=SGD(model.parameters(), lr=0.1), epochs=3,
        batch_size=10, progress=False)  # fmt: skip
    assert seen == [False] * 6 and gc.isenabled()


def test_fit_leaves_a_disabled_collector_disabled():
    X, y = make_moons(20, seed=0)
    model = MLP(2, [4, 1], seed=0)
    seen = []
    gc.disable()
    try:
        fit(model, X, y, loss=_loss_seeing_the_collector(seen), optimizer=SGD(model.parameters(), lr=0.1), epochs=2,
            progress=False)  # fmt: skip
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()


def test_fit_restores_the_collector_when_a_step_fails():
    X, y = make_moons(20, seed=0)
    model = MLP(2, [4, 1], seed=0)

    def failing(outputs, labels):
        raise RuntimeError("a loss that fails")

    with pytest.raises(RuntimeError, match="a loss that fails"):
        fit(model, X, y, loss=failing, optimizer=SGD(model.parameters(), lr=0.1), epochs=2, progress=False)
    assert gc.isenabled()


def test_collector_paused_restores_what_it_found():
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it off, and left it off
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("boom")
    assert gc.isenabled()


def test_fit_trains_the_same_with_and_without_the_pause(monkeypatch):
    """The pause changes when memory is reclaimed, never a number: same losses, same weights."""
    from chainrule.nn import training

    def run():
        X, y = make_moons(40, seed=1)
        model = MLP(2, [8, 8, 1], seed=3)
        history = fit(model, X, y, loss="hinge_loss", optimizer=Adam(model.parameters(), lr=0.05), epochs=5,
                      progress=False)  # fmt: skip
        return history.loss, model.state_dict()

    paused = run()
    monkeypatch.setattr(training, "collector_paused", contextlib.nullcontext)
    assert run() == paused
