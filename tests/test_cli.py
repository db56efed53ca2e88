"""The `chainrule demo` command, run as a user runs it."""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest


def demo(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "chainrule", "demo", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    return out, demo("--out", str(out), "--steps", "30")


def test_walks_through_the_worked_example(short_run):
    _, run = short_run
    assert run.returncode == 0, run.stderr
    text = run.stdout
    for line in [
        "mul₁ = w · x = 3 · 2 = 6",
        "z = mul₁ + b = 6 + 1 = 7",
        "a = relu(z) = relu(7) = 7",
        "L = sub₁² = 2² = 4",
    ]:
        assert line in text
    assert "dL/dw = dL/da · da/dz · dz/dw = 4 · 1 · 2 = 8" in text
    assert "dL/db = dL/da · da/dz · dz/db = 4 · 1 · 1 = 4" in text
    assert "da/dz = 1" in text  # a local derivative, read from the node


def sections(text):
    """The numbered section headings of the demo's output, in order."""
    return re.findall(r"^(\d+)\. ", text, re.MULTILINE)


def test_writes_every_file_and_says_how_to_open_it(short_run):
    out, run = short_run
    text = run.stdout
    for name, how in [
        ("graph.svg", "open graph.svg in a web browser"),
        ("stepper.html", "open stepper.html in a web browser (it needs no network): Next, Prev or the arrow keys"),
        ("playground.html", "open playground.html in a web browser"),
        ("network.html", "open network.html in a web browser (it needs no network): forward, backward and train step"),
        ("loss.png", "open loss.png in an image viewer"),
        ("boundary.png", "open boundary.png in an image viewer"),
    ]:
        path = out / name
        assert path.stat().st_size > 0
        assert f"   Wrote {path}: " in text and how in text
    ET.parse(out / "graph.svg")  # a real SVG
    assert (out / "loss.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (out / "playground.html").read_text(encoding="utf-8")
    assert 'id="train-step"' in (out / "network.html").read_text(encoding="utf-8")
    assert sections(text) == ["1", "2", "3", "4", "5", "6"]
    # Every section but the walkthrough says what it wrote, right under its heading.
    for heading in re.split(r"^\d+\. ", text, flags=re.MULTILINE)[2:]:
        assert "   Wrote " in heading
    assert re.search(r"^fit: 30 epochs, final loss [\d.]+, accuracy [\d.]+%, [\d.]+ s$", text, re.MULTILINE)
    assert text.rstrip().endswith(f"Done: 6 files in {out}. The pages need no Python: open them in a browser.")


def test_no_train_numbers_its_sections_on(tmp_path):
    run = demo("--out", str(tmp_path), "--no-train")
    assert run.returncode == 0, run.stderr
    assert sections(run.stdout) == ["1", "2", "3", "4", "5"]
    assert "Training" not in run.stdout and "fit:" not in run.stdout
    assert f"Wrote {tmp_path / 'playground.html'}: open playground.html" in run.stdout


def test_no_train_and_quiet(tmp_path):
    run = demo("--out", str(tmp_path), "--no-train", "--quiet")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [
        str(tmp_path / name) for name in ("graph.svg", "stepper.html", "playground.html", "network.html")
    ]
    assert not (tmp_path / "loss.png").exists()


@pytest.mark.parametrize("args", [["--steps", "0"], ["--steps", "many"], ["--colour"], []])
def test_bad_options_exit_non_zero_with_a_message(args, tmp_path):
    run = (
        demo(*args)
        if args
        else subprocess.run([sys.executable, "-m", "chainrule"], capture_output=True, text=True, timeout=60)
    )
    assert run.returncode == 2
    assert "usage: chainrule" in run.stderr
    assert "Traceback" not in run.stderr


def test_unwritable_out_exits_non_zero_with_a_message(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = demo("--out", str(blocker / "sub"), "--no-train")
    assert run.returncode == 1
    assert run.stderr.startswith(f"chainrule demo: cannot write to {blocker / 'sub'}")
    assert "Traceback" not in run.stderr
