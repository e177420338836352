"""Keyed random rounding (app/domain/kpis/rounding.py), as plain functions."""

from hypothesis import given
from hypothesis import strategies as st

from app.domain.kpis.rounding import Rounding

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
