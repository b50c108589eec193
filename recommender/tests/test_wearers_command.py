"""evaluate_wearers on a tiny co-parsing folder, with a stand-in predictor whose readings are known."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from catalog.tests.factories import garment_factory
from classifier.tests.factories import make_tiny_coparsing
from recommender.management.commands import evaluate_wearers

pytestmark = pytest.mark.django_db


class _Reading:
    """A worn garment's reading: its crop says women's (as worn crops lean), the probe is unsure and leans men."""

    def to_dict(self) -> dict:
        return {
            "type": {"label": "pants", "confidence": 0.9, "top3": [["pants", 0.9]]},
            "slot": {"label": "bottom", "confidence": 0.95, "top3": [["bottom", 0.95]]},
            "color": {"label": "blue", "confidence": 0.9, "top3": [["blue", 0.9]]},
            "audience": {"label": "women", "confidence": 0.84, "top3": [["women", 0.84], ["unisex", 0.1]]},
            "garments": [],
            "worn_box": [0.2, 0.4, 0.8, 0.8],
            "wearer_guess": {"label": "men", "confidence": 0.7, "top3": [["men", 0.7], ["women", 0.3]]},
        }


class _Predictor:
    def __init__(self):
        self.photos = []

    def predict(self, image):
        self.photos.append(image.size)
        return _Reading()


@pytest.mark.parametrize("framings", [False, True])
def test_evaluate_wearers_counts_what_a_man_is_offered_each_way(tmp_path, monkeypatch, framings):
    root = make_tiny_coparsing(tmp_path / "coparsing")
    labels = tmp_path / "wearers.csv"
    labels.write_text("image,wearer\n0009,man\n0010,woman\n")  # the two test photos
    predictor = _Predictor()
    monkeypatch.setattr(evaluate_wearers, "get_predictor", lambda: predictor)
    for audience, color in (("women", "white"), ("men", "gray"), ("unisex", "black")):  # not look-alikes
        garment_factory(type="t-shirt", color=color, audience=audience, name=f"{audience} {color} tee")
    for color in ("white", "black"):
        garment_factory(type="shoes", kind="sneakers", color=color, audience="unisex", name=f"{color} sneakers")
    out = tmp_path / "wearers.json"
    args = ["--coparsing-dir", str(root), "--split", "test", "--labels", str(labels), "--suggestions"]
    call_command("evaluate_wearers", *args, *(["--framings"] if framings else []), "--json", str(out))
    figures = json.loads(out.read_text())
    assert figures["framings"] is framings
    if framings:  # a shop-like framing is a part of the photo, not all of it
        assert predictor.photos and all(size != (60, 90) for size in predictor.photos)
    else:
        assert predictor.photos == [(60, 90), (60, 90)]
    rows = figures["garments"]
    man, woman = rows["guess/men"]["garments"], rows["guess/women"]["garments"]
    assert man == woman == (2 if framings else 1)  # a framing of the upper body and one of the lower
    # The crop's own reading, women's, is also the old way's (no sure wearer): the man's garment is read as a
    # woman's, and he is offered the women's and the unisex tee.
    for way in ("own", "wearer"):
        assert (rows[f"{way}/men"]["wrong"], rows[f"{way}/men"]["suggested"]) == (man, 4 * man)
        assert rows[f"{way}/men"]["suggested_wrong"] == man
        assert rows[f"{way}/women"]["suggested_wrong"] == 0
    # The served way: a guess is never read as sure, so nothing is excluded; the three tees are all offered.
    assert rows["guess/men"]["unknown"] == man and rows["guess/men"]["suggested"] == 5 * man
    assert rows["guess/men"]["suggested_wrong"] == man
    assert rows["guess/women"]["suggested_wrong"] == woman  # the probe's guess was wrong for her: the men's tee too
    # Looks (a tee and sneakers): the crop's women's reading puts the women's tee in the man's looks; the guess
    # leaves it out while looks without it are left (four: the men's or the unisex tee, with either pair).
    assert rows["own/men"]["looks"] == 3 * man and rows["own/men"]["looks_wrong"] >= man
    assert rows["guess/men"]["looks"] == 3 * man and rows["guess/men"]["looks_wrong"] == 0
    assert figures["photos"] == {"men read unsure": man, "women read unsure": woman}
