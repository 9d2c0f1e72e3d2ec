"""Bursts of identical declarations on `gateway serve --workers 2` (PostgreSQL): each one is answered 200
with the same body, however many arrive together and whichever worker takes them, and one row is stored."""

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
from tests.faults.servers import serving
from tests.support import bearer, issue_token

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="two workers racing need PostgreSQL")

DECLARATIONS = "/api/v3/participant-declarations"
BURSTS = 4
IDENTICAL = 50
REQUEST_SECONDS = 30
_declarations = Declaration.__table__


async def test_every_identical_submission_of_a_burst_answers_200_with_the_same_body(sandbox_db, tmp_path):
    token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
    trainees = [await make_trainee(sandbox_db.engine) for _ in range(BURSTS)]
    limits = httpx.Limits(max_connections=IDENTICAL, max_keepalive_connections=IDENTICAL)

    async with (
        serving(sandbox_db.url, tmp_path, workers=2) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_SECONDS, limits=limits) as http,
    ):
        bursts = []
        for trainee in trainees:
            body = {
                "data": {
                    "type": "participant-declaration",
                    "attributes": trainee.declaration("started", "2025-10-01T10:00:00Z", "other"),
                }
            }
            bursts.append(
                await asyncio.gather(
                    *(http.post(DECLARATIONS, json=body, headers=bearer(token)) for _ in range(IDENTICAL))
                )
            )

    for trainee, responses in zip(trainees, bursts, strict=True):
        assert [r.status_code for r in responses] == [200] * IDENTICAL, [
            line for line in server.log().splitlines() if "503" in line or "unavailable" in line
        ][:10]
        assert len({r.content for r in responses}) == 1
        async with read_connection(sandbox_db.engine) as conn:
            stored = (
                await conn.execute(
                    select(_declarations.c.id).where(_declarations.c.training_record_id == trainee.training_record_id)
                )
            ).all()
        assert [str(row.id) for row in stored] == [responses[0].json()["data"]["id"]]
