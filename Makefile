# The two commands of README.md: `make run` and `make test`.
# They keep apart: `make run` installs the service into .venv-run (a regular install) and keeps its
# database in ./instance; `make test` installs it editable, with the test tools, into .venv. Running
# one never disturbs the other.
VENV ?= .venv
RUN_VENV ?= .venv-run
PYTHON ?= python3
BIN := $(VENV)/bin
RUN_BIN := $(RUN_VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
RUN_ENV := DIALOGUE_INSTANCE_PATH="$${DIALOGUE_INSTANCE_PATH:-$(CURDIR)/instance}" \
	DIALOGUE_PUBLIC_URL="$${DIALOGUE_PUBLIC_URL:-http://$(HOST):$(PORT)}"

.PHONY: run test check pytest chromium translations clean

%/bin/python:
	$(PYTHON) -m venv $*
	$*/bin/python -m pip install --quiet --upgrade pip

## Install the service, migrate SQLite in ./instance, load the demo, print how to sign in, serve.
run: $(RUN_BIN)/python
	$(RUN_BIN)/pip install --quiet .
	$(RUN_ENV) $(RUN_BIN)/dialogue db upgrade
	$(RUN_ENV) $(RUN_BIN)/dialogue demo load --samples
	@$(RUN_ENV) $(RUN_BIN)/dialogue demo admin
	$(RUN_ENV) $(RUN_BIN)/dialogue run --host $(HOST) --port $(PORT)

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
