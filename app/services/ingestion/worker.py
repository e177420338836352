"""Batches are ingested in a worker process, so the serving process keeps answering readers.

Validating, fingerprinting and refolding 10,000 events is seconds of pure Python. In the
serving process that work held the interpreter lock for those seconds and every reader's
request queued behind it: beside one bulk sender, eight BI readers' KPI p95 went from
~30 ms to 260-360 ms (scripts/benchmark_ingest.py). In a process of its own the batch
competes for a core, not for the lock. The work is the same `record_batch` in one
transaction that commits before the answer, so a read right after the answer sees it.

INGEST_PROCESSES sets how many workers a serving process has (default 1: its batches are
ingested one after another, as SQLite's single writer would have them anyway); 0 runs a
batch in the request's thread, as does an in-memory SQLite database (another process
cannot see it). A worker that dies mid-batch takes its open transaction with it, so
nothing is half-written; the request answers 503 and the next batch starts a new worker.
"""

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.db import create_db_engine, create_session_factory, is_unavailable
from app.errors import DATABASE_RETRY_AFTER_SECONDS, ServiceUnavailable, database_away
from app.logs import carry_request_id, configure_logging, current_request_id
from app.services.ingestion.events import BatchOutcome, Sender, observe_batch, record_batch
from app.services.projection.build import REBUILDING_RETRY_AFTER

logger = logging.getLogger("wijkteam_kpi.ingest")
PARENT_CHECK_SECONDS = 0.2


@dataclass(frozen=True)
class _Failed:
    """A batch that failed in the worker, as plain data: a driver's exception carries
    connection state that does not cross a process boundary."""

    unavailable: bool
    refusal: str | None = None  # why the service may not store it now (a 503 to say so)


_worker_sessions: sessionmaker[Session] | None = None  # in a worker: its own engine
_parent: int | None = None  # in a worker: the serving process it belongs to


class ParentGone(Exception):
    """The serving process died while this worker folded its batch."""


def _start_worker(database_url: str, log_level: str, log_format: str) -> None:
    global _worker_sessions
    configure_logging(log_level, log_format)
    _worker_sessions = create_session_factory(create_db_engine(database_url, pool_size=1))
    global _parent
    _parent = os.getppid()
    threading.Thread(target=_end_with, args=(_parent,), name="parent-watch", daemon=True).start()


def _end_with(parent: int) -> None:
    """A serving process that is killed outright cannot stop its worker, which would wait
    for batches forever: once this worker has another parent, it ends (a batch it was
    folding is rolled back with its connection; its sender got no answer and retries).
    A batch that finishes between two looks checks its parent before it commits.

    Not prctl(PR_SET_PDEATHSIG): it fires when the parent's *thread* that started the
    worker ends, and the pool starts workers from whichever thread submits first."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    logger.warning("the serving process is gone; the ingest worker ends")
    os._exit(0)


def _record_in_worker(
    items: Sequence[Any], sender: Sender, request_id: str | None
) -> BatchOutcome | _Failed:
    assert _worker_sessions is not None, "started by _start_worker"
    carry_request_id(request_id)  # the worker's log lines belong to the request
    try:
        with _worker_sessions.begin() as session:
            outcome = record_batch(session, items, sender)
            if os.getppid() != _parent:  # nobody waits for this answer: roll back
                raise ParentGone()
            return outcome
    except ParentGone:
        logger.warning("the serving process died during a batch; it is rolled back")
        return _Failed(unavailable=False)  # the parent watch ends this worker
    except ServiceUnavailable as refused:
        return _Failed(unavailable=True, refusal=refused.detail)
    except Exception as exc:
        if is_unavailable(exc):
            logger.warning("database unavailable during a batch: %s", exc.__class__.__name__)
            return _Failed(unavailable=True)
        logger.exception("a batch failed in the ingest worker")
        return _Failed(unavailable=False)


class BatchIngest:
    """Where this serving process's batches are recorded: its worker processes, started at
    the first batch, or the request's thread."""

    def __init__(
        self,
        database_url: str,
        processes: int,
        log_level: str,
        log_format: str,
    ):
        url = make_url(database_url)
        in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
        self.processes = 0 if in_memory else processes
        self._start = (database_url, log_level, log_format)
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    async def record(
        self,
        session: Session,
        items: Sequence[Any],
        sender: Sender,
    ) -> BatchOutcome:
        if self.processes == 0:
            outcome = await to_thread.run_sync(record_batch, session, items, sender)
        else:
            outcome = await self._in_worker(items, sender)
        observe_batch(outcome)
        return outcome

    async def _in_worker(self, items: Sequence[Any], sender: Sender) -> BatchOutcome:
        pool = self._current_pool()
        try:
            work = pool.submit(_record_in_worker, items, sender, current_request_id())
            result = await asyncio.wrap_future(work)
        except BrokenProcessPool:
            self._discard(pool)
            logger.error("the ingest worker stopped during a batch; a new one starts")
            raise ServiceUnavailable(
                "the ingest worker stopped during this batch; retry it (events it may have "
                "stored count as duplicates, nothing is stored twice)",
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
            ) from None
        if isinstance(result, _Failed):
            if result.refusal is not None:
                raise ServiceUnavailable(
                    result.refusal, headers={"Retry-After": str(REBUILDING_RETRY_AFTER)}
                )
            if result.unavailable:
                raise database_away()
            raise RuntimeError("a batch failed in the ingest worker (logged there)")
        return result

    def _current_pool(self) -> ProcessPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.processes,
                    # A fresh interpreter: forking a process that runs threads and holds
                    # connections would copy both.
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=self._start,
                )
            return self._pool

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._pool_lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """At shutdown: a batch in progress finishes and commits first."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
