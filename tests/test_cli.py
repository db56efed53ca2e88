import subprocess
import sys


def test_python_m_chainrule_demo_prints_the_worked_example():
    out = subprocess.run(
        [sys.executable, "-m", "chainrule", "demo"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "dL/dw = 8" in out and "dL/db = 4" in out
