"""The classify command's contract: JSON lines, the path exactly as given, an error line per bad file, exit code."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from classifier.predictor import get_predictor

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "path",
    "type",
    "type_confidence",
    "slot",
    "slot_confidence",
    "color",
    "color_confidence",
    "model_version",
    "type_top3",
    "color_top3",
    "pattern",
    "audience",
    "warmth",
    "formality",
    "kind",
    "outer_kind",
    "garments",
    "wearer",
    "wearer_guess",
}


@pytest.fixture
def fake_backend(settings):
    settings.CLASSIFIER_BACKEND = "fake"
    settings.CLASSIFIER_FAKE_TYPE = "pants"
    get_predictor.cache_clear()
    yield
    get_predictor.cache_clear()


@pytest.fixture
def photos(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (40, 40), (198, 40, 40)).save(tmp_path / "red.jpg")
    (tmp_path / "sub").mkdir()
    Image.new("RGB", (40, 40), (17, 17, 17)).save(tmp_path / "sub" / "black.png")
    (tmp_path / "notes.jpg").write_text("not a photo")
    return tmp_path


def test_classify_json_lines(fake_backend, photos):
    out = io.StringIO()
    call_command("classify", "red.jpg", "./sub/black.png", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["path"] for line in lines] == ["red.jpg", "./sub/black.png"]
    assert set(lines[0]) == KEYS
    assert lines[0]["color"] == "red" and lines[1]["color"] == "black"
    assert lines[0]["type"] == "pants" and lines[0]["slot"] == "bottom"
    assert lines[0]["model_version"] == "fake"
    assert len(lines[0]["type_top3"]) == 3 and lines[0]["type_top3"][0][0] == "pants"
    assert 0.0 <= lines[0]["color_confidence"] <= 1.0
    assert lines[0]["wearer"] is None and lines[0]["wearer_guess"] is None  # a garment laid flat: nobody wears it


def test_classify_reports_bad_files_and_still_classifies_the_rest(fake_backend, photos):
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 of 3"):
        call_command("classify", "notes.jpg", "red.jpg", "missing.jpg", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {"path": "notes.jpg", "code": "not_an_image", "error": lines[0]["error"]}
    assert "not an image" in lines[0]["error"]
    assert lines[1]["path"] == "red.jpg" and lines[1]["color"] == "red"
    assert lines[2]["path"] == "missing.jpg" and lines[2]["code"] == "file_not_found"


def test_classify_readable_output(fake_backend, photos):
    out = io.StringIO()
    call_command("classify", "red.jpg", stdout=out)
    assert out.getvalue().startswith("red.jpg: pants")
    assert "colour red" in out.getvalue()


def test_classify_exit_code_from_the_shell(photos):
    env = {**os.environ, "CLASSIFIER_BACKEND": "fake", "DJANGO_SETTINGS_MODULE": "fashion.settings.test"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "classify", "red.jpg", "notes.jpg", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=photos,
    )
    assert done.returncode != 0
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["path"] for line in lines] == ["red.jpg", "notes.jpg"]
    assert "color" in lines[0] and "error" in lines[1]
    ok = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "classify", "red.jpg", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=photos,
    )
    assert ok.returncode == 0, ok.stderr
