"""A distributed PostgreSQL (Citus, distribution column = the gemeentecode) takes the
schema unchanged: read from the migrated database on both kinds, every table of a
municipality's data leads its primary key, unique constraints and indexes with
`municipality`; the few cluster-wide tables are named here with why they are."""

from sqlalchemy import Engine, inspect

from app.models import Base
from app.models.trajectory import OPEN_INTERVAL_INDEXES

# Small tables every node needs whole (Citus reference tables), or the service's own state.
CLUSTER_WIDE = {
    "api_clients": "clients; one may read every municipality (municipality NULL)",
    "web_sessions": "workbench sign-ins, looked up by the cookie's hash before anything else",
    "job_runs": "which replica ran a scheduled job, cluster-wide by definition",
    "projection_build": "the projection's version: one row for the whole database",
    "event_imports": "which files `wijkteam-kpi import` has read (one file holds many)",
    "alembic_version": "the schema's migration",
}


def test_every_table_of_a_municipality_leads_with_it(engine: Engine) -> None:
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    assert set(CLUSTER_WIDE) <= tables
    distributed = sorted(tables - set(CLUSTER_WIDE))
    assert {table.name for table in Base.metadata.sorted_tables} - set(CLUSTER_WIDE) == set(
        distributed
    )
    wrong: list[str] = []
    for table in distributed:
        key = inspector.get_pk_constraint(table)["constrained_columns"]
        if key[:1] != ["municipality"]:
            wrong.append(f"{table}: primary key {key}")
        for unique in inspector.get_unique_constraints(table):
            if unique["column_names"][:1] != ["municipality"]:
                wrong.append(f"{table}: unique {unique['name']} {unique['column_names']}")
        for index in inspector.get_indexes(table):
            columns = [c for c in index["column_names"] if c is not None]
            if index["name"] in OPEN_INTERVAL_INDEXES and not index["unique"]:
                # a GiST over an expression (a date range): per shard it holds that shard's
                # municipalities only, and Citus needs the column in unique ones alone
                continue
            if columns[:1] != ["municipality"]:
                wrong.append(f"{table}: index {index['name']} {columns}")
    assert wrong == []
    assert len(distributed) >= 15  # the check looked at the data, not at an empty schema
