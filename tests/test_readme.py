"""Every Python example in the README runs as written."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_the_readme_has_examples_and_the_two_commands():
    assert len(BLOCKS) >= 5
    top = README[:2500]
    assert "make demo" in top and "make test" in top and "docs/seed-graph.svg" in top
    assert (Path(__file__).parent.parent / "docs" / "seed-graph.svg").stat().st_size > 0


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code, tmp_path):
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
