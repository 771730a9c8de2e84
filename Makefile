# weijian — the two commands a new user needs are `make demo` and `make test` (see README.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test lint bench clean install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
	$(BIN)/weijian compiletranslations

install-test: $(VENV)/.installed-test
	$(BIN)/weijian compiletranslations

## Set everything up, generate the demo county in SQLite and serve it at http://127.0.0.1:$(PORT)
demo: install
	$(BIN)/weijian demo --port $(PORT)

## Install the test dependencies and run the whole suite (browser tests run when Debian's chromium is installed)
test: install-test
	$(BIN)/pytest -n 2 --dist loadfile

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install-test
	$(BIN)/python bench/import_registry.py

clean:
	rm -rf $(VENV) var build src/*.egg-info
