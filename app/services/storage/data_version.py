"""The data version of a municipality: what a cache validator of its figures rests on.

Every write that can change a figure, the catalogue or an audit summary (a new event, a
target, a reported value, a purge) bumps it in its own transaction; a duplicate event
writes nothing and bumps nothing. The bump is the write's last statement: on PostgreSQL it
holds the municipality's row lock only from there to the commit, so a reader that sees
version N also sees every write that made it N.
"""

import time
from collections.abc import Iterable

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import DataVersion


def bump(session: Session, municipalities: Iterable[str]) -> None:
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # The clock, so that versions only grow, across restores too (see DataVersion).
    now = time.time_ns() // 1_000_000
    following = DataVersion.version + 1
    # Sorted: two writers for the same municipalities take the row locks in one order.
    for municipality in sorted(set(municipalities)):
        statement = dialect_insert(DataVersion).values(municipality=municipality, version=now)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[DataVersion.municipality],
                set_={"version": case((following > now, following), else_=now)},
            )
        )


def current(session: Session, municipality: str) -> int:
    version = session.execute(
        select(DataVersion.version).where(DataVersion.municipality == municipality)
    ).scalar_one_or_none()
    return version or 0
