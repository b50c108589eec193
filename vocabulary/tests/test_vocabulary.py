"""The vocabulary's one rule of membership: which types and kinds belong to which slot."""

from __future__ import annotations

from vocabulary import KINDS, SLOTS, TYPES, kind_in_slot, kind_of_type, type_in_slot


def test_every_type_belongs_to_exactly_its_own_slot():
    for code, info in TYPES.items():
        assert [slot for slot in SLOTS if type_in_slot(code, slot)] == [info.slot]


def test_skirts_are_bottoms_and_boots_are_shoes():
    assert type_in_slot("skirt", "bottom") and not type_in_slot("skirt", "one_piece")
    assert kind_in_slot("boots", "shoes") and not kind_in_slot("boots", "bottom")
    assert all(kind_in_slot(kind, TYPES[type_code].slot) for kind, (type_code, _, _) in KINDS.items())


def test_unknown_or_blank_codes_belong_nowhere():
    assert not any(type_in_slot(code, slot) for code in ("", "cape") for slot in SLOTS)
    assert not any(kind_in_slot(kind, slot) for kind in ("", "clogs") for slot in SLOTS)


def test_a_kind_belongs_to_its_own_type_only():
    assert kind_of_type("vest", "outwear") and kind_of_type("boots", "shoes")
    assert not kind_of_type("vest", "blazer") and not kind_of_type("boots", "outwear")
    assert not kind_of_type("", "shoes") and not kind_of_type("cape", "outwear")
