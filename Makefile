# Kyosei — the two quick-start jobs and the checks behind them.
#   make demo   set up, run the default comparison if its results are missing, serve the dashboard
#   make test   set up (incl. a headless Chromium for the browser tests), lint, type-check, test

PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit browser-deps bench regression-baseline clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Kyosei needs Python >= 3.12 (Mesa 3.5); set PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/kyosei demo

# Debian's Chromium and a Japanese font for the real-browser dashboard tests.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi ipa; then \
		echo "installing chromium and fonts-ipafont-gothic (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest

test: setup browser-deps lint typecheck unit

bench: setup
	$(BIN)/python benchmarks/bench_model.py

# After an intended change to the outputs: rewrite the regression baseline (prints what changed)
# and the negative control's list of exercised parameters (docs/regression-baseline.md).
regression-baseline: setup
	$(BIN)/python -m tests.regression.update --list

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
