"""Time the audit summary, worklist and sampling at scale (default 100,000 trajectories).

Loads the projection and the stored findings of N trajectories into a fresh database per
backend, serves it on loopback, and times GET /audit/summary (without and with
groupBy=team), GET /audit/findings?dueWithin=14 and POST /audit/samples. The baseline,
measured in the same run on the same machine, is the same summary written by hand in
DuckDB over the same rows.

    python -m scripts.benchmark_audit --trajectories 100000
"""

import argparse
from pathlib import Path
from tempfile import TemporaryDirectory

from app.db import upgrade_database
from scripts.benchmark_ingest import fresh_database, running_service
from scripts.benchmark_kpis import (
    AS_OF,
    FROM,
    TO,
    base_rows,
    best_of,
    load_duckdb,
    load_postgres,
    load_sqlite,
    replicated,
)

TABLES = ("trajectories", "audit_findings")


def duckdb_summary(grouped: bool) -> str:
    group = "t.team, " if grouped else ""
    effective = f"CASE WHEN f.status = 'pending' AND f.due_on < DATE '{AS_OF}' THEN 'fail' ELSE f.status END"
    return (
        f"SELECT {group}f.rule, {effective} AS s, count(*) FROM audit_findings f "
        "JOIN trajectories t USING (municipality, trajectory_id) "
        f"WHERE t.opened_on BETWEEN DATE '{FROM}' AND DATE '{TO}' GROUP BY ALL"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trajectories", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="postgresql,sqlite")
    args = parser.parse_args(argv)
    rows = replicated(
        base_rows(min(args.base, args.trajectories), args.seed), args.trajectories, TABLES
    )
    print(f"{args.trajectories} trajectories, {len(rows['audit_findings'])} findings")
    with TemporaryDirectory() as folder:
        reference = load_duckdb(Path(folder), rows)
        duck = {
            g: best_of(args.repeat, lambda g=g: reference.execute(duckdb_summary(g)).fetchall())
            for g in (False, True)
        }
    period = {"from": FROM.isoformat(), "to": TO.isoformat(), "asOf": AS_OF.isoformat()}
    sample_body = {
        "size": 200,
        "from": FROM.isoformat(),
        "to": TO.isoformat(),
        "stratifyBy": "team",
        "seed": 1,
    }
    for backend in args.backends.split(","):
        with fresh_database(backend) as url:
            upgrade_database(url)
            (load_postgres if backend == "postgresql" else load_sqlite)(url, rows)
            with running_service(url) as (client, _):

                def get(path: str, **params: str) -> None:
                    client.get(path, params=params).raise_for_status()

                summary = best_of(args.repeat, lambda: get("/api/v1/audit/summary", **period))
                by_team = best_of(
                    args.repeat, lambda: get("/api/v1/audit/summary", **period, groupBy="team")
                )
                worklist = best_of(
                    args.repeat,
                    lambda: get("/api/v1/audit/findings", dueWithin="14", asOf=AS_OF.isoformat()),
                )
                sample = best_of(
                    args.repeat,
                    lambda: client.post(
                        "/api/v1/audit/samples", json=sample_body
                    ).raise_for_status(),
                )
        print(f"\n{backend}")
        print(
            f"  summary            {summary:7.3f} s   {summary / duck[False]:6.1f} x duckdb ({duck[False]:.3f} s)"
        )
        print(
            f"  summary by team    {by_team:7.3f} s   {by_team / duck[True]:6.1f} x duckdb ({duck[True]:.3f} s)"
        )
        print(f"  worklist page      {worklist:7.3f} s")
        print(f"  sample of 200      {sample:7.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
