"""Keyed random rounding: what a reader of figures only may learn, whatever it asks.

Suppression (`disclosure.py`) protects one table. A reader who may ask any period and any
filter combines tables: January-June minus January-May is June, a period shifted by one
day is a single day, a filter minus its complement is the rest. The tester recovered 71 of
97 hidden team x month counts that way. No table-by-table rule can hold against that, so
readers of figures only (without `audit:read`, who see the cases themselves anyway) get
every count rounded to a multiple of `base` (5), as statistical offices publish flexible
tables:

- **Unbiased random rounding**: a count c becomes base*floor(c/base), or the next multiple
  up with probability (c mod base)/base. Every count shown is a multiple of base, so any
  sum or difference of shown counts is one too: a count of 1..base-1 can never be
  recovered exactly, however queries are combined.
- **Keyed, so asking again gains nothing**: the draw is not random per request but an HMAC
  (`secret`) of the count, what it counts (the measure and which number of it) and the
  groups it is taken over (municipality, filters, breakdown values, team limit; not the
  period). The same cell asked by any route, any day, gives the same answer (the cell key
  method of ABS TableBuilder keys by records; keying by the exact count and the
  population's description gives the same consistency without a column per record).
- **Ratios from the rounded counts**: a share is the rounded numerator over the rounded
  denominator, so no share multiplied by its shown n gives back an exact small numerator
  (a numerator of 1..4 is therefore shown only as 0 or 5 out of the rounded n). Means,
  medians and percentiles of durations are not counts and are shown as computed, only for
  groups of at least the minimum cell size (suppression still applies first).

What it cannot prevent (docs/bi.md, "Small numbers"): an estimate. Many different queries over
nearly the same population give many roundings whose average approaches the truth, as
with every perturbative method; the key makes each distinct population count once, and
the secret keeps the rounding of any one count unpredictable. Totals are rounded on their
own and need not equal the sum of their rounded rows.
"""

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.domain.kpis.figures import TIME_GRAINS, Cell, DurationStats, KpiQuery
from app.domain.kpis.spec import (
    Complaints,
    Count,
    Duration,
    Measure,
    OpenAt,
    PerTrajectory,
    Satisfaction,
)

_FRACTION = float(2**64)


@dataclass(frozen=True)
class Rounding:
    """The secret and the base of the rounding a reader of figures only gets."""

    secret: bytes
    base: int = 5

    def count(self, exact: int, *about: object) -> int:
        """`exact` rounded to a multiple of base, the same way every time for `about`."""
        if exact <= 0:
            return exact
        low, rest = divmod(exact, self.base)
        if rest == 0:
            return exact
        message = repr((exact, *about)).encode()
        draw = hmac.new(self.secret, message, hashlib.sha256).digest()[:8]
        up = int.from_bytes(draw, "big") / _FRACTION < rest / self.base
        return (low + up) * self.base


def round_cells(
    cells: Sequence[Cell], measure: Measure, query: KpiQuery, municipality: str, rounding: Rounding
) -> list[Cell]:
    return [
        cell
        if cell.suppressed
        else _rounded(
            cell,
            _Counter(rounding, measure, cell, _population(measure, query, cell.key, municipality)),
        )
        for cell in cells
    ]


def round_open_intervals(
    count: int | None, measure: Measure, query: KpiQuery, municipality: str, rounding: Rounding
) -> int | None:
    if count is None:
        return None
    about = _population(measure, query, {}, municipality)
    return rounding.count(count, *about, "open_intervals")


@dataclass(frozen=True)
class _Counter:
    """Rounds the counts of one cell, each keyed by the cell's population and its place."""

    rounding: Rounding
    measure: Measure
    cell: Cell
    about: tuple[object, ...]  # the cell's population (_population), worked out once

    def __call__(self, exact: int | float | None, *which: str) -> int | None:
        if exact is None:
            return None
        return self.rounding.count(round(exact), *self.about, *which)


