"""A request past its wall-clock budget is cancelled, answered 503, and its statement stops on PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app import create_app
from gateway.db.engine import read_connection
from gateway.request_budget import RequestBudgetMiddleware
from tests.conftest import IS_POSTGRES

BUDGET = 0.5
SLEEP_MARK = "request_budget_probe"


async def _slow(request):
    """A request whose statement outlasts any budget: 30 s of pg_sleep, or of waiting on SQLite."""
    async with read_connection() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"SELECT pg_sleep(30) /* {SLEEP_MARK} */"))
        else:
            await asyncio.sleep(30)
    return JSONResponse({"finished": True})


async def _fast(request):
    return JSONResponse({"finished": True})


def _app() -> Starlette:
    routes = [Route("/graphql", _slow, methods=["POST"]), Route("/api/v3/slow", _slow), Route("/api/v3/fast", _fast)]
    return Starlette(routes=routes, middleware=[Middleware(RequestBudgetMiddleware, seconds=BUDGET)])


@pytest.fixture
async def budget_client():
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        yield http


async def _still_sleeping(engine) -> int:
    async with read_connection(engine) as conn:
        return (
            await conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE :mark "
                    "AND pid <> pg_backend_pid()"
                ),
                {"mark": f"%{SLEEP_MARK}%"},
            )
        ).scalar_one()


class TestRequestBudget:
    async def test_a_rest_request_past_its_budget_is_a_503_with_a_json_body(self, empty_db, budget_client):
        response = await budget_client.get("/api/v3/slow")

        assert response.status_code == 503
        assert response.json() == {"error": "Request timed out"}
        assert response.headers["retry-after"] == "1"

    async def test_a_graphql_request_past_its_budget_answers_a_timeout_error(self, empty_db, budget_client):
        response = await budget_client.post("/graphql", json={"query": "{ me { role } }"})

        assert response.status_code == 503
        assert response.json() == {"errors": [{"message": "Request timed out", "extensions": {"code": "TIMEOUT"}}]}

    async def test_a_request_within_its_budget_is_untouched(self, empty_db, budget_client):
        response = await budget_client.get("/api/v3/fast")

        assert response.status_code == 200
        assert response.json() == {"finished": True}

    @pytest.mark.skipif(not IS_POSTGRES, reason="pg_stat_activity is PostgreSQL's")
    async def test_the_cancelled_requests_statement_no_longer_runs_on_postgresql(self, empty_db, budget_client):
        response = await budget_client.get("/api/v3/slow")
        assert response.status_code == 503

        # PostgreSQL handles the cancel request asynchronously: give it a bounded moment, far below the 30 s sleep.
        for _ in range(50):
            if await _still_sleeping(empty_db.engine) == 0:
                break
            await asyncio.sleep(0.1)
        assert await _still_sleeping(empty_db.engine) == 0

        # The connection that ran it went back to the pool usable, or was replaced.
        async with read_connection() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1

    async def test_the_app_has_the_budget_of_its_setting(self):
        app = create_app()
        assert any(m.cls is RequestBudgetMiddleware and m.kwargs["seconds"] == 30.0 for m in app.user_middleware)
