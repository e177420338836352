"""Administration in the browser: API clients (create, rotate, revoke, limits), targets per
KPI (a value or from a 0-meting) and reported KPI values. Each form is validated by the
API's own request model and calls the same service, with the same scope as the API's
route (clients and targets: admin; reported values: events:write, as POST /kpis/{id}/values)."""

from typing import Annotated, Any, TypeVar

from fastapi import Form, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError

from app.deps import CurrentProjection, SessionDep, SettingsDep
from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.spec import Reported
from app.errors import InvalidInput
from app.routers.params import (
    ClientIdPath,
    KpiIdPath,
    NotificationIdPath,
    SubscriptionIdPath,
)
from app.routers.workbench.common import (
    AdminVisitor,
    CsrfField,
    Visitor,
    WriterVisitor,
    check_csrf,
    page_router,
    render,
)
from app.schemas.clients import ClientRequest
from app.schemas.kpis import ReportedValueRequest, TargetRequest
from app.schemas.problem import InvalidParam
from app.services.access import clients
from app.services.access.clients import SCOPES
from app.services.figures.kpis import record_reported_value, set_target, targets_by_kpi
from app.services.notifications import subscriptions as notifications
from app.services.trajectories import values_of

router = page_router()

Text = Annotated[str, Form(max_length=200)]
OptionalText = Annotated[str, Form(max_length=500)]
M = TypeVar("M", bound=BaseModel)
REPORTED = [kpi for kpi in CATALOGUE if isinstance(kpi.measure, Reported)]


def validated(model: type[M], fields: dict[str, Any]) -> M:
    """A form as the API's request model reads it; a mistake is the API's 400 with every
    invalid field (shown as a page by the workbench's error handler)."""
    given = {k: v for k, v in fields.items() if v not in ("", None, [])}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


def number(text: str) -> float | str:
    """A number as a Dutch user types it (decimal comma); left as text if it is none, so
    the model names the field."""
    try:
        return float(text.replace(",", ".")) if text.strip() else ""
    except ValueError:
        return text


# --- API clients ---------------------------------------------------------------------------


def _clients_page(
    request: Request, session: SessionDep, visitor: Visitor, **shown: Any
) -> Response:
    principal = visitor.caller.principal
    return render(
        request,
        visitor,
        "admin_clients.html",
        clients=clients.list_clients(session, principal.reach),
        scopes=[s for s in SCOPES if s in principal.scopes],
        fixed_municipality=principal.municipality,
        **shown,
    )


@router.get("/beheer/clients", response_class=HTMLResponse)
def client_list(request: Request, session: SessionDep, visitor: AdminVisitor) -> Response:
    return _clients_page(request, session, visitor)


@router.post("/beheer/clients", response_class=HTMLResponse)
def client_create(
    request: Request,
    session: SessionDep,
    visitor: AdminVisitor,
    csrf: CsrfField,
    name: Text,
    scopes: Annotated[list[str], Form(max_length=len(SCOPES))] = [],  # noqa: B006
    municipality: Annotated[str, Form(max_length=10)] = "",
    teams: OptionalText = "",
) -> Response:
    check_csrf(visitor, csrf)
    principal = visitor.caller.principal
    body = validated(
        ClientRequest,
        {
            "name": name.strip(),
            "scopes": scopes,
            "municipality": principal.municipality or municipality.strip(),
            "teams": [t.strip() for t in teams.split(",") if t.strip()],
        },
    )
    _check_teams_exist(session, body.municipality or visitor.caller.municipality, body.teams)
    client, token = clients.create_client(
        session, body.name, body.scopes, body.municipality, body.teams, principal.reach
    )
    # The token is shown in this answer only (never in a URL or a redirect).
    return _clients_page(request, session, visitor, new_token=token, for_client=client)


def _check_teams_exist(session: SessionDep, municipality: str, teams: list[str] | None) -> None:
    """A misspelt team ("Zuidd") would give a client that sees nothing: refused while the
    municipality has teams to compare with (before its first case, any name is taken)."""
    known = values_of(session, municipality, "team")
    unknown = [team for team in teams or () if team not in known]
    if known and unknown:
        raise InvalidInput(
            f"onbekend team: {', '.join(unknown)}",
            invalid_params=[
                InvalidParam(
                    name="teams",
                    code="unknown_team",
                    reason=f"onbekend team {', '.join(unknown)}; bekend zijn {', '.join(known)}",
                )
            ],
        )


@router.post("/beheer/clients/{clientId}/nieuw-token", response_class=HTMLResponse)
def client_rotate(
    request: Request,
    session: SessionDep,
    visitor: AdminVisitor,
    client_id: ClientIdPath,
    csrf: CsrfField,
) -> Response:
    check_csrf(visitor, csrf)
    client, token = clients.rotate_token(session, client_id, visitor.caller.principal.reach)
    return _clients_page(request, session, visitor, new_token=token, for_client=client)


