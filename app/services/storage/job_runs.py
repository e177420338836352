"""Scheduled work once per cluster: several replicas reach the same run (the nightly warming
of a day, ...); the first to claim it in the database runs it, the others leave it."""

import os
import socket
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import JobRun

HOLDER = f"{socket.gethostname()}:{os.getpid()}"


def claim(session: Session, job: str, run_key: str, holder: str = HOLDER) -> bool:
    """Whether this process may run `job` for `run_key`; commits the claim. A claim is
    never handed over: a run whose holder died is not run again (the jobs this serves only
    spare work that is done when asked anyway)."""
    session.add(JobRun(job=job, run_key=run_key, holder=holder, started_at=datetime.now(UTC)))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def finish(session: Session, job: str, run_key: str) -> None:
    session.execute(
        update(JobRun)
        .where(JobRun.job == job, JobRun.run_key == run_key)
        .values(finished_at=datetime.now(UTC))
    )
    session.commit()


def runs_of(session: Session, job: str) -> list[JobRun]:
    """Every run of a job, oldest first: who ran it and when (for operators and tests)."""
    return list(session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.run_key)))
