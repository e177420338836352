"""The Algemene termijnenwet's calendar: which days a legal term may not end on.

Atw art. 3 has three kinds of day: lid 1 names the algemeen erkende feestdagen (every
year), lid 2 makes Goede Vrijdag equal to them, and lid 3 lets the government declare
further days equal by a decree in the Staatscourant, usually three years at a time. The
first two are computed; the decrees are data (`DECREES`), shipped with the service and
extendable by the operator (setting `ATW_DECLARED_DAYS`) when the next decree appears.
Saturdays and Sundays come from art. 1 itself.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property

from dateutil.easter import easter


class DayKind(StrEnum):
    WEEKEND = "weekend"  # Atw art. 1: Saturday and Sunday
    FEESTDAG = "feestdag"  # Atw art. 3 lid 1
    GOOD_FRIDAY = "goede_vrijdag"  # Atw art. 3 lid 2
    DECLARED = "gelijkgesteld"  # Atw art. 3 lid 3, by decree


@dataclass(frozen=True)
class RestDay:
    """A day a term cannot end on, with the words and the source an officer reads out."""

    day: date
    kind: DayKind
    name: str
    source: str


@dataclass(frozen=True)
class Decree:
    """A besluit under Atw art. 3 lid 3: the days it declares equal to a feestdag."""

    title: str
    staatscourant: str
    covers: tuple[int, int]  # the first and last year the decree speaks for
    days: tuple[date, ...]


ART_1 = "Algemene termijnenwet art. 1"
LID_1 = "Algemene termijnenwet art. 3 lid 1"
LID_2 = "Algemene termijnenwet art. 3 lid 2"
LID_3 = "Algemene termijnenwet art. 3 lid 3"

# Decrees of equalisation (besluiten gelijkstelling). Only decrees whose days were checked
# against their published text are listed; an operator adds a missing or newer one through
# ATW_DECLARED_DAYS, and the service warns at start-up when the coming year is not covered.
DECREES: tuple[Decree, ...] = (
    Decree(
        "Besluit gelijkstelling van 28 april en 26 mei 2017, 11 mei en 24 en 31 december 2018 "
        "en 31 mei en 27 december 2019 met een algemeen erkende feestdag",
        "Besluit van 24 oktober 2016, nr. 2016001827 (BWBR0038666)",
        (2017, 2019),
        (
            date(2017, 4, 28),
            date(2017, 5, 26),
            date(2018, 5, 11),
            date(2018, 12, 24),
            date(2018, 12, 31),
            date(2019, 5, 31),
            date(2019, 12, 27),
        ),
    ),
    Decree(
        "Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 "
        "en 30 mei 2025 met een algemeen erkende feestdag",
        "Staatscourant 2022",
        (2023, 2025),
        (
            date(2023, 4, 28),
            date(2023, 5, 19),
            date(2024, 5, 10),
            date(2024, 12, 27),
            date(2025, 5, 30),
        ),
    ),
    Decree(
        "Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 "
        "en 26 mei 2028 met een algemeen erkende feestdag",
        "Staatscourant 2025",
        (2026, 2028),
        (
            date(2026, 1, 2),
            date(2026, 5, 15),
            date(2027, 5, 7),
            date(2028, 4, 28),
            date(2028, 5, 26),
        ),
    ),
)


def statutory_days(year: int) -> dict[date, RestDay]:
    """Art. 3 lid 1 and lid 2 for one year: computed, the same every year."""
    easter_sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)  # Koningsdag is celebrated on the 26th then
    lid_1 = {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter_sunday + timedelta(days=1): "tweede Paasdag",
        kings_day: "Koningsdag",
        date(year, 5, 5): "5 mei (Bevrijdingsdag)",
        easter_sunday + timedelta(days=39): "Hemelvaartsdag",
        easter_sunday + timedelta(days=50): "tweede Pinksterdag",
        date(year, 12, 25): "eerste Kerstdag",
        date(year, 12, 26): "tweede Kerstdag",
    }
    days = {day: RestDay(day, DayKind.FEESTDAG, name, LID_1) for day, name in lid_1.items()}
    good_friday = easter_sunday - timedelta(days=2)
    days[good_friday] = RestDay(good_friday, DayKind.GOOD_FRIDAY, "Goede Vrijdag", LID_2)
    return days


@dataclass(frozen=True)
class AtwCalendar:
    """The Atw's days, lid 3 from the given decrees."""

    decrees: tuple[Decree, ...] = DECREES
    _years: dict[int, dict[date, RestDay]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @cached_property
    def _declared(self) -> Mapping[date, RestDay]:
        return {
            day: RestDay(day, DayKind.DECLARED, "gelijkgestelde dag", f"{LID_3}: {d.title}")
            for d in self.decrees
            for day in d.days
        }

    def year(self, year: int) -> dict[date, RestDay]:
        """Every holiday-like day of a year (weekends excluded), by date."""
        if year not in self._years:
            days = {d: r for d, r in self._declared.items() if d.year == year}
            days.update(statutory_days(year))  # a statutory day keeps its own, stronger source
            self._years[year] = dict(sorted(days.items()))
        return self._years[year]

    def rest_day(self, day: date) -> RestDay | None:
        """Why a term cannot end on `day`, or None on an ordinary working day."""
        if day.weekday() >= 5:
            name = "zaterdag" if day.weekday() == 5 else "zondag"
            return RestDay(day, DayKind.WEEKEND, name, ART_1)
        return self.year(day.year).get(day)

    def covers(self, year: int) -> bool:
        """Whether a decree speaks for `year` (else its declared days may be missing)."""
        return any(first <= year <= last for first, last in (d.covers for d in self.decrees))

    def with_decrees(self, extra: Iterable[Decree]) -> "AtwCalendar":
        return AtwCalendar(decrees=(*self.decrees, *extra))


DEFAULT_CALENDAR = AtwCalendar()
