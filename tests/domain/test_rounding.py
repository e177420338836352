"""Keyed random rounding (app/domain/kpis/rounding.py), as plain functions."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.domain.kpis.catalogue import KPIS
from app.domain.kpis.figures import Cell, KpiQuery
from app.domain.kpis.rounding import Rounding, round_cells

ROUNDING = Rounding(b"a test key of sixteen+", 5)


@given(st.integers(0, 10**6), st.text(max_size=8))
def test_a_count_becomes_a_neighbouring_multiple_of_the_base(exact: int, about: str) -> None:
    shown = ROUNDING.count(exact, about)
    assert shown % 5 == 0
    assert abs(shown - exact) < 5
    assert ROUNDING.count(exact, about) == shown  # asked again: the same


def test_the_rounding_is_unbiased_over_populations() -> None:
    for exact in (1, 2, 3, 4, 7, 13):
        shown = [ROUNDING.count(exact, "team", i) for i in range(4000)]
        assert abs(sum(shown) / len(shown) - exact) < 0.2, exact
        assert set(shown) == {5 * (exact // 5), 5 * (exact // 5 + 1)}


def test_another_key_rounds_otherwise() -> None:
    other = Rounding(b"another key of sixteen", 5)
    mine = [ROUNDING.count(3, i) for i in range(200)]
    theirs = [other.count(3, i) for i in range(200)]
    assert mine != theirs  # without the key, the rounding of a count is not predictable


def test_a_share_is_never_shown_above_its_whole() -> None:
    """Numerator and denominator are drawn apart: 24 of 24 could become 25 of 20 (125 %).
    Over many populations the share stays at most 1, and both stay multiples of 5."""
    measure = KPIS["statutory_assessment_within_term"].measure
    query = KpiQuery(date(2026, 1, 1), date(2026, 12, 31))
    shown = []
    for municipality in range(400):
        cell = Cell({}, n=24, value=1.0, numerator=24, denominator=24)
        (rounded,) = round_cells([cell], measure, query, f"{municipality:04d}", ROUNDING)
        shown.append(rounded)
    assert {c.denominator for c in shown} == {20, 25}  # the denominator was drawn both ways
    assert all(c.value is not None and c.value <= 1 for c in shown)
    assert all(c.numerator is not None and c.numerator % 5 == 0 for c in shown)
