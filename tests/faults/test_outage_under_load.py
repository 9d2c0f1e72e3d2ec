"""A cut and then a frozen database under a bounded read/write load on `gateway serve --workers 2` (PostgreSQL,
through the fault proxy).

Every request is answered (no reset, no hang past the timeouts): 200, or 503 in its face's format with
``Retry-After``. The gateway recovers by itself, and every declaration it acknowledged is stored, once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select

from gateway.db.engine import read_connection
from gateway.db.tables import Declaration
from gateway.sandbox.reference import AMBITION
from tests.conftest import IS_POSTGRES
from tests.declaration_scenarios import make_trainee
from tests.faults.proxy import FaultProxy
from tests.faults.servers import serving
from tests.support import bearer, issue_token

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="the fault proxy stands in front of PostgreSQL")

DECLARATIONS = "/api/v3/participant-declarations"
GRAPHQL_QUERY = {"query": "{ leadProviders { name } }"}
REST_UNAVAILABLE = {"error": "Service unavailable"}
GRAPHQL_UNAVAILABLE = {"errors": [{"message": "Service unavailable", "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
TRAINEES = 30
READERS = 4
WRITERS = 3
REQUEST_SECONDS = 10
"""Far above the worst wait the server's 1 s timeouts allow: a request past it hung."""
FAULT_SECONDS = 5
"""Longer than the server's longest wait (a 1 s statement timeout, asyncpg giving up 1 s after it)."""
DEADLINE_SECONDS = 60
_declarations = Declaration.__table__


@dataclass
class Observed:
    phase: str = "normal"
    answers: list[tuple[str, str, int]] = field(default_factory=list)
    """(phase, face, status) of every request."""
    wrong_bodies: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    acknowledged: dict[int, str] = field(default_factory=dict)
    """Trainee index to the id of the declaration answered 200."""
    done: bool = False


async def _send(http: httpx.AsyncClient, observed: Observed, face: str, request) -> httpx.Response | None:
    phase = observed.phase
    try:
        response = await request
    except httpx.TransportError as exc:  # a reset, a closed connection, a timeout: not an answer
        observed.unanswered.append(f"{phase} {face}: {type(exc).__name__}")
        return None
    observed.answers.append((phase, face, response.status_code))
    if response.status_code == 503:
        expected = GRAPHQL_UNAVAILABLE if face == "graphql" else REST_UNAVAILABLE
        if response.json() != expected or not response.headers.get("retry-after"):
            observed.wrong_bodies.append(response.text)
    elif response.status_code != 200:
        observed.wrong_bodies.append(f"{response.status_code} {response.text}")
    return response


async def _read(http: httpx.AsyncClient, observed: Observed, headers: dict) -> None:
    turn = 0
    while not observed.done:
        turn += 1
        if turn % 2:
            await _send(http, observed, "rest", http.get(DECLARATIONS, params={"page[per_page]": "5"}, headers=headers))
        else:
            await _send(http, observed, "graphql", http.post("/graphql", json=GRAPHQL_QUERY, headers=headers))
        await asyncio.sleep(0.02)


async def _write(http: httpx.AsyncClient, observed: Observed, headers: dict, queue: asyncio.Queue, trainees) -> None:
    """Declares each trainee taken from the queue; a 503 puts it back, to be sent again later."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            index = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        body = {
            "data": {
                "type": "participant-declaration",
                "attributes": trainees[index].declaration("started", "2025-10-01T10:00:00Z", "other"),
            }
        }
        response = await _send(http, observed, "rest", http.post(DECLARATIONS, json=body, headers=headers))
        if response is not None and response.status_code == 200:
            observed.acknowledged[index] = response.json()["data"]["id"]
        else:
            await queue.put(index)
            await asyncio.sleep(0.2)


async def _faults(proxy: FaultProxy, observed: Observed) -> None:
    for fault, start in (("cut", proxy.cut), ("frozen", proxy.freeze)):
        await asyncio.sleep(1)
        observed.phase = fault
        start()
        await asyncio.sleep(FAULT_SECONDS)
        proxy.restore()
        observed.phase = f"after {fault}"
    await asyncio.sleep(2)
    observed.done = True


async def test_a_cut_and_a_frozen_database_are_answered_503_and_lose_no_acknowledged_write(sandbox_db, tmp_path):
    token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
    trainees = [await make_trainee(sandbox_db.engine) for _ in range(TRAINEES)]
    queue: asyncio.Queue = asyncio.Queue()
    for index in range(TRAINEES):
        queue.put_nowait(index)
    observed = Observed()
    headers = bearer(token)
    timeouts = {"db_timeout": "1", "db_connect_timeout": "1", "db_pool_timeout": "1"}

    with FaultProxy.in_front_of(sandbox_db.url) as proxy:
        async with (
            serving(proxy.url_through(sandbox_db.url), tmp_path, workers=2, **timeouts) as server,
            httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_SECONDS) as http,
        ):
            writers = [_write(http, observed, headers, queue, trainees) for _ in range(WRITERS)]
            readers = [_read(http, observed, headers) for _ in range(READERS)]
            await asyncio.wait_for(asyncio.gather(_faults(proxy, observed), *readers, *writers), DEADLINE_SECONDS + 10)
            recovered = await _send(http, observed, "rest", http.get(DECLARATIONS, headers=headers))

    statuses = Counter((phase, status) for phase, _, status in observed.answers)
    assert observed.unanswered == []
    assert observed.wrong_bodies == []
    assert statuses[("cut", 503)] > 0 and statuses[("frozen", 503)] > 0, statuses
    assert recovered is not None and recovered.status_code == 200
    assert sorted(observed.acknowledged) == list(range(TRAINEES))
    async with read_connection(sandbox_db.engine) as conn:
        for index, trainee in enumerate(trainees):
            stored = (
                await conn.execute(
                    select(_declarations.c.id).where(_declarations.c.training_record_id == trainee.training_record_id)
                )
            ).all()
            assert [str(row.id) for row in stored] == [observed.acknowledged[index]]
