"""Retention removes old closed trajectories with their events, and nothing else."""

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.domain.audit import Judgement
from app.models import AccessLogEntry, SampleReview, StoredEvent, Trajectory
from app.services import audit as audit_service
from app.services.projection.retention import (
    cutoff,
    expired,
    old_access_log,
    purge,
    purge_access_log,
)
from tests.conftest import empty_all_tables
from tests.kpis.scenario import Case, post


def test_the_cutoff_is_the_same_day_years_earlier() -> None:
    assert cutoff(date(2026, 11, 24), 15) == date(2011, 11, 24)
    assert cutoff(date(2028, 2, 29), 1) == date(2027, 2, 28)


def test_old_closed_trajectories_go_with_their_events(client: TestClient, engine: Engine) -> None:
    post(
        client,
        Case("OLD", "2009-01-05").then("trajectory.closed", "2010-06-01", reason="moved"),
        Case("RECENT", "2020-01-05").then("trajectory.closed", "2021-06-01", reason="moved"),
        Case("OPEN", "2009-01-05"),  # old but still open: kept
    )
    with Session(engine) as session:
        keys = expired(session, cutoff(date(2026, 11, 24), 15))
        assert keys == [("0193", "OLD")]
        removed = purge(session, keys)
        session.commit()
    assert removed["events"] == 2
    assert removed["trajectories"] == 1
    with Session(engine) as session:
        left = session.execute(select(Trajectory.trajectory_id).order_by(Trajectory.trajectory_id))
        assert [t for (t,) in left] == ["OPEN", "RECENT"]
        events = session.execute(
            select(func.count()).select_from(StoredEvent).where(StoredEvent.trajectory_id == "OLD")
        ).scalar_one()
        assert events == 0
    assert client.get("/api/v1/trajectories/OLD").status_code == 404


def test_a_purged_trajectorys_review_keeps_its_verdict_but_not_its_note(
    client: TestClient, engine: Engine
) -> None:
    post(
        client,
        Case("OLD", "2009-01-05").then("trajectory.closed", "2010-06-01", reason="moved"),
        Case("RECENT", "2020-01-05").then("trajectory.closed", "2021-06-01", reason="moved"),
    )
    for opened_in, case in (("2009", "OLD"), ("2020", "RECENT")):
        drawn = client.post(
            "/api/v1/audit/samples",
            json={"size": 1, "from": f"{opened_in}-01-01", "to": f"{opened_in}-12-31", "seed": 1},
        ).json()
        assert drawn["trajectoryIds"] == [case]
        with Session(engine) as session:
            sample = audit_service.get_sample(session, "0193", drawn["id"])
            audit_service.record_review(
                session, sample, case, Judgement.AFWIJKING, f"notitie over {case}", "test"
            )
            session.commit()
    with Session(engine) as session:
        removed = purge(session, expired(session, cutoff(date(2026, 11, 24), 15)))
        session.commit()
    assert removed["sample_review_notes"] == 1
    with Session(engine) as session:
        kept = session.execute(
            select(SampleReview.trajectory_id, SampleReview.judgement, SampleReview.note).order_by(
                SampleReview.trajectory_id
            )
        ).all()
    assert [tuple(row) for row in kept] == [
        ("OLD", "afwijking", None),
        ("RECENT", "afwijking", "notitie over RECENT"),
    ]


def test_retention_removes_the_access_log_past_its_own_term(
    client: TestClient, engine: Engine
) -> None:
    """The access log names trajectory ids and who read them: personal data that
    `wijkteam-kpi retention` keeps ACCESS_LOG_RETENTION_YEARS, not forever."""
    post(client, Case("READ", "2026-01-05"))
    client.get("/api/v1/trajectories/READ")  # logged now
    with Session(engine) as session, session.begin():
        session.add(
            AccessLogEntry(
                at=datetime(2019, 3, 1, tzinfo=UTC), client_id="c", client_name="old reader",
                municipality="0193", method="GET", route="/trajectories/{trajectoryId}",
                status=200, trajectory_ids=["READ"], query={},
            )
        )  # fmt: skip
    with Session(engine) as session:
        before = datetime(2021, 12, 6, tzinfo=UTC)
        assert old_access_log(session, before) == 1
        assert purge_access_log(session, before) == 1
        session.commit()
    with Session(engine) as session:
        readers = session.execute(select(AccessLogEntry.client_name)).scalars().all()
    assert "old reader" not in readers and readers  # the recent read stays


def test_the_retention_command_reports_and_applies_the_access_log_term(
    engine: Engine, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import apply_retention

    empty_all_tables(engine)
    with Session(engine) as session, session.begin():
        session.add(
            AccessLogEntry(
                at=datetime(2015, 3, 1, tzinfo=UTC), client_id="c", client_name="ancient",
                municipality="0193", method="GET", route="/trajectories", status=200,
                trajectory_ids=[], query={},
            )
        )  # fmt: skip
    assert apply_retention(database_url, 15, 5, dry_run=True) == 0
    assert "1 access-log entries before" in capsys.readouterr().out
    assert apply_retention(database_url, 15, 5, dry_run=False) == 0
    assert "removed 1 access-log entries" in capsys.readouterr().out
