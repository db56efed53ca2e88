"""Issue 16, the nn side: checkpoints that survive a failed save, fit that checks all its data
first, confident losses to the last digits, and clear errors for the usual misuse."""

import errno
import json
import math
import os

import pytest

from chainrule.nn import MLP, fit, mse_loss
from chainrule.optim import SGD

# -- 1. save and load ------------------------------------------------------------------


def saved(tmp_path, seed=0):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=seed).save(path)
    return path, path.read_bytes()


def test_a_save_that_fills_the_disk_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path, before = saved(tmp_path)

    def full_disk(obj, f, **kwargs):
        f.write('{"layers.0.neurons.0.w.0": 0.1')  # part of the file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(json, "dump", full_disk)
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
