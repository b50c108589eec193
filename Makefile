# Quick start: `make run` (the site on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test install lint messages bench fuzz clean

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
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite on SQLite, then every test except the browser, real-model and fuzz ones again on MariaDB (started or
# installed by scripts/ensure-mariadb.sh when none answers on 127.0.0.1:3306).
TEST_MYSQL_URL ?= mysql://root@127.0.0.1:3306/test

test: install
	./scripts/system-deps.sh --browser
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
	$(PY) benchmarks/load.py --backend $(BENCH_BACKEND)

lint: install
	$(VENV)/bin/ruff check .

messages: install
	$(PY) manage.py makemessages -l ko --ignore=.venv --ignore=build
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
