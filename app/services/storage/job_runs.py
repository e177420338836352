"""Scheduled work once per cluster: several replicas reach the same run (the nightly warming
of a day, ...); the first to claim it in the database runs it, the others leave it."""

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.calendar import MUNICIPAL_TZ
from app.models import JobRun

HOLDER = f"{socket.gethostname()}:{os.getpid()}"
T = TypeVar("T")
logger = logging.getLogger("wijkteam_kpi.jobs")


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


def once(
    sessions: sessionmaker[Session], job: str, run_key: str, work: Callable[[], T]
) -> T | None:
    """`work()` when this process claims the run, its finish recorded; None when another
    process has the run."""
    with sessions() as session:
        if not claim(session, job, run_key):
            return None
    result = work()
    with sessions() as session:
        finish(session, job, run_key)
    return result


def seconds_until(at: time, now: datetime) -> float:
    """Seconds from `now` to the next `at` on the municipality's clock."""
    local = now.astimezone(MUNICIPAL_TZ)
    target = datetime.combine(local.date(), at, MUNICIPAL_TZ)
    if target <= local:
        target = datetime.combine(local.date() + timedelta(days=1), at, MUNICIPAL_TZ)
    # In UTC: between two times of one zone Python subtracts the wall clocks, which would
    # make the day the clocks change 24 hours long.
    return (target.astimezone(UTC) - local.astimezone(UTC)).total_seconds()


class DailyThread:
    """A thread of this process that calls `work(today)` each day at `at` (local time);
    what must happen once per cluster claims its run inside `work` (`once`)."""

    def __init__(self, name: str, at: time, work: Callable[[date], None]) -> None:
        self._at, self._work = at, work
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped.wait(seconds_until(self._at, datetime.now(MUNICIPAL_TZ))):
            try:
                self._work(datetime.now(MUNICIPAL_TZ).date())
            except Exception:  # the database away, say: tomorrow's run tries again
                logger.exception("%s failed; tomorrow's run tries again", self._thread.name)
