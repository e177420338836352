"""`wijkteam-kpi migrate|serve|openapi`: the operator's commands."""

import argparse
import json
import sys
from pathlib import Path

from app.db import upgrade_database
from app.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wijkteam-kpi")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply all database migrations (alembic upgrade head)")
    serve = commands.add_parser("serve", help="migrate, then serve on uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-migrate", action="store_true", help="refuse to start if behind instead"
    )
    commands.add_parser(
        "refold", help="recompute every trajectory's projection from its events (after an upgrade)"
    )
    export = commands.add_parser("openapi", help="write the OpenAPI document")
    export.add_argument("output", type=Path, nargs="?", default=None)
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "migrate":
        upgrade_database(settings.database_url)
        return 0
    if args.command == "serve":
        import uvicorn

        if not args.no_migrate:
            upgrade_database(settings.database_url)
        uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port)
        return 0
    if args.command == "refold":
        from app.services.maintenance import refold_all

        count = refold_all(settings.database_url)
        print(f"refolded {count} trajectories")
        return 0
    if args.command == "openapi":
        from app.main import create_app

        document = json.dumps(create_app(settings).openapi(), indent=2)
        if args.output:
            args.output.write_text(document + "\n")
        else:
            sys.stdout.write(document + "\n")
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
