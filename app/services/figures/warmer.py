"""What was asked, computed again before anyone asks: each night, for the new day.

The cache key of a figure or an audit summary holds the day, because figures wait for time
to pass (cases still open, terms running out). So the first refresh of each day used to
meet a cold computation, even with no new event: Monday morning's dashboards after a quiet
weekend, or a 10-second overview page at a million trajectories. The cache remembers what
was asked (`FigureCache.recently_asked`). Just after midnight this process computes it
again, one answer after another, under the new day's keys. Readers who come early wait for
that computation (`FigureCache.fetch`) instead of starting their own. Only reads that
passed the projection gate remember anything, so the warming never computes from a
projection that is not current.

With a cache the replicas share (Redis), the warming of a day is work for one of them: the
first to claim the day's run in the database (`storage.job_runs`) warms what the cluster
was asked; the others leave it. With a cache of its own, each process warms its own.
"""

import logging
import threading
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from app.domain.calendar import MUNICIPAL_TZ
from app.services.figures.cache import FigureCache
from app.services.storage import job_runs

logger = logging.getLogger("wijkteam_kpi.figure_warmer")
JOB = "figure-warming"


def warm(sessions: sessionmaker[Session], cache: FigureCache) -> int:
    """Compute every remembered figure and audit summary for today; how many were
    computed or found."""
    done = 0
    for recipe in cache.recently_asked():
        try:
            with sessions() as session:
                recipe.compute(session, cache)
            done += 1
        except Exception:  # one answer that cannot be computed must not stop the others
            logger.exception("warming %r failed; it is computed when asked", recipe)
    return done


def seconds_until(at: time, now: datetime) -> float:
    """Seconds from `now` to the next `at` on the municipality's clock."""
    local = now.astimezone(MUNICIPAL_TZ)
    target = datetime.combine(local.date(), at, MUNICIPAL_TZ)
    if target <= local:
        target = datetime.combine(local.date() + timedelta(days=1), at, MUNICIPAL_TZ)
    # In UTC: between two times of one zone Python subtracts the wall clocks, which would
    # make the day the clocks change 24 hours long.
    return (target.astimezone(UTC) - local.astimezone(UTC)).total_seconds()


class DailyWarmer:
    """A thread of this process that warms the cache each night at `at`."""

    def __init__(self, sessions: sessionmaker[Session], cache: FigureCache, at: time) -> None:
        self._sessions, self._cache, self._at = sessions, cache, at
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="figure-warmer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def warm_day(self, day: date) -> int | None:
        """Warms the cache for `day`; None when another replica sharing it has the day."""
        run = day.isoformat()
        if self._cache.shared:
            with self._sessions() as session:
                if not job_runs.claim(session, JOB, run):
                    return None
        count = warm(self._sessions, self._cache)
        if self._cache.shared:
            with self._sessions() as session:
                job_runs.finish(session, JOB, run)
        return count

    def _run(self) -> None:
        while not self._stopped.wait(seconds_until(self._at, datetime.now(MUNICIPAL_TZ))):
            started = datetime.now(MUNICIPAL_TZ)
            count = self.warm_day(started.date())
            seconds = (datetime.now(MUNICIPAL_TZ) - started).total_seconds()
            if count is None:
                logger.info("the figures of %s are warmed by another replica", started.date())
            else:
                logger.info("warmed %d figures for the new day in %.1f s", count, seconds)
