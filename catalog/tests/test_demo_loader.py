"""The demo catalog loader: spread over slots and colours, idempotent, starter rules included."""

from __future__ import annotations

import csv
import http.server
import io
import shutil
import socket
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

import catalog.demo
from catalog.demo import BUILTIN_DEMO_DIR, dataset_photos
from catalog.models import Garment, PairingRule
from catalog.naming import garment_name
from catalog.tests.factories import solid_image
from classifier.predictor import get_predictor
from vocabulary import AUDIENCE_CODES, COLOR_CODES, FORMALITY_CODES, OUTER_KINDS, TYPE_CODES

pytestmark = pytest.mark.django_db

PHOTOS = [
    # image id, dataset label, split, top10 label, colour, alt
    ("a1", "T-Shirt", "train", "t-shirt", "red", ""),
    ("a2", "Pants", "train", "pants", "black", ""),
    ("a3", "Pants", "validation", "pants", "blue", "navy"),
    ("a4", "Shoes", "train", "shoes", "white", ""),
    ("a5", "Dress", "train", "dress", "green", ""),
    ("a6", "Polo", "train", "", "yellow", ""),
    ("a7", "Not sure", "train", "", "gray", ""),  # no type: not in the catalog
    ("a8", "Shorts", "test", "shorts", "beige", ""),  # test photos stay out of the catalog
]


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "dataset"
    (folder / "images").mkdir(parents=True)
    with (
        (folder / "splits.csv").open("w", newline="") as splits,
        (folder / "colors.csv").open("w", newline="") as colors,
    ):
        s, c = csv.writer(splits), csv.writer(colors)
        s.writerow(["image", "label", "kids", "split", "top10_label"])
        c.writerow(["image", "color", "alt", "pattern"])
        for image_id, label, split, top10, color, alt in PHOTOS:
            s.writerow([image_id, label, "False", split, top10])
            c.writerow([image_id, color, alt, "solid"])
            solid_image(color, (40, 52)).save(folder / "images" / f"{image_id}.jpg")
    return folder


def test_loads_a_spread_of_garments_and_the_starter_rules(photo_folder):
    out = io.StringIO()
    call_command("load_demo_catalog", str(photo_folder), "--tagger", "dataset", stdout=out)
    assert "6 garments created" in out.getvalue()
    assert set(Garment.objects.values_list("slot", flat=True)) == {"top", "bottom", "shoes", "one_piece"}
    pants = Garment.objects.get(source_key="clothing-dataset:a3")
    assert (pants.type, pants.slot, pants.color, pants.second_color) == ("pants", "bottom", "blue", "navy")
    assert not Garment.objects.filter(source_key__in=["clothing-dataset:a7", "clothing-dataset:a8"]).exists()
    rules = PairingRule.objects.all()
    assert rules.count() >= 60
    assert {r.input_color for r in rules if r.input_slot == "top"} == set(COLOR_CODES)
    assert {r.input_color for r in rules if r.input_slot == "bottom"} == set(COLOR_CODES)
    assert all(r.note and r.note_ko for r in rules)


def test_running_twice_creates_nothing_twice(photo_folder):
    call_command("load_demo_catalog", str(photo_folder), "--tagger", "dataset", stdout=io.StringIO())
    counts = (Garment.objects.count(), PairingRule.objects.count())
    rule = PairingRule.objects.first()
    rule.note = "edited by a stylist"
    rule.save()
    out = io.StringIO()
    call_command("load_demo_catalog", str(photo_folder), "--tagger", "dataset", stdout=out)
    assert (Garment.objects.count(), PairingRule.objects.count()) == counts
    assert "0 garments created, 6 already there; 0 starter rules created" in out.getvalue()
    assert PairingRule.objects.get(pk=rule.pk).note == "edited by a stylist"


def test_cnn_tagging_stores_confidences_and_embedding(photo_folder):
    call_command("load_demo_catalog", str(photo_folder), "--tagger", "cnn", stdout=io.StringIO())  # fake CNN
    garment = Garment.objects.get(source_key="clothing-dataset:a2")
    assert garment.tagged_by == "model" and garment.color == "black"
    assert garment.color_confidence is not None and garment.model_version and garment.embedding


