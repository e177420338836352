"""Legal terms the way the law counts them.

A term runs in calendar days from the day after the starting event (Awb 1:1 style
counting). Opschorting (Awb 4:15) stops it: the suspended days are added, but only for
the term a spell names and only while that term runs, and a spell still open leaves the
due date unknown. Verdaging (Awb 4:14) moves it once, by notice before it ends. A term
that would end on a Saturday, Sunday or a day of Atw art. 3 ends on the next day that is
none of these (Atw art. 1), and a term of three days or more holds at least two such
working days (Atw art. 2). Every move is recorded with its source, so a due date can be
defended; every registration that moved nothing is reported with the reason.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.atw import ART_1, DEFAULT_CALENDAR, AtwCalendar, RestDay
from app.domain.vocabulary import LawDomain, Term

SUSPENSION_SOURCE = "Awb art. 4:15 (opschorting)"
EXTENSION_SOURCES = {
    Term.DECISION: "Awb art. 4:14 lid 2 (verdaging, by notice before the term ends)",
    Term.ASSESSMENT: "Wmo 2015 art. 2.3.2 lid 1, extended by agreement with the resident",
}
ART_2 = "Algemene termijnenwet art. 2"


@dataclass(frozen=True)
class TermPolicy:
    """Term lengths in days per domain ("*": every other domain) and the Atw calendar.

    Both are settings of the service; `Settings.terms()` builds the one in force.
    """

    assessment: Mapping[str, int]
    decision: Mapping[str, int]
    calendar: AtwCalendar = DEFAULT_CALENDAR

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


@dataclass(frozen=True)
class Spell:
    """One opschorting of a term: from the local date it began to the one it ended."""

    suspended_on: date
    resumed_on: date | None  # None: still suspended
    event_id: str
    reason: str | None = None


@dataclass(frozen=True)
class Extension:
    """A verdaging: either `days` added to the current due date, or a new due date."""

    noticed_on: date
    event_id: str
    days: int | None = None
    new_due_on: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Adjustment:
    rule: str  # suspension | verdaging | algemene_termijnenwet | atw_art_2
    reason: str
    moved_from: date
    moved_to: date
    source: str
    event_id: str | None = None


@dataclass(frozen=True)
class Ignored:
    """A registration that moved nothing, and why: evidence the officer can point to."""

    event_id: str
    reason: str


@dataclass(frozen=True)
class DueDate:
    starts_after: date
    term_days: int
    due: date | None  # None while the term is suspended: it cannot run out
    suspended_since: date | None = None
    suspended_days: int = 0
    adjustments: tuple[Adjustment, ...] = ()
    ignored: tuple[Ignored, ...] = field(default_factory=tuple)


def due_date(
    start: date,
    days: int,
    *,
    calendar: AtwCalendar = DEFAULT_CALENDAR,
    spells: Iterable[Spell] = (),
    extensions: Iterable[Extension] = (),
    ends_on: date | None = None,
    term: Term = Term.DECISION,
) -> DueDate:
    """The last day on which the term is met.

    `ends_on` is the day the term stopped running (the event that met it, or the closure):
    a spell still open then ends on it (docs/domain.md), and what began after it moves nothing.
    Suspensions and the verdaging are taken in the order they began, each judged against
    the term as it stood that day.
    """
    counter = _Counter(start, days, calendar)
    moves: list[tuple[date, int, Spell | Extension]] = [
        *((s.suspended_on, 0, s) for s in spells),
        *((e.noticed_on, 1, e) for e in extensions),
    ]
    for on, _, item in sorted(moves, key=lambda m: (m[0], m[1], m[2].event_id)):
        late = counter.too_late(on, ends_on)
        if late is not None:
            counter.ignore(item.event_id, late)
        elif isinstance(item, Spell):
            resumed = item.resumed_on or ends_on
            if resumed is None:
                return counter.suspended(on)
            counter.suspend(item, resumed)
        else:
            counter.extend(item, term)
    return counter.finish()


class _Counter:
    """The running end of one term while its adjustments are applied in order."""

    def __init__(self, start: date, days: int, calendar: AtwCalendar) -> None:
        self.start, self.days, self.calendar = start, days, calendar
        self.end = start + timedelta(days=days)
        self.suspended_days = 0
        self.extended = False
        self.adjustments: list[Adjustment] = []
        self.ignored: list[Ignored] = []

    def last_running_day(self) -> date:
        """The last day the term runs as it stands now (Atw art. 1 included)."""
        day = self.end
        while self.calendar.rest_day(day) is not None:
            day += timedelta(days=1)
        return day

    def too_late(self, on: date, ends_on: date | None) -> str | None:
        if on < self.start:
            return f"registered on {on}, before the term began (the day after {self.start})"
        if ends_on is not None and on > ends_on:
            return f"registered on {on}, after the term stopped running on {ends_on}"
        last = self.last_running_day()
        if on > last:
            return f"registered on {on}, after the term had ended on {last}"
        return None

    def ignore(self, event_id: str, reason: str) -> None:
        self.ignored.append(Ignored(event_id, reason))

    def suspend(self, spell: Spell, resumed: date) -> None:
        spell_days = (resumed - spell.suspended_on).days
        moved = self.end + timedelta(days=spell_days)
        why = f"suspended from {spell.suspended_on} to {resumed}: {spell_days} day(s) added"
        if spell.reason:
            why += f" ({spell.reason})"
        self.adjustments.append(
            Adjustment("suspension", why, self.end, moved, SUSPENSION_SOURCE, spell.event_id)
        )
        self.suspended_days += spell_days
        self.end = moved

    def extend(self, extension: Extension, term: Term) -> None:
        if self.extended:
            self.ignore(extension.event_id, "the term was already extended once")
            return
        current = self.last_running_day()
        if extension.days is not None:
            new = current + timedelta(days=extension.days)
        else:
            assert extension.new_due_on is not None
            new = extension.new_due_on
        if new <= current:
            self.ignore(extension.event_id, f"{new} does not extend the due date {current}")
            return
        why = f"extended on {extension.noticed_on} from {current} to {new}"
        if extension.reason:
            why += f" ({extension.reason})"
        self.adjustments.append(
            Adjustment("verdaging", why, current, new, EXTENSION_SOURCES[term], extension.event_id)
        )
        self.extended = True
        self.end = new

    def suspended(self, since: date) -> DueDate:
        return DueDate(
            self.start,
            self.days,
            None,
            suspended_since=since,
            suspended_days=self.suspended_days,
            adjustments=tuple(self.adjustments),
            ignored=tuple(self.ignored),
        )

    def finish(self) -> DueDate:
        self._skip_rest_days()
        if self.days >= 3:
            self._two_working_days()
        return DueDate(
            self.start,
            self.days,
            self.end,
            suspended_days=self.suspended_days,
            adjustments=tuple(self.adjustments),
            ignored=tuple(self.ignored),
        )

    def _skip_rest_days(self) -> None:
        """Atw art. 1: one adjustment for the whole chain of days skipped, each day named."""
        skipped: list[RestDay] = []
        while (rest := self.calendar.rest_day(self.end + timedelta(days=len(skipped)))) is not None:
            skipped.append(rest)
        if not skipped:
            return
        moved = self.end + timedelta(days=len(skipped))
        days = "; ".join(_describe(rest) for rest in skipped)
        sources = dict.fromkeys([ART_1, *(rest.source for rest in skipped)])
        self.adjustments.append(
            Adjustment(
                "algemene_termijnenwet",
                f"the term would end on a day that does not count: {days}",
                self.end,
                moved,
                "; ".join(sources),
            )
        )
        self.end = moved

    def _two_working_days(self) -> None:
        day, working = self.start, 0
        # Two working days are all art. 2 asks for: stop counting once they are found.
        while day < self.end and working < 2:
            day += timedelta(days=1)
            working += self.calendar.rest_day(day) is None
        if working >= 2:
            return
        moved = self.end
        while working < 2:
            moved += timedelta(days=1)
            working += self.calendar.rest_day(moved) is None
        self.adjustments.append(
            Adjustment(
                "atw_art_2",
                "a term of three days or more must hold at least two working days",
                self.end,
                moved,
                ART_2,
            )
        )
        self.end = moved


def _describe(rest: RestDay) -> str:
    weekday = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    return f"{weekday[rest.day.weekday()]} {rest.day}, {rest.name}"
