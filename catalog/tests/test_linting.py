"""Rule linting: the pure checks, and the "Rule check" page stylists see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from catalog.linting import (
    COVERED,
    INPUT_SLOTS,
    NO_GARMENTS,
    NO_RULES,
    PARTIAL,
    TagCount,
    asymmetric_rules,
    coverage_grid,
    lint_rules,
    rules_without_garments,
    uncovered_inputs,
)
from catalog.rules import RuleSide, RuleSpec
from catalog.tests.factories import garment_factory, rule_factory
from vocabulary import COLOR_CODES, COLORS

LINT_URL = "/admin/catalog/pairingrule/lint/"


def rule(id: int, input_tag: str, output_tag: str, weight: int = 50) -> RuleSpec:
    """rule(1, "top:red", "bottom:black") or with a type: "bottom:black:pants"."""
    in_slot, in_color, *in_type = input_tag.split(":")
    out_slot, out_color, *out_type = output_tag.split(":")
    return RuleSpec(
        id,
        RuleSide(in_slot, in_color, (in_type or [""])[0]),
        RuleSide(out_slot, out_color, (out_type or [""])[0]),
        weight,
        note=f"rule {id}",
        note_ko=f"규칙 {id}",
    )


# ---------------------------------------------------------------- pure checks, no database


def test_a_rule_whose_output_matches_no_garment_is_reported():
    red_to_black = rule(1, "top:red", "bottom:black")
    red_to_green = rule(2, "top:red", "bottom:green")
    red_to_black_skirt = rule(3, "top:red", "bottom:black:skirt")
    counts = [TagCount("bottom", "pants", "black", 3), TagCount("top", "t-shirt", "green", 2)]
    assert rules_without_garments([red_to_black, red_to_green, red_to_black_skirt], counts) == [
        red_to_green,
        red_to_black_skirt,
    ]


def test_inputs_without_a_rule_fall_back_to_harmony():
    missing = uncovered_inputs([rule(1, "top:red", "bottom:black")])
    assert ("top", "red") not in missing
    assert ("top", "pink") in missing and ("shoes", "red") in missing
    assert len(missing) == len(INPUT_SLOTS) * len(COLOR_CODES) - 1
    assert all(slot != "accessory" for slot, _ in missing)


def test_one_way_pairs_are_reported_once_per_rule():
    red_to_black = rule(1, "top:red", "bottom:black")
    black_to_white = rule(2, "bottom:black", "top:white")
    white_to_black = rule(3, "top:white", "bottom:black")
    hat = rule(4, "top:red", "accessory:black")  # accessories are never an input: no reverse expected
    assert asymmetric_rules([red_to_black, black_to_white, white_to_black, hat]) == [red_to_black]


def test_coverage_grid_counts_rules_and_recommendable_garments_per_input():
    rules = [
        rule(1, "top:red", "bottom:black"),
        rule(2, "top:red", "bottom:blue"),
        rule(3, "top:white", "bottom:green"),
        rule(4, "top:black", "bottom:black"),
        rule(5, "bottom:blue:pants", "top:white"),
    ]
    counts = [
        TagCount("bottom", "pants", "black", 8),
        TagCount("bottom", "skirt", "black", 2),
        TagCount("bottom", "pants", "blue", 5),
        TagCount("top", "t-shirt", "white", 20),
    ]
    grid = {row.slot: {cell.color: cell for cell in row.cells} for row in coverage_grid(rules, counts, page_size=12)}
    assert list(grid) == list(INPUT_SLOTS) and list(grid["top"]) == list(COLOR_CODES)
    red = grid["top"]["red"]
    assert (red.rule_count, red.garment_count, red.status, red.falls_back) == (2, 15, COVERED, False)
    black = grid["top"]["black"]
    assert (black.rule_count, black.garment_count, black.status) == (1, 10, PARTIAL)  # harmony tops up the page
    white = grid["top"]["white"]
    assert (white.rule_count, white.garment_count, white.status, white.falls_back) == (1, 0, NO_GARMENTS, True)
    assert grid["top"]["pink"].status == NO_RULES and grid["top"]["pink"].falls_back
    # Only pants have a rule: blue skirts and shorts fall back, so the cell is partly covered at best.
    assert (grid["bottom"]["blue"].garment_count, grid["bottom"]["blue"].status) == (20, PARTIAL)


def test_lint_report_collects_every_warning():
    report = lint_rules([rule(1, "top:red", "bottom:green")], [TagCount("bottom", "pants", "black", 1)])
    assert [r.id for r in report.rules_without_garments] == [1]
    assert [r.id for r in report.asymmetric_rules] == [1]
    assert report.warning_count == 2 + len(report.uncovered_inputs)


# ---------------------------------------------------------------- the admin page


@pytest.fixture
def stylist_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("stylist", "s@example.com", "pw"))
    return client


@pytest.mark.django_db
def test_rule_changelist_links_to_the_rule_check(stylist_client):
    html = stylist_client.get("/admin/catalog/pairingrule/").content.decode()
    assert f'href="{LINT_URL}"' in html and "Rule check" in html


@pytest.mark.django_db
def test_rule_check_page_links_to_the_offending_rules_and_shows_the_grid(stylist_client):
    garment_factory(type="pants", color="black", name="Black trousers")
    garment_factory(type="t-shirt", color="red", name="Red tee")
    shows_nothing = rule_factory(
        input_slot="top", input_color="red", output_slot="bottom", output_color="green", note="Red + green: festive"
    )
    one_way = rule_factory(
        input_slot="top", input_color="white", output_slot="bottom", output_color="black", note="White + black: crisp"
    )
    inactive = rule_factory(
        input_slot="top",
        input_color="pink",
        output_slot="bottom",
        output_color="purple",
        note="Pink + purple",
        is_active=False,
    )

    response = stylist_client.get(LINT_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/admin/catalog/pairingrule/{shows_nothing.pk}/change/"' in html
    assert f'href="/admin/catalog/pairingrule/{one_way.pk}/change/"' in html
    assert f"/admin/catalog/pairingrule/{inactive.pk}/change/" not in html  # inactive rules are not linted
    assert "red top → green bottom" in html and "white top → black bottom" in html
    # Reverse rule suggestion, pre-filled: black bottom → white top.
    assert "input_slot=bottom&amp;input_color=black&amp;output_slot=top&amp;output_color=white" in html
    # The grid: a swatch per colour, cells coloured by status.
    assert 'id="coverage-grid"' in html
    assert all(COLORS[code].hex in html for code in COLOR_CODES)
    assert 'data-slot="top" data-color="white" data-status="partial"' in html
    assert 'data-slot="top" data-color="red" data-status="no_garments"' in html
    assert 'data-slot="top" data-color="pink" data-status="no_rules"' in html


@pytest.mark.django_db
def test_rule_check_is_for_staff_only(client: Client):
    User.objects.create_user("shopper", "x@example.com", "pw")
    client.login(username="shopper", password="pw")
    response = client.get(LINT_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
