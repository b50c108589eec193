"""`{% look_image_url outfit upload=upload own=garment as src %}`: the composed picture of a recommended look."""

from __future__ import annotations

from django import template

from recommender.look_images import outfit_look_image_url

register = template.Library()


@register.simple_tag
def look_image_url(outfit, upload=None, own=None) -> str:
    """The look's picture URL around the shopper's upload, or around a catalog garment (`own`), or neither.

    Missing template variables arrive as "" and count as none.
    """
    if not getattr(outfit, "pieces", None):
        return ""
    return outfit_look_image_url(
        outfit,
        upload_public_id=upload.public_id if upload else None,
        own_garment_id=own.id if own and not upload else None,
    )
