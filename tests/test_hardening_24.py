"""The last bad inputs (issue 24): cross_entropy with masked (-inf) classes, fit on data with
nan or inf, save() when the write fails, and forward passes beside a running backward."""

from __future__ import annotations

import copy
import errno
import itertools
import math
import os
import random
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chainrule import Value
from chainrule.engine import logsumexp
from chainrule.files import write_atomically
from chainrule.nn import MLP, cross_entropy, fit
from chainrule.optim import SGD, Adam

from .reference import needs_torch, torch

INF = math.inf
README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


# -- 1. cross_entropy and logsumexp with -inf logits ----------------------------------------


def _ours(row, target):
    xs = [Value(v) for v in row]
    loss = cross_entropy([xs], [target])
    loss.backward()
    return loss.data, [x.grad for x in xs]


def _same(a, b):
    """Equal as torch's float64 would be: nan to nan, inf to inf, else within 1e-12."""
    if math.isnan(b) or math.isinf(b):
        return a == b or (math.isnan(a) and math.isnan(b))
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


@pytest.mark.parametrize(
    ("row", "target", "loss", "grads"),
    [
        ([-INF, 0.0, 0.0], 0, INF, [-1.0, 0.5, 0.5]),  # the example, as torch gives it
        ([-INF, -INF, 0.0], 0, INF, [-1.0, 0.0, 1.0]),
        ([-INF, -INF, 0.0], 1, INF, [0.0, -1.0, 1.0]),
        ([-INF, -INF, 0.0], 2, 0.0, [0.0, 0.0, 0.0]),
        ([0.0, -INF], 0, 0.0, [0.0, 0.0]),
        ([3.0, -INF], 1, INF, [1.0, -1.0]),
        ([-INF, 2.0, 2.0, -INF], 1, math.log(2.0), [0.0, -0.5, 0.5, 0.0]),
        ([-INF, 0.0, math.log(3.0)], 1, math.log(4.0), [0.0, -0.75, 0.75]),
    ],
)
def test_a_masked_class_gives_the_exact_limit(row, target, loss, grads):
    """Hand-derived: the loss is logsumexp(row) - row[target] with exp(-inf) = 0, and the
    gradient softmax(row) - onehot(target), a masked class's softmax being 0."""
    value, got = _ours(row, target)
    assert _same(value, loss)
    assert all(_same(g, w) for g, w in zip(got, grads)), got


def test_a_masked_class_in_a_batch_leaves_the_other_samples_gradients_finite():
    a, b = [Value(v) for v in (-INF, 0.0, 0.0)], [Value(v) for v in (1.0, 2.0, 3.0)]
    loss = cross_entropy([a, b], [1, 2])
    loss.backward()
    exps = [math.exp(v) for v in (1.0, 2.0, 3.0)]
    softmax = [e / sum(exps) for e in exps]
    assert loss.data == pytest.approx((math.log(2.0) + math.log(sum(exps)) - 3.0) / 2, rel=1e-12)
    assert [x.grad for x in a] == [0.0, -0.25, 0.25]
    assert [x.grad for x in b] == pytest.approx([softmax[0] / 2, softmax[1] / 2, (softmax[2] - 1) / 2], rel=1e-12)


def test_a_mask_added_to_a_models_logits_passes_zero_gradient_to_the_masked_weight():
    w = [Value(0.3, "w0"), Value(-0.2, "w1"), Value(0.5, "w2")]
    logits = [w[0] + -INF, w[1] * 2.0, w[2] * 2.0]  # class 0 masked, as attention masks do
    cross_entropy([logits], [2]).backward()
    e1, e2 = math.exp(-0.4), math.exp(1.0)
    assert w[0].grad == 0.0
    assert w[1].grad == pytest.approx(2 * e1 / (e1 + e2), rel=1e-12)
    assert w[2].grad == pytest.approx(2 * (e2 / (e1 + e2) - 1), rel=1e-12)


@pytest.mark.parametrize("rows", [[[-INF, -INF]], [[0.0, 1.0], [-INF, -INF]], [[-INF]]])
def test_a_row_of_only_minus_inf_is_a_clear_error_naming_the_sample(rows):
    xs = [[Value(v) for v in row] for row in rows]
    with pytest.raises(ValueError, match=rf"cross_entropy: every logit of sample {len(rows) - 1} is -inf"):
        cross_entropy(xs, [0] * len(rows))
    assert all(x.grad == 0.0 for row in xs for x in row)


