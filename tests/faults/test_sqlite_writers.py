"""SQLite, the embedded default, under `gateway serve --workers 2` and 50 concurrent writers: every write is
answered 200 (WAL, a busy timeout, short write transactions, the rate-limit count included), never a 500
or "database is locked"."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from gateway.db.engine import read_connection
from gateway.db.tables import Declaration
from gateway.sandbox.reference import AMBITION
from tests.conftest import IS_POSTGRES
from tests.declaration_scenarios import make_trainee
from tests.faults.servers import serving
from tests.support import bearer, issue_token

pytestmark = pytest.mark.skipif(IS_POSTGRES, reason="SQLite's single writer lock is what is under test")

DECLARATIONS = "/api/v3/participant-declarations"
WRITERS = 50
ROUNDS = 2
REQUEST_SECONDS = 60
_declarations = Declaration.__table__


async def test_fifty_concurrent_writers_on_two_workers_are_all_answered_200(sandbox_db, tmp_path):
    token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
    trainees = [await make_trainee(sandbox_db.engine) for _ in range(WRITERS)]
    await sandbox_db.engine.dispose()  # the servers' workers are the only writers
    bodies = [
        {
            "data": {
                "type": "participant-declaration",
                "attributes": t.declaration("started", "2025-10-01T10:00:00Z", "other"),
            }
        }
        for t in trainees
    ]
    limits = httpx.Limits(max_connections=WRITERS, max_keepalive_connections=WRITERS)

    # The rate limit counted, as in production: each request writes its count before its declaration.
    async with (
        serving(sandbox_db.url, tmp_path, workers=2, rate_limit="100000") as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_SECONDS, limits=limits) as http,
    ):
        rounds = [
            await asyncio.gather(*(http.post(DECLARATIONS, json=body, headers=bearer(token)) for body in bodies))
            for _ in range(ROUNDS)
        ]

    log = server.log()
    assert "database is locked" not in log
    for responses in rounds:
        assert [r.status_code for r in responses] == [200] * WRITERS, [
            r.text for r in responses if r.status_code != 200
        ]
    first, again = rounds
    assert [r.content for r in again] == [r.content for r in first]  # resubmissions answer the same declarations
    async with read_connection(sandbox_db.engine) as conn:
        stored = (
            await conn.execute(
                select(func.count()).where(
                    _declarations.c.training_record_id.in_([t.training_record_id for t in trainees])
                )
            )
        ).scalar_one()
    assert stored == WRITERS
