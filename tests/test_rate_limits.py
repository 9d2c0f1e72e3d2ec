"""The published rate limit (domain.md section 2): requests per token and five-minute window, 429 past it.

The app under test allows 3 requests per window. The real clock the window reads is replaced by a fixed
moment, so the window's end (and ``Retry-After``) is exact and moving to the next window needs no sleep.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from alembic import command
from sqlalchemy import select, text

from gateway.app import create_app
from gateway.config import get_settings
from gateway.db.engine import read_connection, write_transaction
from gateway.db.migrate import alembic_config
from gateway.db.tables import RequestCount
from gateway.domain import rate_limits, tokens
from gateway.rest.openapi import OPENAPI_PATH, operations, served_document
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION
from gateway.vocabulary import Role
from tests.database_state import database_state
from tests.rest.openapi_validation import ResponseValidator
from tests.support import bearer, issue_token
from tests.write_action_cases import AMBITION_PARTNER

LIMIT = 3
# 2 minutes 30 seconds into the window that starts at 10:00.
NOW = datetime(2026, 11, 23, 10, 2, 30, tzinfo=UTC)
SECONDS_LEFT = 150
REST_PATH = "/api/v3/delivery-partners"
QUERY = {"query": "{ cohorts { year } }"}
REST_THROTTLED = {"error": "Retry later"}
GRAPHQL_THROTTLED = {"errors": [{"message": "Retry later", "extensions": {"code": "RATE_LIMITED"}}]}
CREATE_PARTNERSHIP = (
    "mutation($input: CreatePartnershipInput!) { createPartnership(input: $input) { partnership { id } } }"
)

_counts = RequestCount.__table__


class Clock:
    """The real clock as the rate limit reads it, held still at a moment the test moves."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def real_clock(monkeypatch) -> Clock:
    clock = Clock(NOW)
    monkeypatch.setattr(rate_limits, "real_now", clock)
    return clock


