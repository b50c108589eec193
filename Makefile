# Quick start: `make run` (the site on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test install lint messages bench clean

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

test: install
	./scripts/system-deps.sh --browser
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

messages: install
	$(PY) manage.py makemessages -l ko --ignore=.venv --ignore=build
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
