"""Computed figures and audit summaries kept until the data under them changes: a BI tool
that refreshes the same report without a validator (Power BI sends no If-None-Match) gets
the answer already computed, as long as no event, target, reported value, setting or day
has changed it.

The key digests what the ETag does: the municipality's data version (bumped by every write
that changes a figure), the code and settings the figure depends on, today's date, the
KPI and the whole query (period, grouping, filters, the reader's team limit, the
small-number threshold). The version is read before the figure is computed, so a write
landing meanwhile can only leave newer cells under an older key, which no reader asks for
once the version has moved. The cells are stored after small-number protection, so a
cached answer is exactly a computed one.

Where the cells live is a setting (FIGURE_CACHE): in this process's memory (the embedded
default), in Redis where several processes serve together (one computes, all answer), or
nowhere (`none`, as the cold benchmarks use).

A figure is computed once however many ask for it at the same moment: after a batch moves
the version, or on a Monday morning when every dashboard refreshes the same queries, the
first reader computes and the others wait for its answer instead of running the same
aggregate beside it (in this process with a lock per key; across processes with a lock in
Redis that expires by itself should its holder die).
"""

import hashlib
import hmac
import logging
import pickle
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from typing import Any, Protocol

import orjson
from cachetools import LRUCache
from redis import Redis, RedisError
from redis.exceptions import LockError
from sqlalchemy.orm import Session

from app.domain.calendar import local_today
from app.domain.kpis.figures import Cell, DurationStats, KpiQuery
from app.metrics import FIGURE_CACHE
from app.services.storage import data_version

logger = logging.getLogger("wijkteam_kpi.figure_cache")
TTL_SECONDS = 24 * 3600  # a key is dead once the day or the version moves; Redis drops it
MEMORY_ENTRIES = 1024  # a figure of months x teams is some 30 KB: at most ~30 MB
ASKED_REMEMBERED = 256  # answers the nightly warming computes again for the new day
COMPUTING_SECONDS = 120  # the longest a reader waits for another's figure, and a lock lives
LOCK_STRIPES = 256  # per-key locks in a process: two keys share one by a chance of 1 in 256
Computed = tuple[list[Cell], int | None]  # the cells and the open intervals


class Store(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> None: ...

    def computing(self, key: str) -> Any:
        """A context in which this caller alone computes `key`: others wait at its door."""
        ...


class _Striped:
    """One lock per key in this process, by stripes (a fixed set, nothing to clean up)."""

    def __init__(self) -> None:
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]

    def computing(self, key: str) -> threading.Lock:
        return self._stripes[hash(key) % LOCK_STRIPES]


class MemoryStore(_Striped):
    def __init__(self, entries: int = MEMORY_ENTRIES) -> None:
        super().__init__()
        self._entries: LRUCache[str, bytes] = LRUCache(maxsize=entries)
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            self._entries[key] = value


class RedisStore(_Striped):
    """Shared by every process. Redis being away costs speed, never an answer: a look-up
    that fails is a miss, a store that fails is skipped (and logged), a lock that cannot
    be had is computed without."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._redis = Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    @contextmanager
    def computing(self, key: str) -> Iterator[None]:  # type: ignore[override]
        # The process's own lock first, so one thread per process waits on Redis.
        with super().computing(key):
            lock = self._redis.lock(
                f"{key}:computing",
                timeout=COMPUTING_SECONDS,
                blocking_timeout=COMPUTING_SECONDS,
            )
            try:
                held = lock.acquire()
            except RedisError as exc:
                logger.warning("figure cache lock unavailable, computing anyway: %s", exc)
                held = False
            try:
                yield
            finally:
                if held:
                    try:
                        lock.release()
                    except (RedisError, LockError) as exc:  # expired, or Redis went away
                        logger.warning("figure cache lock not released: %s", exc)

    def get(self, key: str) -> bytes | None:
        try:
            found = self._redis.get(key)
        except RedisError as exc:
            logger.warning("figure cache unavailable, computing instead: %s", exc)
            return None
        return found if isinstance(found, bytes) else None

    def put(self, key: str, value: bytes) -> None:
        try:
            self._redis.setex(key, TTL_SECONDS, value)
        except RedisError as exc:
            logger.warning("figure cache unavailable, not kept: %s", exc)

    def remember(self, name: str, blob: bytes, keep: int) -> None:
        """Adds what was asked to the cluster's list (newest last), keeping the last `keep`."""
        try:
            pipe = self._redis.pipeline()
            pipe.zadd(name, {blob: time.time()})
            pipe.zremrangebyrank(name, 0, -keep - 1)
            pipe.execute()
        except RedisError as exc:
            logger.warning("figure cache unavailable, not remembered: %s", exc)

    def remembered(self, name: str) -> list[bytes]:
        try:
            found: list[Any] = self._redis.zrange(name, 0, -1)  # type: ignore[assignment]
        except RedisError as exc:
            logger.warning("figure cache unavailable, nothing remembered: %s", exc)
            return []
        return [blob for blob in found if isinstance(blob, bytes)]


class Recipe(Hashable, Protocol):
    """An answer as asked (kpis.FigureRecipe, audit.SummaryRecipe): whose municipality it
    is, and how to compute it again into the cache (the nightly warming calls it)."""

    @property
    def municipality(self) -> str: ...

    def compute(self, session: Session, cache: "FigureCache") -> None: ...


