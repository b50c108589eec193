"""Issue 10 in the request/response cycle: who the client is, throttles, CSRF for browsers, a missing Redis or
database, photos only for committed rows, security headers and the API's one error shape."""

from __future__ import annotations

import io
import logging
import os
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from catalog.tests.factories import garment_factory, image_bytes, rule_factory
from fashion.clients import client_ip
from fashion.middleware import _breaker
from recommender.models import CorrectionStatus, Feedback, ShopperUpload, TagCorrection
from recommender.services import upload_files_orphaned

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()
    _breaker["open_until"] = 0.0


def set_rate(settings, **rates: str) -> None:
    current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**current, **rates}}


def photo(color: str = "red") -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", image_bytes(color, (60, 80)), "image/jpeg")


def api_upload(client, **extra):
    return client.post("/api/v1/recommendations/", {"image": photo()}, format="multipart", **extra)


# Who the client is


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "1.2.3.4", "10.0.0.9"),  # nothing in front: the header is the client's own words
        (1, "", "10.0.0.9"),  # a proxy is configured but the request did not come through it
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # nginx appended the real address; the client wrote 6.6.6.6
        (2, "6.6.6.6, 1.2.3.4, 10.1.1.1", "1.2.3.4"),  # load balancer + nginx
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_spoofed_forwarded_for_does_not_buy_more_uploads(settings):
    set_rate(settings, anon_upload="3/min")
    client = APIClient()
    codes = [api_upload(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]
    assert ShopperUpload.objects.count() == 3


def test_behind_one_proxy_the_appended_address_is_counted(settings):
    set_rate(settings, anon_upload="2/min")
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient()
    # nginx appends the real peer; whatever the client wrote before it changes nothing.
    same = [api_upload(client, HTTP_X_FORWARDED_FOR=f"9.9.9.{i}, 198.51.100.7").status_code for i in range(3)]
    assert same == [200, 200, 429]
    assert api_upload(client, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_the_upload_page_and_the_api_share_one_allowance(settings):
    set_rate(settings, anon_upload="2/min")
    assert api_upload(APIClient()).status_code == 200
    page = Client()
    assert page.post("/recommend/", {"image": photo()}).status_code == 302
    refused = page.post("/recommend/", {"image": photo()})
    assert refused.status_code == 429
    assert "a lot of photos" in refused.content.decode() and 'role="alert"' in refused.content.decode()
    assert api_upload(APIClient()).status_code == 429
    assert ShopperUpload.objects.count() == 2


def test_corrections_are_throttled_on_the_page_and_the_api(settings):
    set_rate(settings, correction="2/min")
    upload_id = api_upload(APIClient()).json()["upload_id"]
    client = APIClient()
    url = f"/api/v1/recommendations/{upload_id}/correction/"
    codes = [client.post(url, {"color": c}, format="json").status_code for c in ("green", "blue", "white")]
    assert codes == [200, 200, 429]
    page = Client()
    response = page.post(f"/recommend/{upload_id}/correct/", {"color": "black"}, follow=True)
    assert "a lot of corrections" in response.content.decode()
    assert TagCorrection.objects.get().color == "blue"


def test_a_reviewed_correction_cannot_be_reset_through_the_uploads_link():
    upload_id = api_upload(APIClient()).json()["upload_id"]
    url = f"/api/v1/recommendations/{upload_id}/correction/"
    assert APIClient().post(url, {"color": "green"}, format="json").status_code == 200
    TagCorrection.objects.update(status=CorrectionStatus.ACCEPTED)
    refused = APIClient().post(url, {"color": "blue"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "correction_reviewed"
    page = Client().post(f"/recommend/{upload_id}/correct/", {"color": "white"}, follow=True)
    assert "already reviewed" in page.content.decode()
    correction = TagCorrection.objects.get()
    assert correction.status == CorrectionStatus.ACCEPTED and correction.color == "green"


# One vote per client


def test_one_counted_vote_per_client_and_garment():
    rule = rule_factory()
    pants = garment_factory(type="pants", color="black")
    payload = {"garment_id": pants.id, "vote": "like", "slot": "top", "color": "red", "rule_id": rule.id}
    client = APIClient()
    assert client.post("/api/v1/feedback/", payload, format="json").status_code == 201
    for _ in range(20):
        assert client.post("/api/v1/feedback/", payload, format="json").status_code == 200
    assert client.post("/api/v1/feedback/", {**payload, "vote": "dislike"}, format="json").status_code == 200
    assert list(Feedback.objects.values_list("vote", flat=True)) == [-1]
    # Varying X-Forwarded-For is still the same client (its vote turns back to a like); another address is another.
    assert client.post("/api/v1/feedback/", payload, format="json", HTTP_X_FORWARDED_FOR="7.7.7.7").status_code == 200
    assert list(Feedback.objects.values_list("vote", flat=True)) == [1]
    assert client.post("/api/v1/feedback/", payload, format="json", REMOTE_ADDR="10.9.9.9").status_code == 201
    assert sorted(Feedback.objects.values_list("vote", flat=True)) == [1, 1]
    # The page's no-JavaScript form counts against the same vote.
    page = Client(REMOTE_ADDR="10.9.9.9")
    page.post("/feedback/", {"garment_id": pants.id, "vote": "dislike", "slot": "top", "color": "red"})
    assert sorted(Feedback.objects.values_list("vote", flat=True)) == [-1, 1]


# CSRF for what browsers send


def test_another_sites_page_cannot_make_a_browser_write_anonymously():
    garment = garment_factory(type="pants", color="black")
    payload = {"garment_id": garment.id, "vote": "like", "slot": "top", "color": "red"}
    browser = APIClient(enforce_csrf_checks=True)
    evil = {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"}
    refused = browser.post("/api/v1/feedback/", payload, format="json", **evil)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert "csrf" in refused.json()["detail"].lower()
    refused_upload = browser.post("/api/v1/recommendations/", {"image": photo()}, format="multipart", **evil)
    assert refused_upload.status_code == 403
    assert Feedback.objects.count() == 0 and ShopperUpload.objects.count() == 0
    # API clients (no Origin, no cookies) need no token.
    assert APIClient(enforce_csrf_checks=True).post("/api/v1/feedback/", payload, format="json").status_code == 201


def test_the_sites_own_script_passes_with_its_token():
    garment = garment_factory(type="pants", color="black")
    browser = Client(enforce_csrf_checks=True)
    browser.get("/recommend/")  # sets the CSRF cookie, as the page does
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/feedback/",
        {"garment_id": garment.id, "vote": "like", "slot": "top", "color": "red"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 201, response.content


# Redis away


def test_with_redis_down_requests_still_succeed_and_throttles_let_them_through(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "fashion.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    set_rate(settings, anon_upload="1/min")
    began = time.monotonic()
    codes = [api_upload(APIClient()).status_code for _ in range(3)]
    assert codes == [200, 200, 200]  # defined behaviour: counted nowhere, served anyway
    assert time.monotonic() - began < 10


# Photos only for committed rows


def test_a_failed_insert_leaves_no_photo_behind_and_answers_503(settings, monkeypatch):
    def failing_insert(*args, **kwargs):
        raise OperationalError(1205, "Lock wait timeout exceeded")

    monkeypatch.setattr(ShopperUpload, "_do_insert", failing_insert)
    response = api_upload(APIClient())
    assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
    assert int(response["Retry-After"]) > 0
    uploads = settings.MEDIA_ROOT / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    page = Client().post("/recommend/", {"image": photo()})
    assert page.status_code == 503 and "Back in a moment" in page.content.decode()
    assert not uploads.exists() or not any(uploads.iterdir())


def test_purge_uploads_removes_photos_no_row_refers_to(settings):
    kept = ShopperUpload.objects.get(public_id=api_upload(APIClient()).json()["upload_id"])
    storage = kept.image.storage
    old_orphan = storage.save("uploads/" + "a" * 32 + ".jpg", SimpleUploadedFile("x.jpg", b"x"))
    new_orphan = storage.save("uploads/" + "b" * 32 + ".jpg", SimpleUploadedFile("x.jpg", b"x"))
    two_hours_ago = time.time() - 2 * 3600
    os.utime(storage.path(old_orphan), (two_hours_ago, two_hours_ago))
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert "1 stored photos that no upload refers to would be deleted" in out.getvalue()
    assert storage.exists(old_orphan)
    call_command("purge_uploads", "--yes", stdout=io.StringIO())
    assert not storage.exists(old_orphan)
    assert storage.exists(new_orphan)  # may be an upload in flight: kept for an hour
    assert storage.exists(kept.image.name)


# The database away


def test_database_down_api_503_json_with_retry_after_and_pages_friendly(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError(2003, "Can't connect to MySQL server")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    api = APIClient().get("/api/v1/garments/")
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert api.json()["code"] == "service_unavailable" and int(api["Retry-After"]) > 0
    page = Client().get("/garments/1/")
    assert page.status_code == 503 and "Back in a moment" in page.content.decode()


def test_after_a_lost_connection_requests_fail_fast_for_a_moment_then_try_again(monkeypatch, settings):
    settings.DB_BREAKER_SECONDS = 0.5
    calls = []
    original = BaseDatabaseWrapper.cursor

    def lost(self, *args, **kwargs):
        calls.append(1)
        raise OperationalError(2013, "Lost connection to server during query")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", lost)
    assert APIClient().get("/api/v1/garments/").status_code == 503
    tried = len(calls)
    # While the breaker is open no request waits on the database (a hung one would hold a thread each).
    assert APIClient().get("/api/v1/garments/").status_code == 503
    assert len(calls) == tried and _breaker["open_until"] > 0
    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", original)
    time.sleep(0.6)
    assert APIClient().get("/api/v1/garments/").status_code == 200  # recovered without a restart


def test_healthz_answers_503_within_2_s_when_the_database_hangs(client, monkeypatch, settings):
    settings.HEALTHZ_DB_TIMEOUT = 1.0

    def hang(*args, **kwargs):
        time.sleep(4)

    monkeypatch.setattr("fashion.health._select_one", hang)
    began = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - began < 2.0
    assert response.status_code == 503 and response.json()["database"] == "error: DatabaseTimeout"
    # The hung probe is not joined by a second one: the next check is answered at once.
    began = time.monotonic()
    assert client.get("/healthz").status_code == 503
    assert time.monotonic() - began < 0.5
    time.sleep(3.2)  # let the hung probe end before the next test


# Headers, errors, logins


def test_pages_send_csp_and_permissions_policy_and_use_no_inline_script(client):
    garment = garment_factory(type="pants", color="black")
    upload_id = api_upload(APIClient()).json()["upload_id"]
    pages = ("/", "/recommend/", f"/recommend/{upload_id}/", f"/garments/{garment.id}/", "/goes-with/top/red/")
    for url in (*pages, "/model/", "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
        assert "camera=()" in response["Permissions-Policy"]
        html = response.content.decode()
        assert "onchange=" not in html and "onclick=" not in html
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline script on {url}"


def test_stored_photos_are_served_with_a_long_cache_control(client):
    garment = garment_factory()
    response = client.get(garment.image.url)
    assert response.status_code == 200
    assert "max-age=" in response["Cache-Control"] and "public" in response["Cache-Control"]


def test_a_bad_host_is_a_400_without_a_traceback_in_the_log(client):
    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.DEBUG)
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    collect = Collect()
    logging.getLogger().addHandler(collect)  # where the console handler of the log configuration sits
    try:
        response = client.get("/", HTTP_HOST="evil.example")
    finally:
        logging.getLogger().removeHandler(collect)
    assert response.status_code == 400
    assert not [record for record in collect.records if record.exc_info]


@pytest.mark.parametrize(
    "path, method", [("/api/v1/nowhere/", "get"), ("/api/v1/garments/999999/", "get"), ("/api/v1/garments/", "put")]
)
def test_api_4xx_have_one_json_shape(path, method):
    response = getattr(APIClient(), method)(path)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert isinstance(body["detail"], str) and isinstance(body["code"], str)


def test_multipart_limits_come_back_as_json_with_a_reason(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"f{i}": "x" for i in range(10)}
    too_many = APIClient().post("/api/v1/recommendations/", {**fields, "image": photo()}, format="multipart")
    assert too_many.status_code == 400 and too_many.json()["code"] == "too_many_fields"
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"image{i}": photo() for i in range(4)}
    too_many_files = APIClient().post("/api/v1/recommendations/", files, format="multipart")
    assert too_many_files.status_code == 400 and too_many_files.json()["code"] == "too_many_files"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    big = APIClient().post("/api/v1/feedback/", {"garment_id": 1, "note": "x" * 500}, format="json")
    assert big.status_code == 413 and big.json()["code"] == "request_too_large"


def test_failed_logins_are_limited_for_the_admin_and_the_api(settings):
    set_rate(settings, login="3/min")
    User.objects.create_superuser("stylist", "s@example.com", "right-password-1")
    client = Client()
    codes = [
        client.post("/admin/login/", {"username": "stylist", "password": f"wrong{i}"}).status_code for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    # Now even the right password waits (the attacker cannot tell which guess was right).
    assert client.post("/admin/login/", {"username": "stylist", "password": "right-password-1"}).status_code == 429
    # The API's login page shares the per-name count, from another address too.
    other = Client(REMOTE_ADDR="10.3.3.3")
    assert other.post("/api-auth/login/", {"username": "stylist", "password": "x"}).status_code == 429
    assert (
        Client(REMOTE_ADDR="10.4.4.4").post("/api-auth/login/", {"username": "someone", "password": "x"}).status_code
        == 200
    )


def test_logging_in_without_next_lands_somewhere_useful(settings):
    User.objects.create_superuser("stylist", "s@example.com", "right-password-1")
    response = Client().post("/api-auth/login/", {"username": "stylist", "password": "right-password-1"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert Client().get("/admin/", follow=False).status_code == 302  # not logged in: asked to log in


def test_orphan_grace_period_is_an_hour():
    assert upload_files_orphaned(older_than_minutes=60) == []
    assert timedelta(minutes=60).total_seconds() == 3600


def test_the_stylist_console_runs_under_the_csp():
    """Django's admin (and our admin pages) ship no inline script that the policy would block."""
    User.objects.create_superuser("stylist", "s@example.com", "right-password-1")
    rule = rule_factory()
    garment = garment_factory(type="pants", color="black")
    client = Client()
    client.login(username="stylist", password="right-password-1")
    for url in (
        "/admin/",
        "/admin/catalog/garment/",
        f"/admin/catalog/garment/{garment.id}/change/",
        "/admin/catalog/garment/upload/",
        "/admin/catalog/pairingrule/",
        f"/admin/catalog/pairingrule/{rule.id}/change/",
        "/admin/catalog/pairingrule/lint/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert " onclick=" not in html and " onchange=" not in html, url
        for tag in html.split("<script")[1:]:
            opening = tag.split(">")[0]
            assert "src=" in opening or "application/json" in opening, f"inline script on {url}: {opening}"
