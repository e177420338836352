"""Writing many rows at once: PostgreSQL's COPY where the database has it (an order of
magnitude cheaper per row than INSERT, measured in scripts/benchmark_ingest.py), Core
executemany elsewhere. The rows are the same dicts an INSERT would take."""

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Column, Connection, Table
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

CHUNK = 1000  # rows per executemany statement where COPY is not available

Convert = Callable[[Any], Any]


def _converter(column: Column[Any], dialect: Dialect) -> Convert | None:
    """What COPY needs for one column: JSON as text, a decorated type's bind value; None
    where the value goes as it is (most columns: no call per value for them)."""
    if isinstance(column.type, JSON):
        return lambda value: None if value is None else orjson.dumps(value).decode()
    if isinstance(column.type, TypeDecorator):
        decorated = column.type
        return lambda value: decorated.process_bind_param(value, dialect)
    return None


def _defaults(table: Table) -> dict[str, Any]:
    """Scalar Python-side defaults, which INSERT applies and COPY does not."""
    return {
        column.name: getattr(column.default, "arg", None)
        for column in table.columns
        if column.default is not None and getattr(column.default, "is_scalar", False)
    }


def _columns(table: Table, rows: Sequence[dict[str, Any]]) -> list[str]:
    """The columns a write fills: those of the rows (all alike) and those with a default."""
    return list(dict.fromkeys([*rows[0], *_defaults(table)]))


def _copy_rows(
    connection: Connection, target: str, table: Table, rows: Sequence[dict[str, Any]]
) -> list[str]:
    names = _columns(table, rows)
    defaults = _defaults(table)
    dialect = connection.dialect
    converters = [
        (index, convert)
        for index, name in enumerate(names)
        if (convert := _converter(table.columns[name], dialect)) is not None
    ]
    columns = ", ".join(f'"{name}"' for name in names)
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            values = [row[name] if name in row else defaults[name] for name in names]
            for index, convert in converters:
                values[index] = convert(values[index])
            copy.write_row(values)
    return names


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Append rows to a table (no conflict expected: the caller deleted what they replace)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy_rows(connection, f'"{table.name}"', table, rows)
        return
    names = _columns(table, rows)
    defaults = _defaults(table)
    dialect = connection.dialect
    # The columns' own bind processors (the same conversions an INSERT makes), applied once
    # per value; the statement goes to the driver's executemany without SQLAlchemy's
    # per-row parameter building, which cost more than SQLite's insert itself.
    processors = [
        table.columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    values = [
        tuple(
            value if process is None else process(value)
            for value, process in zip(
                (row[name] if name in row else defaults[name] for name in names),
                processors,
                strict=True,
            )
        )
        for row in rows
    ]
    connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', values)


def insert_missing(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]
) -> set[tuple[Any, ...]]:
    """Insert the rows whose key is not stored yet; the keys of those inserted.

    A row whose key another transaction stored first is left out (it waited for that
    transaction), so the caller can tell a lost race from a new row.
    """
    if not rows:
        return set()
    key_columns = ", ".join(f'"{k}"' for k in key)
    if connection.dialect.name == "postgresql":
        staging = f"incoming_{table.name}"
        connection.exec_driver_sql(
            f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" (LIKE "{table.name}") '
            "ON COMMIT DELETE ROWS"
        )
        names = _copy_rows(connection, f'"{staging}"', table, rows)
        columns = ", ".join(f'"{name}"' for name in names)
        result = connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM "{staging}" '
            f"ON CONFLICT ({key_columns}) DO NOTHING RETURNING {key_columns}"
        )
        inserted = {tuple(found) for found in result}
        connection.exec_driver_sql(f'DELETE FROM "{staging}"')  # a second call, same transaction
        return inserted
    statement = (
        sqlite_insert(table)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(*(table.columns[k] for k in key))
    )
    inserted = set()
    for start in range(0, len(rows), CHUNK):
        result = connection.execute(statement, rows[start : start + CHUNK])
        inserted.update(tuple(found) for found in result)
    return inserted
