"""Every error leaves the service as RFC 9457 application/problem+json."""

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.domain.vocabulary import EventType
from app.errors import PROBLEM_BASE, ServiceError
from app.schemas.problem import InvalidParam

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_EVENT_TYPES = {t.value for t in EventType}
_CODE_ALIASES = {"missing": "required", "extra_forbidden": "unknown_field"}


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_uri: str = "about:blank",
    invalid_params: Sequence[InvalidParam] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": type_uri,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if invalid_params:
        body["invalidParams"] = [p.model_dump() for p in invalid_params]
    # The workbench's pages answer a browser with a page, not with JSON (app.main sets it).
    as_page = getattr(request.app.state, "problem_page", None) if "app" in request.scope else None
    page: Response | None = as_page(request, body, headers) if as_page is not None else None
    if page is not None:
        return page
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def param_name(location: Iterable[Any]) -> str:
    """A dotted, lowerCamelCase path from a Pydantic error location.

    The request part (`body`, `query`) and the discriminator tag of the event union are
    dropped: a sender reads `data.outcome`, not `body.step.completed.data.outcome`.
    """
    parts: list[str] = []
    for element in location:
        if element in ("body", "query", "path", "header") and not parts:
            continue
        if isinstance(element, str) and element in _EVENT_TYPES:
            continue
        if isinstance(element, int):
            parts.append(f"[{element}]")
        else:
            parts.append(("." if parts else "") + str(element))
    return "".join(parts) or "body"


def invalid_params_from(
    errors: Iterable[Mapping[str, Any]], prefix: str = ""
) -> list[InvalidParam]:
    params = []
    for error in errors:
        code = _CODE_ALIASES.get(error.get("type", "invalid"), error.get("type", "invalid"))
        name = param_name(error.get("loc", ()))
        field = (error.get("ctx") or {}).get("field")
        if code == "control_character" and field:
            name = field if name == "body" else f"{name}.{field}"
        if code == "json_invalid":
            name = "body"  # its location is a character offset, not a field
        if code.startswith("union_tag"):
            # The event type itself is what is wrong or missing, wherever Pydantic says.
            name = "type" if name == "body" else f"{name}.type"
        params.append(InvalidParam(name=prefix + name, code=code, reason=str(error.get("msg", ""))))
    return params


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    params = invalid_params_from(exc.errors())
    return problem_response(
        request,
        400,
        f"{len(params)} invalid parameter(s); see invalidParams",
        title="Invalid input",
        type_uri=PROBLEM_BASE + "invalid-input",
        invalid_params=params,
    )


async def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return service_error_response(request, exc)


def service_error_response(request: Request, exc: ServiceError) -> Response:
    """A ServiceError as problem+json (or a page, for a browser in the workbench)."""
    return problem_response(
        request,
        exc.status,
        exc.detail,
        title=exc.title,
        type_uri=exc.type_uri,
        invalid_params=exc.invalid_params,
        headers=exc.headers or None,
    )


_SLUGS = {
    400: "invalid-input",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    params: list[InvalidParam] = []
    if status == 400:
        # FastAPI's own "error parsing the body" (e.g. JSON nested past any sane depth)
        params = [InvalidParam(name="body", code="json_invalid", reason=str(exc.detail))]
    if status == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
        if request.method == "OPTIONS":  # not an error: the answer is the Allow header
            return Response(status_code=204, headers=headers)
    slug = _SLUGS.get(status)
    return problem_response(
        request,
        status,
        str(exc.detail),
        type_uri=PROBLEM_BASE + slug if slug else "about:blank",
        invalid_params=params,
        headers=headers or None,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    allowed = {
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    }
    return sorted(allowed | {"OPTIONS"})


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Anything else is answered by app.middleware.errors, inside the header middleware.
