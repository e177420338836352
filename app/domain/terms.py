"""Legal terms the way the law counts them.

A term runs in calendar days from the day after the starting event; days the term was
suspended (opschorting) are added; a term that would end on a Saturday, Sunday or a
generally recognised holiday ends on the next day that is none of these (Algemene
termijnenwet, art. 1 and 3). Every adjustment is recorded so a due date can be defended.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from app.domain.vocabulary import LawDomain, Term


@dataclass(frozen=True)
class TermPolicy:
    """Term lengths in days per domain ("*": every other domain); a setting of the service."""

    assessment: Mapping[str, int]
    decision: Mapping[str, int]

    def lengths(self, term: Term) -> Mapping[str, int]:
        return self.assessment if term is Term.ASSESSMENT else self.decision

    def days(self, term: Term, domain: str | None) -> int | None:
        """The length of `term` for a domain, or None where that term does not apply."""
        lengths = self.lengths(term)
        if domain is not None and domain in lengths:
            return lengths[domain]
        return lengths.get("*")


# The law's lengths, the service's defaults (Settings may override them per domain):
# Wmo 2015 art. 2.3.2 (assessment within six weeks of the melding) applies to the Wmo
# only; the decision term is Wmo art. 2.3.5 (two weeks after the aanvraag) and the
# Awb art. 4:13 eight weeks otherwise (Jeugdwet and the rest).
DEFAULT_TERMS = TermPolicy(
    assessment={LawDomain.WMO.value: 42},
    decision={LawDomain.WMO.value: 14, LawDomain.JEUGDWET.value: 56, "*": 56},
)


@lru_cache(maxsize=64)
def atw_holidays(year: int) -> dict[date, str]:
    """The Algemene termijnenwet's list (art. 3) for one year.

    The `holidays` package follows the national calendar, where Liberation Day is a
    holiday only every fifth year; the Atw names 5 May every year, so it is added.
    Good Friday is on both lists.
    """
    days = {day: str(name) for day, name in holidays.country_holidays("NL", years=year).items()}
    days.setdefault(date(year, 5, 5), "Liberation Day")
    # Easter Sunday and Whit Sunday are Sundays anyway; keep the calendar's names.
    return days


def rest_day_reason(day: date) -> str | None:
    if day.weekday() == 5:
        return "Saturday"
    if day.weekday() == 6:
        return "Sunday"
    return atw_holidays(day.year).get(day)


@dataclass(frozen=True)
class Adjustment:
    rule: str
    reason: str
    moved_from: date
    moved_to: date


@dataclass(frozen=True)
class DueDate:
    starts_after: date
    term_days: int
    suspended_days: int
    due: date
    adjustments: list[Adjustment] = field(default_factory=list)


def due_date(start: date, days: int, suspended_days: int = 0) -> DueDate:
    """The last day on which the term is met."""
    adjustments: list[Adjustment] = []
    due = start + timedelta(days=days)
    if suspended_days:
        moved = due + timedelta(days=suspended_days)
        adjustments.append(
            Adjustment("suspension", f"{suspended_days} day(s) suspended", due, moved)
        )
        due = moved
    reason = rest_day_reason(due)
    if reason is not None:
        moved = due
        while rest_day_reason(moved) is not None:
            moved += timedelta(days=1)
        adjustments.append(
            Adjustment("algemene_termijnenwet", f"term ended on {reason}", due, moved)
        )
        due = moved
    return DueDate(start, days, suspended_days, due, adjustments)
