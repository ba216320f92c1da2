from django.db import migrations

from media_pipeline.colors import ColorError, hex_to_oklab

# Rows per read and per bulk update: bounded memory and statement size on any catalog.
BATCH = 1000


def backfill(apps, schema_editor) -> None:
    """OKLab from the dominant colour the pipeline already stored, for rows made before it
    stored both; keyset batches, so each read is cheap at any depth, on SQLite and PostgreSQL."""
    MediaRecord = apps.get_model("media_pipeline", "MediaRecord")
    rows = MediaRecord.objects.exclude(dominant_color="").filter(color_l__isnull=True)
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk").only("pk", "dominant_color")[:BATCH])
        if not batch:
            return
        for media in batch:
            try:
                lab = hex_to_oklab(media.dominant_color)
            except ColorError:
                continue  # not a colour: leave it out of colour search rather than guess
            media.color_l, media.color_a, media.color_b = lab.l, lab.a, lab.b
        MediaRecord.objects.bulk_update(batch, ["color_l", "color_a", "color_b"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("media_pipeline", "0002_media_color_oklab"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
