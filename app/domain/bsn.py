"""Recognising a Dutch citizen service number (BSN) so it can be refused, never stored."""

import re
from collections.abc import Iterator

# Nine digits standing on their own (not inside a longer number or an alphanumeric token
# such as a hex pseudonym, where digit runs occur by chance); dots or spaces between the
# usual groups (1234.56.782, 123 456 782) are how people write a BSN by hand.
_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])(\d{4}[. ]?\d{2}[. ]?\d{3}|\d{3}[. ]?\d{3}[. ]?\d{3})(?![0-9A-Za-z])"
)


def passes_elfproef(digits: str) -> bool:
    """The BSN eleven test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a positive multiple of 11."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return total > 0 and total % 11 == 0


def find_bsn_like(text: str) -> Iterator[str]:
    """Yield every substring of `text` that looks like a BSN."""
    for match in _CANDIDATE.finditer(text):
        digits = re.sub(r"[. ]", "", match.group(0))
        if passes_elfproef(digits):
            yield match.group(0)


def contains_bsn(text: str) -> bool:
    return next(find_bsn_like(text), None) is not None
