# dsvb — see README.md. Only python3, pip, make (and apt for system packages) are assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: install run demo test lint format bench bench-full clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --locked --inexact --all-extras
	$(BIN)/python scripts/fetch_govuk_frontend.py

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/run.py --sizes 1000000

bench-full: install
	$(BIN)/python benchmarks/run.py --sizes 1000000,10000000

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
