# Two commands: `make run` serves the archive with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: setup run test test-sqlite test-postgres lint

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

setup: $(INSTALLED)

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py runserver $(HOST)

lint: setup
	$(BIN)/ruff check .

test: lint test-sqlite test-postgres

test-sqlite: setup
	$(BIN)/pytest

test-postgres: setup
	$(BIN)/python scripts/with_postgres.py $(BIN)/pytest
