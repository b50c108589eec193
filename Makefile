# Quick start: `make run` (the site on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run serve test install lint messages bench bench-hardening fuzz clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	./scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_catalog --if-empty
	$(PY) manage.py make_thumbnails
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production serving: nginx (buffering reverse proxy, body/header timeouts, body cap, static files) in front of
# gunicorn with the production settings, on http://127.0.0.1:8080 (SERVE_LISTEN to change). See the README.
serve: install
	./scripts/system-deps.sh --serve
	$(PY) scripts/serve.py

# The whole suite on SQLite, then every test except the browser, real-model and fuzz ones again on MariaDB (started or
# installed by scripts/ensure-mariadb.sh when none answers on 127.0.0.1:3306).
TEST_MYSQL_URL ?= mysql://root@127.0.0.1:3306/test

test: install
	./scripts/system-deps.sh --browser --serve
	$(PY) -m pytest
	./scripts/ensure-mariadb.sh
	./scripts/ensure-redis.sh
	DATABASE_URL=$(TEST_MYSQL_URL) $(PY) -m pytest -p no:cacheprovider -m "not browser and not real_model and not fuzz"

# Schemathesis against a live server, from the OpenAPI schema (also part of `make test`).
fuzz: install
	$(PY) -m pytest -p no:cacheprovider fashion/tests/test_fuzz.py

# Load benchmark: gunicorn (2 workers, production settings) + concurrent photo uploads; results in build/bench.json.
BENCH_BACKEND ?= tflite
bench: install
	./scripts/system-deps.sh --serve
	$(PY) benchmarks/load.py --backend $(BENCH_BACKEND)

# Slow clients, hostile images, spoofed X-Forwarded-For, database faults, concurrent edits against make serve's stack.
bench-hardening: install
	./scripts/system-deps.sh --serve
	$(PY) benchmarks/hardening.py all

# ruff (lint + formatting), mypy with django-stubs/djangorestframework-stubs (mypy.ini) and lint-imports (the floors
# contract, .importlinter); CI runs it before the tests.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

messages: install
	$(PY) manage.py makemessages -l ko --ignore=.venv --ignore=build
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
