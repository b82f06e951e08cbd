# The two commands: `make run` and `make test`. Everything else is a helper for them.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo lint bench load-test faults clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo --seed 42
	$(BIN)/python manage.py match --wait

run: demo
	$(BIN)/python manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true
	@echo "Serving on http://$(HOST):$(PORT)/  (API /api/v1/, docs /api/docs/, admin /admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python manage.py bench_match --ukrainian 2000 --partners 20000

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
