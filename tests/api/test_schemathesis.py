"""Generated requests against the whole API, in process, on both databases.

schemathesis sends valid (positive) and invalid (negative) input to every operation,
authenticated as a real client, with a fixed seed and a bounded number of examples per
operation, then a stateful phase that chains operations through the links it infers;
every answer is checked against the OpenAPI document: no 5xx, status codes, content types
and bodies as documented.
"""

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as examples
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy import Engine, delete, update

from app.db import create_db_engine, create_session_factory, upgrade_database
from app.domain.kpis.catalogue import KPIS
from app.domain.kpis.figures import DIMENSIONS, TIME_GRAINS
from app.domain.kpis.spec import NO_BREAKDOWN, NO_TIME_SERIES
from app.main import create_app
from app.models import ApiClient
from app.services.access.clients import SCOPES, create_client, token_hash
from app.settings import Settings
from tests.conftest import _create_postgres_database, _drop_postgres_database, empty_all_tables

pytestmark = pytest.mark.slow
# A longer run: SCHEMATHESIS_EXAMPLES=200 SCHEMATHESIS_SEED=1 scripts/test.sh -k schemathesis
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261130"))


@pytest.fixture
def own_database(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, str]]:
    """A database of its own: the generated calls rotate and revoke clients at will."""
    if settings.database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.sqlite3'}"
    else:
        url = _create_postgres_database()
    upgrade_database(url)
    engine = create_db_engine(url, pool_size=2)
    with create_session_factory(engine).begin() as session:
        token = create_client(session, "schemathesis", SCOPES, None)[1]
    engine.dispose()
    yield settings.model_copy(update={"database_url": url}), token
    if not url.startswith("sqlite"):
        _drop_postgres_database(url)


