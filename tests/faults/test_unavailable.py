"""What a client sees when the database cannot be reached at all, on either database kind, and how the
gateway tells a database fault from its own bugs."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from gateway.db.engine import Timeouts, build_engine, set_engine
from gateway.db.faults import is_unavailable
from gateway.domain import delivery_partners
from gateway.sandbox.reference import AMBITION
from tests.support import bearer, issue_token

REST_UNAVAILABLE = {"error": "Service unavailable"}
GRAPHQL_UNAVAILABLE = {"errors": [{"message": "Service unavailable", "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
TIMEOUTS = Timeouts(connect=1.0, pool=1.0, statement=1.0)
UNREACHABLE = {
    "postgresql refusing connections": "postgresql+asyncpg://nobody@127.0.0.1:9/nowhere",
    "sqlite file that cannot be opened": "sqlite+aiosqlite:////nonexistent-directory/gateway.db",
}


@pytest.fixture(params=list(UNREACHABLE), ids=list(UNREACHABLE))
async def unreachable(request):
    engine = build_engine(UNREACHABLE[request.param], timeouts=TIMEOUTS)
    set_engine(engine)
    try:
        yield engine
    finally:
        set_engine(None)
        await engine.dispose()


class TestDatabaseUnreachable:
    async def test_rest_answers_503_with_retry_after_and_keeps_the_connection_open(self, unreachable, client):
        response = await client.get("/api/v3/delivery-partners", headers=bearer("any-token"))

        assert (response.status_code, response.json()) == (503, REST_UNAVAILABLE)
        assert response.headers["retry-after"] == "5"
        assert "connection" not in response.headers

    async def test_graphql_answers_503_in_its_own_format(self, unreachable, client):
        response = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=bearer("any-token"))

        assert (response.status_code, response.json()) == (503, GRAPHQL_UNAVAILABLE)
        assert response.headers["retry-after"] == "5"

    async def test_readyz_answers_503(self, unreachable, client):
        response = await client.get("/readyz")

        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"


class TestUnexpectedError:
    async def test_a_500_says_it_closes_the_connection(self, readonly_db, client, monkeypatch):
        token = await issue_token(readonly_db.engine, lead_provider=AMBITION)

        async def bug(*_args, **_kwargs):
            raise RuntimeError("a bug, not the database")

        monkeypatch.setattr(delivery_partners, "list_delivery_partners", bug)
        response = await client.get("/api/v3/delivery-partners", headers=bearer(token))

        assert response.status_code == 500
        assert response.headers["connection"] == "close"
        assert "a bug" not in response.text


def _wrapped(orig: BaseException) -> OperationalError:
    try:
        raise OperationalError("SELECT 1", {}, orig) from orig
    except OperationalError as exc:
        return exc


class TestWhatCountsAsTheDatabaseAway:
    @pytest.mark.parametrize(
        "error",
        [
            ConnectionRefusedError(111, "Connection refused"),
            TimeoutError(),
            PoolTimeout("QueuePool limit of size 10 overflow 20 reached"),
            asyncpg.CannotConnectNowError("the database system is starting up"),
            asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
            asyncpg.TooManyConnectionsError("sorry, too many clients already"),
            asyncpg.InterfaceError("connection is closed"),
            _wrapped(ConnectionResetError(104, "Connection reset by peer")),
        ],
        ids=repr,
    )
    def test_these_are_faults_of_the_database(self, error):
        assert is_unavailable(error)

    @pytest.mark.parametrize(
        "error",
        [
            RuntimeError("a bug"),
            IntegrityError("INSERT", {}, Exception("duplicate key")),
            asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
            asyncpg.InterfaceError("the server expects 2 arguments for this query, 1 was passed"),
            KeyError("attribute"),
        ],
        ids=repr,
    )
    def test_these_are_not(self, error):
        assert not is_unavailable(error)
