"""Rows into the database fast: COPY on PostgreSQL, batched INSERTs elsewhere, with the table
work around a bulk load (locks, ids, sequences, secondary indexes).

Columns come from the models' `_meta`: a field the caller does not fill is left to its default or
to the database (a nullable column filled by a trigger, say); a required field nobody fills stops
the run.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

Progress = Callable[[int, int], None]

# A column is a numpy array (no NULLs), a list (None is NULL) or one value for every row.
Column = np.ndarray | list | Any


@dataclass
class Table:
    model: type[models.Model]
    count: int
    columns: dict[str, Column]  # by field attname


def _insertable(model: type[models.Model], provided: dict[str, Column]) -> list[models.Field]:
    """The fields to write, from `_meta`; unknown required fields stop the run."""
    fields = []
    for f in model._meta.concrete_fields:
        if getattr(f, "generated", False):
            continue
        # A blank text field without a default is saved as "" by the ORM, so it is here too.
        blank_text = f.blank and f.empty_strings_allowed and not f.null
        if f.attname in provided or f.has_default() or blank_text:
            fields.append(f)
        elif not f.null and f.db_default is models.NOT_PROVIDED:
            raise GenerationError(
                f"{model._meta.label}.{f.name} is required and the generator does not fill it"
            )
    return fields


class GenerationError(Exception):
    """The request cannot be carried out; the message is one line for the command to print."""


def _copy_escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_texts(column: Column, count: int) -> Sequence[str]:
    """One column in PostgreSQL's COPY text format."""
    if isinstance(column, np.ndarray):
        if column.dtype.kind == "M":
            return np.datetime_as_string(column, unit="us", timezone="UTC").tolist()
        if column.dtype.kind == "b":
            return ["t" if v else "f" for v in column.tolist()]
        if column.dtype.kind == "f":
            return list(map(repr, column.tolist()))
        return list(map(str, column.tolist()))
    if isinstance(column, list):
        return [
            "\\N"
            if v is None
            else _copy_escape(v)
            if isinstance(v, str)
            else ("t" if v else "f")
            if isinstance(v, bool)
            else str(v)
            for v in column
        ]
    return [_copy_scalar(column)] * count


def _copy_scalar(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return _copy_escape(value)
    return str(value)


def _python_values(column: Column, count: int) -> list:
    if isinstance(column, np.ndarray):
        if column.dtype.kind == "M":
            return [
                moment.replace(tzinfo=UTC) for moment in column.astype("datetime64[us]").tolist()
            ]
        return column.tolist()
    if isinstance(column, list):
        return column
    return [column] * count


COPY_CHUNK = 50_000


class Writer:
    """Streams tables into the database: COPY on PostgreSQL, batched INSERTs elsewhere."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.progress = progress
        self.copy = connection.vendor == "postgresql"

    def write(self, table: Table) -> None:
        fields = _insertable(table.model, table.columns)
        values = {
            f.attname: table.columns[f.attname] if f.attname in table.columns else f.get_default()
            for f in fields
        }
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        target = f"{quote(table.model._meta.db_table)} ({names})"
        with connection.cursor() as cursor:
            for start in range(0, table.count, COPY_CHUNK):
                stop = min(start + COPY_CHUNK, table.count)
                chunk = {name: _slice(column, start, stop) for name, column in values.items()}
                if self.copy:
                    self._copy(cursor, target, fields, chunk, stop - start)
                else:
                    self._insert(cursor, target, fields, chunk, stop - start)
                self._advance(stop - start)

    def _copy(self, cursor, target: str, fields, chunk: dict[str, Column], count: int) -> None:
        texts = [_copy_texts(chunk[f.attname], count) for f in fields]
        buffer = io.StringIO()
        for row in zip(*texts, strict=True):
            buffer.write("\t".join(row))
            buffer.write("\n")
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {target} FROM STDIN", buffer)

    def _insert(self, cursor, target: str, fields, chunk: dict[str, Column], count: int) -> None:
        columns = [
            [f.get_db_prep_save(v, connection) for v in _python_values(chunk[f.attname], count)]
            for f in fields
        ]
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(
            f"INSERT INTO {target} VALUES ({marks})",  # noqa: S608 - names come from _meta
            list(zip(*columns, strict=True)),
        )

    def _advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(self.done, self.total)


def _slice(column: Column, start: int, stop: int) -> Column:
    if isinstance(column, np.ndarray | list):
        return column[start:stop]
    return column


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(written: list[type[models.Model]]) -> None:
    """Point each id sequence past the ids written, so the next ordinary insert fits."""
    statements = connection.ops.sequence_reset_sql(no_style(), written)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def lock_tables(written: list[type[models.Model]]) -> None:
    """Writers wait until we are done (ids were taken as max + 1); readers carry on."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Checked per COPY statement rather than queued for millions of rows until commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in written:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def drop_secondary_indexes(models_: list[type[models.Model]]) -> list[str]:
    """Drop the indexes that back no constraint on these tables; return how to make them again.

    Building an index once over all the rows is several times faster than updating it row by row
    (a GIN index over search vectors most of all). Constraints' indexes stay: they check the
    rows as they come. Inside the load's transaction, so a failed load gets them back as well.
    """
    if connection.vendor != "postgresql" or not models_:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [[m._meta.db_table for m in models_]],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def create_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        if definitions:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
