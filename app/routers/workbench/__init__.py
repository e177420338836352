"""The workbench: server-rendered pages in Dutch for the quality officer, team managers and
administrators, in the same process and with the same clients, scopes and limits as the
API. Sign-in exchanges an API client's token for a session cookie (app/services/
web_sessions.py); each page then authorises with the API's own ScopeGuard and Caller."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from app.routers.workbench import admin, audit, figures, report, samples, signin
from app.routers.workbench.common import COOKIE_PATH, SignInRequired
from app.routers.workbench.errors import problem_page
from app.routers.workbench.signin import to_sign_in

router = APIRouter(include_in_schema=False)
for module in (signin, figures, report, audit, samples, admin):
    router.include_router(module.router)

STATIC_PATH = f"{COOKIE_PATH}/static"
static_files = StaticFiles(directory=Path(__file__).resolve().parents[2] / "static" / "workbench")

__all__ = ["STATIC_PATH", "SignInRequired", "problem_page", "router", "static_files", "to_sign_in"]