def _schema(settings: Settings, token: str) -> Any:
    """The live document of a fresh app, every case authenticated as a real client."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(settings))

    # JSON Schema cannot say that one parameter comes before another, nor (in a pattern the
    # validators share) that a comma list names each item once: the period rule (`from` on
    # or before `to`; the same for every from/to pair) and groupBy's "each at most once" are
    # the business rules the document states in words only, so generated queries keep them.
    @schema.hook("map_query")
    def ordered_periods(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
        return _ordered(query)

    @schema.hook("map_body")
    def ordered_body_periods(context: Any, body: Any) -> Any:
        return _ordered(body) if isinstance(body, dict) else body

    # Which breakdowns and filters a KPI takes is data, per kpiId, in its catalogue entry
    # (GET /kpis: `breakdowns`, `timeSeries`); one path parameter's value cannot constrain
    # another in OpenAPI. A generated figure request the catalogue rules out is not sent.
    @schema.hook("filter_case")
    def breakdowns_the_catalogue_offers(context: Any, case: Any) -> bool:
        return _offered(case)

    @schema.auth()
    class RealClient:
        """Every case authenticates as a real client (every scope, no municipality)."""

        def get(self, case: Any, context: Any) -> str:
            return token

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


def test_every_operation_answers_as_documented(
    own_database: tuple[Settings, str], capsys: pytest.CaptureFixture[str]
) -> None:
    schema = _schema(*own_database)
    cases = 0
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        excluded = PER_ITEM.get(operation.label, [])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(SEED)
            @examples(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal cases
                cases += 1
                # run() is called below, in this iteration: `excluded` is this operation's
                case.call_and_validate(excluded_checks=excluded)  # noqa: B023

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to negate
            except BaseExceptionGroup as failure:  # every operation tried; all failures reported
                failures.append(f"{operation.label} ({mode.value}): {failure}")
    with capsys.disabled():
        print(f"\nschemathesis: {cases} generated cases in {time.monotonic() - started:.1f} s")
    assert failures == [], "\n\n".join(failures)
    assert cases > 200


# A batch is judged item by item: its items are typed events in the document (so clients
# build them typed), and an invalid one is answered by its index in a 200, never by
# refusing the whole batch (the operation says so). Every other check still holds for it.
# Whether a callback may be called depends on where its host resolves and on the settings
# (the server-side request forgery guard, https outside development), which no schema can
# say: a schema-valid URL may be refused. Whether a forecast or a term risk can be made
# depends on how much history is stored (422 below 24 months, or too few known outcomes),
# which no schema can say either. Every other check holds for them.
PER_ITEM = {
    "POST /events/batch": [negative_data_rejection],
    "POST /subscriptions": [positive_data_acceptance],
    "GET /forecasts/{kpiId}": [positive_data_acceptance],
    "GET /forecasts/{kpiId}/table": [positive_data_acceptance],
    "GET /term-risks": [positive_data_acceptance],
    "GET /term-risks/table": [positive_data_acceptance],
}

PERIODS = (("from", "to"), ("baselineFrom", "baselineTo"), ("openedFrom", "openedTo"),
           ("closedFrom", "closedTo"))  # fmt: skip


def _ordered(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if not values:
        return values
    values = dict(values)
    for first, last in PERIODS:
        a, b = values.get(first), values.get(last)
        if isinstance(a, str) and isinstance(b, str) and a > b:
            values[first], values[last] = b, a
    if isinstance(values.get("groupBy"), str):
        values["groupBy"] = ",".join(dict.fromkeys(values["groupBy"].split(",")))
    return values


def test_chained_operations_answer_as_documented(
    own_database: tuple[Settings, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The stateful phase: sequences of calls along the links schemathesis infers (a posted
    event's trajectoryId into the trajectory and audit reads, a drawn sample's id into
    its read, a created client's id into rotate and revoke)."""
    settings, token = own_database
    schema = _schema(settings, token)
    engine = create_db_engine(settings.database_url, pool_size=1)

    class FromTheSameStart(schema.as_state_machine()):  # type: ignore[misc]
        """Every sequence starts from the same database (the schemathesis client only, its
        token restored): what a sequence created, rotated or revoked is gone, so the links
        offer the same choices each time and hypothesis can replay what it found."""

        def setup(self) -> None:
            restore(engine, token)

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            """Every check, but those PER_ITEM leaves out of an operation (as above)."""
            __tracebackhide__ = True
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=PER_ITEM.get(case.operation.label, []),
                transport_kwargs=kwargs or None,
                recorder=getattr(self, "recorder", None),
            )

    started = time.monotonic()
    machine = FromTheSameStart
    machine.run(
        settings=examples(
            max_examples=30,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
    engine.dispose()
    with capsys.disabled():
        print(f"\nschemathesis stateful: {time.monotonic() - started:.1f} s")


def restore(engine: Engine, token: str) -> None:
    empty_all_tables(engine)
    with engine.begin() as connection:
        connection.execute(delete(ApiClient).where(ApiClient.name != "schemathesis"))
        connection.execute(
            update(ApiClient)
            .where(ApiClient.name == "schemathesis")
            .values(token_sha256=token_hash(token), revoked_at=None, rotated_at=None)
        )


def _offered(case: Any) -> bool:
    kpi = KPIS.get((case.path_parameters or {}).get("kpiId", ""))
    if case.method != "GET" or kpi is None:
        return True
    query = case.query or {}
    # A KPI without breakdowns is not filtered by a trajectory dimension either.
    filters = [name for name in DIMENSIONS if query.get(name) is not None]
    if filters and isinstance(kpi.measure, NO_BREAKDOWN):
        return False
    group_by = query.get("groupBy")
    if not isinstance(group_by, str):
        return True
    names = set(group_by.split(","))
    asks_dimension = bool(names & set(DIMENSIONS))
    asks_series = bool(names & set(TIME_GRAINS))
    return not (asks_dimension and isinstance(kpi.measure, NO_BREAKDOWN)) and not (
        asks_series and isinstance(kpi.measure, NO_TIME_SERIES)
    )
