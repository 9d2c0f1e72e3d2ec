"""A client that gives up mid-request (PostgreSQL, through the slowed fault proxy, on `gateway serve`): the
write it started is stored whole or not at all, and sending it again answers 200 with the one row."""

from __future__ import annotations

import asyncio

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
CHUNK_DELAY = 0.2
GIVE_UP_AFTER = [0.3, 0.9, 1.5, 2.1]
"""Moments in the write's database round trips (each takes 0.4 s through the slowed proxy) to hang up at."""
_declarations = Declaration.__table__


async def _rows(engine, training_record_id) -> list[tuple]:
    async with read_connection(engine) as conn:
        return (
            await conn.execute(
                select(_declarations.c.id, _declarations.c.state).where(
                    _declarations.c.training_record_id == training_record_id
                )
            )
        ).all()


async def test_a_write_abandoned_mid_request_is_all_or_nothing_and_its_resubmission_answers_it(sandbox_db, tmp_path):
    token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
    trainees = [await make_trainee(sandbox_db.engine) for _ in GIVE_UP_AFTER]

    with FaultProxy.in_front_of(sandbox_db.url) as proxy:
        async with serving(proxy.url_through(sandbox_db.url), tmp_path, workers=1) as server:
            proxy.slow(CHUNK_DELAY)
            for trainee, seconds in zip(trainees, GIVE_UP_AFTER, strict=True):
                body = {
                    "data": {
                        "type": "participant-declaration",
                        "attributes": trainee.declaration("started", "2025-10-01T10:00:00Z", "other"),
                    }
                }
                async with httpx.AsyncClient(base_url=server.base_url) as impatient:
                    with pytest.raises(httpx.TimeoutException):
                        await impatient.post(DECLARATIONS, json=body, headers=bearer(token), timeout=seconds)
            await asyncio.sleep(3)  # whatever the server was still doing for them is done
            proxy.restore()
            between = [await _rows(sandbox_db.engine, t.training_record_id) for t in trainees]
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
                again = [
                    await http.post(
                        DECLARATIONS,
                        json={
                            "data": {
                                "type": "participant-declaration",
                                "attributes": t.declaration("started", "2025-10-01T10:00:00Z", "other"),
                            }
                        },
                        headers=bearer(token),
                    )
                    for t in trainees
                ]

    assert all(len(rows) <= 1 for rows in between), between
    assert [r.status_code for r in again] == [200] * len(trainees)
    for trainee, response, before in zip(trainees, again, between, strict=True):
        rows = await _rows(sandbox_db.engine, trainee.training_record_id)
        assert [str(row.id) for row in rows] == [response.json()["data"]["id"]]
        assert before in ([], rows)  # a row stored before the resubmission is the one it answered
