"""Legal terms against the Algemene termijnenwet (Atw) and the Wmo/Awb term lengths."""

from datetime import date

import pytest

from app.domain.terms import DEFAULT_TERMS, atw_holidays, due_date
from app.domain.vocabulary import Term


def test_the_atw_list_for_2026_is_complete() -> None:
    # Atw art. 3: Nieuwjaarsdag, Goede Vrijdag, Eerste en Tweede Paasdag, Hemelvaartsdag,
    # Eerste en Tweede Pinksterdag, Eerste en Tweede Kerstdag, Koningsdag en 5 mei.
    expected = {
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 5), date(2026, 4, 6),
        date(2026, 4, 27), date(2026, 5, 5), date(2026, 5, 14), date(2026, 5, 24),
        date(2026, 5, 25), date(2026, 12, 25), date(2026, 12, 26),
    }  # fmt: skip
    assert set(atw_holidays(2026)) == expected


def test_liberation_day_counts_every_year_not_only_in_lustrum_years() -> None:
    assert date(2027, 5, 5) in atw_holidays(2027)  # not a national day off in 2027
    assert date(2025, 5, 5) in atw_holidays(2025)


def test_kings_day_moves_to_the_26th_when_the_27th_is_a_sunday() -> None:
    assert date(2025, 4, 26) in atw_holidays(2025)  # 27 April 2025 is a Sunday


def test_a_term_counts_from_the_day_after_the_start() -> None:
    # Melding on Monday 2 March 2026; six weeks = 42 days -> Monday 13 April 2026.
    result = due_date(date(2026, 3, 2), 42)
    assert result.due == date(2026, 4, 13) and result.adjustments == []


def test_suspended_days_move_the_due_date_and_are_recorded() -> None:
    result = due_date(date(2026, 3, 2), 42, suspended_days=3)
    assert result.due == date(2026, 4, 16)
    assert [a.rule for a in result.adjustments] == ["suspension"]


def test_a_term_ending_on_good_friday_moves_past_easter_to_tuesday() -> None:
    # 20 Feb + 42 = Friday 3 April 2026 (Good Friday); Sat, Sun, Easter Monday follow.
    result = due_date(date(2026, 2, 20), 42)
    assert result.due == date(2026, 4, 7)
    (adjustment,) = result.adjustments
    assert adjustment.rule == "algemene_termijnenwet"
    assert adjustment.moved_from == date(2026, 4, 3) and "Good Friday" in adjustment.reason


def test_a_term_ending_on_a_saturday_moves_to_monday() -> None:
    result = due_date(date(2026, 3, 3), 14)  # 17 March 2026 is a Tuesday
    assert result.due == date(2026, 3, 17)
    result = due_date(date(2026, 3, 7), 14)  # 21 March 2026 is a Saturday
    assert result.due == date(2026, 3, 23)


@pytest.mark.parametrize(
    ("term", "domain", "days"),
    [
        (Term.ASSESSMENT, "wmo", 42),
        (Term.ASSESSMENT, "jeugdwet", None),
        (Term.DECISION, "wmo", 14),
        (Term.DECISION, "jeugdwet", 56),
        (Term.DECISION, "schuldhulp", 56),
    ],
)
def test_term_lengths_follow_the_law_per_domain(term: Term, domain: str, days: int | None) -> None:
    assert DEFAULT_TERMS.days(term, domain) == days
