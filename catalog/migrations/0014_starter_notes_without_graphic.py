"""Two starter rules said "graphic" of a colour contrast ("crisp, graphic contrast", "bold and graphic"), while the
site now says "graphic" only of a graphic print (Garment.graphic, "the graphic on the tee"). A rule whose note is still
the starter's own wording gets the new one; a note a stylist wrote or edited is left as she wrote it."""

from django.db import migrations

# (old English, old Korean) -> (new English, new Korean), as catalog/starter_rules.py had them and has them.
REWORDED = {
    (
        "A black top with white bottoms: crisp, graphic contrast.",
        "블랙 상의에 화이트 하의, 선명하고 그래픽한 대비예요.",
    ): (
        "A black top with white bottoms: a crisp, striking contrast.",
        "블랙 상의에 화이트 하의, 선명하고 또렷한 대비예요.",
    ),
    (
        "Red bottoms with a black top: bold and graphic.",
        "레드 하의와 블랙 상의로 강렬하고 선명하게 연출해요.",
    ): (
        "Red bottoms with a black top: bold and striking.",
        "레드 하의와 블랙 상의로 강렬하고 선명하게 연출해요.",
    ),
}


def reword(apps, schema_editor, forward=True):
    PairingRule = apps.get_model("catalog", "PairingRule")
    for old, new in REWORDED.items():
        before, after = (old, new) if forward else (new, old)
        PairingRule.objects.filter(note=before[0]).update(note=after[0])
        if before[1] != after[1]:
            PairingRule.objects.filter(note_ko=before[1]).update(note_ko=after[1])


def unreword(apps, schema_editor):
    reword(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0013_garment_graphic"),
    ]

    operations = [
        migrations.RunPython(reword, unreword),
    ]
