"""Legal terms worked by hand against the Algemene termijnenwet (Atw) and the Awb.

Every example gives its arithmetic: a term counts from the day after its start, so the
nominal last day is start + length; suspended days are added while the term runs; a
verdaging moves the due date once; a last day that is a Saturday, Sunday or an Atw day
moves to the next day that is none of these.
"""

from datetime import date

import pytest

from app.domain.atw import DEFAULT_CALENDAR, LID_1, LID_2, LID_3, AtwCalendar, DayKind, Decree
from app.domain.terms import DEFAULT_TERMS, Extension, Spell, due_date
from app.domain.vocabulary import Term


def test_the_atw_list_for_2026_has_every_kind_of_day() -> None:
    # lid 1: Nieuwjaarsdag, tweede Paasdag, Koningsdag, 5 mei, Hemelvaartsdag, tweede
    # Pinksterdag, both Christmas days; lid 2: Goede Vrijdag; lid 3 (decree 2026-2028):
    # 2 January and 15 May.
    days = DEFAULT_CALENDAR.year(2026)
    kinds = {day: rest.kind for day, rest in days.items()}
    assert kinds == {
        date(2026, 1, 1): DayKind.FEESTDAG, date(2026, 1, 2): DayKind.DECLARED,
        date(2026, 4, 3): DayKind.GOOD_FRIDAY, date(2026, 4, 6): DayKind.FEESTDAG,
        date(2026, 4, 27): DayKind.FEESTDAG, date(2026, 5, 5): DayKind.FEESTDAG,
        date(2026, 5, 14): DayKind.FEESTDAG, date(2026, 5, 15): DayKind.DECLARED,
        date(2026, 5, 25): DayKind.FEESTDAG, date(2026, 12, 25): DayKind.FEESTDAG,
        date(2026, 12, 26): DayKind.FEESTDAG,
    }  # fmt: skip
    assert "Besluit gelijkstelling van 2 januari 2026" in days[date(2026, 1, 2)].source


def test_liberation_day_counts_every_year_not_only_in_lustrum_years() -> None:
    assert DEFAULT_CALENDAR.rest_day(date(2027, 5, 5)) is not None  # a Wednesday, no day off
    assert DEFAULT_CALENDAR.rest_day(date(2025, 5, 5)) is not None


def test_kings_day_moves_to_the_26th_when_the_27th_is_a_sunday() -> None:
    # 27 April 2025 is a Sunday: Koningsdag was Saturday 26 April.
    days = DEFAULT_CALENDAR.year(2025)
    assert days[date(2025, 4, 26)].name == "Koningsdag"
    assert date(2025, 4, 27) not in days


def test_a_term_counts_from_the_day_after_the_start() -> None:
    # Melding on Monday 2 March 2026; six weeks = 42 days -> Monday 13 April 2026.
    result = due_date(date(2026, 3, 2), 42)
    assert result.due == date(2026, 4, 13)
    assert result.adjustments == ()


def test_lid_1_kings_day_on_a_monday() -> None:
    # 13 April 2026 + 14 = Monday 27 April 2026, Koningsdag (lid 1) -> Tuesday 28 April.
    result = due_date(date(2026, 4, 13), 14)
    assert result.due == date(2026, 4, 28)
    (adjustment,) = result.adjustments
    assert adjustment.moved_from == date(2026, 4, 27)
    assert adjustment.moved_to == date(2026, 4, 28)
    assert LID_1 in adjustment.source
    assert "Koningsdag" in adjustment.reason


def test_lid_2_good_friday_chains_into_the_weekend_and_easter_monday() -> None:
    # 20 Feb 2026 + 42 = Friday 3 April (Goede Vrijdag, lid 2); Saturday 4, Sunday 5
    # (art. 1); Monday 6 April tweede Paasdag (lid 1) -> Tuesday 7 April.
    result = due_date(date(2026, 2, 20), 42)
    assert result.due == date(2026, 4, 7)
    (adjustment,) = result.adjustments
    assert adjustment.rule == "algemene_termijnenwet"
    assert adjustment.moved_from == date(2026, 4, 3)
    assert "Goede Vrijdag" in adjustment.reason
    assert "tweede Paasdag" in adjustment.reason
    assert LID_1 in adjustment.source
    assert LID_2 in adjustment.source


def test_lid_3_the_friday_after_ascension_is_declared() -> None:
    # 30 April 2026 + 14 = Thursday 14 May (Hemelvaartsdag, lid 1); Friday 15 May declared
    # equal (lid 3, decree 2026-2028); Saturday 16, Sunday 17 -> Monday 18 May.
    result = due_date(date(2026, 4, 30), 14)
    assert result.due == date(2026, 5, 18)
    (adjustment,) = result.adjustments
    assert LID_3 in adjustment.source
    assert "2 januari 2026" in adjustment.source


