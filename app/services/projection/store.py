"""The projection's tables and the refold that rebuilds them from the events."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, select, text, update
from sqlalchemy.orm import Session

from app.domain.calendar import local_date
from app.domain.events import DomainEvent
from app.domain.reentry import Stay, next_openings
from app.domain.terms import TermPolicy
from app.models import (
    Application,
    AuditFinding,
    Base,
    Complaint,
    StepCompletion,
    SupportSpell,
    Trajectory,
    TrajectoryPeriod,
)
from app.services.projection.project import project
from app.services.storage.bulk import insert_rows
from app.services.storage.event_store import (
    TrajectoryKey,
    by_municipality,
    chunks,
    event_counts,
    events_of,
)
from app.services.storage.sql_functions import among


def refold(
    session: Session,
    keys: set[TrajectoryKey],
    terms: TermPolicy,
    in_hand: Mapping[TrajectoryKey, list[DomainEvent]] | None = None,
) -> None:
    """Recompute the projection rows of these trajectories from all their stored events.

    `in_hand`: events the caller holds already (those a batch just stored for trajectories
    it opens). Where they are all the trajectory has stored, they are folded as they are
    instead of being read back (a backfill's trajectories are mostly new).
    """
    if not keys:
        return
    _lock_trajectories(session.connection(), keys)
    now = datetime.now(UTC)
    today = local_date(now)
    rows: dict[type[Base], list[dict[str, Any]]] = {model: [] for model in PROJECTION_TABLES}
    clients: set[tuple[str, str]] = set()
    for municipality, trajectory_ids in by_municipality(sorted(keys)).items():
        for chunk in chunks(trajectory_ids):
            events_by_trajectory = _events(session, municipality, chunk, in_hand or {})
            clients |= _clients_of(session, municipality, chunk)
            for model in PROJECTION_TABLES:
                session.execute(
                    delete(model).where(
                        model.municipality == municipality,  # type: ignore[attr-defined]
                        among(session, model.trajectory_id, chunk),  # type: ignore[attr-defined]
                    )
                )
            for trajectory_id, events in events_by_trajectory.items():
                projected = project(municipality, trajectory_id, events, terms, now, today)
                if projected.state.client_ref:
                    clients.add((municipality, projected.state.client_ref))
                for model, model_rows in projected.rows_by_model().items():
                    rows[model].extend(model_rows)
    connection = session.connection()
    for model, table_rows in rows.items():
        insert_rows(connection, cast(Table, model.__table__), table_rows)
    _refresh_next_openings(session, clients)


def _events(
    session: Session,
    municipality: str,
    trajectory_ids: Sequence[str],
    in_hand: Mapping[TrajectoryKey, list[DomainEvent]],
) -> dict[str, list[DomainEvent]]:
    """Every stored event of these trajectories: from `in_hand` where that is all of them
    (counted after the trajectory lock, so another request's events for the same
    trajectory, committed meanwhile, are seen and make it read back), else read."""
    held = {t: in_hand[(municipality, t)] for t in trajectory_ids if (municipality, t) in in_hand}
    complete: dict[str, list[DomainEvent]] = {}
    if held:
        stored = event_counts(session, municipality, list(held))
        complete = {t: events for t, events in held.items() if stored.get(t) == len(events)}
    to_read = [t for t in trajectory_ids if t not in complete]
    found = events_of(session, municipality, to_read) if to_read else {}
    return {**found, **complete}


def _clients_of(
    session: Session, municipality: str, trajectory_ids: Sequence[str]
) -> set[tuple[str, str]]:
    """Clients of the stored rows about to be replaced (a corrected clientRef leaves one)."""
    rows = session.execute(
        select(Trajectory.client_ref).where(
            Trajectory.municipality == municipality,
            among(session, Trajectory.trajectory_id, trajectory_ids),
            Trajectory.client_ref.is_not(None),
        )
    )
    return {(municipality, client_ref) for (client_ref,) in rows if client_ref is not None}


def _refresh_next_openings(session: Session, clients: set[tuple[str, str]]) -> None:
    """Recompute next_opened_on for every trajectory of the clients a refold touched.

    A new melding changes the re-entry of the same client's earlier trajectories, which
    were not refolded themselves; keeping this per row makes re-entry a column lookup.
    """
    for municipality, client_refs in by_municipality(sorted(clients)).items():
        for chunk in chunks(client_refs):
            stays: dict[str, list[tuple[Stay, date | None]]] = defaultdict(list)
            for tid, client_ref, opened_on, closed_on, current in session.execute(
                select(
                    Trajectory.trajectory_id,
                    Trajectory.client_ref,
                    Trajectory.opened_on,
                    Trajectory.closed_on,
                    Trajectory.next_opened_on,
                ).where(
                    Trajectory.municipality == municipality,
                    among(session, Trajectory.client_ref, chunk),
                )
            ):
                stays[str(client_ref)].append((Stay(tid, opened_on, closed_on), current))
            changes = []
            for client_stays in stays.values():
                computed = next_openings(stay for stay, _ in client_stays)
                changes += [
                    {
                        "municipality": municipality,
                        "trajectory_id": stay.trajectory_id,
                        "next_opened_on": computed[stay.trajectory_id],
                    }
                    for stay, current in client_stays
                    if computed[stay.trajectory_id] != current
                ]
            if changes:
                session.execute(update(Trajectory), changes)


# Every table derived from a trajectory's events, rebuilt together on each refold.
PROJECTION_TABLES: tuple[type[Base], ...] = (
    Trajectory,
    Complaint,
    AuditFinding,
    TrajectoryPeriod,
    Application,
    SupportSpell,
    StepCompletion,
)


def _lock_trajectories(connection: Connection, keys: set[TrajectoryKey]) -> None:
    """Serialise refolds of the same trajectory across concurrent requests.

    Without this, two requests adding events to one trajectory could each refold without
    the other's event and the last to commit would win. On PostgreSQL a transaction-scoped
    advisory lock per trajectory (taken in sorted order, so no deadlock) makes the second
    wait and then see the first's events. SQLite already lets one writer in at a time.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text(
            "SELECT pg_advisory_xact_lock(k) FROM "
            "(SELECT DISTINCT hashtextextended(unnest(CAST(:keys AS text[])), 0) AS k) AS s "
            "ORDER BY k"
        ),
        {"keys": sorted(f"{m}:{t}" for m, t in keys)},
    )


def trajectory_teams(
    session: Session, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], str | None]:
    """The team each stored trajectory (municipality, id) belongs to; absent ones left out."""
    found: dict[tuple[str, str], str | None] = {}
    for municipality, ids in by_municipality(keys).items():
        for part in chunks(ids):
            rows = session.execute(
                select(Trajectory.trajectory_id, Trajectory.team).where(
                    Trajectory.municipality == municipality,
                    among(session, Trajectory.trajectory_id, part),
                )
            )
            found |= {(municipality, tid): team for tid, team in rows}
    return found
