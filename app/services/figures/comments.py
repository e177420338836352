"""The quality officer's comment per KPI in a period's report (the council reads it beside
the figure): one per municipality, period and KPI, replaced when written again."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ReportComment
from app.services.storage import data_version


def comments_of(session: Session, municipality: str, period: str) -> dict[str, ReportComment]:
    rows = session.execute(
        select(ReportComment).where(
            ReportComment.municipality == municipality, ReportComment.period == period
        )
    ).scalars()
    return {row.kpi_id: row for row in rows}


def write_comment(
    session: Session, municipality: str, period: str, kpi_id: str, text: str, by: str
) -> ReportComment | None:
    """Keep (or replace) the comment; an empty text removes it. The report's validator
    moves with it (a reload must show the new text, never a 304 of the old page)."""
    row = session.get(ReportComment, (municipality, period, kpi_id))
    if not text:
        if row is not None:
            session.delete(row)
    elif row is None:
        row = ReportComment(municipality=municipality, period=period, kpi_id=kpi_id)
        session.add(row)
    if row is not None and text:
        row.text, row.written_by, row.written_at = text, by[:160], datetime.now(UTC)
    data_version.bump(session, [municipality])
    session.flush()
    return row if text else None
