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
from app.models import StoredEvent
from app.schemas.events import EVENT_ADAPTER
from app.services.ingestion.ingest import prepare
from app.services.projection.maintenance import refold_all
from app.services.storage.event_store import stored_row
from app.settings import Settings
from scripts.benchmark_ingest import fresh_database
from scripts.generate_events import generate


def event_rows(trajectories: int, seed: int) -> list[dict[str, object]]:
    prepared = [
        prepare(index, EVENT_ADAPTER.validate_python(body), "0193")
        for index, body in enumerate(generate(trajectories, seed=seed))
    ]
    return [stored_row(e, e.occurred_at) for e in prepared]


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
