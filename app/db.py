"""Engine and sessions, built once per application in the lifespan, never at import."""

import threading
from pathlib import Path
from typing import Any

import orjson
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed during a write; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _ensure_sqlite_folder(database_url: str) -> None:
    """SQLite creates the file but not its folder; a fresh checkout has no data/ yet."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


# Figures of the catalogue computed side by side in one process, on PostgreSQL, by one set
# of workers with a pool of their own (reads_engine), so they never wait for a connection
# a request holds while it waits for them.
PARALLEL_READS = 4
_READS_ENGINES: dict[str, Engine] = {}
_READS_LOCK = threading.Lock()


def reads_engine(engine: Engine) -> Engine:
    """The figure workers' engine for the database `engine` serves (one per database)."""
    url = engine.url.render_as_string(hide_password=False)
    with _READS_LOCK:
        if url not in _READS_ENGINES:
            _READS_ENGINES[url] = _postgres_engine(engine.url, PARALLEL_READS)
        return _READS_ENGINES[url]


def create_db_engine(database_url: str, pool_size: int = 40) -> Engine:
    url = make_url(database_url)
    _ensure_sqlite_folder(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=_json_text,
            json_deserializer=orjson.loads,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # The pool is sized to the worker threads (FastAPI runs sync endpoints in a pool of 40).
    return _postgres_engine(url, pool_size)


def _postgres_engine(url: URL, pool_size: int) -> Engine:
    # No server-side prepared statements: with long IN lists PostgreSQL's generic plan for
    # a prepared statement fell back to sequential scans once the events table grew
    # (ingestion slowed tenfold between 30,000 and 100,000 events).
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args={"prepare_threshold": None},
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
    )


def _json_text(value: object) -> str:
    """JSON columns through orjson: the same text as the standard library's for the
    documents stored here, in a fraction of the time (a third of reading events was
    spent in json.loads)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migration_heads() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return set(script.get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def upgrade_database(database_url: str) -> None:
    from alembic import command

    _ensure_sqlite_folder(database_url)
    command.upgrade(alembic_config(database_url), "head")


class DatabaseBehind(RuntimeError):
    """The schema is older than the code: the operator must migrate before starting."""


def ensure_schema_current(engine: Engine) -> None:
    current, heads = current_revisions(engine), migration_heads()
    if current != heads:
        raise DatabaseBehind(
            f"database schema is at {sorted(current) or 'nothing'}, "
            f"the code needs {sorted(heads)}; "
            "run `wijkteam-kpi migrate` (or `alembic upgrade head`) with the same DATABASE_URL"
        )


def is_unavailable(error: BaseException) -> bool:
    """Whether an error means the database cannot be reached now (retry), not a bug.

    Connection refused or dropped, a terminated backend, a pool with no connection left,
    SQLite busy past its timeout: all are OperationalError/InterfaceError at the driver, or
    an error SQLAlchemy flagged as a disconnect.
    """
    if isinstance(error, exc.TimeoutError):
        return True
    if isinstance(error, exc.DBAPIError):
        return error.connection_invalidated or isinstance(
            error, exc.OperationalError | exc.InterfaceError
        )
    return False