def _population(
    measure: Measure, query: KpiQuery, key: Mapping[str, Any], municipality: str
) -> tuple[object, ...]:
    """What a count is taken over, whatever route or period asked it."""
    groups = {name: value for name, value in key.items() if name not in TIME_GRAINS}
    constraints = tuple(sorted({**dict(query.filters), **groups}.items(), key=str))
    teams = None if "team" in groups or "team" in dict(query.filters) else query.teams
    return (municipality, repr(measure), constraints, tuple(sorted(teams or ())))


def _rounded(cell: Cell, count: _Counter) -> Cell:
    n = count(cell.n, "n") or 0
    measure = count.measure
    extra = _rounded_extra(cell.extra, count, n)
    if isinstance(measure, Count | OpenAt):
        return replace(cell, n=n, value=n, extra=extra)
    if isinstance(measure, Duration):
        return replace(cell, n=n, extra=extra)
    if isinstance(measure, PerTrajectory):
        numerator = None if cell.value is None else cell.value * n
        return replace(cell, n=n, numerator=numerator, denominator=n, extra=extra)
    if isinstance(measure, Satisfaction):
        overall = extra.get("items", {}).get("overall", {})
        return replace(cell, n=n, value=overall.get("shareAgree"), extra=extra)
    numerator = count(cell.numerator, "numerator")
    denominator = n if cell.denominator == cell.n else count(cell.denominator, "denominator")
    if _part_of(cell) and numerator is not None and denominator is not None:
        # drawn apart, 24 of 24 could show as 25 of 20: a share is never above its whole
        # (the lesser of two multiples of the base is one too: nothing exact comes back)
        numerator = min(numerator, denominator)
    scale = 100 if isinstance(measure, Complaints) else 1
    value = _ratio(numerator, denominator, scale)
    return replace(
        cell, n=n, value=value, numerator=numerator, denominator=denominator, extra=extra
    )


def _rounded_extra(extra: Mapping[str, Any], count: _Counter, n: int) -> dict[str, Any]:
    out: dict[str, Any] = dict(extra)
    if "breakdown" in extra:
        out["breakdown"] = {
            name: count(c, "breakdown", name) for name, c in extra["breakdown"].items()
        }
    closed = count(extra.get("closed"), "closed")
    if "closed" in extra:
        out["closed"] = closed
        out["responseRate"] = _ratio(n, closed)
    if "items" in extra:
        out["items"] = {
            name: _rounded_item(stats, count, name, closed)
            for name, stats in extra["items"].items()
        }
    if "resolution" in extra:
        out["resolution"] = _rounded_stats(extra["resolution"], count)
    if "partly" in extra:
        out["partly"] = count(extra["partly"], "partly")
        evaluated = count(count.cell.denominator, "denominator")
        out["partlyShare"] = _ratio(out["partly"], evaluated)
    if "pending" in extra:
        out["pending"] = count(extra["pending"], "pending")
    return out


def _rounded_item(
    stats: Mapping[str, Any], count: _Counter, item: str, closed: int | None
) -> dict[str, Any]:
    answered = stats.get("n")
    if answered is None:
        return dict(stats)
    share = stats.get("shareAgree")
    agree = None if share is None else count(share * answered, "items", item, "agree")
    n = count(answered, "items", item, "n")
    return {**stats, "n": n, "shareAgree": _ratio(agree, n), "responseRate": _ratio(n, closed)}


def _rounded_stats(stats: Any, count: _Counter) -> Any:
    if isinstance(stats, DurationStats):
        return replace(stats, n=count(stats.n, "resolution") or 0)
    if stats.get("n") is None:  # hidden by suppression
        return stats
    return {**stats, "n": count(stats["n"], "resolution")}


def _part_of(cell: Cell) -> bool:
    """Whether the numerator counts some of what the denominator counts (a share)."""
    return (
        cell.numerator is not None
        and cell.denominator is not None
        and cell.numerator <= cell.denominator
    )


def _ratio(part: float | None, whole: float | None, scale: int = 1) -> float | None:
    if part is None or not whole:
        return None
    return scale * part / whole
