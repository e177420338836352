"""Subscriptions of other systems to notifications (scope admin), and their dead letters."""

from fastapi import APIRouter, Response, status

from app.auth import Admin
from app.deps import SessionDep, SettingsDep
from app.errors import InvalidInput, NotFound
from app.routers.params import NotificationIdPath, SubscriptionIdPath
from app.routers.route import ContractRoute
from app.schemas.problem import InvalidParam
from app.schemas.subscriptions import (
    DeadLetterView,
    SubscriptionCreated,
    SubscriptionRequest,
    SubscriptionView,
)
from app.services.access import clients
from app.services.notifications import subscriptions

router = APIRouter(prefix="/subscriptions", tags=["notifications"], route_class=ContractRoute)


@router.post(
    "",
    response_model=SubscriptionCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe a callback to notifications; its signing secret is shown once",
)
def create_subscription(
    body: SubscriptionRequest, caller: Admin, session: SessionDep, settings: SettingsDep
) -> SubscriptionCreated:
    """Notifications of the caller's municipality, as CloudEvents signed as Standard
    Webhooks, within the limits of the client named (default: the caller): a client without
    `audit:read` hears no trajectory's findings, a team-limited one only its teams."""
    policy = settings.delivery_policy()
    problem = subscriptions.callback_problem(
        body.callback_url, policy.allowed_hosts, policy.https_only
    )
    if problem:
        raise InvalidInput(
            problem,
            invalid_params=[
                InvalidParam(name="callbackUrl", code="callback_refused", reason=problem)
            ],
        )
    client_id = body.client_id or caller.principal.client_id
    reachable = {c.id for c in clients.list_clients(session, caller.principal.reach)}
    if client_id != caller.principal.client_id and client_id not in reachable:
        raise NotFound(f"client {client_id} not found")
    made = subscriptions.subscribe(
        session,
        caller.municipality,
        client_id,
        body.callback_url,
        body.types,
        body.teams,
        body.due_within_working_days,
        body.domains,
        body.rules,
    )
    return SubscriptionCreated.model_validate(made, from_attributes=True)


@router.get("", response_model=list[SubscriptionView], summary="The municipality's subscriptions")
def list_subscriptions(caller: Admin, session: SessionDep) -> list[SubscriptionView]:
    """Every live subscription of the caller's municipality, never a secret."""
    return [
        SubscriptionView.model_validate(s, from_attributes=True)
        for s in subscriptions.subscriptions_of(session, caller.municipality)
    ]


@router.delete(
    "/{subscriptionId}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={404: {}},
    summary="End a subscription",
)
def delete_subscription(
    subscription_id: SubscriptionIdPath, caller: Admin, session: SessionDep
) -> Response:
    """Nothing more is sent for it; what is pending is not sent either."""
    subscriptions.end(session, caller.municipality, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{subscriptionId}/dead-letters",
    response_model=list[DeadLetterView],
    responses={404: {}},
    summary="Notifications given up on after the maximum age",
)
def list_dead_letters(
    subscription_id: SubscriptionIdPath, caller: Admin, session: SessionDep
) -> list[DeadLetterView]:
    return [
        DeadLetterView.model_validate(n, from_attributes=True)
        for n in subscriptions.dead_letters(session, caller.municipality, subscription_id)
    ]


@router.post(
    "/{subscriptionId}/dead-letters/{notificationId}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    responses={404: {}},
    summary="Send a dead letter again, with its own id",
)
def redeliver(
    subscription_id: SubscriptionIdPath,
    notification_id: NotificationIdPath,
    caller: Admin,
    session: SessionDep,
) -> Response:
    subscriptions.redeliver(session, caller.municipality, subscription_id, notification_id)
    return Response(status_code=status.HTTP_202_ACCEPTED)
