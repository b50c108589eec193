"""Production settings, the health check and the gunicorn config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "fashion.settings.production",
    "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-" + "z" * 20,
    "DJANGO_ALLOWED_HOSTS": "example.com",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_shared_cache():
    for cache_url in (None, "locmemcache://"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}
        if cache_url:
            env["CACHE_URL"] = cache_url
        result = manage("check", env=env)
        assert result.returncode != 0
        assert "CACHE_URL" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_gunicorn_config_takes_workers_and_bind_from_the_environment():
    code = "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); print(json.dumps([c['bind'], c['workers']]))"
    env = {**os.environ, "PORT": "9123", "WEB_CONCURRENCY": "3"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == '["0.0.0.0:9123", 3]'


@pytest.mark.django_db
def test_healthz_reports_database_and_model_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "model": "fake"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_naming_the_model_when_it_cannot_load(client, settings, tmp_path):
    settings.CLASSIFIER_BACKEND = "tflite"
    settings.CLASSIFIER_MODEL_DIR = tmp_path / "no-model-here"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"] == "ok" and body["model"].startswith("error")


@pytest.mark.django_db
def test_healthz_is_503_naming_the_database_when_it_is_down(client, monkeypatch):
    def broken_select(*args, **kwargs):
        raise connection.Database.OperationalError("server has gone away")

    monkeypatch.setattr("fashion.health._select_one", broken_select)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"].startswith("error") and body["model"] == "fake"


def production_settings(*names: str) -> dict:
    """Values of the production settings, read in a subprocess: importing the module here would run its
    `from .base import *` side effects (e.g. CONN_MAX_AGE on the shared DATABASES dict) inside the test process."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_production_settings_leaves_base_settings_alone():
    """Production copies DATABASES instead of changing base's dict in place, so a process that imports it (as a test
    once did) keeps the default CONN_MAX_AGE for the test database."""
    code = (
        "import json; from fashion.settings import base; import fashion.settings.production as production; "
        "print(json.dumps([base.DATABASES['default'].get('CONN_MAX_AGE'), "
        "production.DATABASES['default']['CONN_MAX_AGE']]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **PRODUCTION_ENV}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [None, 60]  # base: Django's default (0); production: 60


@pytest.mark.django_db
def test_https_redirect_spares_the_health_check(client, settings):
    production = production_settings("SECURE_REDIRECT_EXEMPT", "SECURE_PROXY_SSL_HEADER")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]
    settings.SECURE_PROXY_SSL_HEADER = tuple(production["SECURE_PROXY_SSL_HEADER"])
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/garments/").status_code == 301
    assert client.get("/api/v1/garments/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
