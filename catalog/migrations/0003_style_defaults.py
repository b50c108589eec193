"""Data: the default style compatibility tables, a random shuffle position for existing garments, and feedback
counters from the votes already cast."""

import random

from django.db import migrations

from catalog.style import DEFAULT_STYLE_TABLES

TABLES_OF_THIS_MIGRATION = ("audience", "warmth", "formality", "layering", "outerwear")


def forwards(apps, schema_editor):
    StyleCompatibility = apps.get_model("catalog", "StyleCompatibility")
    for table, first, second, allowed in DEFAULT_STYLE_TABLES:
        if table not in TABLES_OF_THIS_MIGRATION:
            continue  # a later migration adds the tables made since (0010: outer layer with shoes)
        StyleCompatibility.objects.get_or_create(table=table, first=first, second=second, defaults={"allowed": allowed})
    Garment = apps.get_model("catalog", "Garment")
    rng = random.Random(20261130)
    for garment in Garment.objects.only("id").iterator(chunk_size=2000):
        Garment.objects.filter(pk=garment.pk).update(shuffle_key=rng.random())
    Feedback = apps.get_model("recommender", "Feedback")
    for garment_id, vote in Feedback.objects.values_list("garment_id", "vote").iterator(chunk_size=2000):
        counter = "likes" if vote > 0 else "dislikes"
        garment = Garment.objects.get(pk=garment_id)
        setattr(garment, counter, getattr(garment, counter) + 1)
        garment.save(update_fields=[counter])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_coordination_attributes"),
        ("recommender", "0002_corrections_feedback_embedding"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
