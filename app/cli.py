"""`wijkteam-kpi migrate|serve|openapi`: the operator's commands."""

import argparse
import json
import sys
from importlib.metadata import version
from pathlib import Path

from app.db import upgrade_database
from app.services.access.clients import SCOPES
from app.settings import Settings, get_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wijkteam-kpi",
        description="KPIs and step audit of a social neighbourhood team (sociaal wijkteam).",
        epilog="Settings come from the environment or .env (DATABASE_URL, ENVIRONMENT, ...): "
        "see README.md and docs/.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {version('wijkteam-kpi')}"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply all database migrations (alembic upgrade head)")
    serve = commands.add_parser(
        "serve",
        help="serve on uvicorn (in development, migrate first; in production, refuse to start "
        "on a schema or projection `migrate` has not brought up to date)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument(
        "--migrate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="migrate before serving (default: only in development; several replicas must "
        "not each migrate: run `wijkteam-kpi migrate` once, as a release step)",
    )
    commands.add_parser(
        "refold", help="recompute every trajectory's projection from its events (after an upgrade)"
    )
    client_commands = commands.add_parser("clients", help="manage API clients").add_subparsers(
        dest="action", required=True
    )
    create = client_commands.add_parser("create", help="create a client; prints its token once")
    create.add_argument(
        "--name", required=True, help="who the client is, as logs and pages name it"
    )
    create.add_argument(
        "--scope", action="append", required=True, choices=SCOPES, help="a scope (repeatable)"
    )
    create.add_argument("--municipality", help="limit the client to this gemeentecode")
    create.add_argument("--team", action="append", help="limit reads to this team (repeatable)")
    client_commands.add_parser("list", help="list clients (never their tokens)")
    for action in ("rotate", "revoke"):
        client_commands.add_parser(action, help=f"{action} a client's token").add_argument(
            "id", help="the client's id (`clients list`)"
        )
    retention = commands.add_parser(
        "retention", help="remove trajectories closed longer than RETENTION_YEARS ago"
    )
    retention.add_argument("--dry-run", action="store_true", help="only report what would go")
    load = commands.add_parser(
        "import",
        help="load events from an NDJSON or JSON-array file in batches (the backfill path); "
        "resumable after an interruption, idempotent when run again",
    )
    load.add_argument("file", type=Path, help="the NDJSON or JSON-array file of events")
    load.add_argument("--municipality", help="for events that name none (default: the setting)")
    load.add_argument(
        "--batch-size", type=int, default=5000, help="events per transaction (default: %(default)s)"
    )
    load.add_argument(
        "--restart",
        action="store_true",
        help="give up an unfinished import of a file of this name that has changed since",
    )
    export = commands.add_parser("openapi", help="write the OpenAPI document")
    export.add_argument(
        "output", type=Path, nargs="?", default=None, help="file to write (default: stdout)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    settings = get_settings()
    if args.command == "migrate":
        migrate(settings)
        return 0
    if args.command == "serve":
        import uvicorn

        if args.migrate or (args.migrate is None and settings.environment == "development"):
            migrate(settings)
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_config=None,  # the service's own JSON logging (app/logs.py)
        )
        return 0
    if args.command == "clients":
        return manage_clients(settings.database_url, args)
    if args.command == "retention":
        return apply_retention(
            settings.database_url,
            settings.retention_years,
            settings.access_log_retention_years,
            args.dry_run,
        )
    if args.command == "refold":
        from app.services.projection.maintenance import refold_all

        count = refold_all(settings.database_url, settings.terms(), show=True)
        print(f"refolded {count} trajectories")
        return 0
    if args.command == "import":
        return import_events(settings, args.file, args.municipality, args.batch_size, args.restart)
    if args.command == "openapi":
        from app.main import create_app

        document = json.dumps(create_app(settings).openapi(), indent=2)
        if args.output:
            args.output.write_text(document + "\n")
        else:
            sys.stdout.write(document + "\n")
        return 0
    return 2


def migrate(settings: Settings) -> None:
    """Schema first, then the projection: rebuilt when the code's version differs."""
    from app.services.projection.maintenance import refold_all

    upgrade_database(settings.database_url)
    count = refold_all(settings.database_url, settings.terms(), force=False, show=True)
    if count:
        print(f"rebuilt the projection of {count} trajectories for this version")


def import_events(
    settings: Settings,
    source: Path,
    municipality: str | None,
    batch_size: int,
    restart: bool = False,
) -> int:
    from tqdm import tqdm

    from app.db import create_db_engine, create_session_factory, ensure_schema_current
    from app.errors import Conflict
    from app.services.ingestion.backfill import import_file
    from app.services.ingestion.events import Sender

    if not source.is_file():
        print(f"no such file: {source}", file=sys.stderr)
        return 2
    engine = create_db_engine(settings.database_url, pool_size=1)
    ensure_schema_current(engine)
    sender = Sender(municipality or settings.default_municipality, None, settings.terms())
    # NDJSON advances in bytes, a JSON array in events: the bar shows the share done.
    bar = tqdm(desc=f"importing {source.name}", unit_scale=True)

    def progress(position: int, end: int) -> None:
        bar.total = end
        bar.update(position - bar.n)

    sessions = create_session_factory(engine)
    try:
        report = import_file(sessions, source, sender, batch_size, progress, restart)
    except Conflict as refused:
        print(refused.detail, file=sys.stderr)
        return 3
    finally:
        bar.close()
        engine.dispose()
    if report.resumed_at:
        print(f"resumed after {report.resumed_at} events committed by an earlier run")
    print(
        f"read {report.read} events: {report.created} created, {report.duplicates} duplicates, "
        f"{len(report.rejected)} rejected"
    )
    for rejection in report.rejected[:20]:
        event_id = rejection.event_id or "no eventId"
        print(f"  item {rejection.index} ({event_id}): {rejection.reason}")
    if len(report.rejected) > 20:
        print(f"  ... and {len(report.rejected) - 20} more")
    print("progress is kept in the database (table event_imports), per file content")
    return 1 if report.rejected else 0


def apply_retention(database_url: str, years: int, log_years: int, dry_run: bool) -> int:
    from datetime import UTC, datetime, time

    from app.db import create_db_engine, create_session_factory, ensure_schema_current
    from app.domain.calendar import MUNICIPAL_TZ, local_today
    from app.services.projection.retention import (
        cutoff,
        expired,
        old_access_log,
        purge,
        purge_access_log,
        purge_ended_sessions,
    )

    engine = create_db_engine(database_url, pool_size=1)
    ensure_schema_current(engine)
    before = cutoff(local_today(), years)
    with create_session_factory(engine).begin() as session:
        keys = expired(session, before)
        print(f"{len(keys)} trajectories closed before {before} ({years} years)")
        if not dry_run:
            for table, count in sorted(purge(session, keys).items()):
                print(f"  removed {count} rows from {table}")
        log_before = datetime.combine(cutoff(local_today(), log_years), time(), MUNICIPAL_TZ)
        print(
            f"{old_access_log(session, log_before)} access-log entries before "
            f"{log_before.date()} ({log_years} years)"
        )
        if not dry_run:
            print(f"  removed {purge_access_log(session, log_before)} access-log entries")
            ended = purge_ended_sessions(session, datetime.now(UTC))
            print(f"  removed {ended} expired workbench sessions")
    engine.dispose()
    return 0


def manage_clients(database_url: str, args: argparse.Namespace) -> int:
    from app.db import create_db_engine, create_session_factory, ensure_schema_current
    from app.services.access import clients

    engine = create_db_engine(database_url, pool_size=1)
    ensure_schema_current(engine)
    with create_session_factory(engine).begin() as session:
        if args.action == "create":
            client, token = clients.create_client(
                session, args.name, args.scope, args.municipality, args.team
            )
            print(f"{client.id}\t{client.name}\t{' '.join(client.scopes)}")
            print(f"token (shown once): {token}")
        elif args.action == "list":
            for client in clients.list_clients(session):
                state = "revoked" if client.revoked_at else "active"
                where = client.municipality or "any"
                print(f"{client.id}\t{client.name}\t{' '.join(client.scopes)}\t{where}\t{state}")
        elif args.action == "rotate":
            client, token = clients.rotate_token(session, args.id)
            print(f"new token for {client.name} (shown once): {token}")
        else:
            client = clients.revoke(session, args.id)
            print(f"revoked {client.name} ({client.id})")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
