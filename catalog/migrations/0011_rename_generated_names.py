"""Garment names made from the tags by the rules before 2 Dec, renamed by the rules after (catalog.naming): a man's
flats are dress shoes, and a blue print, track pants or suit trousers are not denim. Only a name that is exactly what
the old rule made is changed: a name a stylist wrote stays as written. The rules are frozen here as they were."""

from django.db import migrations

# The shop names of the three types denim applied to, before and after (as catalog.naming writes them).
_DENIM_NAMES = {"pants": "Jeans", "shorts": "Denim shorts", "skirt": "Denim skirt"}
_NOUNS = {"pants": "pants", "shorts": "shorts", "skirt": "skirt"}


def _new_blue_name(type_code: str, pattern: str, formality: str) -> str | None:
    """What the new rule names a blue bottom that the old rule called denim, or None when it is still denim."""
    if pattern == "pattern":
        return f"Blue patterned {_NOUNS[type_code]}"
    if formality == "smart" and type_code == "pants":
        return "Blue slacks"
    if formality in ("sport", "lounge", "smart"):
        return f"Blue {_NOUNS[type_code]}"
    return None


def rename(apps, schema_editor):
    Garment = apps.get_model("catalog", "Garment")
    for garment in Garment.objects.filter(color="blue", type__in=list(_DENIM_NAMES), kind=""):
        if garment.name != _DENIM_NAMES[garment.type]:
            continue
        new = _new_blue_name(garment.type, garment.pattern, garment.formality)
        if new:
            Garment.objects.filter(pk=garment.pk).update(name=new)
    for garment in Garment.objects.filter(kind="flats", audience="men", name__endswith=" flats"):
        # The old rule's names: "Black flats", "Black patterned flats", "Patterned flats" (colour names are the
        # capitalised codes)
        colour = garment.color.capitalize()
        if garment.name in (f"{colour} flats", f"{colour} patterned flats", "Patterned flats"):
            Garment.objects.filter(pk=garment.pk).update(name=garment.name[: -len("flats")] + "dress shoes")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_outer_kinds")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
