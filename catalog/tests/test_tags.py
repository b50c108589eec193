"""Tags as dictionary keys: hashed once, and a pickled tag (the shared recommendation cache) hashes right elsewhere.
What a reading guessed where it was unsure (a Leaning)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from catalog.tags import Leaning, Tag, leaning_from_reading, tag_from_reading


def test_equal_tags_are_one_key_and_the_cached_hash_does_not_travel_in_a_pickle():
    tag = Tag("top", "red", "t-shirt", audience="women")
    assert {tag: 1}[Tag("top", "red", "t-shirt", audience="women")] == 1
    assert Tag("top", "red", "t-shirt") not in {tag: 1}
    payload = pickle.dumps(tag)
    assert "_hash" not in pickle.loads(payload).__dict__
    # Another process (another string-hash seed) finds the unpickled tag under its own equal tag.
    code = (
        "import pickle, sys; from catalog.tags import Tag; "
        "tag = pickle.loads(sys.stdin.buffer.read()); "
        "print({Tag('top', 'red', 't-shirt', audience='women'): 'found'}.get(tag, 'missing'))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=payload,
        capture_output=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    assert result.stdout.decode().strip() == "found"


THRESHOLDS = {"pattern": 0.7, "audience": 0.6, "warmth": 0.6, "formality": 0.6, "kind": 0.5}


def test_a_reading_keeps_what_it_guessed_where_it_was_unsure():
    reading = {
        "slot": {"label": "top", "confidence": 0.9},
        "type": {"label": "t-shirt", "confidence": 0.9},
        "color": {"label": "white", "confidence": 0.9},
        "pattern": {"label": "pattern", "confidence": 0.55},  # a guessed print: other prints come last
        "audience": {"label": "kids", "confidence": 0.42, "top3": [["kids", 0.42], ["women", 0.3], ["unisex", 0.18]]},
        "warmth": {"label": "mild", "confidence": 0.9, "top3": [["mild", 0.9], ["hot", 0.08], ["cold", 0.02]]},
        "formality": {"label": "casual", "confidence": 0.5},  # no top 3 (an older reading): the rest shared evenly
    }
    leaning = leaning_from_reading(reading, THRESHOLDS)
    # The fourth audience gets what the top 3 leave; a confident warmth is no guess.
    assert leaning.audience == (("kids", 0.42), ("women", 0.3), ("unisex", 0.18), ("men", 0.1))
    assert leaning.warmth == ()
    assert (
        leaning.pattern == (("pattern", 0.55), ("solid", 0.45)) and tag_from_reading(reading, THRESHOLDS).pattern == ""
    )
    assert leaning.formality == (("casual", 0.5), ("lounge", 0.17), ("sport", 0.17), ("smart", 0.17))
    assert leaning.best("audience") == "kids" and leaning.best("warmth") == ""
    # The tag still says "unknown" where the guess lives: nothing is excluded for a guess.
    assert tag_from_reading(reading, THRESHOLDS).audience == ""
    # A shopper's correction (or a confident reading) replaces the guess.
    corrected = Tag("top", "white", "t-shirt", audience="women")
    assert leaning.for_unknown_of(corrected).audience == () and leaning.for_unknown_of(corrected).formality
    known = Tag("top", "white", pattern="solid", audience="men", formality="smart")
    assert not Leaning() and not leaning.for_unknown_of(known)


def test_an_outer_layers_kind_counts_for_outerwear_and_a_shoe_kind_for_shoes():
    def reading(slot: str, type_code: str, **heads) -> dict:
        return {
            "slot": {"label": slot, "confidence": 0.9},
            "type": {"label": type_code, "confidence": 0.9},
            "color": {"label": "gray", "confidence": 0.9},
            "kind": {"label": "boots", "confidence": 0.8},  # the shoe-kind head reads every photo
            **heads,
        }

    vest = {"outer_kind": {"label": "vest", "confidence": 0.55}}  # present only when it reached its own threshold
    assert tag_from_reading(reading("outer", "outwear", **vest), THRESHOLDS).kind == "vest"
    assert tag_from_reading(reading("outer", "outwear"), THRESHOLDS).kind == ""
    assert tag_from_reading(reading("outer", "blazer", **vest), THRESHOLDS).kind == ""  # a blazer has no such kinds
    assert tag_from_reading(reading("shoes", "shoes", **vest), THRESHOLDS).kind == "boots"
    assert tag_from_reading(reading("top", "t-shirt", **vest), THRESHOLDS).kind == ""


def test_a_print_the_graphic_probe_made_is_a_graphic_print_only_when_taken_as_patterned():
    def reading(pattern_confidence: float, graphic: str) -> dict:
        return {
            "slot": {"label": "top", "confidence": 0.9},
            "type": {"label": "t-shirt", "confidence": 0.9},
            "color": {"label": "black", "confidence": 0.9},
            "pattern": {"label": "pattern", "confidence": pattern_confidence},
            "graphic": {"label": graphic, "confidence": 0.86},
        }

    assert tag_from_reading(reading(0.86, "graphic"), THRESHOLDS).graphic
    assert not tag_from_reading(reading(0.86, "plain"), THRESHOLDS).graphic  # stripes: an all-over pattern
    assert not tag_from_reading(reading(0.5, "graphic"), THRESHOLDS).graphic  # the pattern itself is unknown
    assert Tag("top", "black", pattern="pattern", graphic=True) != Tag("top", "black", pattern="pattern")
