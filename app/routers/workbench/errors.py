"""The workbench answers a browser's error with a page in Dutch (same status, the problem's
detail and every invalid field), where the API answers problem+json."""

from typing import Any

from fastapi import Request, Response

from app.routers.workbench.common import COOKIE_PATH, render

TITLES_NL = {
    400: "De invoer klopt niet",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Niet toegestaan",
    409: "Dat kan nu niet",
    413: "Te groot",
    429: "Te veel verzoeken",
    503: "Tijdelijk niet beschikbaar",
}


def problem_page(
    request: Request, problem: dict[str, Any], headers: dict[str, str] | None
) -> Response | None:
    """A page for a browser on the workbench's paths; None leaves the problem+json."""
    if not request.url.path.startswith(COOKIE_PATH):
        return None
    if "text/html" not in request.headers.get("accept", ""):
        return None
    status = int(problem["status"])
    page = render(
        request,
        None,
        "error.html",
        status=status,
        title=TITLES_NL.get(status, problem["title"]),
        detail=problem["detail"],
        invalid=problem.get("invalidParams", []),
    )
    page.status_code = status
    page.headers.update(headers or {})
    return page
