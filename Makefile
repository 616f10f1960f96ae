# The two commands: `make run` (install and serve on SQLite) and `make test` (install and test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export HELPLINE_ENV ?= development

.PHONY: install run test lint typecheck check services clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/helpline db upgrade
	$(BIN)/gunicorn --config config/gunicorn.conf.py --bind $(HOST):$(PORT) "helpline:create_app()"

services:
	bash scripts/ensure-services

test: install services
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
