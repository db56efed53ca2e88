# Two commands do all set-up on a fresh machine:
#   make demo   - the main job
#   make test   - lint, type-check, check the layers and run the whole test suite
#                 (WITH_TORCH=1 adds the PyTorch oracle)
#   make test-pythons - the suite on every Python that pyproject.toml claims, each in its
#                 own .venv-X.Y (.ci/pythons; what CI runs)
#   make lab    - JupyterLab (the `lab` extra) in .venv, opened on notebooks/
#   make bench  - the speed and memory benchmarks against micrograd, plain floats and PyTorch,
#                 and the time of one LiveNetwork update (another interpreter: make bench PYTHON=python3.12)
# Each creates .venv and installs chainrule (editable) with the extras it needs. The viz
# extra brings Graphviz inside pygraphviz's wheel (Linux x86_64 and aarch64, macOS, Windows
# amd64); where no wheel exists, they fall back on the system's `dot` (`make graphviz`).
# `make test` also installs Chromium and chromedriver, for the test that drives the
# stepper page in a browser.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WITH_TORCH ?= 0
# The only torch we install: a local CPU wheel; a looser pin pulls GBs of CUDA packages.
TORCH := torch==2.13.0
LINT_PATHS := chainrule tests $(wildcard benchmarks)

.PHONY: demo test test-suite test-pythons lint lab lab-install bench graphviz chromium clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps make re-runs cheap: pip runs again only when pyproject.toml changes.
$(VENV)/.installed-demo: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[viz,notebooks]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-lab: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[lab]'
	touch $@

$(VENV)/.installed-torch: | $(PY)
	$(PY) -m pip install --quiet '$(TORCH)'
	touch $@

# Graphviz for drawing: nothing to do when pygraphviz's wheel brought it into the venv;
# otherwise the system's `dot` program (make graphviz).
GRAPHVIZ_OR_DOT = $(PY) -c 'import pygraphviz' 2>/dev/null || $(MAKE) --no-print-directory graphviz

# The system's Graphviz `dot` program: for platforms without a pygraphviz wheel, and for CI,
# which tests rendering with it as well as in-process (.ci/run).
graphviz:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Graphviz (Debian package graphviz) for drawing graphs"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	else \
		echo "chainrule draws graphs with Graphviz: pygraphviz's wheel, which pip installs on Linux"; \
		echo "x86_64/aarch64, macOS and Windows amd64, or else the 'dot' program, which is not on PATH."; \
		echo "Install it, then run make again:"; \
		echo "  Debian/Ubuntu: sudo apt-get install graphviz"; \
		echo "  macOS:         brew install graphviz"; \
		echo "  Windows:       winget install graphviz (or the installer from graphviz.org)"; \
		echo "  other:         https://graphviz.org/download/"; \
		exit 1; \
	fi

# Headless Chromium for tests/test_stepper.py, which skips (and the rest runs) without it.
chromium:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Chromium (Debian packages chromium, chromium-driver) for the stepper's browser test"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null || \
		echo "Could not install Chromium: the stepper's browser test will be skipped."; \
	else \
		echo "The stepper's browser test needs Chromium and chromedriver, and will be skipped without them."; \
		echo "  Debian/Ubuntu: sudo apt-get install chromium chromium-driver"; \
	fi

# lab-install: CI checks that `make lab` would find its front end, without starting a server.
TEST_DEPS := chromium $(VENV)/.installed-test lab-install
ifeq ($(WITH_TORCH),1)
TEST_DEPS += $(VENV)/.installed-torch
endif

test: $(TEST_DEPS)
	@$(GRAPHVIZ_OR_DOT)
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# The suite alone, without lint: what `make test-pythons` runs on the Pythons without torch.
test-suite: chromium $(VENV)/.installed-test lab-install
	@$(GRAPHVIZ_OR_DOT)
	$(PY) -m pytest

# Every Python pyproject.toml claims, found on PATH or through pyenv; a missing one fails.
test-pythons:
	bash .ci/pythons

lint: $(VENV)/.installed-test
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

demo: $(VENV)/.installed-demo
	@$(GRAPHVIZ_OR_DOT)
	$(VENV)/bin/chainrule demo

# Installs the front end and checks its command runs; `make lab` then starts it.
lab-install: $(VENV)/.installed-lab
	@$(GRAPHVIZ_OR_DOT)
	$(VENV)/bin/jupyter-lab --version

lab: lab-install
	$(VENV)/bin/jupyter-lab notebooks/

# The benchmarks get their own environment for each interpreter: micrograd 0.1.0 and, on the
# Python the CPU torch wheel is built for (3.11), torch beside chainrule; elsewhere the table
# leaves torch out, since the only torch on PyPI for other Pythons pulls GBs of CUDA packages.
PYTHON_VERSION = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
BENCH_VENV = .bench-venv-$(PYTHON_VERSION)
BENCH_PY = $(BENCH_VENV)/bin/python
BENCH_TORCH = $(if $(filter 3.11,$(PYTHON_VERSION)),'$(TORCH)',)

$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet 'micrograd==0.1.0' $(BENCH_TORCH) -e .
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_PY) benchmarks/run.py
	$(BENCH_PY) benchmarks/live_update.py

clean:
	rm -rf $(VENV) .venv-3.* .bench-venv* .ci-logs demo-output .pytest_cache .mypy_cache .ruff_cache .hypothesis
