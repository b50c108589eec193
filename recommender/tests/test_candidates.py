"""The candidate pool read from the database (`garment_candidates`) is what the engine is promised: from each (slot,
colour) cell worth reading, the active garments the style tables allow, the input's own window of the cell in shuffle
order — read from the covering index alone."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from catalog.models import Garment
from catalog.services import starter_rules_load
from catalog.tags import Tag
from catalog.tests.factories import garment_factory
from recommender import services
from recommender.reasons import reason_text
from vocabulary import TYPE_CODES, kinds_of_type, slot_of_type

pytestmark = pytest.mark.django_db

COLORS = ("black", "white", "navy", "beige", "red")
TAGS = [
    Tag("top", "white", "t-shirt"),
    Tag("top", "red", "t-shirt", audience="women", warmth="mild", formality="casual"),
    Tag("bottom", "navy", "pants", audience="men", warmth="cold", formality="smart"),
    Tag("shoes", "black", "shoes", audience="kids", warmth="hot", formality="sport"),
    Tag("one_piece", "beige", "dress", audience="women", warmth="hot"),
]


@pytest.fixture
def catalog() -> None:
    """A few hundred garments in few colours, so most cells hold more than a window."""
    rng = random.Random(7)
    starter_rules_load()
    garments = []
    for n in range(700):
        type_code = rng.choice(list(TYPE_CODES))
        kinds = kinds_of_type(type_code)
        garments.append(
            Garment(
                name=f"g{n}",
                image=f"garments/g{n}.jpg",
                type=type_code,
                slot=slot_of_type(type_code),
                color=rng.choice(COLORS),
                audience=rng.choice(("", "women", "men", "unisex", "kids")),
                warmth=rng.choice(("", "hot", "mild", "cold")),
                formality=rng.choice(("", "lounge", "sport", "casual", "smart")),
                pattern=rng.choice(("", "solid", "pattern")),
                kind=rng.choice(kinds) if kinds else "",
                is_active=rng.random() > 0.1,
                likes=rng.randrange(4),
                dislikes=rng.randrange(3),
                shuffle_key=rng.random(),
            )
        )
    Garment.objects.bulk_create(garments)


def _expected(tag: Tag, per_cell: int) -> dict[int, tuple[Tag, float]]:
    """The promise, computed in Python from every row: per cell, the first `per_cell` allowed active garments from the
    input's start position on, and the first `per_cell` before it (the window wraps around)."""
    judge = services.recommendation_judge()
    start = services._window_start(tag)
    filters = services._attribute_filters(tag, judge.policy)
    expected = {}
    for slot, colors in services.candidate_cells(tag=tag, judge=judge).items():
        if slot == tag.slot:
            continue
        for color in colors:
            allowed = sorted(
                (
                    g
                    for g in Garment.objects.filter(slot=slot, color=color, is_active=True)
                    if all(getattr(g, lookup.removesuffix("__in")) in values for lookup, values in filters.items())
                ),
                key=lambda g: g.shuffle_key,
            )
            after = [g for g in allowed if g.shuffle_key >= start][:per_cell]
            before = [g for g in allowed if g.shuffle_key < start][:per_cell]
            for g in after + before:
                garment_tag = Tag(g.slot, g.color, g.type, g.kind, g.pattern, g.audience, g.warmth, g.formality)
                feedback = (g.likes - g.dislikes) / (g.likes + g.dislikes + services.FEEDBACK_PRIOR_VOTES)
                expected[g.pk] = (garment_tag, feedback)
    return expected


@pytest.mark.parametrize("per_cell", [3, services.POOL_PER_CELL])
def test_the_candidate_query_returns_each_cells_window_of_allowed_active_garments(catalog, per_cell):
    judge = services.recommendation_judge()
    for tag in TAGS:
        candidates = services.garment_candidates(tag=tag, judge=judge, per_cell=per_cell)
        found = {c.id: (c.tag, c.feedback) for c in candidates}
        assert len(found) == len(candidates)  # no garment twice
        assert found and found == _expected(tag, per_cell), tag


def test_candidate_query_values_are_vocabulary_codes_or_numbers():
    assert services._sql_literal("one_piece") == "'one_piece'" and services._sql_literal("") == "''"
    assert services._sql_literal(True) == "1" and services._sql_literal(10) == "10"
    assert float(services._sql_literal(0.1).removesuffix("e0")) == 0.1
    for hostile in ("x' OR '1'='1", "Red", "a;b", "a\\b", None):
        with pytest.raises(ValueError):
            services._sql_literal(hostile)


def test_candidate_windows_are_read_from_the_covering_index_alone(catalog):
    """Every window is an index range with no row lookup: the index holds every column the query filters on or
    returns (adding a column to the query without adding it to the index fails here)."""
    statements: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    tag = TAGS[1]
    with connection.execute_wrapper(record):
        services.garment_candidates(tag=tag, judge=services.recommendation_judge())
    (sql, params), *_ = [s for s in statements if services.CANDIDATE_INDEX in s[0]]
    windows = sql.count(services.CANDIDATE_INDEX)
    assert windows > 2
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(f"EXPLAIN {sql}", params)
            columns = [c[0] for c in cursor.description]
            plans = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            reads = [p for p in plans if p["table"] == Garment._meta.db_table]
            assert len(reads) == windows
            assert all(p["key"] == services.CANDIDATE_INDEX and "Using index" in (p["Extra"] or "") for p in reads)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            details = [row[-1] for row in cursor.fetchall() if Garment._meta.db_table in row[-1]]
            assert len(details) == windows
            assert all(f"USING COVERING INDEX {services.CANDIDATE_INDEX}" in d for d in details), details


def test_a_catalog_graphic_tee_is_read_from_the_index_with_its_print_and_its_reasons_say_so():
    """A catalog tee with a graphic print (Garment.graphic) comes out of the covering index with the flag, so the
    reason under it names its graphic ("its graphic", "그래픽"), not a pattern, and the card names it so."""
    graphic = garment_factory(type="t-shirt", color="black", pattern="pattern", graphic=True)
    striped = garment_factory(type="t-shirt", color="black", pattern="pattern")
    trousers = Tag("bottom", "black", "pants", pattern="solid")
    items = {item.garment.id: item for item in services.recommend_for_tag(tag=trousers, limit=12).items}
    assert {graphic.id, striped.id} <= set(items), items
    assert items[graphic.id].reason.b.graphic and not items[striped.id].reason.b.graphic
    english = reason_text(items[graphic.id].reason, "en")
    korean = reason_text(items[graphic.id].reason, "ko")
    assert "graphic" in english and "in the print" not in english, english
    assert "그래픽" in korean and "패턴" not in korean, korean
    assert "패턴" in reason_text(items[striped.id].reason, "ko")
    with translation.override("ko"):
        assert Garment.objects.get(pk=graphic.id).display_name == "블랙 그래픽 반팔 티셔츠"
    page = Client().get(f"/garments/{graphic.id}/", headers={"accept-language": "ko"}).content.decode()
    assert "블랙 그래픽 반팔 티셔츠" in page and "그래픽 프린트" in page
    assert "Graphic print" in Client().get(f"/garments/{graphic.id}/").content.decode()
