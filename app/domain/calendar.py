"""Calendar days as docs/domain.md counts them: local dates in the municipality's time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

MUNICIPAL_TZ = ZoneInfo("Europe/Amsterdam")


def local_date(moment: datetime) -> date:
    """The Europe/Amsterdam calendar date of an aware timestamp (00:30 local is that day)."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry an offset")
    return moment.astimezone(MUNICIPAL_TZ).date()


def days_between(start: date, end: date) -> int:
    """A duration in calendar days: the difference between two local dates."""
    return (end - start).days


def local_today() -> date:
    """Today in Amsterdam, whatever the server's own clock zone."""
    return datetime.now(MUNICIPAL_TZ).date()
