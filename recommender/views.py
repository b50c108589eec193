"""Server-rendered shopper pages. They call the same recommendation service as the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalog.i18n import korean_active
from catalog.models import Garment, PairingRule
from catalog.naming import kind_noun, tag_names
from catalog.selectors import garment_tag
from catalog.similarity import garments_similar_to
from catalog.tags import Tag
from catalog.uploads import image_error_message
from classifier.imaging import InvalidImage
from fashion.clients import client_key
from recommender.api import AnonUploadThrottle, CorrectionThrottle, FeedbackThrottle, throttled_for
from recommender.forms import ChoiceForm, CorrectionForm, FeedbackForm, TagForm, UploadForm
from recommender.look_images import LookImageError, look_image_for_key
from recommender.models import ShopperUpload
from recommender.services import (
    DEFAULT_OUTFITS,
    CorrectionReviewed,
    InvalidChoice,
    correction_create,
    detected_garments,
    drawn_box,
    feedback_create,
    garment_unsure,
    outline_as_named,
    reading_tag,
    recommend_for_tag,
    upload_answer,
    upload_choose,
    upload_create,
)
from vocabulary import (
    AUDIENCES,
    COLOR_CODES,
    COLORS,
    FORMALITIES,
    KINDS,
    PATTERNS,
    SLOT_NAMES,
    SLOTS,
    TYPES,
    WARMTHS,
    kinds_of_type,
    type_in_slot,
)

HOME_LOOKS = [("top", "red"), ("top", "white"), ("bottom", "blue"), ("one_piece", "black")]


def vocabulary_context() -> dict:
    return {"colors": COLORS, "types": TYPES, "slot_names": SLOT_NAMES}


def _other_of_slot(slot: str) -> str:
    """The heading over the rest of a slot after the garments of the piece's own type ("Other bottoms")."""
    headings = {
        "top": _("Other tops"),
        "bottom": _("Other bottoms"),
        "one_piece": _("Other one-pieces"),
        "outer": _("Other outerwear"),
        "shoes": _("Other shoes"),
        "accessory": _("Other accessories"),
    }
    return headings.get(slot, "")


class SimilarGroup(NamedTuple):
    heading: str  # "" for the first group: the section's own heading names it
    matches: list


def similar_groups(similar: list, garment_type: str, color: str = "") -> list[SimilarGroup]:
    """The "Looks similar" list as the page shows it. When the list puts the piece's type first, and within it the
    piece's colour (`garments_similar_to_embedding(garment_type=, color=)`), the rest of the type ("In other colors")
    and the rest of the slot ("Other tops") each get a heading of their own: each group is in order of similarity,
    where one list would show a blouse at 56 % before a shirt at 61 %, or a pink dress at 76 % before a white one at
    82 %. A list in any other order stays one list."""

    def group_of(match) -> int:
        if match.garment.type != garment_type:
            return 2
        return 0 if color and match.garment.color == color else 1

    order = [group_of(match) for match in similar]
    if not similar or order != sorted(order) or order[0] == 2:
        return [SimilarGroup("", list(similar))] if similar else []
    headings = {1: _("In other colors"), 2: _other_of_slot(similar[-1].garment.slot)}
    groups: list[SimilarGroup] = []
    previous = None
    for match, group in zip(similar, order, strict=True):
        if group != previous:
            groups.append(SimilarGroup(headings[group] if groups else "", []))
            previous = group
        groups[-1].matches.append(match)
    return groups


def home(request: HttpRequest) -> HttpResponse:
    looks = [(slot, color, recommend_for_tag(tag=Tag(slot=slot, color=color), limit=4)) for slot, color in HOME_LOOKS]
    return render(
        request,
        "recommender/home.html",
        {"looks": looks, "garment_count": Garment.objects.filter(is_active=True).count(), **vocabulary_context()},
    )


