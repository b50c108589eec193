"""Server-rendered shopper pages. They call the same recommendation service as the API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from catalog.models import Garment
from catalog.vocabulary import COLOR_CODES, COLORS, SLOT_NAMES, SLOTS, TYPES
from classifier.imaging import InvalidImage
from recommender.engine import Tag
from recommender.forms import TagForm, UploadForm
from recommender.models import ShopperUpload
from recommender.services import recommend_for_tag, upload_create

HOME_LOOKS = [("top", "red"), ("top", "white"), ("bottom", "blue"), ("one_piece", "black")]


def vocabulary_context() -> dict:
    return {"colors": COLORS, "types": TYPES, "slot_names": SLOT_NAMES}


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
        if form.is_valid():
            try:
                upload, _prediction = upload_create(image_file=form.cleaned_data["image"])
            except InvalidImage as exc:
                form.add_error("image", _("We could not use that file: %(reason)s") % {"reason": exc})
            else:
                return redirect("recommender:upload-result", public_id=upload.public_id)
        status = 400
    return render(
        request,
        "recommender/recommend.html",
        {"form": form, "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024), **vocabulary_context()},
        status=status,
    )


def upload_result(request: HttpRequest, public_id: str) -> HttpResponse:
    upload = get_object_or_404(ShopperUpload, public_id=public_id)
    tag = Tag(slot=upload.detected_slot, color=upload.detected_color, type=upload.detected_type)
    recommendation = recommend_for_tag(tag=tag)
    threshold = settings.CLASSIFIER_CONFIRM_THRESHOLD
    return render(
        request,
        "recommender/result.html",
        {
            "upload": upload,
            "detected": upload.detection,
            "tag": tag,
            "recommendation": recommendation,
            "uncertain": min(upload.type_confidence, upload.slot_confidence, upload.color_confidence) < threshold,
            **vocabulary_context(),
        },
    )


def garment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    garment = get_object_or_404(Garment, pk=pk, is_active=True)
    tag = Tag(slot=garment.slot, color=garment.color, type=garment.type)
    return render(
        request,
        "recommender/garment_detail.html",
        {"garment": garment, "tag": tag, "recommendation": recommend_for_tag(tag=tag, limit=8), **vocabulary_context()},
    )


def goes_with(request: HttpRequest, slot: str, color: str) -> HttpResponse:
    """The "show more" page for one tag."""
    form = TagForm({"slot": slot, "color": color, "type": request.GET.get("type", "")})
    if not form.is_valid():
        return render(request, "recommender/bad_tag.html", {"form": form}, status=404)
    tag = Tag(slot=form.cleaned_data["slot"], color=form.cleaned_data["color"], type=form.cleaned_data["type"])
    return render(
        request,
        "recommender/goes_with.html",
        {"tag": tag, "recommendation": recommend_for_tag(tag=tag, limit=48), "slots": SLOTS,
         "color_codes": COLOR_CODES, **vocabulary_context()},
    )
