"""A whole country's events on one PostgreSQL: 342 municipalities, their sizes spread as
Dutch municipalities' populations are (the largest about a hundred times the median),
loaded with `wijkteam-kpi import`, then every KPI of the largest and of a median
municipality timed against DuckDB over the same rows in the same run, the workbench's
overview and report for the largest, and the serving process's memory as it reads more
municipalities.

    python -m scripts.benchmark_national --events 10000000
    python -m scripts.benchmark_national --events 500000        # a quick look

The municipality codes and sizes are synthetic (a log-normal spread with the Dutch shape;
the CBS list is not reachable from here): what is measured is how the service behaves
with one very large tenant among hundreds of small ones.
"""

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

import duckdb
import httpx
import orjson
import psycopg
from sqlalchemy.engine import make_url

from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.spec import Kpi, Reported
from scripts.benchmark_ingest import fresh_database, running_service
from scripts.benchmark_kpis import AS_OF, COLUMNS, KPI_TABLES, MODELS, _duckdb_type, duckdb_sql
from scripts.benchmark_workbench import signed_in
from scripts.generate_events import generate

COUNT = 342
EVENTS_PER_TRAJECTORY = 11.6  # what the generator gives on average
PERIOD = (date(2025, 1, 1), date(2026, 11, 30))


def municipalities(events: int, seed: int = 342) -> list[tuple[str, int]]:
    """342 (code, trajectories) pairs, largest first: log-normal sizes scaled so the largest
    is about 100 times the median and all together make about `events` events."""
    rnd = random.Random(seed)
    sizes = sorted((rnd.lognormvariate(0, 1.0) for _ in range(COUNT)), reverse=True)
    median = statistics.median(sizes)
    # stretch the spread so that largest / median = 100, as among Dutch municipalities
    spread = math.log(100) / math.log(sizes[0] / median)
    shaped = [(s / median) ** spread for s in sizes]
    scale = events / EVENTS_PER_TRAJECTORY / sum(shaped)
    return [(f"{1000 + i:04d}", max(5, round(s * scale))) for i, s in enumerate(shaped)]


def write_events(path: Path, towns: list[tuple[str, int]]) -> int:
    written = 0
    with path.open("wb") as out:
        for number, (code, trajectories) in enumerate(towns):
            for body in generate(trajectories, seed=number + 1, municipality=code):
                out.write(orjson.dumps(body) + b"\n")
                written += 1
    return written


def operator(url: str, *arguments: str) -> float:
    """Runs a `wijkteam-kpi` command as an operator would; its seconds."""
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test", "LOG_LEVEL": "WARNING"}
    command = [str(Path(sys.executable).with_name("wijkteam-kpi")), *arguments]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def database_bytes(url: str) -> int:
    with psycopg.connect(libpq(url)) as connection:
        found = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(found[0]) if found else 0


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def duckdb_of(url: str, code: str, folder: Path) -> duckdb.DuckDBPyConnection:
    """The municipality's projection rows, copied out of PostgreSQL into DuckDB."""
    connection = duckdb.connect()
    with psycopg.connect(libpq(url)) as source:
        for table in KPI_TABLES:
            path = folder / f"{code}-{table}.csv"
            columns = ", ".join(COLUMNS[table])
            copy = (
                f"COPY (SELECT {columns} FROM {table} WHERE municipality = '{int(code):04d}') "
                "TO STDOUT (FORMAT csv, HEADER)"
            )
            with source.cursor() as cursor, path.open("wb") as out, cursor.copy(copy) as stream:
                for chunk in stream:
                    out.write(chunk)
            types = {c: _duckdb_type(MODELS[table].__table__.c[c].type) for c in COLUMNS[table]}
            connection.execute(
                f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header=true, columns={types!r})"
            )
    return connection


