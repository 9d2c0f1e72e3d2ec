"""The database away, through the fault proxy (PostgreSQL): 503 in each face's format, bounded waits, healing.

The app runs in-process on an engine that reaches the test's database through ``FaultProxy`` with short
timeouts, so a cut or a frozen database is answered within seconds; the shared PostgreSQL server itself
is never stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db.engine import Timeouts, build_engine, read_connection, set_engine
from gateway.db.tables import Declaration
from gateway.domain import lead_providers
from gateway.sandbox.reference import AMBITION
from tests.conftest import IS_POSTGRES
from tests.declaration_scenarios import make_trainee
from tests.faults.proxy import FaultProxy
from tests.support import bearer, issue_token

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="the fault proxy stands in front of PostgreSQL")

TIMEOUTS = Timeouts(connect=1.0, pool=1.0, statement=1.0)
ANSWERED_WITHIN = 8.0
"""Far above the worst wait the timeouts allow (about 2 s): a request past it hung."""
REST_UNAVAILABLE = {"error": "Service unavailable"}
GRAPHQL_UNAVAILABLE = {"errors": [{"message": "Service unavailable", "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
DECLARATIONS = "/api/v3/participant-declarations"
LEAD_PROVIDERS = {"query": "{ leadProviders { name } }"}
_declarations = Declaration.__table__


@dataclass
class Proxied:
    proxy: FaultProxy
    engine: AsyncEngine
    token: str


@pytest.fixture
async def proxied(sandbox_db) -> AsyncIterator[Proxied]:
    token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
    with FaultProxy.in_front_of(sandbox_db.url) as proxy:
        engine = build_engine(proxy.url_through(sandbox_db.url), timeouts=TIMEOUTS)
        set_engine(engine)
        try:
            yield Proxied(proxy, engine, token)
        finally:
            proxy.restore()
            set_engine(sandbox_db.engine)
            await engine.dispose()


async def answered(request):
    return await asyncio.wait_for(request, ANSWERED_WITHIN)


class TestCutDatabase:
    async def test_rest_answers_503_with_retry_after_and_recovers_when_the_database_is_back(self, proxied, client):
        assert (await client.get(DECLARATIONS, headers=bearer(proxied.token))).status_code == 200
        proxied.proxy.cut()

        refused = [await answered(client.get(DECLARATIONS, headers=bearer(proxied.token))) for _ in range(3)]
        proxied.proxy.restore()
        recovered = [await answered(client.get(DECLARATIONS, headers=bearer(proxied.token))) for _ in range(3)]

        assert [(r.status_code, r.json(), r.headers.get("retry-after")) for r in refused] == [
            (503, REST_UNAVAILABLE, "5")
        ] * 3
        assert [r.status_code for r in recovered] == [200] * 3

    async def test_graphql_answers_503_in_its_own_format(self, proxied, client):
        proxied.proxy.cut()

        response = await answered(client.post("/graphql", json=LEAD_PROVIDERS, headers=bearer(proxied.token)))

        assert (response.status_code, response.json(), response.headers["retry-after"]) == (
            503,
            GRAPHQL_UNAVAILABLE,
            "5",
        )


class TestFrozenDatabase:
    async def test_requests_are_answered_503_within_the_timeouts_and_the_pool_heals(self, proxied, client):
        warm = await asyncio.gather(*(client.get(DECLARATIONS, headers=bearer(proxied.token)) for _ in range(4)))
        assert [r.status_code for r in warm] == [200] * 4  # pooled connections that the freeze will strand
        proxied.proxy.freeze()

        frozen = await answered(
            asyncio.gather(*(client.get(DECLARATIONS, headers=bearer(proxied.token)) for _ in range(6)))
        )
        proxied.proxy.restore()
        recovered = [await answered(client.get(DECLARATIONS, headers=bearer(proxied.token))) for _ in range(6)]

        assert [(r.status_code, r.json()) for r in frozen] == [(503, REST_UNAVAILABLE)] * 6
        assert [r.status_code for r in recovered] == [200] * 6

    async def test_readyz_answers_503_within_two_seconds(self, proxied, client):
        assert (await client.get("/readyz")).status_code == 200
        proxied.proxy.freeze()

        response = await asyncio.wait_for(client.get("/readyz"), 2.0)

        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"

    async def test_a_declaration_refused_503_is_wholly_absent_or_present_and_its_resubmission_answers_it(
        self, proxied, client, sandbox_db
    ):
        ect = await make_trainee(sandbox_db.engine)
        body = {
            "data": {
                "type": "participant-declaration",
                "attributes": ect.declaration("started", "2025-10-01T10:00:00Z", "other"),
            }
        }
        proxied.proxy.freeze()

        during = await answered(client.post(DECLARATIONS, json=body, headers=bearer(proxied.token)))
        proxied.proxy.restore()
        after = [await answered(client.post(DECLARATIONS, json=body, headers=bearer(proxied.token))) for _ in range(2)]

        assert (during.status_code, during.json()) == (503, REST_UNAVAILABLE)
        assert [r.status_code for r in after] == [200, 200]
        assert after[0].content == after[1].content
        async with read_connection(sandbox_db.engine) as conn:
            rows = (
                await conn.execute(
                    select(func.count()).where(_declarations.c.training_record_id == ect.training_record_id)
                )
            ).scalar_one()
        assert rows == 1


class TestFaultInsideAResolver:
    async def test_graphql_answers_the_503_not_a_masked_internal_error(self, readonly_db, client, monkeypatch):
        token = await issue_token(readonly_db.engine, lead_provider=AMBITION)

        async def connection_reset(*_args, **_kwargs):
            raise OperationalError("SELECT lead_providers.name", {}, ConnectionResetError("Connection reset by peer"))

        monkeypatch.setattr(lead_providers, "list_lead_providers", connection_reset)
        response = await client.post("/graphql", json=LEAD_PROVIDERS, headers=bearer(token))

        assert (response.status_code, response.json()) == (503, GRAPHQL_UNAVAILABLE)
