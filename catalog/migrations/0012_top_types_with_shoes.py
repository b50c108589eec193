"""The "kinds" table also pairs a top's type with a kind of shoes (catalog.style): every cell allowed but a hoodie with
heels. Cells a database already has are left as a stylist set them. The cells are frozen here as they were made."""

from django.db import migrations, models

TOP_TYPES = ("t-shirt", "longsleeve", "shirt", "polo", "hoodie", "blouse", "top", "undershirt")
SHOE_KINDS = ("sneakers", "boots", "heels", "flats", "sandals", "slippers")


def add_top_cells(apps, schema_editor):
    StyleCompatibility = apps.get_model("catalog", "StyleCompatibility")
    for top in TOP_TYPES:
        for shoes in SHOE_KINDS:
            StyleCompatibility.objects.get_or_create(
                table="kinds", first=top, second=shoes, defaults={"allowed": (top, shoes) != ("hoodie", "heels")}
            )


def remove_top_cells(apps, schema_editor):
    apps.get_model("catalog", "StyleCompatibility").objects.filter(table="kinds", first__in=TOP_TYPES).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0011_rename_generated_names'),
    ]

    operations = [
        migrations.AlterField(
            model_name='stylecompatibility',
            name='table',
            field=models.CharField(choices=[('audience', 'Audience'), ('warmth', 'Warmth'), ('formality', 'Formality'), ('layering', 'Layering'), ('outerwear', 'Outerwear by warmth'), ('kinds', 'Outer layer or top with shoes')], max_length=12, verbose_name='table'),
        ),
        migrations.RunPython(add_top_cells, remove_top_cells),
    ]
