"""How long the workbench's pages of figures take at scale, first view and reload.

Loads N trajectories (default 1,000,000) with their audit findings into a fresh
database (the same replicated projection as scripts/benchmark_kpis.py), serves it with
uvicorn on loopback, signs in through the form as a browser does, and times each page: the
first view (every figure computed), a second view without a validator (as when another
officer opens it: the figures now come from the figure cache), and a reload with the
page's ETag (304). The baseline,
measured in the same run, is the API's answer for one KPI over the same period: a page
costs about as many of those as the figures it shows.

    python -m scripts.benchmark_workbench --trajectories 1000000
"""

import argparse
import re
import time
from datetime import date, timedelta

import httpx

from app.db import upgrade_database
from scripts.benchmark_ingest import fresh_database, running_service
from scripts.benchmark_kpis import (
    AS_OF,
    MODELS,
    base_rows,
    load_postgres,
    load_sqlite,
    replicated,
)

PAGES = {
    "overview (year, trend per month)": "/werkbank/?from=2026-01-01&to=2026-11-30",
    "KPI page (lead_time)": "/werkbank/kpis/lead_time?from=2026-01-01&to=2026-11-30",
    "report (2026-T2)": "/werkbank/rapport?periode=2026-T2",
    "compliance (year)": "/werkbank/naleving?from=2026-01-01&to=2026-11-30",
}
HTML = {"Accept": "text/html"}


def signed_in(base: str, token: str) -> httpx.Client:
    """A browser-like client: the sign-in form's CSRF token posted back with the token."""
    browser = httpx.Client(base_url=base, timeout=600, headers=HTML, follow_redirects=True)
    form = browser.get("/werkbank/inloggen").text
    found = re.search(r'name="csrf" value="([^"]+)"', form)
    assert found, "no sign-in form"
    # Not following the answer's redirect: the landing page would compute the overview
    # before the benchmark times it.
    answer = browser.post(
        "/werkbank/inloggen",
        data={"token": token, "csrf": found.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.status_code
    return browser


def _year(as_of: date) -> dict[str, str]:
    return {"from": "2026-01-01", "to": "2026-11-30", "asOf": as_of.isoformat()}


def timed(
    client: httpx.Client,
    path: str,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path, headers=headers or {}, params=params)
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 304), (path, response.status_code)
    return elapsed, response


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trajectories", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", default="postgresql")
    args = parser.parse_args(argv)
    rows = replicated(base_rows(args.base, args.seed), args.trajectories, tuple(MODELS))
    for backend in args.backends.split(","):
        with fresh_database(backend) as url:
            upgrade_database(url)
            started = time.perf_counter()
            (load_postgres if backend == "postgresql" else load_sqlite)(url, rows)
            loaded = time.perf_counter() - started
            print(f"\n{backend}: {args.trajectories} trajectories loaded in {loaded:.0f} s")
            # The service as deployed, figure cache included: "again" shows what it saves.
            with running_service(url, figure_cache="memory://") as (api, _):
                token = str(api.headers["Authorization"]).removeprefix("Bearer ")
                # Another asOf each time: three computations, never a cache hit.
                api_time = min(
                    timed(api, "/api/v1/kpis/lead_time", params=_year(AS_OF - timedelta(days=d)))[0]
                    for d in range(3)
                )
                print(f"baseline: GET /kpis/lead_time for the year {api_time:.2f} s")
                print(f"{'page':<36}{'first s':>9}{'again s':>9}{'x one KPI':>11}{'304 ms':>9}")
                browser = signed_in(str(api.base_url), token)
                try:
                    for name, path in PAGES.items():
                        first, _ = timed(browser, path)
                        again, page = timed(browser, path)
                        reload, held = timed(browser, path, {"If-None-Match": page.headers["etag"]})
                        assert held.status_code == 304, name
                        print(
                            f"{name:<36}{first:>9.2f}{again:>9.2f}{again / api_time:>11.1f}"
                            f"{reload * 1000:>9.1f}"
                        )
                finally:
                    browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
