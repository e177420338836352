"""The projection's version: what the code writes, what the database holds, and the
rebuild that brings the second up to the first (chunked, resumable, with progress)."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
from sqlalchemy.orm import Session, sessionmaker

from app.domain.terms import TermPolicy
from app.errors import ServiceUnavailable
from app.models import ProjectionBuild
from app.services.projection.project import PROJECTION_VERSION
from app.services.projection.store import refold
from app.services.storage import data_version
from app.services.storage.event_store import has_events, trajectories_after, trajectory_count

KEY = "projection"
CHUNK = 1000
REBUILDING_RETRY_AFTER = 30


def code_version(terms: TermPolicy) -> str:
    """The code's version plus the settings that change stored rows (term lengths, the
    Atw decrees): changing either makes the stored projection stale."""
    settings = {
        "assessment": dict(sorted(terms.assessment.items())),
        "decision": dict(sorted(terms.decision.items())),
        "declared": sorted(str(day) for d in terms.calendar.decrees for day in d.days),
    }
    digest = hashlib.sha256(orjson.dumps(settings, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f"v{PROJECTION_VERSION}-{digest[:12]}"


def _build(session: Session) -> ProjectionBuild:
    build = session.get(ProjectionBuild, KEY, with_for_update=True)
    if build is None:
        build = ProjectionBuild(key=KEY, updated_at=datetime.now(UTC))
        session.add(build)
    return build


def is_current(session: Session, version: str) -> bool:
    """Built with this version, or nothing to build from (then it is recorded as such)."""
    build = session.get(ProjectionBuild, KEY)
    if build is not None and build.version == version:
        return True
    if has_events(session):
        return False
    mark_current(session, version)
    return True


def mark_current(session: Session, version: str) -> None:
    build = _build(session)
    build.version, build.building, build.resume_after = version, None, None
    build.updated_at = datetime.now(UTC)


def admit_writes(session: Session, version: str) -> None:
    """Lets this process refold only a projection it builds: the one stored with its version,
    or the one a rebuild for its version is writing. An old release's replica, still up
    in a rolling upgrade, would otherwise refold with its old code the trajectories the
    new release's rebuild has already done: it answers 503 (the sender retries, and the
    proxy's next replica may be new). The row is read FOR SHARE, so a rebuild cannot begin
    between this check and the batch's commit (`rebuild` locks it FOR UPDATE)."""
    build = session.get(ProjectionBuild, KEY, with_for_update={"read": True})
    if build is None or (build.building or build.version) == version:
        return
    if build.building is None and not has_events(session):
        return  # nothing stored yet: the first reader records the version
    raise ServiceUnavailable(
        "the projection is being built by another version of the service than this one "
        f"({version}): nothing was stored; retry shortly",
        headers={"Retry-After": str(REBUILDING_RETRY_AFTER)},
    )


class ProjectionGate:
    """Answers 503 for reads of the projection unless it is built with the code's version.

    Asked on every request, never remembered: in a rolling upgrade the replicas of the old
    release keep answering while the new one's migration rebuilds, and answer 503 from the
    moment the rebuild is done (the proxy then tries another replica), so no replica serves
    a figure of a projection it did not build.
    """

    def __init__(self, version: str) -> None:
        self.version = version

    def check(self, session: Session) -> None:
        if is_current(session, self.version):
            return
        raise ServiceUnavailable(
            "the projection is built for another version of the service than this one "
            f"({self.version}); run `wijkteam-kpi migrate`, or retry shortly",
            headers={"Retry-After": str(REBUILDING_RETRY_AFTER)},
        )


Progress = Callable[[int, int], None]


def rebuild(
    sessions: sessionmaker[Session],
    terms: TermPolicy,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> int:
    """Refold every trajectory a chunk per transaction; returns how many were refolded.

    Resumable: each chunk records where it got to, and a rebuild of the same version picks
    up after it. Safe while events arrive: ingest refolds what it touches with the same
    code, and PostgreSQL's per-trajectory locks order the two.
    """
    version = code_version(terms)
    with sessions.begin() as session:
        build = _build(session)
        if build.version == version and not force:
            return 0
        resume = build.resume_after if build.building == version and not force else None
        build.building, build.resume_after = version, resume
        build.updated_at = datetime.now(UTC)
        total = trajectory_count(session)
    after = _key(resume) if resume else None
    with sessions() as session:
        done = 0 if after is None else trajectory_count(session, after)
    refolded = 0
    while True:
        with sessions() as session:
            keys = trajectories_after(session, after, CHUNK)
        if not keys:
            break
        with sessions.begin() as session:
            build = _build(session)  # locked first, as ingest does: neither waits in a cycle
            refold(session, set(keys), terms)
            # the old release still answers while this runs: its cached figures must go
            data_version.bump(session, {municipality for municipality, _ in keys})
            after = keys[-1]
            build.resume_after = "\t".join(after)
            build.updated_at = datetime.now(UTC)
        done += len(keys)
        refolded += len(keys)
        if progress:
            progress(done, total)
    with sessions.begin() as session:
        mark_current(session, version)
    return refolded


def _key(resume: str) -> tuple[str, str]:
    municipality, trajectory_id = resume.split("\t", 1)
    return municipality, trajectory_id