class FigureCache:
    def __init__(self, store: Store, context: str, secret: bytes = b"") -> None:
        self.store = store
        self.context = context  # the code and settings version, fixed at start-up
        # What was asked lately, as recipes its service can compute again on another day
        # (app/services/figures/warmer.py). With a shared store, the list is the cluster's,
        # in Redis: the one replica that warms a day warms what any replica was asked.
        self._asked: LRUCache[Recipe, None] = LRUCache(maxsize=ASKED_REMEMBERED)
        self._asked_lock = threading.Lock()
        self._secret = secret

    @property
    def shared(self) -> bool:
        """Whether every replica reads this cache (so one replica's work serves all)."""
        return isinstance(self.store, RedisStore)

    def remember(self, recipe: Recipe) -> None:
        with self._asked_lock:
            new = recipe not in self._asked
            self._asked[recipe] = None
        if new and isinstance(self.store, RedisStore):
            self.store.remember(self._asked_name, self._sealed(recipe), ASKED_REMEMBERED)

    def recently_asked(self) -> list[Recipe]:
        if isinstance(self.store, RedisStore):
            return [
                r for blob in self.store.remembered(self._asked_name) if (r := self._opened(blob))
            ]
        with self._asked_lock:
            return list(self._asked)

    @property
    def _asked_name(self) -> str:
        return f"wijkteam:asked:{self.context}"

    def _sealed(self, recipe: Recipe) -> bytes:
        # Recipes are plain frozen dataclasses; pickled, and signed so that only this
        # service's own writes are ever unpickled (a store anyone could write to must not
        # be able to run code here).
        body = pickle.dumps(recipe)
        return hmac.new(self._secret, body, hashlib.sha256).digest() + body

    def _opened(self, blob: bytes) -> Recipe | None:
        seal, body = blob[:32], blob[32:]
        if not hmac.compare_digest(seal, hmac.new(self._secret, body, hashlib.sha256).digest()):
            logger.warning("a remembered figure was not sealed by this service; skipped")
            return None
        recipe: Recipe = pickle.loads(body)  # only what the seal above proves ours
        return recipe

    def key(self, session: Session, municipality: str, *parts: Any) -> str:
        """What an answer rests on besides `parts`: the data version, code, settings, day."""
        version = data_version.current(session, municipality)
        every = [version, municipality, self.context, local_today().isoformat(), *parts]
        digest = hashlib.sha256(orjson.dumps(every, default=str)).hexdigest()
        return f"wijkteam:computed:{digest}"

    def figure_key(
        self, session: Session, municipality: str, kpi_id: str, query: KpiQuery, cell_size: int
    ) -> str:
        return self.key(session, municipality, "figure", kpi_id, cell_size, asdict(query))

    def lookup(self, key: str) -> bytes | None:
        found = self.store.get(key)
        FIGURE_CACHE.labels("hit" if found is not None else "miss").inc()
        return found

    def fetch(self, key: str, compute: Callable[[], bytes]) -> bytes:
        """The answer kept under `key`, or computed by `compute` and kept. While one caller
        computes it, others asking for the same key wait for that answer."""
        found = self.lookup(key)
        if found is not None:
            return found
        with self.store.computing(key):
            found = self.store.get(key)  # computed by whoever held the lock before us
            if found is not None:
                FIGURE_CACHE.labels("waited").inc()
                return found
            computed = compute()
            self.store.put(key, computed)
            return computed


def from_setting(uri: str, context: str, secret: bytes = b"") -> FigureCache | None:
    """FIGURE_CACHE: memory:// (default), redis://host:port/db, or none. `secret` seals
    what the replicas share through Redis."""
    if uri == "none":
        return None
    if uri.startswith("memory://"):
        return FigureCache(MemoryStore(), context)
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return FigureCache(RedisStore(uri), context, secret)
    raise ValueError(f"FIGURE_CACHE {uri!r}: use memory://, redis://host:port/db or none")


# Cells are plain data but for one kind of extra: the resolution statistics of a duration.
_STATS = "__duration_stats__"


def _plain(value: Any) -> Any:
    if isinstance(value, DurationStats):
        return {_STATS: [value.n, value.mean, value.median, value.p90]}
    raise TypeError(f"a cell cannot hold {type(value).__name__}")


def _restored(value: Any) -> Any:
    if isinstance(value, dict):
        if _STATS in value:
            return DurationStats(*value[_STATS])
        return {k: _restored(v) for k, v in value.items()}
    return value


def encode(computed: Computed) -> bytes:
    cells, open_intervals = computed
    shallow = [{f.name: getattr(cell, f.name) for f in fields(Cell)} for cell in cells]
    return orjson.dumps(
        {"cells": shallow, "open": open_intervals},
        default=_plain,
        option=orjson.OPT_PASSTHROUGH_DATACLASS,  # DurationStats through _plain, tagged
    )


def decode(stored: bytes) -> Computed:
    data = orjson.loads(stored)
    cells = []
    for stored_cell in data["cells"]:
        stored_cell["extra"] = _restored(stored_cell["extra"])
        cells.append(Cell(**stored_cell))
    return cells, data["open"]
