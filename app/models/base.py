"""The declarative base: one MetaData with a naming convention so Alembic names are stable."""

import secrets
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, DateTime, Dialect, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware timestamps in, aware UTC timestamps out, on SQLite (no time zones) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def one_of(column: str, values: type[StrEnum], name: str | None = None) -> CheckConstraint:
    """A portable CHECK that keeps a string column inside an enum's values."""
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_allowed")


_ID_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def time_ordered_id() -> int:
    """A 63-bit id that sorts by creation time: milliseconds since 2020 (41 bits, enough
    until 2089) then 22 random bits. Rows whose key leads with the municipality cannot
    take an autoincrement (SQLite has none on a composite key, and a distributed
    PostgreSQL none across nodes); replicas make these without asking anyone."""
    milliseconds = int((datetime.now(UTC) - _ID_EPOCH).total_seconds() * 1000)
    return (milliseconds << 22) | secrets.randbits(22)
