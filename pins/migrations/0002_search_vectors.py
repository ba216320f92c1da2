"""Stored, trigger-maintained search vectors with GIN indexes on pins and boards (PostgreSQL).

The `search_vector` columns are not model fields: Django never selects or writes them, the
database keeps them current. On SQLite this migration does nothing (search matches words there).
"""

from django.conf import settings
from django.db import migrations

from catalog.search_index import search_index_install, search_index_remove


def install(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        search_index_install(cursor, config=settings.SEARCH_CONFIG)


def remove(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        search_index_remove(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("pins", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
