"""SQL that differs per dialect: the few date functions KPI queries need (SQLite lacks
them), an interval holding a day, and a column matched against a long list of values."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, Boolean, Date, Integer, String, any_, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from app.models.trajectory import interval_range


class days_between(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """end - start in whole days, for two DATE columns."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER)"
    )


class add_days(FunctionElement[Any]):  # noqa: N801
    """A DATE plus a whole number of days (a literal)."""

    type = Date()
    inherit_cache = True
    name = "add_days"


@compiles(add_days, "postgresql")
def _add_days_pg(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, count = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(count, **kw)})"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, count = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, {compiler.process(count, **kw)} || ' days')"


class holds_day(FunctionElement[bool]):  # noqa: N801
    """The interval from `start` to `end` (NULL: not ended yet) holds `day`:
    start <= day < end. `start` must not be NULL (the caller's condition).

    On PostgreSQL it is the date range of the two: the GiST index on the same expression
    (`interval_range`, app/models/trajectory.py) finds the few intervals open on a day,
    and its range statistics tell the planner how few. As two bounds the planner guessed a
    hundred times too many and scanned the table (a quarter's waiting time: 0.19 s of
    0.22 s at 1,000,000 trajectories)."""

    type = Boolean()
    inherit_cache = True
    name = "holds_day"


@compiles(holds_day, "postgresql")
def _holds_day_pg(element: holds_day, compiler: SQLCompiler, **kw: Any) -> str:
    start, end, day = (compiler.process(c, **kw) for c in element.clauses)
    return f"({interval_range(start, end)} @> CAST({day} AS DATE))"


@compiles(holds_day, "sqlite")
def _holds_day_sqlite(element: holds_day, compiler: SQLCompiler, **kw: Any) -> str:
    start, end, day = (compiler.process(c, **kw) for c in element.clauses)
    return f"({start} <= {day} AND ({end} IS NULL OR {end} > {day}))"


class period_label(FunctionElement[str]):  # noqa: N801
    """'2026-03', '2026-Q1', '2026-T1' or '2026' for a DATE, by grain (a literal)."""

    type = String()
    # The grain is baked into the SQL text, so a compiled statement must not be reused
    # for another grain: no statement cache for this construct.
    inherit_cache = False
    name = "period_label"


_PG_FORMATS = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}


@compiles(period_label, "postgresql")
def _period_label_pg(element: period_label, compiler: SQLCompiler, **kw: Any) -> str:
    day, grain = list(element.clauses)
    column = compiler.process(day, **kw)
    if grain.value == "tertial":
        number = f"((extract(month from {column})::int + 3) / 4)"
        return f"(to_char({column}, 'YYYY') || '-T' || {number})"
    return f"to_char({column}, '{_PG_FORMATS[grain.value]}')"


@compiles(period_label, "sqlite")
def _period_label_sqlite(element: period_label, compiler: SQLCompiler, **kw: Any) -> str:
    day, grain = list(element.clauses)
    column = compiler.process(day, **kw)
    if grain.value == "month":
        return f"strftime('%Y-%m', {column})"
    if grain.value == "year":
        return f"strftime('%Y', {column})"
    months, mark = (3, "Q") if grain.value == "quarter" else (4, "T")
    number = f"((CAST(strftime('%m', {column}) AS INTEGER) + {months - 1}) / {months})"
    return f"(strftime('%Y', {column}) || '-{mark}' || {number})"


def label(day: ColumnElement[Any], grain: str) -> period_label:
    from sqlalchemy import literal

    return period_label(day, literal(grain, literal_execute=True))


def among(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], values: Sequence[str]
) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL one array parameter (`= ANY`): a list of a thousand
    ids as a thousand placeholders made each statement new to psycopg, which parsed it
    again on every call (measured: 5 % of a batch's time)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String())))
    return column.in_(values)
