"""The bulk writer on both databases (COPY on PostgreSQL, executemany on SQLite): rows read
back exactly as an INSERT would store them, defaults applied, and only rows with new keys
inserted, twice in one transaction."""

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, cast

from sqlalchemy import Engine, Table, select

from app.db import create_session_factory
from app.models import StoredEvent, Trajectory
from app.services.storage.bulk import insert_missing, insert_rows
from tests.conftest import empty_all_tables

EVENTS = cast(Table, StoredEvent.__table__)
KEY = ("municipality", "event_id")


def event_row(event_id: str, body: dict[str, Any]) -> dict[str, Any]:
    occurred = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    return {
        "municipality": "0193",
        "event_id": event_id,
        "trajectory_id": "T-1",
        "type": "trajectory.opened",
        "occurred_at": occurred,
        "occurred_on": date(2026, 3, 2),
        "received_at": datetime(2026, 3, 2, 8, 0, 1, tzinfo=UTC),
        "body_sha256": "0" * 64,
        "body": body,
    }


def test_only_new_keys_are_inserted_and_read_back_exactly(engine: Engine) -> None:
    empty_all_tables(engine)
    odd_body = {"note": 'tab\there, quote " and backslash \\ and ë', "nested": {"n": [1, None]}}
    with create_session_factory(engine).begin() as session:
        connection = session.connection()
        first = insert_missing(connection, EVENTS, [event_row("e1", odd_body)], KEY)
        assert first == {("0193", "e1")}
        # a second call in the same transaction: e1 is stored, e2 is new
        rows = [event_row("e1", {}), event_row("e2", {"a": 1})]
        assert insert_missing(connection, EVENTS, rows, KEY) == {("0193", "e2")}
    with engine.connect() as connection:
        stored = {
            row.event_id: row
            for row in connection.execute(select(StoredEvent.__table__)).mappings()
        }
    assert set(stored) == {"e1", "e2"}
    assert stored["e1"]["body"] == odd_body  # the first body stays
    occurred = stored["e1"]["occurred_at"]
    occurred = occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)
    assert occurred == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_appended_rows_get_the_columns_python_side_defaults(engine: Engine) -> None:
    empty_all_tables(engine)
    table = cast(Table, Trajectory.__table__)
    row = {
        "municipality": "0193",
        "trajectory_id": "T-9",
        "status": "open",
        "updated_at": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
    }
    with create_session_factory(engine).begin() as session:
        insert_rows(session.connection(), table, [row])
    with create_session_factory(engine)() as session:
        stored = session.get(Trajectory, ("0193", "T-9"))
        assert stored is not None
        assert (stored.reopened_count, stored.goals_total, stored.complaints_received) == (0, 0, 0)