def test_lid_3_the_second_of_january_2026() -> None:
    # 19 Dec 2025 + 14 = Friday 2 January 2026, declared equal (lid 3); weekend ->
    # Monday 5 January.
    result = due_date(date(2025, 12, 19), 14)
    assert result.due == date(2026, 1, 5)
    assert "gelijkgestelde dag" in result.adjustments[0].reason


def test_five_may_in_a_non_lustrum_year_chains_into_ascension() -> None:
    # 21 April 2027 + 14 = Wednesday 5 May 2027 (lid 1, every year); Thursday 6 May
    # Hemelvaartsdag (lid 1); Friday 7 May declared (lid 3); weekend -> Monday 10 May.
    result = due_date(date(2027, 4, 21), 14)
    assert result.due == date(2027, 5, 10)


def test_a_saturday_moves_to_monday_and_a_tuesday_stays() -> None:
    assert due_date(date(2026, 3, 3), 14).due == date(2026, 3, 17)  # a Tuesday
    assert due_date(date(2026, 3, 7), 14).due == date(2026, 3, 23)  # Sat 21 -> Mon 23


def test_atw_art_2_a_short_term_holds_two_working_days() -> None:
    # Thursday 24 Dec 2026 + 3 = Sunday 27 Dec -> Monday 28 (art. 1). Days 25 (Kerst),
    # 26 (tweede Kerstdag, Saturday), 27 (Sunday), 28: one working day only, so art. 2
    # extends to Tuesday 29 December.
    result = due_date(date(2026, 12, 24), 3)
    assert result.due == date(2026, 12, 29)
    assert [a.rule for a in result.adjustments] == ["algemene_termijnenwet", "atw_art_2"]


def test_an_operator_added_decree_moves_a_term() -> None:
    # A future decree declaring Friday 11 May 2029 (after Ascension) equal.
    decree = Decree(
        "Besluit gelijkstelling 2029-2031", "Stcrt. 2028", (2029, 2031), (date(2029, 5, 11),)
    )
    calendar = AtwCalendar().with_decrees([decree])
    assert not DEFAULT_CALENDAR.covers(2029)
    assert calendar.covers(2029)
    # 27 April 2029 + 14 = Friday 11 May 2029 -> Monday 14 May with the decree.
    assert due_date(date(2029, 4, 27), 14).due == date(2029, 5, 11)
    assert due_date(date(2029, 4, 27), 14, calendar=calendar).due == date(2029, 5, 14)


def test_suspended_days_move_the_due_date_and_are_recorded() -> None:
    # 2 March + 42 = 13 April; suspended 5 -> 8 March = 3 days -> Thursday 16 April.
    spell = Spell(date(2026, 3, 5), date(2026, 3, 8), "s1", "wacht op informatie")
    result = due_date(date(2026, 3, 2), 42, spells=[spell])
    assert result.due == date(2026, 4, 16)
    assert result.suspended_days == 3
    (adjustment,) = result.adjustments
    assert adjustment.rule == "suspension"
    assert adjustment.event_id == "s1"
    assert "Awb art. 4:15" in adjustment.source


def test_two_spells_add_up() -> None:
    # 2 March + 42 = 13 April; +3 (5->8 March) +7 (1->8 April) = 23 April (a Thursday).
    spells = [
        Spell(date(2026, 3, 5), date(2026, 3, 8), "s1"),
        Spell(date(2026, 4, 1), date(2026, 4, 8), "s2"),
    ]
    result = due_date(date(2026, 3, 2), 42, spells=spells)
    assert result.due == date(2026, 4, 23)
    assert result.suspended_days == 10


def test_an_open_spell_leaves_the_due_date_unknown() -> None:
    spell = Spell(date(2026, 3, 5), None, "s1")
    result = due_date(date(2026, 3, 2), 42, spells=[spell])
    assert result.due is None
    assert result.suspended_since == date(2026, 3, 5)


def test_an_open_spell_ends_on_the_event_that_met_the_term() -> None:
    # Suspended 5 March, never resumed, decision 20 March: 15 days -> 13 April + 15 = 28 April.
    spell = Spell(date(2026, 3, 5), None, "s1")
    result = due_date(date(2026, 3, 2), 42, spells=[spell], ends_on=date(2026, 3, 20))
    assert result.due == date(2026, 4, 28)
    assert result.suspended_days == 15


def test_a_spell_that_begins_after_the_due_date_moves_nothing() -> None:
    # 2 March + 14 = Monday 16 March; a suspension on 18 March cannot revive the term.
    spell = Spell(date(2026, 3, 18), date(2026, 3, 25), "late")
    result = due_date(date(2026, 3, 2), 14, spells=[spell])
    assert result.due == date(2026, 3, 16)
    assert result.adjustments == ()
    (ignored,) = result.ignored
    assert ignored.event_id == "late"
    assert "after the term had ended on 2026-03-16" in ignored.reason


