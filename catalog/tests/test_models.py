from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import Garment, PairingRule, StyleCompatibility
from catalog.selectors import style_policy
from catalog.tags import Tag
from catalog.tests.factories import garment_factory, rule_factory

pytestmark = pytest.mark.django_db


def test_garment_slot_follows_type_and_image_is_stored_under_a_random_name():
    garment = garment_factory(type="pants", color="blue", name="Light jeans")
    assert garment.slot == "bottom"
    assert garment.image.name.startswith("garments/")
    assert "Light" not in garment.image.name
    assert garment.image.storage.exists(garment.image.name)


@pytest.mark.parametrize(
    "changes",
    [
        {"slot": "hat"},  # not a slot
        {"color": "teal"},  # not a vocabulary color
        {"type": "pants", "slot": "top"},  # pants are a bottom
        {"type": "sock"},
        {"second_color": "red"},  # same as the main color
        {"season": "monsoon"},
        {"graphic": True},  # a graphic print on a garment that is not patterned
    ],
)
def test_garment_constraints_hold_in_the_database(changes):
    garment = garment_factory(type="t-shirt", color="red")
    with pytest.raises(IntegrityError), transaction.atomic():
        Garment.objects.filter(pk=garment.pk).update(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"output_slot": "top"},  # same slot as the input
        {"weight": 0},
        {"weight": 101},
        {"input_type": "pants"},  # not a top type
        {"note": ""},
        {"output_color": "teal"},
    ],
)
def test_rule_constraints_hold_in_the_database(changes):
    rule = rule_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PairingRule.objects.filter(pk=rule.pk).update(**changes)


def test_duplicate_rule_is_refused():
    rule_factory()
    with pytest.raises(ValidationError):
        rule_factory(note="another note")


def test_rule_titles_read_like_a_stylist_would_say_them():
    assert str(rule_factory()) == "red top → black bottom"
    assert (
        str(rule_factory(input_type="t-shirt", input_color="white", output_type="pants", output_color="blue"))
        == "white t-shirt → blue pants"
    )


def test_korean_text_round_trips():
    garment = garment_factory(name="빨간 티셔츠")
    rule = rule_factory(note_ko="빨강 상의 + 검정 하의: 대담한 클래식 대비")
    assert Garment.objects.get(pk=garment.pk).name == "빨간 티셔츠"
    assert PairingRule.objects.get(pk=rule.pk).note_ko.startswith("빨강")


def test_the_migrated_tables_keep_a_vest_off_a_dress_until_a_stylist_allows_it():
    cell = StyleCompatibility.objects.get(table="layering", first="vest", second="one_piece")
    assert not cell.allowed
    assert StyleCompatibility.objects.get(table="layering", first="coat", second="one_piece").allowed
    vest, dress = Tag("outer", "gray", "outwear", "vest", "solid"), Tag("one_piece", "black", "dress", "", "solid")
    assert style_policy().pair_violation(vest, dress) == "layering"
    cell.allowed = True
    cell.save()
    assert style_policy().pair_violation(vest, dress) is None
    heels = Tag("shoes", "black", "shoes", "heels", "solid")
    assert style_policy().pair_violation(vest, heels) == "kinds"
    assert StyleCompatibility.objects.filter(table="kinds").count() == (5 + 8) * 6  # outer kinds and top types
    off = StyleCompatibility.objects.filter(table="kinds", allowed=False)
    assert sorted(off.values_list("first", "second")) == [("hoodie", "heels"), ("vest", "heels")]
    hoodie = Tag("top", "white", "hoodie", "", "solid")
    assert style_policy().pair_violation(hoodie, heels) == "kinds"
    off.filter(first="hoodie").update(allowed=True)
    assert style_policy().pair_violation(hoodie, heels) is None