def test_if_empty_skips_a_catalog_with_garments(photo_folder):
    call_command("load_demo_catalog", str(photo_folder), "--tagger", "dataset", stdout=io.StringIO())
    Garment.objects.filter(source_key="clothing-dataset:a1").delete()
    call_command("load_demo_catalog", str(photo_folder), "--if-empty", stdout=io.StringIO())
    assert not Garment.objects.filter(source_key="clothing-dataset:a1").exists()


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No photo folder"):
        call_command("load_demo_catalog", str(tmp_path / "nowhere"), stdout=io.StringIO())


def test_falls_back_to_dataset_labels_when_the_cnn_is_not_ready(photo_folder, settings, tmp_path):
    settings.CLASSIFIER_BACKEND = "tflite"
    settings.CLASSIFIER_MODEL_DIR = tmp_path / "no-model-here"
    get_predictor.cache_clear()
    err = io.StringIO()
    call_command("load_demo_catalog", str(photo_folder), "--tagger", "cnn", stdout=io.StringIO(), stderr=err)
    assert "not ready" in err.getvalue()
    assert Garment.objects.get(source_key="clothing-dataset:a2").tagged_by == "dataset"


def test_downloads_the_dataset_when_no_folder_exists(photo_folder, tmp_path, monkeypatch, settings):
    """The download path, served from a local HTTP server (tests never touch the internet)."""
    archive = tmp_path / "served" / "master.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in photo_folder.rglob("*"):
            bundle.write(path, f"clothing-dataset-master/{path.relative_to(photo_folder)}")
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(archive.parent))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(catalog.demo, "DATASET_ZIP_URL", f"http://127.0.0.1:{server.server_port}/master.zip")
        settings.FASHION_DATASET_DIR = ""
        target = tmp_path / "cache" / "clothing-dataset"
        out = io.StringIO()
        call_command("load_demo_catalog", "--download", "--download-to", str(target), "--tagger", "dataset", stdout=out)
    finally:
        server.shutdown()
    assert "Downloading the public CC0 clothing dataset" in out.getvalue()
    assert (target / "images" / "a1.jpg").exists()
    assert Garment.objects.filter(source_key="clothing-dataset:a1").exists()
    shutil.rmtree(target)


def test_without_a_dataset_the_built_in_demo_set_loads(settings):
    """No FASHION_DATASET_DIR, no ../shared, no internet: the set shipped in the repository makes a catalog."""
    settings.FASHION_DATASET_DIR = ""
    out = io.StringIO()
    call_command("load_demo_catalog", "--if-empty", "--tagger", "dataset", stdout=out)
    photos = len(list((BUILTIN_DEMO_DIR / "images").glob("*.jpg")))
    assert 48 <= photos <= 72
    assert "built-in demo set" in out.getvalue() and f"{photos} garments created" in out.getvalue()
    assert set(Garment.objects.values_list("slot", flat=True)) >= {"top", "bottom", "outer", "one_piece", "shoes"}
    # Same image ids as the shared dataset: loading the full catalog later skips these photos instead of doubling them.
    assert Garment.objects.filter(source_key__startswith="clothing-dataset:").count() == photos


def test_built_in_demo_set_matches_the_dataset_formats():
    headers = {
        "splits.csv": ["image", "label", "kids", "split", "top10_label"],
        "colors.csv": ["image", "color", "alt", "pattern"],
        "attributes.csv": ["image", "audience", "warmth", "formality", "shoe_kind"],
    }
    ids = None
    for name, header in headers.items():
        with (BUILTIN_DEMO_DIR / name).open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert list(rows[0]) == header
        ids = ids or {row["image"] for row in rows}
        assert {row["image"] for row in rows} == ids
        if name == "splits.csv":
            assert {row["split"] for row in rows} <= {"train", "validation"}  # test photos stay unseen
        if name == "attributes.csv":
            assert {"men", "women"} <= {row["audience"] for row in rows} and "kids" not in {r["audience"] for r in rows}
            assert len({row["shoe_kind"] for row in rows} - {""}) >= 4
    assert {p.stem for p in (BUILTIN_DEMO_DIR / "images").glob("*.jpg")} == ids
    assert len(dataset_photos(BUILTIN_DEMO_DIR)) == len(ids)
    assert sum(p.stat().st_size for p in (BUILTIN_DEMO_DIR / "images").iterdir()) <= 4 * 1024 * 1024
    assert "CC0" in (BUILTIN_DEMO_DIR / "LICENSE").read_text() + (BUILTIN_DEMO_DIR / "README.md").read_text()


