"""Loading a file of events (the backfill from a registration system): in batches, each its
own transaction, resumable after an interruption, idempotent when run again.

The file is NDJSON (one event per line) or one JSON array. Progress is kept in the database
the file is loaded into (table `event_imports`, by the SHA-256 of the file's content), in
each batch's own transaction: the byte offset after the last committed batch of an NDJSON
file, or the number of array items committed. Run again after a crash, the import skips
what was committed; run again after it finished, every event is a duplicate and nothing
changes (eventIds are idempotent). The same file loaded into another database starts
there from its beginning. A file that changed while an import of it was under way (same
name, other content) is refused until the unfinished one is given up (`restart`): its
offsets would point into other events.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from app.errors import Conflict
from app.models import EventImport
from app.services.ingestion.events import BatchOutcome, Rejection, Sender, record_batch


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    resumed_at: int = 0  # items committed by an earlier, interrupted run


Progress = Callable[[int, int], None]  # (position now, position at the end)


def file_digest(source: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    sessions: sessionmaker[Session],
    source: Path,
    sender: Sender,
    batch_size: int,
    progress: Progress | None = None,
    restart: bool = False,
) -> ImportReport:
    report = ImportReport()
    digest = file_digest(source)
    with sessions.begin() as session:
        state = _progress_of(session, source.name, digest, restart)
        start, done = (state.position, state.items) if state.finished_at is None else (0, 0)
        _save(session, digest, source.name, start, done, finished=False)
    report.resumed_at = done
    batches = _array_batches if _is_array(source) else _ndjson_batches
    end = source.stat().st_size if batches is _ndjson_batches else None
    position = start
    for items, position, total in batches(source, start, batch_size):
        with sessions.begin() as session:
            outcome = record_batch(session, items, sender)
            _save(session, digest, source.name, position, done + len(items), finished=False)
        _add(report, outcome, first_item=done)
        done += len(items)
        if progress:
            progress(position, end if end is not None else total)
    with sessions.begin() as session:
        _save(session, digest, source.name, position, done, finished=True)
    return report


def _progress_of(session: Session, name: str, digest: str, restart: bool) -> EventImport:
    """This file's import so far (a new one if none), refusing a changed file under way."""
    unfinished = session.execute(
        select(EventImport).where(
            EventImport.file_name == name,
            EventImport.file_sha256 != digest,
            EventImport.finished_at.is_(None),
        )
    ).scalars()
    changed = list(unfinished)
    if changed and not restart:
        raise Conflict(
            f"an import of {name} stopped after {changed[0].items} events and the file has "
            "changed since; its progress no longer fits the file. Run with --restart to "
            "load the new file from its beginning (stored events count as duplicates)"
        )
    if changed or restart:
        stale = [c.file_sha256 for c in changed] + [digest] * restart
        session.execute(delete(EventImport).where(EventImport.file_sha256.in_(stale)))
    found = session.get(EventImport, digest)
    now = datetime.now(UTC)
    return found or EventImport(position=0, items=0, started_at=now, finished_at=None)


def _save(
    session: Session, digest: str, name: str, position: int, items: int, *, finished: bool
) -> None:
    now = datetime.now(UTC)
    row = session.get(EventImport, digest)
    if row is None:
        row = EventImport(file_sha256=digest, file_name=name[:255], started_at=now)
        session.add(row)
    elif row.finished_at is not None and not finished:
        row.started_at = now  # a finished file loaded again: a new run
    row.position, row.items, row.updated_at = position, items, now
    row.finished_at = now if finished else None


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
