"""GET /trajectories and /trajectories/{trajectoryId}: the state of cases, for the audit."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.auth import Auditor
from app.deps import CurrentProjection, SessionDep, SettingsDep
from app.domain.vocabulary import AgeBand, Channel, LawDomain, TrajectoryStatus
from app.routers.params import TrajectoryIdPath
from app.routers.route import ContractRoute
from app.schemas.base import CODE_PATTERN, TRAJECTORY_ID_PATTERN, IsoDate
from app.schemas.trajectories import (
    TimelineEntryView,
    TrajectoryDetail,
    TrajectoryPageView,
    TrajectorySummary,
)
from app.services.trajectories import TrajectoryFilter, get_trajectory, list_trajectories

router = APIRouter(prefix="/trajectories", tags=["trajectories"], route_class=ContractRoute)


@router.get(
    "/{trajectoryId}",
    response_model=TrajectoryDetail,
    responses={404: {}},
    summary="One trajectory: state and timeline",
    dependencies=[CurrentProjection],
)
def read_trajectory(
    trajectory_id: TrajectoryIdPath, caller: Auditor, session: SessionDep, settings: SettingsDep
) -> TrajectoryDetail:
    """The folded state of one trajectory (steps in their prescribed order, milestones with the
    event that set each, terms, goals, complaints) and its timeline of events. Case-
    level data: every read lands in the access log."""
    municipality = caller.municipality
    view = get_trajectory(session, municipality, trajectory_id, settings.terms(), caller.teams)
    caller.log_read(session, [trajectory_id])
    return TrajectoryDetail(
        trajectory_id=trajectory_id,
        municipality=view.municipality,
        state=view.state,
        timeline=[
            TimelineEntryView.model_validate(entry, from_attributes=True) for entry in view.timeline
        ],
    )


@router.get(
    "",
    response_model=TrajectoryPageView,
    summary="Trajectories, filtered and paginated",
    dependencies=[CurrentProjection],
)
def read_trajectories(
    request: Request,
    caller: Auditor,
    session: SessionDep,
    settings: SettingsDep,
    team: Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN)] = None,
    district: Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN)] = None,
    domain: LawDomain | None = None,
    channel: Channel | None = None,
    age_band: Annotated[AgeBand | None, Query(alias="ageBand")] = None,
    status: TrajectoryStatus | None = None,
    opened_from: Annotated[IsoDate | None, Query(alias="openedFrom")] = None,
    opened_to: Annotated[IsoDate | None, Query(alias="openedTo")] = None,
    closed_from: Annotated[IsoDate | None, Query(alias="closedFrom")] = None,
    closed_to: Annotated[IsoDate | None, Query(alias="closedTo")] = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=1000)] = 100,
    cursor: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=TRAJECTORY_ID_PATTERN,
            description="From `next`: the page starts after this trajectoryId.",
        ),
    ] = None,
) -> TrajectoryPageView:
    """Trajectories filtered by status, team, district, domain and dates, newest first, keyset-
    paged: follow `next` (or pass `nextCursor` as `cursor`). Case-level data: every read
    lands in the access log."""
    municipality = caller.municipality
    where = TrajectoryFilter(
        municipality=municipality,
        teams=caller.teams,
        team=team,
        district=district,
        domain=domain,
        channel=channel,
        age_band=age_band,
        status=status,
        opened_from=opened_from,
        opened_to=opened_to,
        closed_from=closed_from,
        closed_to=closed_to,
    )
    page = list_trajectories(session, where, page_size, cursor)
    shown = [row.trajectory_id for row in page.items]
    caller.log_read(session, shown, with_query=True)
    next_url = None
    if page.next_after is not None:
        next_url = str(request.url.include_query_params(cursor=page.next_after))
    return TrajectoryPageView(
        results=[TrajectorySummary.model_validate(row, from_attributes=True) for row in page.items],
        next=next_url,
        next_cursor=page.next_after,
        page_size=page_size,
    )