def test_a_stylists_corrections_win_over_the_labels(photo_folder, tmp_path, monkeypatch):
    """The dataset's pattern label is about all-over patterns (a big graphic tee is "solid"), its Blazer label
    holds denim jackets, pool slides are "casual", its Pants label holds children's tights, and its main colour is a
    shopper's word for 87 % of photos: the demo catalog takes the corrections listed for its photos."""
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(
        "image,type,pattern,color,audience,formality,kind,why\n"
        "a1,,graphic,,,,,a large cartoon\na2,shorts,,,,,,cut-offs\n"
        "a3,,,gray,kids,,,gray baby trousers\na4,,,,,sport,,pool slides\na5,,pattern,,,,,green and white stripes\n"
        "a6,exclude,,,,,,footed tights\na7,outwear,,,,,cardigan,a knit cardigan labelled Not sure\n"
    )
    monkeypatch.setattr(catalog.demo, "CORRECTIONS_FILE", corrections)
    out = io.StringIO()
    call_command("load_demo_catalog", str(photo_folder), "--tagger", "dataset", stdout=out)
    assert "6 planned photos take a stylist's correction" in out.getvalue()
    # A photo that is no garment of the catalog (a child's footed tights labelled Pants) is left out.
    assert "6 garments created" in out.getvalue()
    assert not Garment.objects.filter(source_key="clothing-dataset:a6").exists()
    # A type the dataset did not give, with the kind of outer layer it is.
    cardigan = Garment.objects.get(source_key="clothing-dataset:a7")
    assert (cardigan.type, cardigan.slot, cardigan.kind, cardigan.name) == (
        "outwear",
        "outer",
        "cardigan",
        "Gray cardigan",
    )
    tee = Garment.objects.get(source_key="clothing-dataset:a1")
    assert (tee.type, tee.color, tee.pattern, tee.graphic) == ("t-shirt", "red", "pattern", True)
    assert tee.name == "Red graphic t-shirt"
    shorts = Garment.objects.get(source_key="clothing-dataset:a2")
    assert (shorts.type, shorts.slot, shorts.pattern, shorts.name) == ("shorts", "bottom", "solid", "Black shorts")
    assert not shorts.graphic
    # The stylist's colour replaces the label's, and the label's alternative (navy) goes with the label's colour.
    trousers = Garment.objects.get(source_key="clothing-dataset:a3")
    assert (trousers.type, trousers.audience, trousers.color, trousers.second_color) == ("pants", "kids", "gray", "")
    slides = Garment.objects.get(source_key="clothing-dataset:a4")
    assert slides.formality == "sport"
    # Stripes are an all-over pattern, not a graphic.
    dress = Garment.objects.get(source_key="clothing-dataset:a5")
    assert (dress.pattern, dress.graphic, dress.name) == ("pattern", False, "Green patterned dress")


def test_the_corrections_say_why_and_reach_the_built_in_set():
    with catalog.demo.CORRECTIONS_FILE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["image", "type", "pattern", "color", "audience", "formality", "kind", "why"]
    assert len({row["image"] for row in rows}) == len(rows) >= 40
    corrected = ("type", "pattern", "color", "audience", "formality", "kind")
    assert all(len(row["image"]) == 36 and row["why"] and any(row[field] for field in corrected) for row in rows)
    assert {row["type"] for row in rows} <= {"", *TYPE_CODES, catalog.demo.EXCLUDED}
    assert {row["pattern"] for row in rows} <= {"", "graphic", "pattern", "solid"}
    assert {row["color"] for row in rows} <= {"", *COLOR_CODES}
    assert {row["audience"] for row in rows} <= {"", *AUDIENCE_CODES}
    assert {row["formality"] for row in rows} <= {"", *FORMALITY_CODES}
    # A kind is given with the type it belongs to: a cardigan or a jacket that the dataset calls a top.
    assert all(row["type"] == "outwear" and row["kind"] in OUTER_KINDS for row in rows if row["kind"])
    built_in = {photo.image_id: photo for photo in dataset_photos(BUILTIN_DEMO_DIR)}
    with (BUILTIN_DEMO_DIR / "colors.csv").open(newline="") as handle:
        labels = {row["image"]: row["pattern"] for row in csv.DictReader(handle)}
    prints = [built_in[row["image"]] for row in rows if row["pattern"] == "graphic" and row["image"] in built_in]
    assert prints and all(labels[photo.image_id] == "solid" for photo in prints)  # the labels say solid …
    assert all(photo.pattern == "pattern" and photo.graphic for photo in prints)  # … the catalog says graphic print
    jackets = [built_in[row["image"]] for row in rows if row["type"] and row["image"] in built_in]
    assert jackets and all(photo.type == "outwear" for photo in jackets)


