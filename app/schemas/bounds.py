"""What one JSON body may cost, checked before the model sees it.

orjson parses in C and refuses nesting past 1,024 levels, but whatever it admits is then
walked by Pydantic, by the error report and by pickling for the ingest worker, each in
Python and some by recursion: a 25 MB batch of events nested 400 deep took half a minute
and gigabytes. No event needs more than a few levels or a few hundred values (a plan of 50
goals is about 110), so every JSON body is bounded on both before it is validated:

- nesting: at most MAX_DEPTH arrays and objects inside each other, counting the batch's
  own array (an event with a plan of goals is 5 deep in a batch);
- values: a single body, and each item of a batch, holds at most MAX_VALUES JSON values
  (objects, arrays, strings, numbers, literals);
- errors: an invalid item reports at most MAX_ERRORS problems, without echoing its input.

The OpenAPI document states these bounds (BOUNDS_TEXT) on every operation that takes JSON.
"""

import re
from typing import Any

from app.schemas.problem import InvalidParam

MAX_DEPTH = 8
MAX_VALUES = 256
MAX_ERRORS = 20
BOUNDS_TEXT = (
    f"Every JSON body (and each event of a batch) may nest arrays and objects at most "
    f"{MAX_DEPTH} deep and hold at most {MAX_VALUES} values; a larger one is refused with "
    f"a 400 (`too_deep`, `too_many_values`) before it is read further."
)

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def deeper_than(raw: bytes, depth: int) -> bool:
    """Whether valid JSON nests arrays and objects more than `depth` deep.

    Strings are cut out and everything but brackets dropped (in C); each round then removes
    the innermost pairs, so what is left after `depth` rounds nests deeper. Linear in the
    body's size whatever its shape, and never recursive.
    """
    skeleton = _STRING.sub(b"", raw).translate(None, _NOT_A_BRACKET)
    for _ in range(depth):
        if not skeleton:
            return False
        skeleton = _INNERMOST.sub(b"", skeleton)
    return bool(skeleton)


def more_values_than(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value holds more than `limit` values; stops counting there."""
    pending = [value]
    seen = 0
    while pending:
        seen += 1
        if seen > limit:
            return True
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def bounds_problem(raw: bytes, parsed: Any, where: str = "body") -> InvalidParam | None:
    """What is wrong with a parsed body's size, or None: nesting first, then its values
    (each item's, for a batch: `parsed` is then what a single item is checked against)."""
    if (deep := too_deep(raw, where)) is not None:
        return deep
    if parsed is not None and more_values_than(parsed, MAX_VALUES):
        reason = f"at most {MAX_VALUES} JSON values"
        return InvalidParam(name=where, code="too_many_values", reason=reason)
    return None


def too_deep(raw: bytes, where: str, depth: int = MAX_DEPTH) -> InvalidParam | None:
    """The problem with JSON nested more than `depth` deep (an NDJSON line is one level in
    its batch, so it gets one level less), or None."""
    if not deeper_than(raw, depth):
        return None
    reason = f"arrays and objects nest at most {MAX_DEPTH} deep, a batch's own array counted"
    return InvalidParam(name=where, code="too_deep", reason=reason)
