import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.bsn import contains_bsn, find_bsn_like, passes_elfproef


@pytest.mark.parametrize("number", ["111222333", "123456782", "012345672"])
def test_numbers_passing_the_elfproef_are_recognised(number: str) -> None:
    assert passes_elfproef(number)


@pytest.mark.parametrize("number", ["123456789", "111222334", "000000000", "12345678", "abcdefghi"])
def test_numbers_failing_the_elfproef_are_not(number: str) -> None:
    assert not passes_elfproef(number)


@pytest.mark.parametrize(
    "text",
    [
        "123456782",
        "bsn 123456782 of resident",
        "1234.56.782",
        "123 456 782",
        "client-111222333",
        "BSN111222333",  # glued to letters
        "c111222333",
        "SWT111222333",
        "111-222-333",  # hyphens
        "111 22 2333",  # irregular spaces
        "111  222  333",  # doubled spaces
        "1112/22/333",
        "ref 12 111222333",  # a BSN after an unrelated short number
        "c9a123456782f0e1",  # a hex string holding an elfproef-valid run: refused now
        "1 1 1 2 2 2 3 3 3",
    ],
)
def test_a_bsn_is_found_wherever_it_stands_and_however_it_is_written(text: str) -> None:
    assert contains_bsn(text)


@pytest.mark.parametrize(
    "text",
    [
        "1234567820",
        "SWT-2026-000123",
        "prof-0001-pseudo",
        "123456789",
        "c9a1f3e07b2d44c1",
        "SWT-0007-0000123",  # 4 + 7 digits: no stretch of exactly nine
        "2026-03-02T09:15:00+01:00",
        "chkpmgaefbcoi",  # the service's pseudonym alphabet: letters only
    ],
)
def test_longer_numbers_and_ordinary_ids_are_not_mistaken_for_a_bsn(text: str) -> None:
    assert not contains_bsn(text)


@given(
    st.text(alphabet="0123456789 .-/aBc\u0663\u0664", max_size=40)
    | st.builds(lambda a, b: f"{a}111222333{b}", st.text(max_size=8), st.text(max_size=8))
)
def test_the_quick_digit_count_never_changes_the_answer(text: str) -> None:
    # contains_bsn skips texts with fewer than nine ASCII digits before searching
    assert contains_bsn(text) == (next(find_bsn_like(text), None) is not None)


# Every script's zero: the ten decimal digits of each follow it in Unicode.
_ZEROS = sorted({chr(c) for c in range(0x110000) if unicodedata.decimal(chr(c), None) == 0})


def _in_script(ascii_text: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(ch)) if ch.isdigit() else ch for ch in ascii_text)


@pytest.mark.parametrize("zero", _ZEROS, ids=lambda z: f"U+{ord(z):04X}")
@pytest.mark.parametrize("written", ["111222333", "1112.22.333", "bsn 123-456-782"])
def test_a_bsn_in_any_unicode_digits_is_found(zero: str, written: str) -> None:
    assert contains_bsn(_in_script(written, zero))


@given(st.sampled_from(_ZEROS), st.sampled_from(["111222333", "123456782"]), st.data())
def test_a_bsn_mixing_digit_forms_is_found(zero: str, number: str, data: st.DataObject) -> None:
    # a digit of any script, or its fullwidth/compatibility form, in any position
    mixed = "".join(
        data.draw(st.sampled_from([d, _in_script(d, zero), chr(0xFF10 + int(d))])) for d in number
    )
    assert contains_bsn(f"ref {mixed}")


def test_compatibility_forms_count_as_their_digits() -> None:
    # NFKC reads circled and superscript digits as digits, as a person does
    assert contains_bsn("①①①②②②③③③")
    assert not contains_bsn(
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"
    )  # fullwidth, but failing the elfproef
