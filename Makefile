# dsvb — see README.md. Only python3, pip, make (and apt for system packages) are assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_WEB_ARGS ?=

.PHONY: install system-deps documents-deps run demo test lint format bench bench-full bench-web bench-first-view bench-cases \
	bench-equality bench-documents bench-spark bench-scaling bench-linkage \
	postgres-start postgres-stop clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --locked --inexact --all-extras
	$(BIN)/python scripts/fetch_govuk_frontend.py

# Debian packages for the tests: PostgreSQL 15, Chromium, fonts (apt-get; skips what is there).
system-deps:
	scripts/system_deps.sh

# What the web app needs to draw PDFs (Pango, HarfBuzz, fonts). `make run` goes on without
# them (the pages work; a PDF download says which packages are missing).
documents-deps:
	-scripts/system_deps.sh --documents

# Set up and start the web application with demo data on $(HOST):$(PORT) (SQLite + DuckDB).
run: install documents-deps
	$(BIN)/dsvb demo
	$(BIN)/dsvb serve --host $(HOST) --port $(PORT)

demo: install
	$(BIN)/dsvb demo

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks scripts

# Lint, the whole suite on SQLite, then the database tests again on a throwaway PostgreSQL.
test: install system-deps
	$(BIN)/ruff check src tests benchmarks scripts
	scripts/test.sh $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/run.py --sizes 1000000
	$(BIN)/python benchmarks/cold_start.py

bench-full: install
	$(BIN)/python benchmarks/run.py --sizes 1000000,10000000
	$(BIN)/python benchmarks/cold_start.py

# Every indicator on Spark (local mode) against DuckDB at 1M incidents, same data, same run.
bench-spark: install
	$(BIN)/python benchmarks/spark_vs_duckdb.py --incidents 1000000

# DuckDB's import and indicator time and peak memory at 1M, 3M and 10M incidents.
bench-scaling: install
	$(BIN)/python benchmarks/scaling.py --sizes 1000000,3000000,10000000

# The equality analysis (a page's cache miss) and a strand's publication, at London scale.
bench-equality: install
	$(BIN)/python benchmarks/equality.py

# The board's documents: a brief and the annual report built and drawn as PDF and DOCX.
bench-documents: install
	$(BIN)/python benchmarks/brief_documents.py
	$(BIN)/python benchmarks/annual_report.py --incidents 20000

# The partnership cases: their rules at a borough's scale, and dsvb import-cases.
bench-cases: install
	$(BIN)/python benchmarks/cases_rules.py --cases 20000
	$(BIN)/python benchmarks/import_cases.py --cases 5000

# Person linkage against the generator's truth at 100k and 1M records (docs/benchmarks.md).
bench-linkage: install
	$(BIN)/python benchmarks/linkage.py --sizes 100000,1000000

# First views of every page after an import or a restart, at London scale (target: 1 s each).
bench-first-view: install
	$(BIN)/python benchmarks/first_view.py

# Load benchmark of the web pages: London-scale demo data, 20 clients, 60 s (see --help).
bench-web: install
	$(BIN)/python benchmarks/web_load.py $(BENCH_WEB_ARGS)

# A PostgreSQL server for development (prints DATABASE_URL); make test starts its own.
postgres-start: system-deps
	@scripts/postgres.py start

postgres-stop:
	@scripts/postgres.py stop

clean:
	-scripts/postgres.py stop
	rm -rf $(VENV) var .pytest_cache .ruff_cache test-artifacts
