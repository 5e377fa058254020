# The two commands of README.md: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test check pytest chromium translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

## Install the service, migrate SQLite in the instance folder, load the demo and serve it.
run: $(BIN)/python
	$(BIN)/pip install --quiet .
	$(BIN)/dialogue db upgrade
	$(BIN)/dialogue demo load --samples
	DIALOGUE_PUBLIC_URL="$${DIALOGUE_PUBLIC_URL:-http://$(HOST):$(PORT)}" \
		$(BIN)/dialogue run --host $(HOST) --port $(PORT)

## Install what the tests need (Chromium included), then lint, type-check and run every test.
test: $(BIN)/python chromium
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/dialogue translations compile
	$(MAKE) check pytest

check:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every core, a test file to a worker: module fixtures (the browser tests' servers) start once.
pytest:
	$(BIN)/pytest -n auto --dist loadfile $(PYTEST_ARGS)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

## Extract new strings and merge them into every catalogue.
translations:
	$(BIN)/dialogue translations update
	$(BIN)/dialogue translations compile

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
