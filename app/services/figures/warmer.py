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
from datetime import date, datetime, time

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


class DailyWarmer:
    """Warms the cache each night at `at`: with a shared cache once per cluster."""

    def __init__(self, sessions: sessionmaker[Session], cache: FigureCache, at: time) -> None:
        self._sessions, self._cache = sessions, cache
        self._thread = job_runs.DailyThread("figure-warmer", at, self._night)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    def warm_day(self, day: date) -> int | None:
        """Warms the cache for `day`; None when another replica sharing it has the day."""
        if not self._cache.shared:
            return warm(self._sessions, self._cache)
        return job_runs.once(
            self._sessions, JOB, day.isoformat(), lambda: warm(self._sessions, self._cache)
        )

    def _night(self, day: date) -> None:
        started = datetime.now(MUNICIPAL_TZ)
        count = self.warm_day(day)
        seconds = (datetime.now(MUNICIPAL_TZ) - started).total_seconds()
        if count is None:
            logger.info("the figures of %s are warmed by another replica", day)
        else:
            logger.info("warmed %d figures for the new day in %.1f s", count, seconds)
