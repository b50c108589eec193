"""Forms of the stylist console."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files; each is validated later, one by one, so one bad file stops nothing."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class GarmentPhotosForm(forms.Form):
    photos = MultipleFileField(
        label=_("Photos"),
        help_text=_(
            "One garment per photo. JPEG, PNG, WebP, GIF or HEIC, or zip files of photos. "
            "The CNN reads type and colour; check them after."
        ),
    )
