from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    AUDIENCE_CHOICES,
    COLOR_CHOICES,
    FORMALITY_CHOICES,
    KIND_CHOICES,
    PATTERN_CHOICES,
    SLOT_CHOICES,
    TYPE_CHOICES,
    WARMTH_CHOICES,
)
from recommender.services import InvalidChoice, box_checked
from vocabulary import type_in_slot


class BoxField(forms.CharField):
    """A crop box drawn on the page: "x0,y0,x1,y1" as fractions of the photo (empty: no crop)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return box_checked([float(v) for v in value.split(",")])
        except (ValueError, InvalidChoice) as exc:
            raise forms.ValidationError(
                _("That crop is too small to read. Draw a larger box around the garment.")
            ) from exc


class UploadForm(forms.Form):
    # A FileField, not an ImageField: the content is checked by the shared image opener, with clearer messages
    # (an empty file too: it is refused with the image error code `empty_file`, as on the API).
    image = forms.FileField(label=_("Photo of one garment or a whole outfit"), allow_empty_file=True)
    box = BoxField(required=False, widget=forms.HiddenInput)


class ChoiceForm(forms.Form):
    garment = forms.IntegerField(min_value=0, required=False)
    box = BoxField(required=False)

    def clean(self):
        data = super().clean() or {}
        if (data.get("garment") is None) == (data.get("box") is None):
            raise forms.ValidationError(
                _("We could not find that garment in your photo; please tap one of the outlines.")
            )
        return data


class TagForm(forms.Form):
    slot = forms.ChoiceField(choices=SLOT_CHOICES)
    color = forms.ChoiceField(choices=COLOR_CHOICES)
    type = forms.ChoiceField(choices=[("", "—"), *TYPE_CHOICES], required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("type") and data.get("slot") and not type_in_slot(data["type"], data["slot"]):
            raise forms.ValidationError(_("That type does not belong to that slot."))
        return data


class CorrectionForm(forms.Form):
    type = forms.ChoiceField(choices=[("", "—"), *TYPE_CHOICES], required=False)
    slot = forms.ChoiceField(choices=[("", "—"), *SLOT_CHOICES], required=False)
    color = forms.ChoiceField(choices=[("", "—"), *COLOR_CHOICES], required=False)
    pattern = forms.ChoiceField(choices=[("", "—"), *PATTERN_CHOICES], required=False)
    audience = forms.ChoiceField(choices=[("", "—"), *AUDIENCE_CHOICES], required=False)
    warmth = forms.ChoiceField(choices=[("", "—"), *WARMTH_CHOICES], required=False)
    formality = forms.ChoiceField(choices=[("", "—"), *FORMALITY_CHOICES], required=False)
    kind = forms.ChoiceField(choices=[("", "—"), *KIND_CHOICES], required=False)


class FeedbackForm(forms.Form):
    garment_id = forms.IntegerField()
    vote = forms.ChoiceField(choices=[("like", "like"), ("dislike", "dislike")])
    slot = forms.ChoiceField(choices=SLOT_CHOICES)
    color = forms.ChoiceField(choices=COLOR_CHOICES)
    rule_id = forms.IntegerField(required=False)
    upload_id = forms.UUIDField(required=False)
