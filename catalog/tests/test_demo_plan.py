"""The demo plan, pure (no files read): the spread takes everyday pieces first, and the staples step stocks real
outfits' most worn pieces for women and men."""

from __future__ import annotations

from pathlib import Path

from catalog.demo import DemoPhoto, demo_plan


def pants(image_id: str, *, audience: str, formality: str = "casual", pattern: str = "solid", color: str = "black"):
    return DemoPhoto(
        image_id=image_id,
        path=Path(f"{image_id}.jpg"),
        type="pants",
        color=color,
        alt_color="",
        pattern=pattern,
        audience=audience,
        warmth="mild",
        formality=formality,
    )


# Ski trousers, a child's, a print and a gray pair around the everyday black trousers the step should stock.
PHOTOS = [
    pants("ski-1", audience="unisex", formality="sport"),
    pants("ski-2", audience="unisex", formality="sport"),
    pants("kids-1", audience="kids"),
    pants("print-1", audience="women", pattern="pattern"),
    pants("gray-1", audience="men", color="gray"),
    pants("women-1", audience="women"),
    pants("women-2", audience="women", formality="smart"),
    pants("women-3", audience="women"),
    pants("men-1", audience="men"),
    pants("men-2", audience="men", formality="smart"),
    pants("men-3", audience="men"),
    pants("lounge-1", audience="men", formality="lounge"),
]


def everyday_black(plan, audience):
    return [
        p
        for p in plan
        if p.color == "black" and p.audience in (audience, "unisex")
        and p.pattern == "solid" and p.formality in ("casual", "smart")
    ]  # fmt: skip


def test_without_staples_the_spread_alone_decides():
    plan = demo_plan(PHOTOS, per_cell=1, per_group=0)
    assert len(plan) == 2  # one black and one gray bottom
    again = demo_plan(list(reversed(PHOTOS)), per_cell=1, per_group=0)
    assert [p.image_id for p in again] == [p.image_id for p in plan]


def test_a_staple_is_stocked_with_everyday_pieces_for_women_and_for_men():
    spread = {p.image_id for p in demo_plan(PHOTOS, per_cell=1, per_group=0)}
    plan = demo_plan(PHOTOS, per_cell=1, per_group=0, staples=[("bottom", "pants", "black")], per_staple=2)
    added = [p for p in plan if p.image_id not in spread]
    assert len(everyday_black(plan, "women")) >= 2
    assert len(everyday_black(plan, "men")) >= 2
    # The step adds only everyday pieces of the staple: no ski trousers, child's, print, lounge or gray pair.
    assert added and all(p.image_id.startswith(("women-", "men-")) for p in added)
    # No more than it needs: each audience's count is reached, not passed, by what it adds.
    assert len(everyday_black(plan, "women")) == 2 or not any(p.audience == "women" for p in added)
    assert len(everyday_black(plan, "men")) == 2 or not any(p.audience == "men" for p in added)
    assert len({p.image_id for p in plan}) == len(plan)


def test_a_wearers_own_staple_is_stocked_for_that_wearer_alone_with_pieces_of_their_own():
    """A man's beige trousers: stocked with men's pieces only, since a unisex pair would serve women too, whose
    outfits do not wear it as much; women get nothing from it."""
    photos = [
        *PHOTOS,
        pants("beige-unisex", audience="unisex", color="beige"),
        pants("beige-women", audience="women", color="beige"),
        pants("beige-men-1", audience="men", color="beige"),
        pants("beige-men-2", audience="men", color="beige", formality="smart"),
        pants("beige-men-3", audience="men", color="beige", formality="sport"),
    ]
    spread = {p.image_id for p in demo_plan(photos, per_cell=0, per_group=0)}
    plan = demo_plan(
        photos, per_cell=0, per_group=0, wearer_staples={"men": [("bottom", "pants", "beige")]}, per_staple=3
    )
    added = {p.image_id for p in plan} - spread
    assert added == {"beige-men-1", "beige-men-2"}  # his everyday ones; not the unisex, women's or sport pairs
    # The same staple for everyone takes the unisex pair first, for women and men alike.
    shared = demo_plan(photos, per_cell=0, per_group=0, staples=[("bottom", "pants", "beige")], per_staple=1)
    assert {p.image_id for p in shared} - spread == {"beige-unisex"}


def test_a_staple_the_folder_lacks_adds_nothing():
    spread = demo_plan(PHOTOS, per_cell=1, per_group=0)
    plan = demo_plan(PHOTOS, per_cell=1, per_group=0, staples=[("bottom", "skirt", "black")], per_staple=3)
    assert [p.image_id for p in plan] == [p.image_id for p in spread]


def test_the_spread_takes_everyday_pieces_before_sport_and_lounge_ones():
    """The dataset calls many sport pieces casual, and a stylist's corrections make them sport; the spread then picks
    a cell's everyday pieces first, whatever order the photos' hashes give, and takes sport ones only to fill it."""
    photos = [
        pants("ski-1", audience="unisex", formality="sport"),
        pants("ski-2", audience="unisex", formality="sport"),
        pants("pyjamas-1", audience="unisex", formality="lounge"),
        pants("everyday-1", audience="unisex"),
        pants("gray-ski", audience="unisex", formality="sport", color="gray"),
    ]
    for order in (photos, list(reversed(photos))):
        assert [p.image_id for p in demo_plan(order, per_cell=1, per_group=0)] == ["everyday-1", "gray-ski"]
    two = demo_plan(photos, per_cell=2, per_group=0)
    assert two[0].image_id == "everyday-1" and len([p for p in two if p.color == "black"]) == 2
