"""The public model card page (/model/): version, test-split accuracy per head, confusion matrices, figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from classifier.evaluation import EvaluationResult, head_result, write_confusion_pngs
from classifier.model_card import FIGURE_NAMES, figure_path, load_model_card
from vocabulary import COLOR_CODES, SLOTS, TOP10_TYPES, TYPE_CODES

pytestmark = pytest.mark.django_db


def _evaluation(split: str = "test") -> EvaluationResult:
    """A small evaluation in the format classifier.evaluation writes into metrics.json."""
    type_true = [TYPE_CODES.index(c) for c in ("t-shirt", "t-shirt", "pants", "dress")]
    type_pred = [TYPE_CODES.index(c) for c in ("t-shirt", "shirt", "pants", "dress")]
    top10_true = [TOP10_TYPES.index(c) for c in ("t-shirt", "t-shirt", "pants", "dress")]
    top10_pred = [TOP10_TYPES.index(c) for c in ("t-shirt", "shirt", "pants", "dress")]
    slot_true = [SLOTS.index(s) for s in ("top", "top", "bottom", "one_piece")]
    color_true = [COLOR_CODES.index(c) for c in ("red", "navy", "black", "white")]
    color_pred = [COLOR_CODES.index(c) for c in ("red", "black", "black", "white")]
    return EvaluationResult(
        split=split,
        count=4,
        type=head_result(type_true, type_pred, TYPE_CODES),
        top10_restricted=head_result(top10_true, top10_pred, TOP10_TYPES),
        top10_unrestricted_accuracy=0.5,
        slot=head_result(slot_true, slot_true, SLOTS),
        color_strict=head_result(color_true, color_pred, COLOR_CODES),
        color_or_alt_accuracy=1.0,
    )


@pytest.fixture
def model_dir(tmp_path, settings) -> Path:
    folder = tmp_path / "garments-v7"
    folder.mkdir()
    (folder / "labels.json").write_text(
        json.dumps(
            {
                "model_version": "garments-v7",
                "backbone": "efficientnet_lite0",
                "image_size": 224,
                "types": list(TYPE_CODES),
                "colors": list(COLOR_CODES),
                "tflite_quantization": "float16",
            }
        )
    )
    metrics = {
        "model_version": "garments-v7",
        "samples": {"train": 3000, "validation": 400, "test": 4},
        "validation": _evaluation("validation").as_dict(),
        "test": _evaluation("test").as_dict(),
    }
    (folder / "metrics.json").write_text(json.dumps(metrics))
    settings.CLASSIFIER_MODEL_DIR = folder
    return folder


def test_model_card_shows_version_and_test_accuracy_per_head(client: Client, model_dir):
    response = client.get("/model/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "garments-v7" in html and "efficientnet_lite0" in html
    rows = {
        key: html.split(f'data-head="{key}"')[1].split("</tr>")[0]
        for key in ("type", "top10", "top10_unrestricted", "slot", "color_or_alt", "color_strict")
    }
    assert "Type (17 classes)" in rows["type"] and "0.750" in rows["type"]
    assert "10-class subset" in rows["top10"] and "0.750" in rows["top10"]
    assert "0.500" in rows["top10_unrestricted"]
    assert "1.000" in rows["slot"]
    assert "main or accepted alternative" in rows["color_or_alt"] and "1.000" in rows["color_or_alt"]
    assert "0.750" in rows["color_strict"]
    # Macro-F1 over the classes present: t-shirt 2/3, shirt 0, pants 1, dress 1 -> 0.667.
    assert "0.667" in rows["type"]


def test_model_card_draws_the_confusion_matrices_as_tables(client: Client, model_dir):
    html = client.get("/model/").content.decode()
    for key in ("type", "top10", "slot", "color"):
        assert f'id="confusion-{key}"' in html
    color_table = html.split('id="confusion-color"')[1].split("</figure>")[0]
    assert '<th scope="row">Navy</th>' in color_table  # a true-label row, by its name (not the raw code)
    assert "rgb(255," in color_table  # the navy -> black mistake is shaded red


def test_model_card_shows_the_confusion_pictures_when_the_artifact_has_them(client: Client, model_dir):
    html = client.get("/model/").content.decode()
    assert "/model/figures/" not in html
    write_confusion_pngs(_evaluation("test"), model_dir / "evaluation")
    html = client.get("/model/").content.decode()
    # Each matrix is shown once, as a table; its picture is a link, not a second copy on the page.
    assert 'href="/model/figures/confusion_test_type.png"' in html and 'src="/model/figures/' not in html
    response = client.get("/model/figures/confusion_test_type.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.getvalue().startswith(b"\x89PNG")


def test_model_card_labels_speak_korean(client: Client, model_dir):
    client.post("/i18n/setlang/", {"language": "ko", "next": "/model/"})
    color_table = client.get("/model/").content.decode().split('id="confusion-color"')[1].split("</figure>")[0]
    assert '<th scope="row">네이비</th>' in color_table and '<th scope="row">navy</th>' not in color_table


@pytest.mark.parametrize(
    "name",
    ["labels.json", "metrics.json", "..%2Flabels.json", "confusion_test_foo.png", "confusion_validation_type.png"],
)
def test_figure_view_serves_only_known_picture_names(client: Client, model_dir, name):
    write_confusion_pngs(_evaluation("validation"), model_dir)
    assert client.get(f"/model/figures/{name}").status_code == 404


def test_figure_lookup_never_leaves_the_artifact_folder(model_dir):
    assert figure_path(model_dir, "../metrics.json") is None
    assert all(name.startswith("confusion_test_") and "/" not in name for name in FIGURE_NAMES)


def test_model_card_without_an_artifact_is_a_friendly_page(client: Client, settings, tmp_path):
    settings.CLASSIFIER_MODEL_DIR = tmp_path / "nothing-here"
    response = client.get("/model/")
    assert response.status_code == 200
    assert 'id="model-card-missing"' in response.content.decode()
    assert "No classifier model is installed yet" in response.content.decode()


def test_model_card_with_labels_but_no_metrics_says_there_are_no_results(client: Client, model_dir):
    (model_dir / "metrics.json").unlink()
    html = client.get("/model/").content.decode()
    assert "garments-v7" in html and 'id="model-card-no-results"' in html


def test_broken_metrics_do_not_break_the_page(client: Client, model_dir):
    (model_dir / "metrics.json").write_text("{not json")
    assert client.get("/model/").status_code == 200
    (model_dir / "metrics.json").write_text(json.dumps({"test": {"type": {"accuracy": "n/a"}}}))
    assert client.get("/model/").status_code == 200
    card = load_model_card(model_dir)
    assert card is not None and card.has_results is False


def test_every_page_links_to_the_model_card(client: Client, model_dir):
    assert 'href="/model/"' in client.get("/").content.decode()


def test_model_card_in_korean(client: Client, model_dir):
    response = client.get("/model/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200 and "garments-v7" in response.content.decode()