@pytest.mark.parametrize(
    ("row", "target", "loss", "grads"),
    [
        ([INF, 0.0], 0, 0.0, None),  # the limit: chainrule's value as before, torch nan
        ([0.0, INF], 0, INF, [-1.0, 1.0]),
        ([-INF, INF, 0.0], 0, INF, [-1.0, 1.0, 0.0]),
        ([INF, -INF, 2.0], 2, INF, [1.0, 0.0, -1.0]),
        ([INF, -INF], 0, 0.0, None),
    ],
)
def test_plus_inf_logits_keep_their_exact_limit(row, target, loss, grads):
    value, got = _ours(row, target)
    assert value == loss
    if grads is not None:
        assert got == grads


def test_logsumexp_at_plus_inf_has_softmaxs_limit_and_minus_inf_adds_nothing():
    xs = [Value(v) for v in (-INF, 1.0, INF)]
    out = logsumexp(xs)
    out.backward()
    assert out.data == INF and [x.grad for x in xs] == [0.0, 0.0, 1.0]
    ys = [Value(v) for v in (-INF, math.log(2.0), 0.0)]
    out = logsumexp(ys)
    out.backward()
    assert out.data == pytest.approx(math.log(3.0), rel=1e-15)
    assert [y.grad for y in ys] == pytest.approx([0.0, 2 / 3, 1 / 3], rel=1e-15)


MIXES = [-INF, -1000.0, -2.0, 0.0, 1.5, 1000.0]


