# CoopSaaS developer commands. `make run` and `make test` work on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-dev lint bench clean-db

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Install, migrate the embedded SQLite database, load the demo cooperatives and serve on :$(PORT)
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## Install the dev extras and run the whole suite: SQLite, then PostgreSQL + Redis
test: install-dev
	bash scripts/test.sh

lint: install-dev
	$(BIN)/ruff check coopsaas tests

bench: install-dev
	bash bench/run.sh

clean-db:
	rm -f instance/coopsaas.db instance/coopsaas.db-wal instance/coopsaas.db-shm
