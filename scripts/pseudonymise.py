"""Turn BSNs into stable clientRef pseudonyms on the sender's side, before anything is posted.

The service never sees a BSN. A sending system keeps a secret key (at least 32 random
bytes, the same for all its postings, never sent to the service) and derives

    clientRef = "c" + the first 32 hex digits of HMAC-SHA256(key, BSN as nine digits),
                written in the letters a-p (0->a, 1->b, ..., f->p)

so the same resident gets the same clientRef in every trajectory (re-entry can be
measured), while without the key nobody can go back from clientRef to BSN, not even by
trying all 10^9 possible BSNs. The letters carry the same 128 bits as hex digits would,
but a pseudonym without digits can never look like a BSN to the service, which refuses
nine digits passing the elfproef wherever they stand (hex pseudonyms were refused about
once in a thousand). Pseudonyms of the earlier hex form are not convertible by the
service (it has no key); a sender switching over derives both forms once to link them.

    export PSEUDONYM_KEY=$(python -c "import secrets; print(secrets.token_hex(32))")
    printf '111222333\\n' | python -m scripts.pseudonymise
"""

import hashlib
import hmac
import os
import re
import sys

from app.domain.bsn import passes_elfproef


def client_ref(bsn: str, key: bytes) -> str:
    digits = re.sub(r"[\s.-]", "", bsn).zfill(9)
    if not passes_elfproef(digits):
        raise ValueError("not a valid BSN (elfproef)")
    if len(key) < 32:
        raise ValueError("the key must be at least 32 bytes")
    return "c" + as_letters(hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()[:32])


_HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def as_letters(hex_digits: str) -> str:
    """Hex digits written as the letters a-p: the same bits, no digit for a BSN to hide in."""
    return hex_digits.lower().translate(_HEX_TO_LETTERS)


def main() -> int:
    key_text = os.environ.get("PSEUDONYM_KEY", "")
    if not key_text:
        print("set PSEUDONYM_KEY (hex, 32 bytes or more)", file=sys.stderr)
        return 2
    key = bytes.fromhex(key_text)
    for line in sys.stdin:
        if line.strip():
            print(client_ref(line.strip(), key))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
