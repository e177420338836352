import pytest

from app.domain.bsn import contains_bsn, passes_elfproef


@pytest.mark.parametrize("number", ["111222333", "123456782", "012345672"])
def test_numbers_passing_the_elfproef_are_recognised(number: str) -> None:
    assert passes_elfproef(number)


@pytest.mark.parametrize("number", ["123456789", "111222334", "000000000", "12345678", "abcdefghi"])
def test_numbers_failing_the_elfproef_are_not(number: str) -> None:
    assert not passes_elfproef(number)


@pytest.mark.parametrize(
    "text",
    ["123456782", "bsn 123456782 of resident", "1234.56.782", "123 456 782", "client-111222333"],
)
def test_a_bsn_is_found_inside_text_and_in_written_forms(text: str) -> None:
    assert contains_bsn(text)


@pytest.mark.parametrize(
    "text",
    [
        "1234567820",
        "SWT-2026-000123",
        "prof-0001-pseudo",
        "123456789",
        "c9a1f3e07b2d44c1",
        "c9a123456782f0e1",  # a hex pseudonym that happens to hold an elfproef-valid run
    ],
)
def test_longer_numbers_and_ordinary_ids_are_not_mistaken_for_a_bsn(text: str) -> None:
    assert not contains_bsn(text)