def seconds(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def kpi_table(
    client: httpx.Client, code: str, duck: duckdb.DuckDBPyConnection, repeat: int
) -> list[float]:
    """Per KPI: cold (first), median and worst of `repeat` computations (the figure cache is
    off), and the median against DuckDB's; the ratios, for the summary."""
    params = {
        "from": PERIOD[0].isoformat(),
        "to": PERIOD[1].isoformat(),
        "asOf": AS_OF.isoformat(),
        "municipality": code,
    }
    print(f"{'kpi':<34}{'cold s':>8}{'median s':>10}{'worst s':>9}{'duck s':>8}{'x duck':>8}")
    ratios = []
    for kpi in kpis():

        def call(kpi: Kpi = kpi) -> None:
            client.get(f"/api/v1/kpis/{kpi.id}", params=params).raise_for_status()

        times = seconds(call, repeat + 1)
        sql = duckdb_sql(kpi, False, *PERIOD)

        def reference_query(sql: str | None = sql) -> None:
            duck.execute(sql or "SELECT 1").fetchall()

        reference = min(seconds(reference_query, repeat)) if sql else math.nan
        median = statistics.median(times[1:])
        ratio = median / reference if sql else math.nan
        ratios.append(ratio)
        print(
            f"{kpi.id:<34}{times[0]:>8.3f}{median:>10.3f}{max(times):>9.3f}{reference:>8.3f}{ratio:>8.1f}"
        )
    found = [r for r in ratios if not math.isnan(r)]
    print(f"x DuckDB: median {statistics.median(found):.1f}, worst {max(found):.1f}")
    return ratios


def kpis() -> list[Kpi]:
    return [k for k in CATALOGUE if not isinstance(k.measure, Reported)]


def resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextmanager
def served(url: str, largest: str) -> Iterator[tuple[httpx.Client, int]]:
    os.environ["DEFAULT_MUNICIPALITY"] = largest  # what the workbench reads
    with running_service(url) as (client, process):
        client.timeout = httpx.Timeout(300)
        yield client, process.pid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    towns = municipalities(args.events)
    largest, median = towns[0], towns[len(towns) // 2]
    print(
        f"{len(towns)} municipalities; largest {largest[0]} {largest[1]} trajectories, median {median[0]} {median[1]}"
    )
    with TemporaryDirectory() as folder_name, fresh_database("postgresql") as url:
        folder = Path(folder_name)
        started = time.perf_counter()
        written = write_events(folder / "national.ndjson", towns)
        print(f"generated {written} events in {time.perf_counter() - started:.0f} s")
        operator(url, "migrate")
        took = operator(url, "import", str(folder / "national.ndjson"))
        size = database_bytes(url)
        print(
            f"imported in {took:.0f} s: {written / took:.0f} events/s; database {size / 2**30:.1f} GiB ({size / written:.0f} bytes per event)"
        )
        with served(url, largest[0]) as (client, pid):
            for name, (code, _) in (("largest", largest), ("median", median)):
                print(f"\n{name} municipality {code}")
                kpi_table(client, code, duckdb_of(url, code, folder), args.repeat)
            browser = signed_in(str(client.base_url), client.headers["Authorization"].split()[1])
            for page, path in (
                ("overview", "/werkbank/?from=2026-01-01&to=2026-11-30"),
                ("report", "/werkbank/rapport?periode=2026-T2"),
            ):
                started = time.perf_counter()
                browser.get(path).raise_for_status()
                print(
                    f"workbench {page} of the largest, first view: {time.perf_counter() - started:.2f} s"
                )
            before = resident_kb(pid)
            params = {"from": "2026-01-01", "to": "2026-11-30"}
            for code, _ in towns:
                client.get(
                    "/api/v1/kpis/inflow", params={**params, "municipality": code}
                ).raise_for_status()
            print(
                f"serving process: {before / 1024:.0f} MB after the two municipalities, {resident_kb(pid) / 1024:.0f} MB after reading all {len(towns)}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
