"""The access log: every read of case-level data, by whom, and which trajectories it showed."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, String, cast, select
from sqlalchemy.orm import Session

from app.domain.calendar import MUNICIPAL_TZ
from app.models import AccessLogEntry, Trajectory
from app.schemas.base import without_control_characters
from app.services.access.clients import Principal


def record_access(
    session: Session,
    principal: Principal,
    municipality: str,
    method: str,
    route: str,
    trajectory_ids: Iterable[str],
    query: dict[str, Any] | None = None,
) -> None:
    session.add(
        AccessLogEntry(
            at=datetime.now(UTC),
            client_id=principal.client_id,
            client_name=principal.name,
            municipality=municipality,
            method=method,
            route=route,
            status=200,
            trajectory_ids=sorted(set(trajectory_ids)),
            query=_storable(query or {}),
        )
    )


def _storable(query: dict[str, Any]) -> dict[str, Any]:
    """The query as a client typed it, fit for every database: PostgreSQL stores no NUL in
    jsonb, and no key or value here needs a control character (U+FFFD in their place)."""

    def clean(text: Any) -> Any:
        return without_control_characters(text) if isinstance(text, str) else text

    return {clean(name): clean(value) for name, value in query.items()}


@dataclass(frozen=True)
class AccessLogFilter:
    municipality: str
    teams: tuple[str, ...] | None = None  # the reader's limit: it sees reads of those only
    client_id: str | None = None
    trajectory_id: str | None = None
    start: date | None = None
    end: date | None = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), MUNICIPAL_TZ)


def read_access_log(
    session: Session, where: AccessLogFilter, page_size: int, before_id: int | None
) -> tuple[list[AccessLogEntry], int | None]:
    """Newest first, keyset-paged on the entry id.

    A team-limited reader sees only the reads of its teams' trajectories, each entry's
    ids cut down to those; entries showing none of them are left out.
    """
    page: list[AccessLogEntry] = []
    while True:
        rows = list(
            session.execute(
                _query(where, before_id).order_by(AccessLogEntry.id.desc()).limit(page_size + 1)
            ).scalars()
        )
        for entry in _visible(session, where, rows):
            page.append(entry)
            if len(page) > page_size:
                return page[:page_size], page[page_size - 1].id
        if len(rows) <= page_size:
            return page, None
        before_id = rows[-1].id


def _query(where: AccessLogFilter, before_id: int | None) -> Select[AccessLogEntry]:
    query = select(AccessLogEntry).where(AccessLogEntry.municipality == where.municipality)
    if where.client_id:
        query = query.where(AccessLogEntry.client_id == where.client_id)
    if where.trajectory_id:
        # The ids are a JSON list; its text form holds each id in quotes on both databases.
        literal = where.trajectory_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            cast(AccessLogEntry.trajectory_ids, String).like(f'%"{literal}"%', escape="\\")
        )
    if where.start:
        query = query.where(AccessLogEntry.at >= _local_midnight(where.start))
    if where.end:
        query = query.where(AccessLogEntry.at < _local_midnight(where.end + timedelta(days=1)))
    if before_id is not None:
        query = query.where(AccessLogEntry.id < before_id)
    return query


def _visible(
    session: Session, where: AccessLogFilter, rows: list[AccessLogEntry]
) -> list[AccessLogEntry]:
    if where.teams is None:
        return rows
    ids = {tid for row in rows for tid in row.trajectory_ids}
    visible = set(
        session.execute(
            select(Trajectory.trajectory_id).where(
                Trajectory.municipality == where.municipality,
                Trajectory.trajectory_id.in_(ids),
                Trajectory.team.in_(where.teams),
            )
        ).scalars()
    )
    shown = []
    for row in rows:
        kept = [tid for tid in row.trajectory_ids if tid in visible]
        if kept:
            session.expunge(row)  # a cut-down copy for the answer, never written back
            row.trajectory_ids = kept
            shown.append(row)
    return shown
