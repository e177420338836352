"""The periods a municipality reports over: the council's tertials ("three images a year"),
half-years for the management team, and the year of the quality officer's review."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[TH])(?P<number>\d))?$")
_MONTHS = {"T": 4, "H": 6, "Y": 12}
_COUNT = {"T": 3, "H": 2, "Y": 1}
_NAMES_NL = {"T": "tertiaal", "H": "halfjaar"}


class UnknownPeriod(ValueError):
    """Not a label of a reporting period."""


@dataclass(frozen=True)
class ReportPeriod:
    year: int
    kind: str  # "T" tertial, "H" half-year, "Y" year
    number: int = 1

    @classmethod
    def parse(cls, label: str) -> "ReportPeriod":
        """'2026' (a year), '2026-H1'/'2026-H2' (half-years), '2026-T1'..'2026-T3'."""
        match = _LABEL.match(label)
        if match is None:
            raise UnknownPeriod(f"{label!r}: write 2026, 2026-H1 or 2026-T2")
        kind, number = match["kind"] or "Y", int(match["number"] or 1)
        if not 1 <= number <= _COUNT[kind] or not 1900 <= int(match["year"]) <= 9999:
            raise UnknownPeriod(f"{label!r}: no such period")
        return cls(int(match["year"]), kind, number)

    @classmethod
    def containing(cls, day: date, kind: str) -> "ReportPeriod":
        return cls(day.year, kind, (day.month - 1) // _MONTHS[kind] + 1)

    @property
    def label(self) -> str:
        return str(self.year) if self.kind == "Y" else f"{self.year}-{self.kind}{self.number}"

    @property
    def name_nl(self) -> str:
        if self.kind == "Y":
            return f"jaar {self.year}"
        return f"{self.number}e {_NAMES_NL[self.kind]} {self.year}"

    @property
    def start(self) -> date:
        return date(self.year, (self.number - 1) * _MONTHS[self.kind] + 1, 1)

    @property
    def end(self) -> date:
        following = self.number * _MONTHS[self.kind] + 1
        if following > 12:
            return date(self.year, 12, 31)
        return date(self.year, following, 1) - timedelta(days=1)

    def a_year_earlier(self) -> "ReportPeriod":
        """The same period of the year before: what a season is compared with."""
        return ReportPeriod(self.year - 1, self.kind, self.number)

    def previous(self) -> "ReportPeriod":
        """The period before, of the same kind: what the council compares with."""
        if self.number > 1:
            return ReportPeriod(self.year, self.kind, self.number - 1)
        return ReportPeriod(self.year - 1, self.kind, _COUNT[self.kind])


@dataclass(frozen=True)
class ReportLine:
    """One KPI of a report as its summary reads it: this period, the one before, and
    whether the target was met (None: no target, no value or no direction)."""

    kpi_id: str
    now: float | None
    before: float | None
    met: bool | None
    change: str | None  # "better", "worse", "same", "up", "down" (kpis.figures.change)


@dataclass(frozen=True)
class Summary:
    met: list[str]  # KPI ids, in the report's order
    missed: list[str]
    largest_changes: list[ReportLine]  # the largest relative changes, largest first


def summarise(lines: Sequence[ReportLine], changes_shown: int = 3) -> Summary:
    """What a council member reads first: which KPIs meet their target and which miss it,
    and which moved most since the period before (relative to where they were; a KPI that
    was 0 before has no relative change and is left out of that ranking)."""
    moved = [
        line
        for line in lines
        if line.now is not None and line.before and line.change not in (None, "same")
    ]
    moved.sort(key=_relative_change, reverse=True)
    return Summary(
        met=[line.kpi_id for line in lines if line.met is True],
        missed=[line.kpi_id for line in lines if line.met is False],
        largest_changes=moved[:changes_shown],
    )


def _relative_change(line: ReportLine) -> float:
    if line.now is None or not line.before:
        return 0.0
    return abs(line.now - line.before) / abs(line.before)
