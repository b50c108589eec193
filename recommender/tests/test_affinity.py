"""The outfit affinity learner and its reading: pure, on tiny synthetic outfits."""

from __future__ import annotations

import math

import pytest

from catalog.demo import STAPLE_SHARE, demo_staples
from catalog.tags import Tag
from recommender.affinity import (
    AffinityParams,
    OutfitAffinity,
    count_outfits,
    lift_score,
    outfit_affinity,
    outfit_wearer,
    type_token,
)

SKIRT = Tag("bottom", "black", "skirt")
PANTS = Tag("bottom", "blue", "pants")
HEELS = Tag("shoes", "red", "shoes", kind="heels")
SNEAKERS = Tag("shoes", "white", "shoes", kind="sneakers")
TEE = Tag("top", "white", "t-shirt")


def outfits():
    # 10 skirts with heels, 10 pants with sneakers, 2 skirts with sneakers; a t-shirt in every photo.
    return [[SKIRT, HEELS, TEE]] * 10 + [[PANTS, SNEAKERS, TEE]] * 10 + [[SKIRT, SNEAKERS, TEE]] * 2


def expected(n_ab, n_a, n_b, n, alpha=1.0, cap=4.0):
    return max(-1.0, min(1.0, math.log((n_ab + alpha) / (n_a * n_b / n + alpha)) / math.log(cap)))


def test_lift_follows_the_smoothed_log_lift_formula():
    table = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=1, lift_cap=4.0))
    # bottom|shoes: 22 photos; skirt in 12, heels in 10, together 10
    heels = Tag("shoes", "", "shoes", kind="heels")
    skirt = Tag("bottom", "", "skirt")
    assert table.pair(skirt, heels) == pytest.approx(round(expected(10, 12, 10, 22), 4))
    assert table.pair(skirt, heels) > 0.3
    sneakers = Tag("shoes", "", "shoes", kind="sneakers")
    assert table.pair(skirt, sneakers) == pytest.approx(round(expected(2, 12, 12, 22), 4))
    assert table.pair(skirt, sneakers) < 0
    pants = Tag("bottom", "", "pants")
    assert table.pair(pants, heels) == pytest.approx(round(expected(0, 10, 10, 22), 4))
    # symmetric
    assert table.pair(heels, skirt) == table.pair(skirt, heels)


def test_a_token_worn_in_every_photo_has_no_lift():
    table = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=1))
    assert table.pair(Tag("top", "", "t-shirt"), Tag("bottom", "", "skirt")) == pytest.approx(0.0)


def test_pair_averages_the_families_with_evidence():
    table = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=1))
    parts = {e.family: e.score for e in table.evidence(SKIRT, HEELS)}
    assert set(parts) == {"type", "color"}
    assert table.pair(SKIRT, HEELS) == pytest.approx(round((parts["type"] + parts["color"]) / 2, 4))
    # black bottom with red shoes: 10 of 12 black bottoms, all 10 red shoes
    assert parts["color"] == pytest.approx(round(expected(10, 12, 10, 22), 4))


def test_no_evidence_is_zero():
    table = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=11))
    assert table.pair(Tag("bottom", "", "pants"), Tag("shoes", "", "shoes", kind="heels")) == 0.0  # pants: 10 < 11
    assert table.pair(SKIRT, Tag("bottom", "black", "skirt")) == 0.0  # same slot
    assert table.pair(Tag("outer", "", "blazer"), SKIRT) == 0.0  # never seen
    assert table.pair(Tag("bottom", "", ""), Tag("shoes", "", "")) == 0.0  # nothing known


def test_scores_are_bounded():
    assert lift_score(0, 100, 100, 100, AffinityParams(alpha=0.5)) == -1.0
    assert lift_score(50, 50, 50, 10_000, AffinityParams(alpha=0.5)) == 1.0
    assert lift_score(0, 100, 100, 100, AffinityParams(alpha=0.0)) == -1.0
    assert lift_score(5, 4, 100, 100, AffinityParams(min_support=5)) is None


