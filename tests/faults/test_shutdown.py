"""Graceful shutdown of `gateway serve --workers 2` (PostgreSQL, through the fault proxy slowed down so that
requests are still in flight): SIGTERM lets them finish with their answers, and refuses new connections."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.sandbox.reference import AMBITION
from tests.conftest import IS_POSTGRES
from tests.faults.proxy import FaultProxy
from tests.faults.servers import STOP_SECONDS, serving
from tests.support import bearer, issue_token

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="the fault proxy stands in front of PostgreSQL")

DECLARATIONS = "/api/v3/participant-declarations"
IN_FLIGHT = 4
CHUNK_DELAY = 0.3
"""Each round trip to the database then takes 0.6 s: a request is in flight for a few seconds."""


async def test_sigterm_finishes_the_requests_in_flight_and_refuses_new_ones(sandbox_db, tmp_path):
    token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)

    with FaultProxy.in_front_of(sandbox_db.url) as proxy:
        async with (
            serving(proxy.url_through(sandbox_db.url), tmp_path, workers=2) as server,
            httpx.AsyncClient(base_url=server.base_url, timeout=30) as http,
        ):
            assert (await http.get(DECLARATIONS, headers=bearer(token))).status_code == 200
            proxy.slow(CHUNK_DELAY)
            clients = [httpx.AsyncClient(base_url=server.base_url, timeout=30) for _ in range(IN_FLIGHT)]
            in_flight = [asyncio.create_task(c.get(DECLARATIONS, headers=bearer(token))) for c in clients]
            await asyncio.sleep(0.5)
            server.terminate()
            await asyncio.sleep(1.0)
            with pytest.raises(httpx.ConnectError):
                async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as late:
                    await late.get("/healthz")
            try:
                answers = await asyncio.wait_for(asyncio.gather(*in_flight), 30)
            finally:
                for c in clients:
                    await c.aclose()
            exit_code = await asyncio.to_thread(server.process.wait, STOP_SECONDS)

    assert [r.status_code for r in answers] == [200] * IN_FLIGHT
    assert exit_code == 0
