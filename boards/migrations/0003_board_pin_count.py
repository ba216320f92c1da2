from django.db import migrations, models

COUNT_PINS = """
UPDATE boards_board
SET pin_count = (SELECT count(*) FROM pins_pin WHERE pins_pin.board_id = boards_board.id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("boards", "0002_board_follower_count"),
        ("pins", "0003_covering_duplicate_lookup"),
    ]

    operations = [
        migrations.AddField(
            model_name="board",
            name="pin_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunSQL(COUNT_PINS, migrations.RunSQL.noop),
    ]