def test_generic_shoes_are_an_unknown_kind():
    assert type_token(Tag("shoes", "black", "shoes")) is None
    assert type_token(Tag("shoes", "black", "shoes", kind="boots")) == "shoes:boots"
    assert type_token(Tag("bottom", "black", "skirt")) == "bottom:skirt"
    # The table is learnt without kinds of outer layer: a stylist's "vest" keeps its type's evidence.
    assert type_token(Tag("outer", "gray", "outwear", kind="vest")) == "outer:outwear"
    counts = count_outfits([[Tag("shoes", "black", "shoes"), SKIRT]])
    assert "bottom|shoes" not in counts["type"].slot_pairs
    assert "bottom|shoes" in counts["color"].slot_pairs


def test_popularity_is_the_share_within_the_slot():
    table = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=1))
    assert table.popularity(Tag("bottom", "", "skirt")) == pytest.approx(12 / 22)
    assert table.popularity(Tag("bottom", "black", "")) == pytest.approx(12 / 22)
    joint = table.popularity(Tag("bottom", "black", "skirt"))
    assert joint == pytest.approx((12 + (12 / 22) ** 2) / 23)
    assert table.popularity(Tag("bottom", "black", "skirt")) > table.popularity(Tag("bottom", "blue", "skirt"))
    assert table.popularity(Tag("outer", "", "")) == 0.0


def men_and_women():
    # Her 20 photos: heels 16, sneakers 4. His 10: sneakers 8, heels 2. Over all 30: heels 18, sneakers 12.
    her = [[SKIRT, HEELS]] * 16 + [[PANTS, SNEAKERS]] * 4
    his = [[PANTS, SNEAKERS]] * 8 + [[PANTS, HEELS]] * 2
    return OutfitAffinity.learn(
        her + his, AffinityParams(alpha=1.0, min_support=1), wearers=["women"] * 20 + ["men"] * 10
    )


def test_popularity_for_a_wearer_is_that_wearers_share_pulled_towards_everyones(monkeypatch):
    import recommender.affinity as affinity  # noqa: PLC0415 - the module's constant, set for this test

    table = men_and_women()
    heels, sneakers = Tag("shoes", "", "shoes", kind="heels"), Tag("shoes", "", "shoes", kind="sneakers")
    assert table.popularity(heels) == pytest.approx(18 / 30)
    assert table.popularity(heels, "") == table.popularity(heels)
    monkeypatch.setattr(affinity, "WEARER_PRIOR", 0.0)
    assert table.popularity(sneakers, "men") == pytest.approx(8 / 10)
    assert table.popularity(heels, "women") == pytest.approx(16 / 20)
    monkeypatch.setattr(affinity, "WEARER_PRIOR", 10.0)
    assert table.popularity(sneakers, "men") == pytest.approx((8 + 10 * 12 / 30) / 20)
    assert table.popularity(sneakers, "men") > table.popularity(heels, "men")
    assert table.popularity(heels, "women") > table.popularity(sneakers, "women")
    # With type and colour: the wearer's joint share, smoothed towards the product of the wearer's marginals.
    red_heels = Tag("shoes", "red", "shoes", kind="heels")
    assert table.popularity(red_heels, "men") < table.popularity(red_heels, "women")
    # A table learnt without wearers, or a wearer it did not count, reads everyone's share.
    plain = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=1))
    assert plain.popularity(SKIRT, "men") == plain.popularity(SKIRT)
    assert table.popularity(heels, "kids") == table.popularity(heels)


def test_a_look_is_one_wearers():
    assert outfit_wearer([Tag("top", "white", "shirt", audience="men"), SNEAKERS]) == "men"
    assert outfit_wearer([Tag("top", "white", "blouse", audience="women"), SNEAKERS]) == "women"
    assert outfit_wearer([Tag("top", "white", "t-shirt", audience="unisex"), SNEAKERS]) == ""
    assert outfit_wearer([Tag("top", "white", "t-shirt", audience="kids")]) == ""


