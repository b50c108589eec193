"""What people see when something goes wrong: each image error code's sentence on the upload page and in the stylist
console (English and Korean), and the API's one error envelope for every kind of error."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from rest_framework.test import APIClient
from rest_framework.views import APIView

import catalog.uploads
from catalog.models import Garment, PairingRule
from catalog.tests.factories import image_bytes
from catalog.uploads import image_error_message
from classifier.imaging import ImageErrorCode, InvalidImage
from fashion.middleware import _breaker
from recommender.models import ShopperUpload

pytestmark = pytest.mark.django_db

# code -> (English, Korean on shopper pages and the API, Korean in the stylist console), with the 10 MB limit.
SENTENCES: dict[str, tuple[str, str, str]] = {
    "empty_file": ("The file is empty.", "빈 파일이에요.", "빈 파일입니다."),
    "file_too_large": (
        "The file is too large; the limit is 10.0 MB.",
        "파일이 너무 커요(최대 10.0 MB).",
        "파일이 너무 큽니다(최대 10.0 MB).",
    ),
    "file_not_found": ("The file was not found.", "파일을 찾을 수 없어요.", "파일을 찾을 수 없습니다."),
    "not_an_image": (
        "This file is not a photo we can read. Use JPEG, PNG, WebP, GIF or HEIC.",
        "읽을 수 있는 사진 파일이 아니에요. JPEG, PNG, WebP, GIF, HEIC 파일을 올려 주세요.",
        "읽을 수 있는 사진 파일이 아닙니다. JPEG, PNG, WebP, GIF, HEIC 파일을 사용해 주세요.",
    ),
    "image_too_large": ("The photo has too many pixels.", "사진 해상도가 너무 높아요.", "사진 해상도가 너무 높습니다."),
    "image_too_narrow": (
        "The photo is too long and narrow to show a garment.",
        "사진이 너무 길고 좁아서 옷을 알아볼 수 없어요.",
        "사진이 너무 길고 좁아서 상품을 알아볼 수 없습니다.",
    ),
    "truncated": (
        "The photo file is incomplete: it was cut off while copying or uploading.",
        "사진 파일이 온전하지 않아요. 복사하거나 올리는 중에 잘린 것 같아요.",
        "사진 파일이 온전하지 않습니다. 복사하거나 업로드하는 중에 잘린 것 같습니다.",
    ),
    "corrupt_image": (
        "The photo file is damaged and cannot be read.",
        "사진 파일이 손상되어 읽을 수 없어요.",
        "사진 파일이 손상되어 읽을 수 없습니다.",
    ),
    "archive_unreadable": (
        "This zip file cannot be read.",
        "열 수 없는 ZIP 파일이에요.",
        "읽을 수 없는 ZIP 파일입니다.",
    ),
}


@pytest.fixture(autouse=True)
def _ten_mb_limit_and_fresh_throttles(settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    cache.clear()
    yield
    cache.clear()
    _breaker["open_until"] = 0.0


@pytest.fixture
def refused_with(monkeypatch):
    """Make the image opener refuse every upload with one code (codes no corpus file produces included)."""

    def refuse(code: str) -> None:
        def opener(data, **kwargs):
            raise InvalidImage(ImageErrorCode(code), "a technical detail nobody should see")

        monkeypatch.setattr(catalog.uploads, "open_image", opener)

    return refuse


def photo(color: str = "red") -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", image_bytes(color, (60, 80)), "image/jpeg")


def test_every_code_has_one_sentence_per_audience_in_english_and_korean():
    assert set(SENTENCES) == {code.value for code in ImageErrorCode}
    for code, (english, korean, korean_console) in SENTENCES.items():
        with translation.override("en"):
            assert image_error_message(code) == english
            assert image_error_message(code, for_staff=True) == english
        with translation.override("ko"):
            assert image_error_message(code) == korean
            assert image_error_message(code, for_staff=True) == korean_console


def test_a_reason_stored_before_codes_existed_is_shown_as_it_is():
    assert image_error_message("The file could not be stored.", for_staff=True) == "The file could not be stored."


@pytest.mark.parametrize("code", list(SENTENCES))
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_upload_page_shows_each_codes_sentence(code, language, refused_with):
    refused_with(code)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/recommend/", {"image": photo()})
    assert response.status_code == 400
    html = response.content.decode()
    english, korean, _ = SENTENCES[code]
    expected = f"We could not use that file: {english}" if language == "en" else f"이 파일은 사용할 수 없어요. {korean}"
    assert escape(expected) in html
    assert "technical detail" not in html
    assert not ShopperUpload.objects.exists()


@pytest.mark.parametrize("code", list(SENTENCES))
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_api_answers_each_code_in_the_envelope(code, language, refused_with):
    refused_with(code)
    response = APIClient().post(
        "/api/v1/recommendations/", {"image": photo()}, format="multipart", HTTP_ACCEPT_LANGUAGE=language
    )
    english, korean, _ = SENTENCES[code]
    assert response.status_code == 400
    assert response.json() == {"code": code, "detail": english if language == "en" else korean}
    assert not ShopperUpload.objects.exists()


@pytest.fixture
def stylist() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("stylist", "s@example.com", "pw"))
    return client


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_console_words_the_codes_for_stylists(stylist, language):
    stylist.cookies["django_language"] = language
    english_empty, _, korean_empty = SENTENCES["empty_file"]
    english_text, _, korean_text = SENTENCES["not_an_image"]
    # The garment form: a photo that is not one.
    form = {"name": "Red tee", "type": "t-shirt", "color": "red", "season": "all", "weight": 50}
    text = SimpleUploadedFile("notes.jpg", b"<svg></svg>", "image/jpeg")
    response = stylist.post("/admin/catalog/garment/add/", {**form, "image": text})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["image"]
    assert [(error.code, str(error.message)) for error in errors] == [
        ("not_an_image", english_text if language == "en" else korean_text)
    ]
    # Photos in bulk: a background import records the codes; the page words them for whoever reads it.
    files = [SimpleUploadedFile("empty.jpg", b""), SimpleUploadedFile("notes.jpg", b"<svg></svg>"), photo()]
    html = stylist.post("/admin/catalog/garment/upload/", {"photos": files}).content.decode()
    for sentence in (english_empty, english_text) if language == "en" else (korean_empty, korean_text):
        assert escape(sentence) in html
    assert Garment.objects.count() == 1


def test_an_unreadable_zip_is_reported_with_its_code(stylist):
    zip_file = SimpleUploadedFile("looks.zip", b"PK not really a zip", "application/zip")
    html = stylist.post("/admin/catalog/garment/upload/", {"photos": [zip_file]}).content.decode()
    assert escape(SENTENCES["archive_unreadable"][0]) in html
    assert not Garment.objects.exists()


# ---------------------------------------------------------------- one envelope for every API error

ENVELOPE_KEYS = {"code", "detail", "fields", "current_version"}


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) <= ENVELOPE_KEYS and {"code", "detail"} <= set(body), body
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
    return body


def test_validation_errors_name_their_fields():
    body = assert_envelope(APIClient().get("/api/v1/recommendations/", {"slot": "hat"}), 400, "invalid")
    assert "slot" in body["fields"] and body["detail"].startswith("slot: ")


def test_not_found_in_drf_and_outside_it():
    assert_envelope(APIClient().get("/api/v1/garments/999999/"), 404, "not_found")
    assert_envelope(APIClient().get("/api/v1/nowhere/"), 404, "not_found")


def test_writes_without_a_staff_account_and_wrong_methods():
    assert_envelope(APIClient().post("/api/v1/rules/", {}, format="json"), 403, "not_authenticated")
    assert_envelope(APIClient().delete("/api/v1/recommendations/"), 405, "method_not_allowed")


def test_throttled(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "anon_upload": "1/min"}}
    client = APIClient()
    client.post("/api/v1/recommendations/", {"image": photo()}, format="multipart")
    refused = client.post("/api/v1/recommendations/", {"image": photo()}, format="multipart")
    assert_envelope(refused, 429, "throttled")
    assert int(refused["Retry-After"]) > 0


def test_an_edit_conflict_says_which_version_won():
    rule_id = PairingRule.objects.create(
        input_slot="top", input_color="red", output_slot="bottom", output_color="black", note="Red and black"
    ).pk
    staff = APIClient()
    staff.force_authenticate(User.objects.create_user("stylist", is_staff=True))
    assert staff.patch(f"/api/v1/rules/{rule_id}/", {"weight": 60, "version": 1}, format="json").status_code == 200
    body = assert_envelope(
        staff.patch(f"/api/v1/rules/{rule_id}/", {"weight": 70, "version": 1}, format="json"), 409, "edit_conflict"
    )
    assert body["current_version"] == 2


def test_the_database_away_and_a_bug_answer_in_the_envelope(monkeypatch):
    def database_away(*args, **kwargs):
        raise OperationalError(2006, "MySQL server has gone away")

    monkeypatch.setattr(APIView, "initial", database_away)
    response = APIClient().get("/api/v1/garments/")
    assert_envelope(response, 503, "service_unavailable")
    assert int(response["Retry-After"]) > 0

    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    _breaker["open_until"] = 0.0  # the lost connection above opened it
    monkeypatch.setattr(APIView, "initial", bug)
    client = APIClient()
    client.raise_request_exception = False
    body = assert_envelope(client.get("/api/v1/garments/"), 500, "server_error")
    assert "ZeroDivisionError" not in body["detail"] and "a bug" not in body["detail"]


def test_errors_speak_the_requests_language():
    body = assert_envelope(APIClient().get("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE="ko"), 404, "not_found")
    assert body["detail"] == "찾을 수 없어요."


def test_the_schema_documents_the_envelope_on_every_operation():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == ENVELOPE_KEYS and set(error["required"]) == {"code", "detail"}
    assert all(code.value in error["properties"]["code"]["description"] for code in ImageErrorCode)
    operations = [op for path in schema["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert operations and all(
        op["responses"][status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        for op in operations
        for status in ("4XX", "5XX")
    )