def _torch_case(row, target):
    x = torch.tensor([row], dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(x, torch.tensor([target]))
    loss.backward()
    return loss.item(), x.grad[0].tolist()


@needs_torch
@pytest.mark.parametrize("width", [2, 3, 4])
def test_cross_entropy_matches_torch_for_every_mix_of_minus_inf_and_finite_logits(width):
    rows = [r for r in itertools.product(MIXES, repeat=width) if any(v != -INF for v in r)]
    if width == 4:  # 1295 rows: a seeded sample of them, the masked ones kept
        rows = random.Random(24).sample(rows, 300)
    checked = 0
    for row in rows:
        for target in range(width):
            value, grads = _ours(list(row), target)
            want, want_grads = _torch_case(list(row), target)
            assert _same(value, want), (row, target, value, want)
            assert all(_same(g, w) for g, w in zip(grads, want_grads)), (row, target, grads, want_grads)
            checked += 1
    assert checked == width * len(rows)


@needs_torch
def test_logsumexp_matches_torch_for_every_mix_of_minus_inf_and_finite_values():
    for row in itertools.product([-INF, -3.0, 0.0, 700.0], repeat=3):
        xs = [Value(v) for v in row]
        out = logsumexp(xs)
        out.backward()
        t = torch.tensor(row, dtype=torch.float64, requires_grad=True)
        want = torch.logsumexp(t, 0)
        want.backward()
        assert _same(out.data, want.item()), row
        assert all(_same(x.grad, g) for x, g in zip(xs, t.grad.tolist())), row


# -- 2. fit refuses nan and inf in the data ---------------------------------------------------


def _model_and_adam():
    model = MLP(2, [4, 1], seed=0)
    return model, Adam(model.parameters(), lr=0.1)


def _snapshot(model, optimizer):
    return (
        [(p.data, p.grad) for p in model.parameters()],
        copy.deepcopy({k: v for k, v in vars(optimizer).items() if k != "params"}),
    )


@pytest.mark.parametrize("bad", [math.nan, INF, -INF, float("nan")])
@pytest.mark.parametrize("as_value", [False, True])
def test_fit_refuses_a_nan_or_inf_feature_naming_the_sample_and_feature(bad, as_value):
    model, adam = _model_and_adam()
    X = [[0.1 * i, -0.2 * i] for i in range(8)]
    X[5][1] = Value(bad) if as_value else bad
    before = _snapshot(model, adam)
    with pytest.raises(ValueError, match=r"fit: feature 1 of sample 5 is (nan|inf|-inf)"):
        fit(model, X, [i % 2 for i in range(8)], loss="bce_with_logits", optimizer=adam, epochs=3, progress=False)
    assert _snapshot(model, adam) == before


@pytest.mark.parametrize("loss", ["mse_loss", "hinge_loss", "custom"])
@pytest.mark.parametrize("bad", [math.nan, INF])
def test_fit_refuses_a_nan_or_inf_label_naming_the_sample(loss, bad):
    model, adam = _model_and_adam()
    X = [[0.1 * i, -0.2 * i] for i in range(6)]
    y = [float(i % 2) for i in range(6)]
    y[4] = bad
    before = _snapshot(model, adam)

    def custom(outputs, labels):
        return sum(((out[0] - t) ** 2 for out, t in zip(outputs, labels)), Value(0.0))

    with pytest.raises(ValueError, match=r"fit: the label of sample 4 is (nan|inf)"):
        fit(model, X, y, loss=custom if loss == "custom" else loss, optimizer=adam, epochs=2, progress=False)
    assert _snapshot(model, adam) == before


def test_fit_refuses_a_nan_inside_a_custom_losss_label_list():
    model = MLP(2, [2], seed=0)
    sgd = SGD(model.parameters(), lr=0.1)
    before = _snapshot(model, sgd)

    def loss(outputs, labels):
        return sum(((o - t) ** 2 for out, lab in zip(outputs, labels) for o, t in zip(out, lab)), Value(0.0))

    with pytest.raises(ValueError, match=r"fit: item 1 of the label of sample 2 is nan"):
        fit(
            model,
            [[0.0, 1.0]] * 3,
            [[0.0, 1.0], [1.0, 0.0], [0.5, math.nan]],
            loss=loss,
            optimizer=sgd,
            epochs=1,
            progress=False,
        )
    assert _snapshot(model, sgd) == before


def test_fit_still_trains_on_finite_data():
    model = MLP(2, [4, 1], seed=0)
    X = [[0.5, -1.0], [1.0, 2.0], [-1.5, 0.25]]
    history = fit(
        model, X, [1.0, 0.0, 1.0], loss="mse_loss", optimizer=SGD(model.parameters(), lr=0.05), epochs=5, progress=False
    )
    assert all(math.isfinite(v) for v in history.loss) and history.loss[-1] < history.loss[0]


# -- 3. save(): a failed write names the user's path and leaves no trace -----------------------


SAVERS = ["Module.save", "Stepper.save", "save_svg"]


def _saver(name):
    """One of chainrule's saves, as save(path)."""
    from chainrule.viz import Stepper, save_svg

    out = (Value(2.0, "x") * 3.0).tanh()
    return {
        "Module.save": MLP(2, [2, 1], seed=0).save,
        "Stepper.save": Stepper(out).save,
        "save_svg": lambda path: save_svg(out, path),
    }[name]


@pytest.mark.parametrize("name", SAVERS)
def test_a_full_disk_names_the_path_keeps_the_old_file_and_leaves_no_temporary_file(name, tmp_path, monkeypatch):
    target = tmp_path / "saved.out"
    target.write_text("the earlier file", encoding="utf-8")
    save = _saver(name)
    real_write = os.write

    def full_disk(fd, data):  # writes a little, then the disk is full, as a real one fails
        real_write(fd, bytes(data[:7]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError) as caught:
        save(target)
    monkeypatch.undo()
    message = str(caught.value)
    assert caught.value.errno == errno.ENOSPC
    assert repr(str(target)) in message and "No space left on device" in message
    assert ".tmp" not in message
    assert target.read_text(encoding="utf-8") == "the earlier file"
    assert sorted(os.listdir(tmp_path)) == ["saved.out"]


def _unwritable_folder(tmp_path):
    """A folder no file can be made in: /proc when running as root (who may write anywhere
    else), otherwise a folder without write permission."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        assert os.path.isdir("/proc/self"), "root without /proc: no folder is unwritable here"
        return Path("/proc")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("name", SAVERS)
def test_a_folder_that_cannot_be_written_is_named_with_the_cause(name, tmp_path):
    folder = _unwritable_folder(tmp_path)
    target = folder / "model.json"
    with pytest.raises(OSError) as caught:
        _saver(name)(target)
    message = str(caught.value)
    where = "save" if name == "Module.save" else name  # as Module.save's other errors say
    assert message.startswith(f"[Errno {caught.value.errno}] {where}: could not write {str(target)!r}: ")
    assert os.strerror(caught.value.errno) in message and ".tmp" not in message
    assert not [n for n in os.listdir(folder) if "model.json" in n]


def test_a_write_that_fails_midway_through_a_large_file_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "big.txt"
    calls = []
    real_write = os.write

    def short_then_fail(fd, data):  # the first call writes part (as os.write may), the second fails
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:1000]))
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "write", short_then_fail)
    with pytest.raises(OSError, match=r"test: could not write .*big\.txt'.*Input/output error"):
        write_atomically(target, "x" * 5000, "test")
    monkeypatch.undo()
    assert calls == [5000, 4000] and os.listdir(tmp_path) == []


def test_a_short_write_is_carried_on_until_the_whole_text_is_written(tmp_path, monkeypatch):
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:100])))
    write_atomically(tmp_path / "page.html", "é" * 1000, "test")
    monkeypatch.undo()
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == "é" * 1000


# -- 6. forward passes in one thread while another runs backward on shared leaves ---------------


def test_forward_passes_beside_a_running_backward_compute_what_they_would_alone():
    """Forward reads leaves' data, which backward never writes, and makes new nodes, which
    backward's walk (from its root to the leaves) never reaches: both are unaffected."""
    model = MLP(3, [8, 8, 1], activation="tanh", seed=1)
    samples = [[math.sin(i), math.cos(i), 0.1 * i] for i in range(60)]
    with_grad = [model(x)[0] for x in samples]
    expected = [out.data for out in with_grad]
    heavy = sum((out * out for out in with_grad), Value(0.0))  # one graph over every parameter
    for _ in range(3):
        heavy.backward()
    grads = [p.grad for p in model.parameters()]
    model.zero_grad()

    start, seen, errors = threading.Barrier(2), [], []

    def forward():
        start.wait(10)
        for _ in range(5):
            outs = [model(x)[0] for x in samples]
            seen.append([o.data for o in outs])
            loss = sum((o * o for o in outs), Value(0.0))
            seen.append(loss.grad)  # a new node: untouched by the other thread's pass

    def backward():
        start.wait(10)
        for _ in range(3):
            heavy.backward()

    def guarded(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # handed to the main thread
                errors.append(exc)

        return run

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so the two interleave
    try:
        threads = [threading.Thread(target=guarded(f)) for f in (forward, backward)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    assert [s for s in seen if isinstance(s, list)] == [expected] * 5
    assert [s for s in seen if not isinstance(s, list)] == [0.0] * 5
    assert [p.grad for p in model.parameters()] == pytest.approx(grads, rel=1e-12)


def test_the_readme_says_what_forward_beside_backward_guarantees():
    section = README[README.index("## What is guaranteed") :]
    assert "forward pass" in section.lower() and "while another thread runs `backward()`" in section


# -- 5. every Python we claim, in CI ----------------------------------------------------------

ROOT = Path(__file__).parent.parent
CLAIMED = ["3.10", "3.11", "3.12", "3.13"]


def test_pyproject_claims_the_pythons_ci_tests():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.findall(r'"Programming Language :: Python :: (3\.\d+)"', text) == CLAIMED
    assert 'requires-python = ">=3.10"' in text
    assert "bash .ci/pythons" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_ci_lists_each_claimed_python_and_fails_on_a_missing_one(tmp_path):
    env = {**os.environ, "LOGS": str(tmp_path)}
    listed = subprocess.run(["bash", ".ci/pythons", "--list"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert [line.split()[0] for line in listed.stdout.splitlines()] == CLAIMED
    missing = subprocess.run(["bash", ".ci/pythons", "3.99"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert missing.returncode == 1
    assert "Python 3.99: MISSING, not tested" in missing.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_bench_takes_an_interpreter_and_installs_torch_for_3_11_only():
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    run = subprocess.run(
        ["make", "-n", "-B", "bench", f"PYTHON={sys.executable}"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    install = next(line for line in run.stdout.splitlines() if "pip install" in line)
    assert install.startswith(f".bench-venv-{version}/bin/python -m pip install")
    assert ("'torch==2.13.0'" in install) == (version == "3.11")