def recommend(request: HttpRequest) -> HttpResponse:
    """The upload page: a photo in, a redirect to its result page out (so reloading never re-uploads)."""
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        wait = throttled_for(request, AnonUploadThrottle())
        if wait is not None:
            form.add_error(
                None,
                _("That is a lot of photos in a short time. Please try again in %(seconds)d seconds.")
                % {"seconds": max(1, round(wait))},
            )
            status = 429
        elif form.is_valid():
            try:
                upload, _prediction = upload_create(image_file=form.cleaned_data["image"], box=form.cleaned_data["box"])
            except InvalidImage as exc:
                form.add_error(
                    "image", _("We could not use that file: %(reason)s") % {"reason": image_error_message(exc.code)}
                )
            except InvalidChoice:
                form.add_error(None, _("That crop is too small to read. Draw a larger box around the garment."))
            else:
                return redirect("recommender:upload-result", public_id=upload.public_id)
            status = 400
        else:
            status = 400
    return render(
        request,
        "recommender/recommend.html",
        {"form": form, "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024), **vocabulary_context()},
        status=status,
    )


def _choices(detection: dict, head: str) -> list[str]:
    """The CNN's top-3 labels for one head, for the one-tap correction buttons."""
    return [label for label, _confidence in detection.get(head, {}).get("top3", [])]


def _type_choices(reading: dict, alternatives: list[str]) -> list[str]:
    """The type chips: the CNN's top 3; with alternatives the reading is in doubt between (services.type_question:
    a skirt may be a dress; a dress worn under a top or with no top, a skirt or pants), the type read first, then
    those, then the rest of the top 3, each once."""
    choices = _choices(reading, "type")
    if not alternatives:
        return choices
    read = (reading.get("type") or {}).get("label")
    return list(dict.fromkeys([*([read] if read else []), *alternatives, *choices]))


# What a garment listed in a whole-outfit photo may turn out to be: a garment of the slot it was found in or of the
# slot beside it (a top may be a jacket worn open, a "dress" the skirt under a top). Its crop takes in the garments
# around it, so its own top 3 names them too: on 150 co-parsing validation photos, the top 3 of 294 of the 564 garments
# listed held a type of a slot not beside theirs (all 146 shoes, "T-shirt" or "Pants" after "Shoes"; 71 of 140
# bottoms, "Shoes" or "Long-sleeve"; 16 of 126 tops). The correction rows offer only these, then the slot's
# usual types (the most worn first) up to three chips; any type stays one "Other…" away.
NEAR_SLOTS: dict[str, tuple[str, ...]] = {
    "top": ("top", "outer"),
    "outer": ("outer", "top"),
    "bottom": ("bottom", "one_piece"),
    "one_piece": ("one_piece", "bottom"),
    "shoes": ("shoes",),
}
USUAL_TYPES: dict[str, tuple[str, ...]] = {
    "top": ("t-shirt", "blouse", "shirt"),
    "outer": ("outwear", "blazer"),
    "bottom": ("pants", "skirt", "shorts"),
    "one_piece": ("dress", "skirt", "pants"),
    "shoes": ("shoes",),
}
CHOICES_SHOWN = 3


def _found_slot(upload: ShopperUpload) -> str | None:
    """The slot the matched garment was found in, when it is one listed in a whole-outfit photo (not a drawn box)."""
    listed, index = detected_garments(upload.detection), upload.chosen_garment
    if index is None or not 0 <= index < len(listed) or drawn_box(upload) is not None:
        return None
    return listed[index].get("slot")


def _near_choices(choices: list[str], found_slot: str | None, current: str, *, types: bool) -> list[str]:
    """`choices` (type or slot codes) for a garment found in `found_slot` (NEAR_SLOTS): those it may be, the current one
    kept whatever it is, then the slot's usual types (or the near slots) up to CHOICES_SHOWN; unchanged for a garment
    not listed in an outfit photo."""
    if found_slot not in NEAR_SLOTS:
        return choices
    near = NEAR_SLOTS[found_slot]

    def slot_of(code: str) -> str:
        return (TYPES[code].slot if code in TYPES else "") if types else code

    kept = [code for code in choices if code == current or slot_of(code) in near]
    usual = [code for code in (USUAL_TYPES[found_slot] if types else near) if code not in kept]
    return [*kept, *usual[: max(0, CHOICES_SHOWN - len(kept))]]


def _outline(box: list[float]) -> dict:
    """A box in photo fractions as the result page's outline: x, y, width and height in percent."""
    x0, y0, x1, y1 = (float(v) * 100 for v in box)
    return {"x": round(x0, 2), "y": round(y0, 2), "width": round(x1 - x0, 2), "height": round(y1 - y0, 2)}


def _detected_garments(upload: ShopperUpload, corrected: Tag | None = None) -> list[dict]:
    """The garments of a whole-outfit photo, named for the shopper ("a black top"), with outlines in percent. With
    the shopper's correction (`corrected`, the tags it gave the chosen garment), the chosen chip is named by it: a "Red
    dress" corrected to a skirt reads "Red skirt", as the reading beside it does; and a one-piece corrected to a
    bottom is outlined below the top it was found under (services.outline_as_named)."""
    language = "ko" if korean_active() else "en"
    garments = []
    listed = detected_garments(upload.detection)
    for index, garment in enumerate(listed):
        chosen = index == upload.chosen_garment
        type_code = garment.get("type") or ""
        box = (
            outline_as_named(garment["box"], garment["slot"], corrected.slot, listed)
            if chosen and corrected
            else garment["box"]
        )
        if chosen and corrected is not None:
            name = _garment_name(corrected, language)
            colour = corrected.color
        elif type_in_slot(type_code, garment["slot"]) and garment.get("color") in COLORS:
            # "patterned" (or "slacks", a man's "dress shoes") only when read surely, as the tags that pick the
            # suggestions say
            read = reading_tag(garment.get("reading") or {})
            name = _garment_name(
                replace(read, type=type_code, color=garment["color"], kind=garment.get("kind") or ""), language
            )
            colour = garment["color"]
        else:
            name = SLOT_NAMES[garment["slot"]][1 if language == "ko" else 0]
            colour = garment.get("color") or "multicolor"
        garments.append(
            {
                "index": index,
                "name": name,
                "color": colour,
                **_outline(box),
                "chosen": chosen,
                "unsure": garment_unsure(garment),
            }
        )
    return garments


def _garment_name(tag: Tag, language: str) -> str:
    return tag_names(tag).in_language(language)


def _worn_outline(upload: ShopperUpload) -> dict | None:
    """The region read of a photo of someone wearing one garment (a shop's photo on a model), in percent of the photo,
    to outline; None when the whole photo, a listed garment or the shopper's own box was read."""
    box = (upload.detection or {}).get("worn_box")
    if not box or upload.crop_box or detected_garments(upload.detection):
        return None
    return {**_outline(box), "chosen": True}


def _drawn_outline(upload: ShopperUpload) -> dict | None:
    """The box the shopper drew (services.drawn_box), outlined as what was read (the garments found, if any, stay
    outlined beside it); None when the whole photo or a listed garment was read."""
    box = drawn_box(upload)
    return {**_outline(box), "chosen": True} if box else None


def _attribute_rows(tag: Tag) -> list[dict]:
    """One row of chips per attribute a shopper can set on the result page ("For: women / men / unisex / kids")."""
    korean = korean_active()
    rows = []
    for field, label, vocabulary in (
        ("audience", _("For"), AUDIENCES),
        ("warmth", _("Season"), WARMTHS),
        ("formality", _("Style"), FORMALITIES),
        ("pattern", _("Pattern"), PATTERNS),
    ):
        choices = [(code, names[1 if korean else 0]) for code, names in vocabulary.items()]
        rows.append({"field": field, "label": label, "choices": choices, "current": getattr(tag, field)})
    if kinds := kinds_of_type(tag.type):  # shoes and outerwear have finer kinds (boots, a vest …)
        choices = [(code, KINDS[code][2 if korean else 1]) for code in kinds]
        rows.append({"field": "kind", "label": _("Kind"), "choices": choices, "current": tag.kind})
    return rows


class AttributeRow(NamedTuple):
    """One attribute on the result page: "Pattern: Solid". `unsure` is the confidence of a reading the page shows as
    a guess ("not sure, 67%"), None for one read surely or set by the shopper."""

    label: str
    value: str
    unsure: float | None = None


# The pattern as the page names a top the graphic probe read as a big print (classifier.graphics): "Patterned" would
# send the shopper looking for stripes on a slogan tee.
GRAPHIC_PRINT = ("Graphic print", "그래픽 프린트")  # English, Korean, as the vocabulary names things


def _attribute_names(tag: Tag, reading: Mapping[str, Any] | None = None) -> list[AttributeRow]:
    """The attributes read with confidence, as rows for the page; unknown ones are left out, but for the pattern.

    Whether the garment is patterned is part of what the shopper checks ("the skirt is red, solid"): when the pattern
    head read it less surely than CLASSIFIER_ATTRIBUTE_THRESHOLDS and the shopper has not set it, its best guess is
    shown marked as not sure, so the shopper can see it and correct it (the coordination still treats it as
    unknown). An unsure audience, season or style is not shown: "for kids?" on a woman's top would be a guess about the
    shopper, and those guesses only order the suggestions (reading_leaning).

    A top the pattern head read solid but the graphic probe read as a big print (a cartoon, a slogan) is patterned for
    the coordination (the look's one print) and named "Graphic print" here (`Tag.graphic`, which the shopper's own
    choice of pattern drops)."""
    korean = korean_active()
    rows = []
    for label, vocabulary, code in (
        (_("Pattern"), PATTERNS, tag.pattern),
        (_("For"), AUDIENCES, tag.audience),
        (_("Season"), WARMTHS, tag.warmth),
        (_("Style"), FORMALITIES, tag.formality),
    ):
        if code in vocabulary:
            names = GRAPHIC_PRINT if tag.graphic and vocabulary is PATTERNS and code == "pattern" else vocabulary[code]
            rows.append(AttributeRow(label, names[1 if korean else 0]))
    if not tag.pattern and (guess := (reading or {}).get("pattern")) and guess.get("label") in PATTERNS:
        name = PATTERNS[guess["label"]][1 if korean else 0]
        rows.insert(0, AttributeRow(_("Pattern"), name, float(guess.get("confidence") or 0.0)))
    if tag.kind in KINDS:  # as the garment's name says it: a man's flats are dress shoes
        noun_en, noun_ko = kind_noun(tag.kind, tag.audience)
        rows.append(AttributeRow(_("Kind"), noun_ko if korean else noun_en[:1].upper() + noun_en[1:]))
    return rows


# Whom a garment read with an unsure audience is asked to be for, on the result page: the wearers, not "unisex".
ASKED_AUDIENCES: tuple[str, ...] = ("women", "men", "kids")


def _audience_to_ask(tag: Tag, reading: Mapping[str, Any] | None, correction: object) -> list[tuple[str, str]]:
    """The audiences the result page offers as one-tap answers when it could not tell whom the garment is for.

    The audience head is the weakest reading (CC0 test 0.66; a man's trousers read "women" at 0.51 got a blouse and
    sandals), and below CLASSIFIER_ATTRIBUTE_THRESHOLDS its guess only orders the suggestions and is not shown
    (_attribute_names). So instead of a guess the page asks, beside what it read: "For: Women · Men · Kids", each a
    correction of the audience alone, as the correction panel's row is (the page leaves the question out while that
    panel is open, as it is for an unsure type or colour). Empty once the audience is known (read surely, or set by
    the shopper) or the reading was corrected."""
    if tag.audience or correction is not None or not (reading or {}).get("audience"):
        return []
    korean = korean_active()
    return [(code, AUDIENCES[code][1 if korean else 0]) for code in ASKED_AUDIENCES]


def upload_result(request: HttpRequest, public_id: str) -> HttpResponse:
    upload = get_object_or_404(ShopperUpload, public_id=public_id)
    result = upload_answer(upload=upload)
    tag, reading, correction, uncertain = result.tag, result.reading, result.correction, result.uncertain_heads
    garments, worn_outline = _detected_garments(upload, tag if correction is not None else None), _worn_outline(upload)
    drawn_outline = _drawn_outline(upload)
    read_outline = worn_outline or drawn_outline
    found_slot = _found_slot(upload)
    return render(
        request,
        "recommender/result.html",
        {
            "upload": upload,
            "tag": tag,
            "correction": correction,
            "recommendation": result.recommendation,
            "similar_groups": similar_groups(result.similar, tag.type, result.similar_color),
            "uncertain": uncertain and correction is None,
            "uncertain_heads": uncertain,
            "type_choices": _near_choices(
                _type_choices(reading, result.type_alternatives), found_slot, tag.type, types=True
            ),
            # Which question the page asks about the type (empty once the shopper corrected the reading).
            "type_question": result.type_question,
            "color_choices": _choices(reading, "color"),
            "slot_choices": _near_choices(_choices(reading, "slot"), found_slot, tag.slot, types=False),
            "garments": garments,
            "worn_outline": worn_outline,
            # Someone else beside the one read (a photo of two friends): the page says whose outfit it read.
            "other_people": 0 if drawn_outline else int((upload.detection or {}).get("other_people") or 0),
            "board": bool((upload.detection or {}).get("board")),
            # A photo that lay turned (a garment photographed from the bed's side) was read the right way up.
            "turned": bool((upload.detection or {}).get("turned")),
            # The region read, when it is not a listed garment: the one garment worn, or the box she drew.
            "read_outline": read_outline,
            "outlines": [*garments, *([read_outline] if read_outline else [])],
            # The outlines as tap targets over the photo, the largest first so that a smaller garment inside a larger
            # box (a skirt inside the box of a "dress" spanning the top and the skirt) lies on top and takes the tap.
            "outline_taps": sorted(garments, key=lambda g: -(g["width"] * g["height"])),
            "attributes": _attribute_names(tag, reading),
            "ask_audience": _audience_to_ask(tag, reading, correction),
            "attribute_rows": _attribute_rows(tag),
            "all_types": list(TYPES),
            "color_codes": COLOR_CODES,
            **vocabulary_context(),
        },
    )


@require_POST
def choose_garment(request: HttpRequest, public_id: str) -> HttpResponse:
    """In a whole-outfit photo, the shopper taps the garment to match (or draws a crop on the result page)."""
    upload = get_object_or_404(ShopperUpload, public_id=public_id)
    form = ChoiceForm(request.POST)
    if throttled_for(request, CorrectionThrottle()) is not None:
        messages.error(request, _("That is a lot of corrections in a short time. Please try again in a minute."))
    elif form.is_valid():
        try:
            upload_choose(upload=upload, garment=form.cleaned_data["garment"], box=form.cleaned_data["box"])
        except InvalidChoice:
            messages.error(request, _("We could not find that garment in your photo; please tap one of the outlines."))
        except CorrectionReviewed:
            messages.error(request, _("A stylist has already reviewed this correction; it can no longer be changed."))
        else:
            messages.success(request, _("Done: here is what goes with the garment you picked."))
    else:
        messages.error(request, _("We could not find that garment in your photo; please tap one of the outlines."))
    return redirect("recommender:upload-result", public_id=upload.public_id)


@require_POST
def correct_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    """One tap on "it's actually a …": store the correction, then show recommendations for the corrected tags."""
    upload = get_object_or_404(ShopperUpload, public_id=public_id)
    # A field sent twice (a chip and an untouched "Other…" select) counts with its non-empty value.
    form = CorrectionForm(
        {name: next((v for v in request.POST.getlist(name) if v), "") for name in CorrectionForm.base_fields}
    )
    if throttled_for(request, CorrectionThrottle()) is not None:
        messages.error(request, _("That is a lot of corrections in a short time. Please try again in a minute."))
    elif form.is_valid() and any(form.cleaned_data.values()):
        try:
            correction_create(upload=upload, **{k: v for k, v in form.cleaned_data.items() if v})
        except CorrectionReviewed:
            messages.error(request, _("A stylist has already reviewed this correction; it can no longer be changed."))
        except InvalidChoice:  # a kind of another type, sent by hand
            messages.error(request, _("That choice is not one we know; please pick from the buttons."))
        else:
            messages.success(request, _("Thanks! Recommendations are updated for your correction."))
    else:
        messages.error(request, _("That choice is not one we know; please pick from the buttons."))
    return redirect("recommender:upload-result", public_id=upload.public_id)


@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    """Like/dislike without JavaScript (the page's script calls the API instead, with the same throttle)."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("recommender:home")
    form = FeedbackForm(request.POST)
    if throttled_for(request, FeedbackThrottle()) is not None:
        messages.error(request, _("Thanks, that is plenty of votes for now. Please try again in a minute."))
    elif not form.is_valid():
        messages.error(request, _("We could not record that vote."))
    else:
        data = form.cleaned_data
        garment = get_object_or_404(Garment, pk=data["garment_id"], is_active=True)
        feedback_create(
            garment=garment,
            vote=1 if data["vote"] == "like" else -1,
            input_slot=data["slot"],
            input_color=data["color"],
            rule=PairingRule.objects.filter(pk=data["rule_id"]).first(),
            upload=ShopperUpload.objects.filter(public_id=data["upload_id"]).first() if data["upload_id"] else None,
            client_key=client_key(request),
        )
        messages.success(request, _("Thanks for your feedback!"))
    return redirect(next_url)


def garment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    garment = get_object_or_404(Garment, pk=pk, is_active=True)
    # Every tag the garment has, as an upload's reading would give: a child's slippers go with children's pieces, not
    # with a grown-up's shirt and dress.
    tag = garment_tag(garment)
    return render(
        request,
        "recommender/garment_detail.html",
        {
            "garment": garment,
            "tag": tag,
            "recommendation": recommend_for_tag(tag=tag, limit=8, outfits=DEFAULT_OUTFITS),
            "similar_groups": similar_groups(garments_similar_to(garment=garment, k=6), garment.type, garment.color),
            **vocabulary_context(),
        },
    )


GOES_WITH_POOL = 96  # items considered for the "show more" page
GOES_WITH_PAGE = 24


def goes_with(request: HttpRequest, slot: str, color: str) -> HttpResponse:
    """The "show more" page for one tag: the recommended items, filtered by slot (`?show=shoes`), 24 a page."""
    form = TagForm({"slot": slot, "color": color, "type": request.GET.get("type", "")})
    if not form.is_valid():
        return render(request, "recommender/bad_tag.html", {"form": form}, status=404)
    tag = Tag(slot=form.cleaned_data["slot"], color=form.cleaned_data["color"], type=form.cleaned_data["type"])
    recommendation = recommend_for_tag(tag=tag, limit=GOES_WITH_POOL)
    slots_present = [code for code in SLOTS if any(item.garment.slot == code for item in recommendation.items)]
    show = request.GET.get("show", "")
    items = [item for item in recommendation.items if not show or item.garment.slot == show]
    page = Paginator(items, GOES_WITH_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recommender/goes_with.html",
        {
            "tag": tag,
            "recommendation": recommendation,
            "page": page,
            "show": show if show in slots_present else "",
            "slots_present": slots_present,
            "slots": SLOTS,
            "color_codes": COLOR_CODES,
            **vocabulary_context(),
        },
    )


LOOK_IMAGE_MAX_AGE = 365 * 24 * 3600


@require_safe
def look_image(request: HttpRequest, key: str) -> HttpResponse:
    """A look's composed picture (JPEG), named by a signed key; `?download=1` to save it as look.jpg."""
    try:
        look = look_image_for_key(key)
    except LookImageError as exc:
        return render(request, "recommender/look_missing.html", status=exc.status)
    etag = f'"{look.name.rsplit("/", 1)[-1].removesuffix(".jpg")}"'
    # The same key always names the same picture. One with a shopper's photo is for that shopper's browser only.
    cache_control = f"{'private' if look.has_upload else 'public'}, max-age={LOOK_IMAGE_MAX_AGE}, immutable"
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(look.content, content_type="image/jpeg")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    if request.GET.get("download"):
        response["Content-Disposition"] = 'attachment; filename="look.jpg"'
    return response