async def _client(rate_limit: int):
    transport = httpx.ASGITransport(app=create_app(rate_limit=rate_limit), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        yield http


@pytest.fixture
async def limited(real_clock):
    """A client on an app that allows LIMIT requests per token and window."""
    async for http in _client(LIMIT):
        yield http


async def _analyst(db) -> dict[str, str]:
    return bearer(await issue_token(db.engine, role=Role.ANALYST))


async def _use_up(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for _ in range(LIMIT):
        assert (await client.get(REST_PATH, headers=headers)).status_code == 200


async def _rows(db) -> list[tuple]:
    async with read_connection(db.engine) as conn:
        return [
            tuple(row)
            for row in await conn.execute(select(_counts.c.count, _counts.c.window_start).order_by(_counts.c.count))
        ]


class TestOverTheLimit:
    async def test_rest_answers_429_retry_later_with_the_seconds_until_the_window_ends(self, readonly_db, limited):
        headers = await _analyst(readonly_db)
        await _use_up(limited, headers)

        response = await limited.get(REST_PATH, headers=headers)

        assert response.status_code == 429
        assert response.headers["content-type"] == "application/json"
        assert response.headers["retry-after"] == str(SECONDS_LEFT)
        assert response.json() == REST_THROTTLED

    async def test_graphql_answers_429_with_a_rate_limited_error(self, readonly_db, limited):
        headers = await _analyst(readonly_db)
        for _ in range(LIMIT):
            assert "errors" not in (await limited.post("/graphql", json=QUERY, headers=headers)).json()

        response = await limited.post("/graphql", json=QUERY, headers=headers)

        assert response.status_code == 429
        assert response.headers["retry-after"] == str(SECONDS_LEFT)
        assert response.json() == GRAPHQL_THROTTLED

    async def test_graphql_over_get_is_counted_and_throttled_too(self, readonly_db, limited):
        headers = await _analyst(readonly_db)
        await _use_up(limited, headers)

        response = await limited.get("/graphql", params=QUERY, headers=headers)

        assert (response.status_code, response.json()) == (429, GRAPHQL_THROTTLED)

    async def test_both_faces_count_against_one_allowance(self, readonly_db, limited):
        headers = await _analyst(readonly_db)
        assert (await limited.get(REST_PATH, headers=headers)).status_code == 200
        assert (await limited.post("/graphql", json=QUERY, headers=headers)).status_code == 200
        assert (await limited.get(REST_PATH, headers=headers)).status_code == 200

        assert (await limited.post("/graphql", json=QUERY, headers=headers)).status_code == 429
        assert (await limited.get(REST_PATH, headers=headers)).status_code == 429

    async def test_retry_after_counts_down_to_the_end_of_the_window(self, readonly_db, limited, real_clock):
        headers = await _analyst(readonly_db)
        await _use_up(limited, headers)
        real_clock.moment = NOW + timedelta(minutes=2, seconds=29, milliseconds=500)

        response = await limited.get(REST_PATH, headers=headers)

        assert (response.status_code, response.headers["retry-after"]) == (429, "1")

    @pytest.mark.parametrize(
        ("left", "retry_after"),
        [
            (timedelta(seconds=150), "150"),  # on the second: no rounding at all
            (timedelta(seconds=149, microseconds=999_999), "150"),  # a hair under: rounded up, not down
            (timedelta(seconds=149, milliseconds=700), "150"),  # more than half: up (as rounding would)
            (timedelta(seconds=149, milliseconds=200), "150"),  # less than half: still up (rounding would go down)
            (timedelta(seconds=150, milliseconds=500), "151"),  # a half: up (banker's rounding would go to 150)
            (timedelta(microseconds=1), "1"),  # the window's last instant
        ],
        ids=str,
    )
    async def test_retry_after_is_the_seconds_left_rounded_up_at_a_fractional_moment(
        self, readonly_db, limited, real_clock, left, retry_after
    ):
        # A client waiting the whole seconds it is told must find the window over; a second less would not do.
        window_ends = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
        headers = await _analyst(readonly_db)
        await _use_up(limited, headers)
        real_clock.moment = window_ends - left

        response = await limited.get(REST_PATH, headers=headers)

        assert (response.status_code, response.headers["retry-after"]) == (429, retry_after)
        real_clock.moment = window_ends - left + timedelta(seconds=int(retry_after))
        assert (await limited.get(REST_PATH, headers=headers)).status_code == 200

    async def test_a_second_token_is_unaffected(self, readonly_db, limited):
        throttled = await _analyst(readonly_db)
        await _use_up(limited, throttled)
        assert (await limited.get(REST_PATH, headers=throttled)).status_code == 429

        other = await _analyst(readonly_db)
        assert [(await limited.get(REST_PATH, headers=other)).status_code for _ in range(LIMIT)] == [200] * LIMIT

    async def test_the_next_window_starts_afresh(self, readonly_db, limited, real_clock):
        headers = await _analyst(readonly_db)
        await _use_up(limited, headers)
        assert (await limited.get(REST_PATH, headers=headers)).status_code == 429

        real_clock.moment = NOW.replace(minute=5, second=0)

        assert [(await limited.get(REST_PATH, headers=headers)).status_code for _ in range(LIMIT + 1)] == [
            200
        ] * LIMIT + [429]

    async def test_sandbox_time_travel_does_not_reach_another_window(self, readonly_db, limited):
        headers = await _analyst(readonly_db)
        await _use_up(limited, headers)

        response = await limited.get(REST_PATH, headers={**headers, "X-With-Server-Date": "2030-01-01T00:00:00Z"})

        assert response.status_code == 429


class TestThrottledWrites:
    async def test_a_throttled_post_writes_nothing(self, sandbox_db, limited):
        headers = bearer(await issue_token(sandbox_db.engine, lead_provider=AMBITION))
        await _use_up(limited, headers)
        before = await database_state(sandbox_db.engine)
        attributes = {
            "cohort": "2025",
            "school_id": str(case_id(Case.UNPARTNERED_ELIGIBLE_SCHOOL)),
            "delivery_partner_id": str(AMBITION_PARTNER),
        }

        response = await limited.post(
            "/api/v3/partnerships",
            json={"data": {"type": "ecf-partnership", "attributes": attributes}},
            headers=headers,
        )

        assert (response.status_code, response.json()) == (429, REST_THROTTLED)
        assert await database_state(sandbox_db.engine) == before

    async def test_a_throttled_mutation_writes_nothing(self, sandbox_db, limited):
        headers = bearer(await issue_token(sandbox_db.engine, lead_provider=AMBITION))
        await _use_up(limited, headers)
        before = await database_state(sandbox_db.engine)
        variables = {
            "input": {
                "cohort": "2025",
                "schoolId": str(case_id(Case.UNPARTNERED_ELIGIBLE_SCHOOL)),
                "deliveryPartnerId": str(AMBITION_PARTNER),
            }
        }

        response = await limited.post(
            "/graphql", json={"query": CREATE_PARTNERSHIP, "variables": variables}, headers=headers
        )

        assert (response.status_code, response.json()) == (429, GRAPHQL_THROTTLED)
        assert await database_state(sandbox_db.engine) == before


class TestNotCounted:
    @pytest.mark.parametrize("path", ["/healthz", "/readyz", OPENAPI_PATH])
    async def test_public_paths_are_not_counted_even_with_a_token(self, readonly_db, limited, path):
        headers = await _analyst(readonly_db)
        for _ in range(LIMIT + 1):
            assert (await limited.get(path, headers=headers)).status_code == 200

        await _use_up(limited, headers)

    async def test_requests_refused_401_are_not_counted_and_write_nothing(self, empty_db, limited):
        for headers in ({}, bearer("not-a-token")):
            for _ in range(LIMIT + 1):
                assert (await limited.get(REST_PATH, headers=headers)).status_code == 401
                assert (await limited.post("/graphql", json=QUERY, headers=headers)).status_code == 401

        assert await _rows(empty_db) == []

    async def test_a_limit_of_zero_counts_nothing(self, empty_db):
        headers = await _analyst(empty_db)
        async for unlimited in _client(0):
            assert [(await unlimited.get(REST_PATH, headers=headers)).status_code for _ in range(LIMIT + 2)] == [
                200
            ] * (LIMIT + 2)

        assert await _rows(empty_db) == []


class TestCounting:
    async def test_one_row_per_token_holds_the_current_window(self, empty_db, limited, real_clock):
        headers = await _analyst(empty_db)
        await _use_up(limited, headers)
        real_clock.moment = NOW + timedelta(minutes=5)
        await limited.get(REST_PATH, headers=headers)

        assert await _rows(empty_db) == [(1, datetime(2026, 11, 23, 10, 5, tzinfo=UTC))]

    async def test_concurrent_requests_of_one_token_are_each_counted_once(self, empty_db, real_clock):
        headers = await _analyst(empty_db)
        racers = 20
        async for allowing_half in _client(racers // 2):
            responses = await asyncio.gather(*(allowing_half.get(REST_PATH, headers=headers) for _ in range(racers)))

        assert sorted(r.status_code for r in responses) == [200] * (racers // 2) + [429] * (racers // 2)
        assert await _rows(empty_db) == [(racers, rate_limits.window_start(NOW))]

    async def test_a_lagging_clock_counts_in_the_window_already_begun(self, empty_db):
        token = await issue_token(empty_db.engine, role=Role.ANALYST)
        async with read_connection(empty_db.engine) as conn:
            await rate_limits.authenticate_and_count(conn, token, limit=LIMIT, at=NOW + timedelta(minutes=5))
            _caller, counted = await rate_limits.authenticate_and_count(conn, token, limit=LIMIT, at=NOW)

        assert counted.count == 2
        assert counted.window_ends_at == datetime(2026, 11, 23, 10, 10, tzinfo=UTC)

    async def test_the_counted_caller_is_the_tokens(self, readonly_db):
        token = await issue_token(readonly_db.engine, lead_provider=AMBITION)
        async with read_connection(readonly_db.engine) as conn:
            caller, _counted = await rate_limits.authenticate_and_count(conn, token, limit=LIMIT, at=NOW)
            assert caller == await tokens.authenticate(conn, token)
        assert caller.lead_provider_name == AMBITION

    def test_windows_are_aligned_on_five_minutes(self):
        assert rate_limits.window_start(NOW) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
        assert rate_limits.window_start(NOW.replace(minute=4, second=59, microsecond=999999)).minute == 0
        assert rate_limits.window_start(NOW.replace(minute=5, second=0)).minute == 5


class TestSetting:
    @pytest.mark.parametrize(("value", "limit"), [(None, 1000), ("0", 0), ("25", 25)])
    def test_gateway_rate_limit_sets_the_requests_per_window(self, monkeypatch, value, limit):
        if value is None:
            monkeypatch.delenv("GATEWAY_RATE_LIMIT", raising=False)
        else:
            monkeypatch.setenv("GATEWAY_RATE_LIMIT", value)
        get_settings.cache_clear()
        try:
            assert get_settings().rate_limit == limit
        finally:
            get_settings.cache_clear()

    @pytest.mark.parametrize("value", ["-1", "lots"])
    def test_a_limit_that_is_not_a_whole_number_stops_the_start(self, monkeypatch, value):
        monkeypatch.setenv("GATEWAY_RATE_LIMIT", value)
        get_settings.cache_clear()
        try:
            with pytest.raises(SystemExit, match="GATEWAY_RATE_LIMIT"):
                get_settings()
        finally:
            get_settings.cache_clear()


class TestServedDocument:
    def test_every_operation_that_needs_a_token_documents_429_with_retry_after(self):
        for path, method, operation in operations(served_document()["paths"]):
            responses = operation["responses"]
            assert ("429" in responses) == (path != OPENAPI_PATH), (method, path)
            if path != OPENAPI_PATH:
                assert "Retry-After" in responses["429"]["headers"]

    async def test_the_429_body_validates_against_the_served_document(self, readonly_db, limited):
        headers = await _analyst(readonly_db)
        await _use_up(limited, headers)
        body = (await limited.get(REST_PATH, headers=headers)).json()

        validator = ResponseValidator(served_document())
        assert validator.errors(REST_PATH, body, status="429") == []
        assert validator.errors(REST_PATH, {"error": "Slow down"}, status="429") != []


class TestMigration:
    async def test_the_table_comes_and_goes_with_its_migration(self, empty_db):
        def migrate(connection, direction, revision) -> None:
            config = alembic_config(empty_db.url)
            config.attributes["connection"] = connection
            direction(config, revision)

        async def has_table() -> bool:
            async with empty_db.engine.connect() as conn:
                return await conn.run_sync(lambda sync: sync.dialect.has_table(sync, "request_counts"))

        async with write_transaction(empty_db.engine) as conn:
            await conn.run_sync(migrate, command.downgrade, "0001")
        assert not await has_table()
        async with write_transaction(empty_db.engine) as conn:
            await conn.run_sync(migrate, command.upgrade, "head")
        assert await has_table()

    async def test_postgresql_keeps_the_counts_out_of_the_write_ahead_log(self, empty_db):
        if not empty_db.is_postgres:
            pytest.skip("UNLOGGED is PostgreSQL's")
        async with read_connection(empty_db.engine) as conn:
            persistence = await conn.scalar(
                text("SELECT relpersistence::text FROM pg_class WHERE relname = 'request_counts'")
            )
        assert persistence == "u"
