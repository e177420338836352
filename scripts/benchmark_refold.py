"""Time a full projection rebuild (what `wijkteam-kpi migrate` does after an upgrade).

Stores the events of N generated trajectories in a fresh database per backend (raw
insert, no projection), then times `refold_all` over them and reports the time per
100,000 trajectories, extrapolated linearly from N (a rebuild is chunked, so its cost per
trajectory is flat). The baseline, measured in the same run, is the raw insert of the
same event rows.

    python -m scripts.benchmark_refold --trajectories 10000
"""

import argparse
import time

from sqlalchemy import insert

from app.db import create_db_engine, upgrade_database
from app.domain.calendar import local_date
from app.models import StoredEvent
from app.schemas.events import EVENT_ADAPTER
from app.services.ingest import prepare
from app.services.maintenance import refold_all
from app.settings import Settings
from scripts.benchmark_ingest import fresh_database
from scripts.generate_events import generate


def event_rows(trajectories: int, seed: int) -> list[dict[str, object]]:
    rows = []
    for index, body in enumerate(generate(trajectories, seed=seed)):
        e = prepare(index, EVENT_ADAPTER.validate_python(body), "0193")
        rows.append(
            {
                "municipality": e.municipality,
                "event_id": e.event_id,
                "trajectory_id": e.trajectory_id,
                "type": e.type,
                "occurred_at": e.occurred_at,
                "occurred_on": local_date(e.occurred_at),
                "received_at": e.occurred_at,
                "body_sha256": e.body_sha256,
                "body": e.body,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trajectories", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", default="postgresql,sqlite")
    args = parser.parse_args(argv)
    rows = event_rows(args.trajectories, args.seed)
    print(f"{args.trajectories} trajectories, {len(rows)} events")
    for backend in args.backends.split(","):
        with fresh_database(backend) as url:
            upgrade_database(url)
            engine = create_db_engine(url, pool_size=1)
            started = time.perf_counter()
            with engine.begin() as connection:
                for start in range(0, len(rows), 5000):
                    connection.execute(insert(StoredEvent), rows[start : start + 5000])
            insert_s = time.perf_counter() - started
            engine.dispose()
            started = time.perf_counter()
            count = refold_all(url, Settings(database_url=url).terms(), force=False)
            rebuild_s = time.perf_counter() - started
            per_100k = rebuild_s * 100_000 / count
            print(
                f"{backend}: rebuilt {count} trajectories in {rebuild_s:.1f} s "
                f"({per_100k / 60:.1f} min per 100,000; {rebuild_s / insert_s:.1f}x the raw "
                f"insert of their events, {insert_s:.1f} s)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
