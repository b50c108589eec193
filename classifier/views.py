"""The public model card: what the garment classifier is and how well it does on the test split."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from classifier.model_card import figure_path, load_model_card


@require_safe
def model_card(request: HttpRequest) -> HttpResponse:
    card = load_model_card(settings.CLASSIFIER_MODEL_DIR)
    return render(request, "classifier/model_card.html", {"card": card})


@require_safe
def model_card_figure(request: HttpRequest, name: str) -> FileResponse:
    """A confusion-matrix PNG of the artifact; only the known file names are served."""
    path = figure_path(settings.CLASSIFIER_MODEL_DIR, name)
    if path is None:
        raise Http404("no such figure")
    return FileResponse(path.open("rb"), content_type="image/png")