@router.get("/beheer/clients/{clientId}/intrekken", response_class=HTMLResponse)
def client_revoke_confirm(
    request: Request, session: SessionDep, visitor: AdminVisitor, client_id: ClientIdPath
) -> Response:
    """Revoking cannot be undone (the client needs a new one): asked once more, by name."""
    client = clients.get_client(session, client_id, visitor.caller.principal.reach)
    return render(request, visitor, "admin_revoke.html", client=client)


@router.post("/beheer/clients/{clientId}/intrekken")
def client_revoke(
    session: SessionDep,
    visitor: AdminVisitor,
    client_id: ClientIdPath,
    csrf: CsrfField,
) -> Response:
    check_csrf(visitor, csrf)
    clients.revoke(session, client_id, visitor.caller.principal.reach)
    return RedirectResponse("/werkbank/beheer/clients", status_code=303)


# --- notifications: subscriptions and their dead letters ---------------------------------


@router.get("/beheer/meldingen", response_class=HTMLResponse)
def subscription_list(request: Request, session: SessionDep, visitor: AdminVisitor) -> Response:
    """The municipality's subscriptions, and per subscription what was given up on."""
    municipality = visitor.caller.municipality
    found = [
        (s, notifications.dead_letters(session, municipality, s.id))
        for s in notifications.subscriptions_of(session, municipality)
    ]
    return render(request, visitor, "admin_subscriptions.html", subscriptions=found)


@router.post("/beheer/meldingen/{subscriptionId}/opnieuw/{notificationId}")
def subscription_redeliver(
    session: SessionDep,
    visitor: AdminVisitor,
    subscription_id: SubscriptionIdPath,
    notification_id: NotificationIdPath,
    csrf: CsrfField,
) -> Response:
    check_csrf(visitor, csrf)
    municipality = visitor.caller.municipality
    notifications.redeliver(session, municipality, subscription_id, notification_id)
    return RedirectResponse("/werkbank/beheer/meldingen?opnieuw=1", status_code=303)


# --- targets -------------------------------------------------------------------------------


@router.get("/beheer/streefwaarden", response_class=HTMLResponse)
def target_list(request: Request, session: SessionDep, visitor: AdminVisitor) -> Response:
    targets = targets_by_kpi(session, visitor.caller.municipality)
    return render(
        request,
        visitor,
        "admin_targets.html",
        kpis=[kpi for kpi in CATALOGUE if kpi not in REPORTED],
        targets=targets,
    )


@router.post("/beheer/streefwaarden/{kpiId}", dependencies=[CurrentProjection])
def target_set(
    session: SessionDep,
    settings: SettingsDep,
    visitor: AdminVisitor,
    kpi_id: KpiIdPath,
    csrf: CsrfField,
    value: Annotated[str, Form(max_length=40)] = "",
    baseline_from: Annotated[str, Form(alias="baselineFrom", max_length=10)] = "",
    baseline_to: Annotated[str, Form(alias="baselineTo", max_length=10)] = "",
    change: Annotated[str, Form(max_length=40)] = "",
    note: OptionalText = "",
) -> Response:
    check_csrf(visitor, csrf)
    body = validated(
        TargetRequest,
        {
            "value": number(value),
            "baselineFrom": baseline_from,
            "baselineTo": baseline_to,
            "change": number(change),
            "note": note.strip(),
        },
    )
    set_target(
        session,
        visitor.caller.municipality,
        kpi_id,
        value=body.value,
        baseline=(body.baseline_from, body.baseline_to)
        if body.baseline_from and body.baseline_to
        else None,
        change=body.change,
        note=body.note,
        min_cell_size=settings.min_cell_size,
        writer_teams=visitor.caller.teams,
    )
    return RedirectResponse("/werkbank/beheer/streefwaarden", status_code=303)


# --- reported values -----------------------------------------------------------------------


@router.get("/beheer/waarden", response_class=HTMLResponse)
def value_form(request: Request, visitor: WriterVisitor) -> Response:
    return render(request, visitor, "admin_values.html", kpis=REPORTED, recorded=None)


@router.post("/beheer/waarden", response_class=HTMLResponse)
def value_record(
    request: Request,
    session: SessionDep,
    visitor: WriterVisitor,
    csrf: CsrfField,
    kpi_id: Annotated[str, Form(alias="kpi", max_length=64)],
    start: Annotated[str, Form(alias="from", max_length=10)],
    end: Annotated[str, Form(alias="to", max_length=10)],
    value: Annotated[str, Form(max_length=40)],
    source: Text,
    n: Annotated[str, Form(max_length=12)] = "",
    team: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    check_csrf(visitor, csrf)
    count = number(n)
    body = validated(
        ReportedValueRequest,
        {
            "from": start,
            "to": end,
            "value": number(value),
            "n": int(count) if isinstance(count, float) and count.is_integer() else count,
            "group": {"team": team.strip()} if team.strip() else {},
            "source": source.strip(),
        },
    )
    row, _ = record_reported_value(
        session,
        visitor.caller.municipality,
        kpi_id,
        period=(body.from_, body.to),
        group={str(k): v for k, v in body.group.items()},
        value=body.value,
        n=body.n,
        source=body.source,
        writer_teams=visitor.caller.teams,
    )
    return render(request, visitor, "admin_values.html", kpis=REPORTED, recorded=row)
