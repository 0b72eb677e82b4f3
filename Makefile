# Kyosei — the two quick-start jobs and the checks behind them.
#   make demo   install the runtime only, run the default comparison if its results are
#               missing, serve the dashboard (make demo PORT=8801 for another port)
#   make test   install the runtime and the development tools (incl. a headless Chromium
#               for the browser tests), lint, type-check, test (in 2 processes:
#               make test TEST_WORKERS=4 for more)

PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
PIP_LOG := $(VENV)/pip.log
PORT ?=
# The tests run in this many processes (pytest-xdist); CI has 2 cores.
TEST_WORKERS ?= 2

.PHONY: setup runtime demo test lint typecheck unit browser-deps bench bench-peers regression-baseline clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Kyosei needs Python >= 3.12 (Mesa 3.5); set PYTHON=python3.12")'
	@$(PYTHON) -m venv $(VENV)

# pip's own output goes to $(PIP_LOG); on failure its end is shown.
define pip_install
	@echo "$(1)"
	@$(BIN)/python -m pip install --quiet --upgrade pip >$(PIP_LOG) 2>&1 \
		&& $(BIN)/python -m pip install --quiet $(2) >>$(PIP_LOG) 2>&1 \
		|| { tail -n 30 $(PIP_LOG); echo "pip failed: the whole log is in $(PIP_LOG)"; exit 1; }
endef

# The runtime: what `kyosei` and the dashboard need, no development tools.
$(RUNTIME): pyproject.toml | $(BIN)/python
	$(call pip_install,installing Kyosei's runtime into $(VENV) (about 2-5 minutes on first run; log: $(PIP_LOG)),-e .)
	@touch $@

# The development tools on top (pytest, Playwright, ruff, mypy, Hypothesis).
$(STAMP): $(RUNTIME)
	$(call pip_install,installing the development tools into $(VENV) (about 1-3 minutes on first run; log: $(PIP_LOG)),-e '.[dev]')
	@touch $@

runtime: $(RUNTIME)

setup: $(STAMP)

demo: $(RUNTIME)
	$(BIN)/kyosei demo $(if $(PORT),--port $(PORT))

# Debian's Chromium and a Japanese font for the real-browser dashboard tests.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi ipa; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "the browser tests need Debian's chromium and fonts-ipafont-gothic; as root run:"; \
			echo "  apt-get update && apt-get install -y chromium fonts-ipafont-gothic"; \
			echo "or skip those tests: $(BIN)/pytest -m 'not browser'"; \
			exit 1; \
		fi; \
		echo "installing chromium and fonts-ipafont-gothic (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -n $(TEST_WORKERS)

test: setup browser-deps lint typecheck unit

bench: setup
	$(BIN)/python benchmarks/bench_model.py

# Kyosei beside Starsim and the per-agent Mesa reference, in one run (installs the bench extra).
bench-peers: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_peers.py

# After an intended change to the outputs: rewrite the regression baseline (prints what changed)
# and the negative control's list of exercised parameters (docs/regression-baseline.md).
regression-baseline: setup
	$(BIN)/python -m tests.regression.update --list

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