def test_outer_layers_load_with_the_kind_a_stylist_saw(photo_folder, tmp_path, monkeypatch):
    """The dataset labels no kind of outer layer: the demo catalog takes it from outer_kinds.csv, and a listed kind
    that does not fit the photo's type is dropped rather than stored against the database's check."""
    with (
        (photo_folder / "splits.csv").open("a", newline="") as splits,
        (photo_folder / "colors.csv").open("a", newline="") as colors,
    ):
        for image_id, label, color in (("o1", "Outwear", "gray"), ("o2", "Outwear", "black"), ("o3", "Pants", "navy")):
            csv.writer(splits).writerow([image_id, label, "False", "train", label.lower()])
            csv.writer(colors).writerow([image_id, color, "", "solid"])
            solid_image(color, (40, 52)).save(photo_folder / "images" / f"{image_id}.jpg")
    kinds = tmp_path / "outer_kinds.csv"
    kinds.write_text("image,kind\no1,vest\no3,coat\n")
    monkeypatch.setattr(catalog.demo, "OUTER_KINDS_FILE", kinds)
    out = io.StringIO()
    call_command("load_demo_catalog", str(photo_folder), "--tagger", "dataset", stdout=out)
    assert "1 outer layers take the kind a stylist saw" in out.getvalue()
    vest = Garment.objects.get(source_key="clothing-dataset:o1")
    assert (vest.type, vest.kind, vest.name) == ("outwear", "vest", "Gray vest")
    assert garment_name(vest.type, vest.color, vest.pattern, vest.kind, "ko") == "그레이 베스트"
    assert Garment.objects.get(source_key="clothing-dataset:o2").kind == ""
    assert Garment.objects.get(source_key="clothing-dataset:o3").kind == ""


def test_every_outer_layer_of_the_built_in_set_has_its_kind():
    with catalog.demo.OUTER_KINDS_FILE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["image", "kind"]
    assert len({row["image"] for row in rows}) == len(rows) >= 80
    assert {row["kind"] for row in rows} <= set(OUTER_KINDS)
    outer = [photo for photo in dataset_photos(BUILTIN_DEMO_DIR) if photo.type == "outwear"]
    assert outer and all(photo.kind in OUTER_KINDS for photo in outer)
    assert {photo.kind for photo in outer} >= {"jacket", "vest"}


def test_a_missing_dataset_dir_is_a_clear_error(settings, tmp_path):
    settings.FASHION_DATASET_DIR = str(tmp_path / "moved-away")
    with pytest.raises(CommandError, match=r"FASHION_DATASET_DIR is .*moved-away.*unset it to load the small built-in"):
        call_command("load_demo_catalog", stdout=io.StringIO())
    assert not Garment.objects.exists()


def test_a_failed_download_says_what_to_do_and_leaves_no_folder(settings, tmp_path, monkeypatch):
    with socket.socket() as sock:  # a port nothing listens on: "connection refused", like a machine offline
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(catalog.demo, "DATASET_ZIP_URL", f"http://127.0.0.1:{port}/master.zip")
    settings.FASHION_DATASET_DIR = ""
    target = tmp_path / "cache" / "clothing-dataset"
    with pytest.raises(CommandError, match=r"Could not download the dataset .*run without --download"):
        call_command("load_demo_catalog", "--download", "--download-to", str(target), stdout=io.StringIO())
    assert not target.exists()


def test_a_folder_without_colour_labels(photo_folder):
    """The public download has no colors.csv: the CNN reads colours; the folder's labels cannot."""
    (photo_folder / "colors.csv").unlink()
    with pytest.raises(CommandError, match=r"no colors.csv .*Use --tagger cnn"):
        call_command("load_demo_catalog", str(photo_folder), "--tagger", "dataset", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_catalog", str(photo_folder), stdout=out)  # the fake CNN in unit tests
    assert "the CNN reads each garment's colour" in out.getvalue()
    assert Garment.objects.filter(tagged_by="model").count() == Garment.objects.count() > 0
