"""What the service counts for Prometheus (served at `/metrics` beside the HTTP metrics of
`app/middleware/metrics.py`): events ingested by outcome, batch sizes, refold time, the
figure cache and a batch's warming, KPI query time by KPI, and the database pool in use.

Each process exposes its own figures: run one uvicorn worker per container and let
Prometheus scrape every replica. `/metrics` is outside the API's base path and carries no
case data; keep it reachable from inside the cluster only.
"""

from collections.abc import Callable, Iterator

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

EVENTS_INGESTED = Counter(
    "wijkteam_events_ingested",
    "Events received, by outcome (created, duplicate, conflict, invalid, refused).",
    ["outcome"],
)
FIGURE_CACHE = Counter(
    "wijkteam_figure_cache",
    "Figure look-ups in the figure cache, by outcome (hit, miss; waited: a miss answered by "
    "another reader's computing of the same figure).",
    ["outcome"],
)
BATCH_SIZE = Histogram(
    "wijkteam_batch_events",
    "Events per batch request.",
    buckets=(1, 10, 100, 500, 1000, 2500, 5000, 10_000),
)
REFOLD_SECONDS = Histogram(
    "wijkteam_refold_seconds",
    "Time to refold the trajectories touched by one write (projection and audit).",
)
NOTIFICATION_DELIVERIES = Counter(
    "wijkteam_notification_deliveries",
    "Attempts to deliver a notification, by outcome (delivered, failed: tried again later, "
    "dead: given up after the maximum age).",
    ["outcome"],
)
OLDEST_PENDING_NOTIFICATION = Gauge(
    "wijkteam_notification_oldest_pending_seconds",
    "Age of the oldest notification not yet delivered (0: none waiting).",
)
KPI_QUERY_SECONDS = Histogram(
    "wijkteam_kpi_query_seconds", "Time to compute one KPI figure, by KPI.", ["kpi"]
)


class PoolCollector(Collector):
    """The connections of each live engine's pool: open and checked out, read at scrape."""

    def __init__(self) -> None:
        self.engines: list[Engine] = []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = GaugeMetricFamily(
            "wijkteam_db_pool_checked_out", "Database connections in use by requests."
        )
        size = GaugeMetricFamily("wijkteam_db_pool_size", "Database connections the pool keeps.")
        for engine in self.engines:
            pool = engine.pool
            if isinstance(pool, QueuePool):
                in_use.add_metric([], pool.checkedout())
                size.add_metric([], pool.size())
        yield in_use
        yield size


POOL = PoolCollector()
REGISTRY.register(POOL)


def watch_pool(engine: Engine) -> Callable[[], None]:
    """Report this engine's pool until the returned function is called."""
    POOL.engines.append(engine)
    return lambda: POOL.engines.remove(engine)
