"""Request ids, JSON-lines logs, Prometheus /metrics, Sentry and hashed static names."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog.tests.factories import garment_factory, image_bytes, rule_factory
from fashion.observability import JsonLinesFormatter, RequestContextFilter
from fashion.tests.test_production import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log():
    """The `fashion.request` logger's lines, formatted as production formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("fashion.request")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_each_request_gets_an_id_and_one_json_log_line_with_latency_and_model(request_log):
    rule_factory()
    garment_factory(type="pants", color="black")
    photo = SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120)), "image/jpeg")
    response = APIClient().post("/api/v1/recommendations/", {"image": photo}, format="multipart")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (line,) = request_log()
    assert line["request_id"] == request_id and line["model_version"] == "fake"
    assert line["status"] == 200 and line["method"] == "POST" and line["route"] == "/api/v1/recommendations/"
    assert isinstance(line["latency_ms"], float) and line["latency_ms"] > 0
    assert line["level"] == "INFO" and line["logger"] == "fashion.request" and line["time"].endswith("+00:00")


def test_a_sane_request_id_from_the_caller_is_kept_and_a_strange_one_replaced(client, request_log):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc")["X-Request-ID"] == "lb-1234.abc"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="a b\nc" + "x" * 80)["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)
    assert [line["request_id"] for line in request_log()] == ["lb-1234.abc", replaced]
    assert "model_version" not in request_log()[0]  # no photo was read


def test_metrics_need_the_token_outside_debug(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-scraper-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")


def _sample(text: str, name: str, **labels: str) -> float:
    """The sum of the Prometheus samples with these labels (0 when there is none yet)."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items())
    )


def test_metrics_count_requests_inference_and_throttle_refusals(client, settings):
    settings.METRICS_TOKEN = "t"
    auth = {"HTTP_AUTHORIZATION": "Bearer t"}
    before = client.get("/metrics", **auth).content.decode()
    rule, pants = rule_factory(), garment_factory(type="pants", color="black")
    api = APIClient()
    photo = SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120)), "image/jpeg")
    assert api.post("/api/v1/recommendations/", {"image": photo}, format="multipart").status_code == 200
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_upload": "1000/min", "feedback": "1/min"},
    }
    cache.clear()
    vote = {"garment_id": pants.id, "vote": "like", "slot": "top", "color": "red", "rule_id": rule.id}
    codes = [api.post("/api/v1/feedback/", vote, format="json").status_code for _ in range(3)]
    assert codes == [201, 429, 429]
    after = client.get("/metrics", **auth).content.decode()

    def grew(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    requests = "http_request_duration_seconds_count"
    assert grew(requests, method="POST", route="/api/v1/recommendations/", status="200") == 1
    assert grew(requests, method="POST", route="/api/v1/feedback/", status="429") == 2
    assert grew("classifier_inference_seconds_count", model_version="fake") == 1
    assert grew("throttle_refusals_total", scope="feedback") == 2
    assert 'route="/metrics"' not in after  # scrapes are not counted


def _production_python(code: str, **extra_env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_logs_are_json_lines_and_sentry_starts_with_a_dsn():
    code = (
        "import logging, django; django.setup(); import sentry_sdk; "
        "logging.getLogger('catalog').warning('stylist %s', 'note'); "
        "print(sentry_sdk.get_client().is_active())"
    )
    result = _production_python(code, SENTRY_DSN="http://public@127.0.0.1:9/1", SENTRY_RELEASE="abc123")
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["level"] == "WARNING" and line["logger"] == "catalog" and line["message"] == "stylist note"
    assert result.stdout.strip() == "True"
    without = _production_python(code)
    assert without.returncode == 0 and without.stdout.strip() == "False"


def test_production_static_files_have_hashed_names(tmp_path: Path):
    static_root = tmp_path / "static"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, "STATIC_ROOT": str(static_root)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed) and (static_root / f"{hashed}.gz").exists()
    result = _production_python(
        "import django; django.setup(); from django.templatetags.static import static; print(static('css/site.css'))",
        STATIC_ROOT=str(static_root),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"/static/{hashed}"
