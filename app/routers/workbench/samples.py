"""File review (dossiercontrole): draw a seeded, stratified sample, judge each case, and
export the sample with its judgements."""

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import CurrentProjection, SessionDep
from app.domain.audit import Judgement
from app.domain.bsn import contains_bsn
from app.domain.sampling import review_outcome
from app.errors import InvalidInput
from app.routers.params import SampleIdPath
from app.routers.tables import csv_response
from app.routers.workbench.common import (
    NO_CONTROL_CHARACTERS,
    AuditVisitor,
    CsrfField,
    check_csrf,
    page_router,
    period_or_this_year,
    render,
)
from app.schemas import kpi_table
from app.schemas.base import TRAJECTORY_ID_PATTERN, IsoDate
from app.schemas.problem import InvalidParam
from app.services import audit as audit_service

router = page_router()

AUDIT_STRATA = {
    "team": "team",
    "professional": "professional",
    "district": "wijk",
    "domain": "domein",
}


@router.get("/steekproeven", response_class=HTMLResponse, dependencies=[CurrentProjection])
def samples(request: Request, session: SessionDep, visitor: AuditVisitor) -> Response:
    """The samples drawn for file review, and the form to draw a new one."""
    caller = visitor.caller
    start, end = period_or_this_year(None, None)
    return render(
        request,
        visitor,
        "samples.html",
        samples=audit_service.list_samples(session, caller.municipality, caller.teams),
        start=start,
        end=end,
        strata=AUDIT_STRATA,
    )


@router.post("/steekproeven", dependencies=[CurrentProjection])
def draw(
    session: SessionDep,
    visitor: AuditVisitor,
    csrf: CsrfField,
    size: Annotated[int, Form(ge=1, le=500)],
    start: Annotated[IsoDate, Form(alias="from")],
    end: Annotated[IsoDate, Form(alias="to")],
    stratify_by: Annotated[Literal["team", "professional", "district", "domain"], Form()],
    seed: Annotated[int, Form(ge=0, le=2**53 - 1)],
) -> Response:
    check_csrf(visitor, csrf)
    caller = visitor.caller
    first, last = period_or_this_year(start, end)
    sample = audit_service.draw_sample(
        session,
        caller.municipality,
        size=size,
        start=first,
        end=last,
        stratify_by=stratify_by,
        seed=seed,
        drawn_by=caller.signature,
        teams=caller.teams,
    )
    caller.log_read(session, sample.trajectory_ids)
    return RedirectResponse(f"/werkbank/steekproeven/{sample.id}", status_code=303)


@router.get(
    "/steekproeven/{sampleId}", response_class=HTMLResponse, dependencies=[CurrentProjection]
)
def sample_page(
    request: Request,
    session: SessionDep,
    visitor: AuditVisitor,
    sample_id: SampleIdPath,
    saved: Annotated[
        str | None, Query(alias="vastgelegd", max_length=64, pattern=TRAJECTORY_ID_PATTERN)
    ] = None,
) -> Response:
    """One sample: its cases with links, the reviewer's latest judgement of each, and the
    form to judge (akkoord / afwijking, with a note)."""
    caller = visitor.caller
    sample = audit_service.get_sample(session, caller.municipality, sample_id, caller.teams)
    caller.log_read(session, sample.trajectory_ids)
    reviews = audit_service.latest_reviews(session, sample)
    return render(
        request,
        visitor,
        "sample.html",
        sample=sample,
        reviews=reviews,
        outcome=review_outcome(sample.trajectory_ids, {t: r.judgement for t, r in reviews.items()}),
        judgements=[j.value for j in Judgement],
        saved=saved if saved in reviews else None,
    )


@router.get("/steekproeven/{sampleId}/csv", dependencies=[CurrentProjection])
def sample_csv(session: SessionDep, visitor: AuditVisitor, sample_id: SampleIdPath) -> Response:
    """The sample as a table for the review file: each case, its stratum and the latest
    judgement with its note, reviewer and time."""
    caller = visitor.caller
    sample = audit_service.get_sample(session, caller.municipality, sample_id, caller.teams)
    caller.log_read(session, sample.trajectory_ids)
    reviews = audit_service.latest_reviews(session, sample)
    columns = ["trajectory_id", "judgement", "note", "reviewed_by", "reviewed_at"]
    rows = [
        {
            "trajectory_id": tid,
            "judgement": r.judgement if (r := reviews.get(tid)) else "",
            "note": (r.note or "") if r else "",
            "reviewed_by": r.reviewed_by if r else "",
            "reviewed_at": r.reviewed_at.isoformat(timespec="seconds") if r else "",
        }
        for tid in sample.trajectory_ids
    ]
    text = kpi_table.write_csv(columns, rows, "excel")
    return csv_response(text, f"steekproef_{sample.drawn_at:%Y-%m-%d}_{sample.id[:8]}.csv")


@router.post("/steekproeven/{sampleId}/oordelen", dependencies=[CurrentProjection])
def judge(
    session: SessionDep,
    visitor: AuditVisitor,
    sample_id: SampleIdPath,
    csrf: CsrfField,
    trajectory_id: Annotated[str, Form(alias="trajectoryId", max_length=64)],
    judgement: Annotated[Judgement, Form()],
    note: Annotated[str, Form(max_length=1000, pattern=NO_CONTROL_CHARACTERS)] = "",
) -> Response:
    check_csrf(visitor, csrf)
    if contains_bsn(note):
        # The note lands in the database and the review export: never a resident's BSN.
        raise InvalidInput(
            "the note looks like it holds a BSN; name the case by its trajectory id only",
            invalid_params=[InvalidParam(name="note", code="bsn", reason="no BSN in a note")],
        )
    caller = visitor.caller
    sample = audit_service.get_sample(session, caller.municipality, sample_id, caller.teams)
    audit_service.record_review(
        session, sample, trajectory_id, judgement, note.strip() or None, caller.signature
    )
    # Back to the case just judged, with a confirmation (the page would open at its top).
    row = sample.trajectory_ids.index(trajectory_id) + 1
    query = urlencode({"vastgelegd": trajectory_id})
    return RedirectResponse(
        f"/werkbank/steekproeven/{sample.id}?{query}#rij-{row}", status_code=303
    )
