"""Configuration, read once from the environment (prefix-free names, as operators expect)."""

import hashlib
from datetime import date, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

import orjson
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.domain.atw import DEFAULT_CALENDAR, AtwCalendar, Decree
from app.domain.kpis.rounding import Rounding
from app.domain.notifications import DeliveryPolicy
from app.domain.terms import DEFAULT_TERMS, TermPolicy
from app.domain.vocabulary import LawDomain

DEFAULT_SQLITE_PATH = Path("data") / "wijkteam-kpi.sqlite3"
DEVELOPMENT_DISCLOSURE_KEY = "development-only-disclosure-key"


class DeclaredDaysDecree(BaseModel):
    """A decree under Atw art. 3 lid 3 the service does not ship yet (ATW_DECLARED_DAYS)."""

    title: str = Field(min_length=1)
    staatscourant: str = ""
    covers: tuple[int, int]
    days: list[date]

    def decree(self) -> Decree:
        return Decree(self.title, self.staatscourant, self.covers, tuple(self.days))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # The gemeentecode events belong to when neither the client nor the event names one.
    # 0193 is Zwolle, whose SWT the domain reference follows.
    default_municipality: str = Field(default="0193", pattern=r"^[0-9]{4}$")
    # Names of the municipalities served, by gemeentecode, as reports name them, e.g.
    # MUNICIPALITY_NAMES='{"0193": "Zwolle", "0200": "Apeldoorn"}'; one without a name is
    # written as its code.
    municipality_names: dict[str, str] = Field(default_factory=lambda: {"0193": "Zwolle"})
    max_batch_events: int = Field(default=10_000, ge=1)
    # Request bodies: the batch route takes up to max_body_bytes, every other route up to
    # max_body_bytes_single (one event, a target, a client: a few kB at most).
    max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    max_body_bytes_single: int = Field(default=1024 * 1024, ge=1024)
    min_cell_size: int = Field(default=5, ge=1)
    # Readers of figures only (no audit:read) get every count rounded to a multiple of this,
    # keyed by DISCLOSURE_KEY (app/domain/kpis/rounding.py, docs/bi.md, "Small numbers"); 1: none.
    rounding_base: int = Field(default=5, ge=1, le=100)
    # Who holds the key can partly undo the rounding: in production set a long random
    # secret (the service refuses to start with the development one).
    disclosure_key: SecretStr = SecretStr(DEVELOPMENT_DISCLOSURE_KEY)
    db_pool_size: int = Field(default=40, ge=1)
    # Notifications (app/services/notifications): hosts inside the network a callback may
    # name anyway ("host" or "host:port", comma-separated; server-side request forgery
    # guard), how long a notification is tried before it is a dead letter, and how often
    # each process looks for due ones (0: this process sends none).
    callback_allowed_hosts: str = ""
    notify_max_age_hours: float = Field(default=24.0, gt=0)
    notify_poll_seconds: float = Field(default=1.0, ge=0)
    # Each day at this local time the term notices (due soon, missed) are written, once per
    # cluster; "none": never.
    notify_terms_at: str = Field(default="06:00", pattern=r"^(none|([01][0-9]|2[0-3]):[0-5][0-9])$")
    # Forecasts of volumes and the risk of open terms (GET /forecasts, /term-risks, their
    # places in the workbench): off, they answer 404 and the workbench shows neither.
    # docs/algorithm-register.md says what they do and do not do.
    foresight: bool = True
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"  # one JSON object per line, with request_id
    # Behind an ingress: the addresses whose X-Forwarded-For/-Proto uvicorn trusts, so the
    # `next` links and Location headers name the public host (comma-separated, or *).
    forwarded_allow_ips: str = "127.0.0.1"
    # Where clients reach the service (scheme, host, port; no path): the OpenAPI document's
    # absolute `servers` URL, so a generated client needs no base URL of its own.
    public_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^/?#]+$")
    # Legal terms in days per domain ("*": any other domain), as JSON in the environment,
    # e.g. DECISION_TERM_DAYS='{"wmo": 14, "jeugdwet": 56, "*": 56}'. After a change,
    # run `wijkteam-kpi migrate`: the projection is stale until rebuilt.
    assessment_term_days: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_TERMS.assessment)
    )
    decision_term_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_TERMS.decision))
    # Closed trajectories older than this are removed by `wijkteam-kpi retention`
    # (15 years: the Wmo dossier term of the VNG selection list; set it to the
    # municipality's own archive decision).
    retention_years: int = Field(default=15, ge=1)
    # The access log (who read which trajectory ids) is kept this long (NEN 7513's five
    # years for logs of access to care records); `wijkteam-kpi retention` removes older.
    access_log_retention_years: int = Field(default=5, ge=1)
    # Requests per minute per authenticated client; failed authentications per minute per
    # address (a budget of their own). The counters live in RATE_LIMIT_STORAGE: memory for
    # one process, e.g. redis://127.0.0.1:6379 when several processes serve together.
    rate_limit_per_minute: int = Field(default=600, ge=1)
    failed_auth_per_minute: int = Field(default=30, ge=1)
    rate_limit_storage: str = "memory://"
    # Where computed figures are kept until their data changes (app/services/
    # figure_cache.py): memory:// in this process, redis://127.0.0.1:6379/1 shared by
    # several processes, or none.
    figure_cache: str = "memory://"
    # Worker processes that ingest batches (app/services/ingestion/worker.py), so readers never
    # wait behind a batch for the interpreter; 0 ingests in the request's thread.
    ingest_processes: int = Field(default=1, ge=0, le=32)
    # When, each night on the municipality's clock, the figures asked lately are computed
    # again for the new day (app/services/figures/warmer.py); "none" never.
    figure_warm_at: str = Field(default="00:05", pattern=r"^(none|([01][0-9]|2[0-3]):[0-5][0-9])$")

    # Decrees of Atw art. 3 lid 3 beyond the ones shipped, as JSON, e.g.
    # ATW_DECLARED_DAYS='[{"title": "Besluit gelijkstelling van ...", "covers": [2029, 2031],
    # "days": ["2029-05-11"]}]'. After adding one, run `wijkteam-kpi migrate`.
    atw_declared_days: list[DeclaredDaysDecree] = Field(default_factory=list)

    @model_validator(mode="after")
    def _secret_in_production(self) -> "Settings":
        key = self.disclosure_key.get_secret_value()
        if self.environment == "production" and key == DEVELOPMENT_DISCLOSURE_KEY:
            raise ValueError(
                "set DISCLOSURE_KEY to a long random secret in production (for example "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        if len(key) < 16:
            raise ValueError("DISCLOSURE_KEY must be at least 16 characters")
        return self

    def rounding(self) -> Rounding | None:
        """The rounding readers of figures only get (None: rounding off)."""
        if self.rounding_base == 1:
            return None
        return Rounding(self.disclosure_key.get_secret_value().encode(), self.rounding_base)

    def figure_fingerprint(self) -> str:
        """A digest of the settings a figure depends on (terms, the Atw calendar, the
        small-number threshold, the default municipality), for cache validators."""
        relevant = self.model_dump(
            mode="json",
            include={
                "default_municipality",
                "min_cell_size",
                "assessment_term_days",
                "decision_term_days",
                "atw_declared_days",
                "rounding_base",
                "foresight",
            },
        )
        key = self.disclosure_key.get_secret_value().encode()
        relevant["rounding_key"] = hashlib.sha256(b"fingerprint:" + key).hexdigest()
        return hashlib.sha256(orjson.dumps(relevant, option=orjson.OPT_SORT_KEYS)).hexdigest()

    @field_validator("assessment_term_days", "decision_term_days")
    @classmethod
    def _known_domains(cls, lengths: dict[str, int]) -> dict[str, int]:
        """A misspelt domain would silently leave the law's term in force."""
        unknown = sorted(set(lengths) - {d.value for d in LawDomain} - {"*"})
        if unknown:
            raise ValueError(
                f"unknown domain(s) {unknown}; use {[d.value for d in LawDomain]} or *"
            )
        if any(days < 1 for days in lengths.values()):
            raise ValueError("a term is at least one day")
        return lengths

    def delivery_policy(self) -> DeliveryPolicy:
        return DeliveryPolicy(
            max_age=timedelta(hours=self.notify_max_age_hours),
            allowed_hosts=tuple(h for h in self.callback_allowed_hosts.split(",") if h.strip()),
            https_only=self.environment != "development",
        )

    def notify_terms_time(self) -> time | None:
        if self.notify_terms_at == "none":
            return None
        return time.fromisoformat(self.notify_terms_at)

    def figure_warm_time(self) -> time | None:
        if self.figure_warm_at == "none":
            return None
        return time.fromisoformat(self.figure_warm_at)

    def terms(self) -> TermPolicy:
        return TermPolicy(
            assessment=self.assessment_term_days,
            decision=self.decision_term_days,
            calendar=_calendar(tuple(d.decree() for d in self.atw_declared_days)),
        )


@lru_cache
def _calendar(extra: tuple[Decree, ...]) -> AtwCalendar:
    # One calendar per set of decrees, so its per-year cache outlives a request.
    return DEFAULT_CALENDAR.with_decrees(extra)


@lru_cache
def get_settings() -> Settings:
    return Settings()