def test_save_and_load_round_trip(tmp_path):
    table = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=1), meta={"photos": 22})
    table.save(tmp_path / "a.json")
    loaded = OutfitAffinity.load(tmp_path / "a.json")
    assert loaded.meta == {"photos": 22}
    for a, b in [(SKIRT, HEELS), (PANTS, SNEAKERS), (TEE, SKIRT), (HEELS, PANTS)]:
        assert loaded.pair(a, b) == table.pair(a, b)
    assert loaded.ranked_pairs("type") == table.ranked_pairs("type")
    assert loaded.popularity(SKIRT) == pytest.approx(table.popularity(SKIRT))
    by_wearer = men_and_women()
    by_wearer.save(tmp_path / "w.json")
    reloaded = OutfitAffinity.load(tmp_path / "w.json")
    for wearer in ("", "women", "men"):
        assert reloaded.popularity(SNEAKERS, wearer) == pytest.approx(by_wearer.popularity(SNEAKERS, wearer))


def test_the_committed_table_loads_and_reads_as_a_stylist_expects():
    table = OutfitAffinity.load()
    assert table.meta["photos"] > 1000
    skirt = Tag("bottom", "", "skirt")
    assert table.pair(skirt, Tag("shoes", "", "shoes", kind="heels")) > table.pair(
        skirt, Tag("shoes", "", "shoes", kind="sneakers")
    )
    assert all(-1.0 <= s <= 1.0 for _, _, s in table.ranked_pairs("color"))
    # A man's outfits wear sneakers more than sandals or heels; a woman's, heels and sandals more than sneakers.
    shoe = {kind: Tag("shoes", "", "shoes", kind=kind) for kind in ("sneakers", "sandals", "heels")}
    assert table.meta["wearers"]["men"] > 200
    assert table.popularity(shoe["sneakers"], "men") > table.popularity(shoe["sandals"], "men")
    assert table.popularity(shoe["sneakers"], "men") > table.popularity(shoe["heels"], "men")
    assert table.popularity(shoe["sandals"], "women") > table.popularity(shoe["sneakers"], "women")


def test_a_look_scores_the_mean_of_its_pairs():
    table = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=1))
    look = [SKIRT, HEELS, TEE]
    pairs = [table.pair(SKIRT, HEELS), table.pair(SKIRT, TEE), table.pair(HEELS, TEE)]
    assert table.look(look) == pytest.approx(sum(pairs) / 3, abs=1e-4)
    assert table.look([SKIRT, Tag("bottom", "blue", "pants")]) == 0.0  # same slot only
    assert table.look([SKIRT, HEELS]) > table.look([SKIRT, SNEAKERS])


def test_outfit_affinity_is_read_once():
    assert outfit_affinity() is outfit_affinity()


def test_staples_are_the_pieces_worn_in_enough_photos_most_worn_first():
    table = OutfitAffinity.learn(outfits(), AffinityParams(alpha=1.0, min_support=1))
    # 22 photos: the white tee in all, the black skirt and the white sneakers in 12, the blue pants and red heels in 10
    assert table.staples(0.5) == [
        ("top", "t-shirt", "white", 22),
        ("bottom", "skirt", "black", 12),
        ("shoes", "sneakers", "white", 12),
    ]
    assert ("bottom", "pants", "blue", 10) in table.staples(0.4)
    assert table.staples(1.01) == []


def test_the_demo_catalogs_staples_are_the_committed_tables():
    """catalog/demo_data/staples.csv is written with the table (learn_outfit_affinity); black trousers lead."""
    table = OutfitAffinity.load()
    staples = table.staples(STAPLE_SHARE)
    assert demo_staples() == [(slot, value, colour) for slot, value, colour, _ in staples]
    assert staples[0][:3] == ("bottom", "pants", "black")
    # Each wearer's own staples, those every photo's lack: a man's beige trousers and black dress shoes.
    for wearer in ("men", "women"):
        own = [s[:3] for s in table.staples(STAPLE_SHARE, wearer) if s[:3] not in demo_staples()]
        assert demo_staples(wearer=wearer) == own
    assert {("bottom", "pants", "beige"), ("shoes", "flats", "black")} <= set(demo_staples(wearer="men"))
