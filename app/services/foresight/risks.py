"""The risk that each open assessment and decision term is missed: the model learned from
the whole municipality's terms with a known outcome (kept in the figure cache like a
figure), applied to the open terms the reader may see."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app.domain.foresight.risk import (
    ReliabilityBand,
    RiskModel,
    RiskQuality,
    Term,
    TooFewTerms,
    learn,
)
from app.errors import NotEnoughData
from app.models import Application, Trajectory
from app.services.figures.cache import FigureCache

RULE_OF = {"assessment": "assessment_term", "decision": "decision_term"}


@dataclass(frozen=True)
class OpenTermRisk:
    term: Term
    team: str | None
    risk: float

    @property
    def rule(self) -> str:
        return RULE_OF[self.term.kind]


@dataclass(frozen=True)
class TermRisks:
    model: RiskModel
    day: date
    risks: list[OpenTermRisk]  # the riskiest first


def term_risks(
    session: Session,
    municipality: str,
    teams: tuple[str, ...] | None,
    day: date,
    cache: FigureCache | None,
) -> TermRisks:
    """Every open term the reader's teams hold, with its risk on `day`."""
    model = risk_model(session, municipality, day, cache)
    found = [
        OpenTermRisk(term, team, model.risk(term, day))
        for term, team in _terms(session, municipality, open_on=day)
        if term.open_on(day) and (teams is None or team in teams)
    ]
    found.sort(key=lambda r: (-r.risk, r.term.due_on, r.term.trajectory_id))
    return TermRisks(model, day, found)


def risk_model(
    session: Session, municipality: str, day: date, cache: FigureCache | None
) -> RiskModel:
    def compute() -> bytes:
        try:
            model = learn([term for term, _ in _terms(session, municipality)], day)
        except TooFewTerms as few:
            raise NotEnoughData(
                f"too few terms with a known outcome to learn the risk from: {few}"
            ) from None
        return orjson.dumps(asdict(model))

    if cache is None:
        return _restored(orjson.loads(compute()))
    key = cache.key(session, municipality, "term-risk-model", day.isoformat())
    return _restored(orjson.loads(cache.fetch(key, compute)))


def _terms(
    session: Session, municipality: str, open_on: date | None = None
) -> Iterable[tuple[Term, str | None]]:
    """The municipality's terms with a due date; `open_on`: only those running on that day
    (read on every worklist view, so the database leaves out the closed history)."""
    assessments = select(
        Trajectory.trajectory_id,
        Trajectory.domain,
        Trajectory.team,
        Trajectory.opened_on,
        Trajectory.assessment_due_on,
        Trajectory.assessment_done_on,
        Trajectory.step_request_on,
        Trajectory.step_problems_on,
        Trajectory.step_need_on,
        Trajectory.step_own_network_on,
    ).where(
        Trajectory.municipality == municipality,
        Trajectory.assessment_due_on.is_not(None),
        Trajectory.opened_on.is_not(None),
    )
    if open_on is not None:
        assessments = assessments.where(
            *_running(Trajectory.opened_on, Trajectory.assessment_due_on, open_on),
            or_(Trajectory.assessment_done_on.is_(None), Trajectory.assessment_done_on > open_on),
        )
    for row in session.execute(assessments):
        opened_on, due_on = row[3], row[4]
        assert opened_on is not None and due_on is not None  # the query's own condition
        yield (
            Term(row[0], "assessment", row[1], opened_on, due_on, row[5], tuple(row[6:10])),
            row[2],
        )
    decisions = (
        select(
            Application.trajectory_id,
            Trajectory.domain,
            Trajectory.team,
            Application.received_on,
            Application.due_on,
            Application.decided_on,
        )
        .join(
            Trajectory,
            (Trajectory.municipality == Application.municipality)
            & (Trajectory.trajectory_id == Application.trajectory_id),
        )
        .where(Application.municipality == municipality, Application.due_on.is_not(None))
    )
    if open_on is not None:
        decisions = decisions.where(
            *_running(Application.received_on, Application.due_on, open_on),
            or_(Application.decided_on.is_(None), Application.decided_on > open_on),
        )
    for trajectory_id, domain, team, received_on, due_on, decided_on in session.execute(decisions):
        assert due_on is not None  # the query's own condition
        yield Term(trajectory_id, "decision", domain, received_on, due_on, decided_on), team


def _running(started: Any, due: Any, day: date) -> tuple[ColumnElement[bool], ...]:
    """Begun by `day` and not yet due: `Term.open_on` in SQL (done-by is the caller's)."""
    return started <= day, due >= day


def _restored(plain: dict[str, Any]) -> RiskModel:
    quality = plain["quality"]
    return RiskModel(
        weights=tuple(plain["weights"]),
        examples=plain["examples"],
        missed_share=plain["missed_share"],
        quality=RiskQuality(
            examples=quality["examples"],
            base_rate=quality["base_rate"],
            brier=quality["brier"],
            brier_base_rate=quality["brier_base_rate"],
            reliability=tuple(ReliabilityBand(**band) for band in quality["reliability"]),
        ),
    )
