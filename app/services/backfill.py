"""Loading a file of events (the backfill from a registration system): in batches, each its
own transaction, resumable after an interruption, idempotent when run again.

The file is NDJSON (one event per line) or one JSON array. Progress is kept beside the
file (`<file>.import-state`): the byte offset after the last committed batch of an NDJSON
file, or the number of array items committed. Run again after a crash, the import skips
what was committed; run again after it finished, every event is a duplicate and nothing
changes (eventIds are idempotent).
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session, sessionmaker

from app.services.events import BatchOutcome, Rejection, Sender, record_batch


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    resumed_at: int = 0  # items committed by an earlier, interrupted run


Progress = Callable[[int, int], None]  # (position now, position at the end)


def state_path(source: Path) -> Path:
    return source.with_name(source.name + ".import-state")


def import_file(
    sessions: sessionmaker[Session],
    source: Path,
    sender: Sender,
    batch_size: int,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport()
    state_file = state_path(source)
    state = {"position": 0, "items": 0}
    if state_file.exists():
        state = json.loads(state_file.read_text())
    report.resumed_at = int(state["items"])
    batches = _array_batches if _is_array(source) else _ndjson_batches
    end = source.stat().st_size if batches is _ndjson_batches else None
    done = int(state["items"])
    for items, position, total in batches(source, int(state["position"]), batch_size):
        with sessions.begin() as session:
            outcome = record_batch(session, items, sender)
        _add(report, outcome, first_item=done)
        done += len(items)
        state_file.write_text(json.dumps({"position": position, "items": done}))
        if progress:
            progress(position, end if end is not None else total)
    return report


def _add(report: ImportReport, outcome: BatchOutcome, first_item: int) -> None:
    report.read += outcome.received
    report.created += outcome.created
    report.duplicates += outcome.duplicates
    # Numbered by item in the file (0-based), not within the batch.
    report.rejected += [replace(r, index=r.index + first_item) for r in outcome.rejections]


def _is_array(source: Path) -> bool:
    with source.open("rb") as stream:
        for chunk in iter(lambda: stream.read(64), b""):
            stripped = chunk.lstrip()
            if stripped:
                return stripped.startswith(b"[")
    return False


def _ndjson_batches(source: Path, offset: int, size: int) -> Iterator[tuple[list[Any], int, int]]:
    """Batches of parsed lines, each with the byte offset after it (where a resume starts)."""
    with source.open("rb") as stream:
        stream.seek(offset)
        items: list[Any] = []
        for line in iter(stream.readline, b""):
            if line.strip():
                items.append(_parsed(line))
            if len(items) == size:
                yield items, stream.tell(), 0
                items = []
        if items:
            yield items, stream.tell(), 0


def _array_batches(source: Path, done: int, size: int) -> Iterator[tuple[list[Any], int, int]]:
    """A JSON array is read whole (use NDJSON for files larger than memory)."""
    items = orjson.loads(source.read_bytes())
    if not isinstance(items, list):
        raise ValueError(f"{source} holds no JSON array of events")
    for start in range(done, len(items), size):
        batch = items[start : start + size]
        yield batch, start + len(batch), len(items)


def _parsed(line: bytes) -> Any:
    """A line that is no JSON becomes an item record_batch rejects as invalid, with its
    index, instead of ending the import."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return {"unparseable_line": line[:80].decode("utf-8", "replace")}
