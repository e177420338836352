"""All tables, imported here so Alembic's autogenerate and `alembic check` see every one."""

from app.models.audit import AuditFinding, AuditSample, SampleReview
from app.models.base import Base
from app.models.client import AccessLogEntry, ApiClient
from app.models.data_version import DataVersion
from app.models.event import StoredEvent
from app.models.event_import import EventImport
from app.models.job_run import JobRun
from app.models.kpi import KpiTarget, ReportComment, ReportedValue
from app.models.notification import Delivery, OutboxNotification, Subscription
from app.models.projection_build import ProjectionBuild
from app.models.trajectory import (
    Application,
    Complaint,
    StepCompletion,
    SupportSpell,
    Trajectory,
    TrajectoryPeriod,
)
from app.models.web_session import WebSession

__all__ = [
    "AccessLogEntry",
    "ApiClient",
    "Application",
    "AuditFinding",
    "AuditSample",
    "Base",
    "Complaint",
    "DataVersion",
    "Delivery",
    "EventImport",
    "JobRun",
    "KpiTarget",
    "OutboxNotification",
    "ProjectionBuild",
    "ReportComment",
    "ReportedValue",
    "SampleReview",
    "StepCompletion",
    "StoredEvent",
    "Subscription",
    "SupportSpell",
    "Trajectory",
    "TrajectoryPeriod",
    "WebSession",
]
