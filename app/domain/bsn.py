"""Recognising a Dutch citizen service number (BSN) so it can be refused, never stored.

A BSN is nine digits passing the elfproef. People write it with dots, hyphens or spaces
anywhere (1234.56.782, 111-222-333, 111 22 2333) and systems glue it to letters
(BSN111222333, c111222333). So every run of digits joined by at most a few separators is
split at the separators, and every stretch of consecutive groups holding exactly nine
digits is tested, wherever it stands. A longer unbroken number (ten digits or more) is not
a BSN. The service's own pseudonyms (scripts/pseudonymise.py) hold no digits at all, so
they can never be mistaken for one.

Digits come in more forms than ASCII: fullwidth, Arabic-Indic, Devanagari and every
other Unicode decimal digit read the same to a person and to many systems. Text is
screened after NFKC normalisation with every decimal digit read as its ASCII twin.
"""

import re
import unicodedata
from collections.abc import Iterator

_RUN = re.compile(r"[0-9]+(?:[\s.\-/]{1,3}[0-9]+)*")
_SEPARATORS = re.compile(r"[\s.\-/]{1,3}")
BSN_LENGTH = 9


def passes_elfproef(digits: str) -> bool:
    """The BSN eleven test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a positive multiple of 11."""
    if len(digits) != BSN_LENGTH or not digits.isascii() or not digits.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return total > 0 and total % 11 == 0


def _nine_digit_stretches(groups: list[str]) -> Iterator[str]:
    for first in range(len(groups)):
        digits = ""
        for group in groups[first:]:
            digits += group
            if len(digits) >= BSN_LENGTH:
                break
        if len(digits) == BSN_LENGTH:
            yield digits


def as_ascii_digits(text: str) -> str:
    """The text as a reader sees its numbers: NFKC, and every decimal digit as ASCII."""
    if text.isascii():
        return text
    normal = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in normal
    )


def find_bsn_like(text: str) -> Iterator[str]:
    """Yield the nine digits of every BSN-like number in `text` (in ASCII)."""
    for run in _RUN.finditer(as_ascii_digits(text)):
        groups = _SEPARATORS.split(run.group(0))
        for digits in _nine_digit_stretches(groups):
            if passes_elfproef(digits):
                yield digits


_WITHOUT_DIGITS = str.maketrans("", "", "0123456789")


def contains_bsn(text: str) -> bool:
    # Any BSN found is nine ASCII digits of the text: a text with fewer (most codes, names
    # and notes) holds none, and counting them is one pass in C instead of the search.
    if text.isascii() and len(text) - len(text.translate(_WITHOUT_DIGITS)) < BSN_LENGTH:
        return False
    return next(find_bsn_like(text), None) is not None
