# Two set-up commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck pytest docs bench clean

$(STAMP): pyproject.toml setup.py $(wildcard src/aibeian/*/_native/*.c)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev,bench,ray]'
	touch $(STAMP)

install: $(STAMP)

# The workbench on a local SQLite file with a demo project (URL and demo login are printed).
DEMO_HOME ?= $(CURDIR)/.aibeian-demo
run: $(STAMP)
	AIBEIAN_HOME=$(DEMO_HOME) $(VENV)/bin/aibeian serve --demo --db sqlite:///$(DEMO_HOME)/workbench.sqlite3

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(VENV)/bin/mypy src

pytest: $(STAMP)
	$(PY) -m pytest --cov=aibeian --cov-report=term --cov-fail-under=85 $(PYTEST_ARGS)

test: lint typecheck pytest

docs: $(STAMP)
	$(PY) scripts/gen_cli_docs.py
	$(PY) scripts/refresh_doc_examples.py

bench: $(STAMP)
	$(PY) bench/run_all.py $(BENCH)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