def test_a_spell_on_the_atw_moved_last_day_still_counts() -> None:
    # 7 March + 14 = Saturday 21 March: the term runs until Monday 23 March (art. 1), so a
    # suspension on 23 March (to 26 March, 3 days) counts: 21 + 3 = Tuesday 24 March.
    spell = Spell(date(2026, 3, 23), date(2026, 3, 26), "s1")
    assert due_date(date(2026, 3, 7), 14, spells=[spell]).due == date(2026, 3, 24)


def test_a_spell_after_the_term_was_met_moves_nothing() -> None:
    spell = Spell(date(2026, 3, 12), date(2026, 3, 20), "after")
    result = due_date(date(2026, 3, 2), 14, spells=[spell], ends_on=date(2026, 3, 10))
    assert result.due == date(2026, 3, 16)
    assert [i.event_id for i in result.ignored] == ["after"]


def test_verdaging_before_the_due_date_moves_it_once() -> None:
    # 2 March + 14 = 16 March; notice on 10 March adds 14 days -> Monday 30 March.
    extension = Extension(date(2026, 3, 10), "x1", days=14, reason="advies nodig")
    result = due_date(date(2026, 3, 2), 14, extensions=[extension])
    assert result.due == date(2026, 3, 30)
    (adjustment,) = result.adjustments
    assert adjustment.rule == "verdaging"
    assert "Awb art. 4:14" in adjustment.source
    # A second notice is reported, not applied.
    again = Extension(date(2026, 3, 20), "x2", new_due_on=date(2026, 4, 30))
    twice = due_date(date(2026, 3, 2), 14, extensions=[extension, again])
    assert twice.due == date(2026, 3, 30)
    assert [i.event_id for i in twice.ignored] == ["x2"]


def test_verdaging_to_a_date_that_is_a_holiday_moves_on() -> None:
    # A new due date of Friday 15 May 2026 (declared, lid 3) -> Monday 18 May.
    extension = Extension(date(2026, 3, 10), "x1", new_due_on=date(2026, 5, 15))
    assert due_date(date(2026, 3, 2), 14, extensions=[extension]).due == date(2026, 5, 18)


def test_verdaging_after_the_due_date_moves_nothing() -> None:
    # Due 16 March; notice on 17 March is too late (Awb 4:14: before the term ends).
    extension = Extension(date(2026, 3, 17), "x1", days=28)
    result = due_date(date(2026, 3, 2), 14, extensions=[extension])
    assert result.due == date(2026, 3, 16)
    assert [i.event_id for i in result.ignored] == ["x1"]


def test_a_suspension_after_a_verdaging_runs_against_the_extended_term() -> None:
    # Due 16 March, extended on 10 March by 14 -> 30 March; suspended 25 -> 27 March
    # (2 days, the extended term still runs) -> Wednesday 1 April.
    extension = Extension(date(2026, 3, 10), "x1", days=14)
    spell = Spell(date(2026, 3, 25), date(2026, 3, 27), "s1")
    result = due_date(date(2026, 3, 2), 14, spells=[spell], extensions=[extension])
    assert result.due == date(2026, 4, 1)
    assert [a.rule for a in result.adjustments] == ["verdaging", "suspension"]


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


def test_start_up_warns_when_no_decree_covers_the_coming_year(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import app.main
    from app.settings import Settings

    settings = Settings(environment="test")
    monkeypatch.setattr(app.main, "local_today", lambda: date(2026, 6, 1))
    app.main.warn_if_calendar_runs_out(settings)
    assert "art. 3 lid 3" not in caplog.text  # 2027 is covered by the 2026-2028 decree
    monkeypatch.setattr(app.main, "local_today", lambda: date(2028, 6, 1))
    app.main.warn_if_calendar_runs_out(settings)
    assert "no decree under Algemene termijnenwet art. 3 lid 3 is known for 2029" in caplog.text
    extended = Settings(
        environment="test",
        atw_declared_days=[{"title": "Besluit 2029-2031", "covers": (2029, 2031), "days": []}],
    )
    caplog.clear()
    app.main.warn_if_calendar_runs_out(extended)
    assert caplog.text == ""


def test_term_settings_name_known_domains_only() -> None:
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="unknown domain"):
        Settings(environment="test", decision_term_days={"wnmo": 14})
    with pytest.raises(ValidationError, match="at least one day"):
        Settings(environment="test", assessment_term_days={"wmo": 0})
    assert (
        Settings(environment="test", decision_term_days={"wmo": 7, "*": 56})
        .terms()
        .days(Term.DECISION, "jeugdwet")
        == 56
    )
