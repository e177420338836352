from datetime import date

import pytest

from app.domain.reporting import ReportLine, ReportPeriod, UnknownPeriod, summarise


@pytest.mark.parametrize(
    ("label", "start", "end", "previous"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2025"),
        ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), "2025-H2"),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), "2026-H1"),
        ("2026-T1", date(2026, 1, 1), date(2026, 4, 30), "2025-T3"),
        ("2026-T2", date(2026, 5, 1), date(2026, 8, 31), "2026-T1"),
        ("2026-T3", date(2026, 9, 1), date(2026, 12, 31), "2026-T2"),
        ("2024-T1", date(2024, 1, 1), date(2024, 4, 30), "2023-T3"),
    ],
)
def test_a_period_has_its_days_and_the_one_before(
    label: str, start: date, end: date, previous: str
) -> None:
    period = ReportPeriod.parse(label)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert period.previous().label == previous
    # periods of one kind tile the calendar: the previous one ends the day before
    assert (period.start - period.previous().end).days == 1


@pytest.mark.parametrize("label", ["2026-T4", "2026-H3", "2026-T0", "2026-Q1", "26", "2026-", ""])
def test_other_labels_are_refused(label: str) -> None:
    with pytest.raises(UnknownPeriod):
        ReportPeriod.parse(label)


def test_the_period_containing_a_day_and_its_dutch_name() -> None:
    day = date(2026, 11, 30)
    assert ReportPeriod.containing(day, "T").name_nl == "3e tertiaal 2026"
    assert ReportPeriod.containing(day, "H").name_nl == "2e halfjaar 2026"
    assert ReportPeriod.containing(day, "Y").name_nl == "jaar 2026"


def test_the_summary_names_met_and_missed_targets_and_the_largest_changes() -> None:
    lines = [
        ReportLine("inflow", 120, 100, None, "up"),  # +20%
        ReportLine("waiting_time_intake", 9, 12, True, "better"),  # -25%
        ReportLine("complaints", 2, 1, False, "worse"),  # +100%
        ReportLine("caseload", 50, 50, None, "same"),
        ReportLine("new_kpi", 4, 0, None, "up"),  # was 0: no relative change
        ReportLine("suppressed", None, 8, False, None),
    ]
    summary = summarise(lines, changes_shown=2)
    assert summary.met == ["waiting_time_intake"]
    assert summary.missed == ["complaints", "suppressed"]
    assert [line.kpi_id for line in summary.largest_changes] == [
        "complaints",
        "waiting_time_intake",
    ]
    assert summarise([]).largest_changes == []
