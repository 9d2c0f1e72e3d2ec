"""/metrics: Prometheus' text format, labelled by route template, open to scrapers, off when asked."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from gateway import metrics
from gateway.app import create_app
from gateway.config import get_settings
from gateway.vocabulary import Role
from tests.operations.metrics_scrape import samples, value
from tests.support import bearer, issue_token

REQUESTS = "gateway_http_requests_total"


async def _scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


class TestRequests:
    async def test_requests_are_counted_by_route_template_never_by_raw_path(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        labels = {"route": "/api/v3/delivery-partners/{id}", "method": "GET", "status": "404"}
        before = value(await _scrape(client), REQUESTS, **labels)
        for n in range(3):
            await client.get(f"/api/v3/delivery-partners/00000000-0000-0000-0000-00000000000{n}", headers=bearer(token))
        scraped = await _scrape(client)
        assert value(scraped, REQUESTS, **labels) == before + 3
        assert "00000000-0000" not in scraped
        latency = value(scraped, "gateway_http_request_duration_seconds_count", route=labels["route"], method="GET")
        assert latency >= 3

    async def test_paths_no_route_serves_share_one_label(self, readonly_db, client):
        before = value(await _scrape(client), REQUESTS, route="unmatched", method="GET", status="404")
        await client.get("/wp-login.php")
        await client.get("/.env")
        scraped = await _scrape(client)
        assert value(scraped, REQUESTS, route="unmatched", method="GET", status="404") == before + 2
        assert "wp-login" not in scraped

    async def test_methods_http_does_not_define_share_one_label(self, readonly_db, client):
        before = value(await _scrape(client), REQUESTS, route="unmatched", method="other", status="404")
        for method in ("BREW", "PROPFIND", "X-SCAN-1"):
            await client.request(method, "/nowhere")
        scraped = await _scrape(client)
        assert value(scraped, REQUESTS, route="unmatched", method="other", status="404") == before + 3
        assert "BREW" not in scraped and "X-SCAN-1" not in scraped


class TestOpenToScrapers:
    async def test_metrics_need_no_token_and_are_never_rate_limited(self, readonly_db):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        transport = httpx.ASGITransport(app=create_app(rate_limit=1))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            before = value(await _scrape(http), "gateway_rate_limit_refusals_total", face="rest")
            statuses = [
                (await http.get("/api/v3/delivery-partners", headers=bearer(token))).status_code for _ in range(2)
            ]
            scrapes = [await http.get("/metrics", headers=bearer(token)) for _ in range(5)]
        assert statuses == [200, 429]
        assert [response.status_code for response in scrapes] == [200] * 5
        assert value(scrapes[-1].text, "gateway_rate_limit_refusals_total", face="rest") == before + 1

    async def test_gateway_metrics_0_unmounts_the_route(self, readonly_db, monkeypatch):
        monkeypatch.setenv("GATEWAY_METRICS", "0")
        get_settings.cache_clear()
        try:
            transport = httpx.ASGITransport(app=create_app())
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
                response = await http.get("/metrics")
        finally:
            get_settings.cache_clear()
        assert response.status_code == 404


class TestGraphQL:
    async def test_operations_are_counted_by_name_and_path_and_repeated_plans_hit_the_cache(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        query = "query MetricsYears { cohorts { year } }"
        before = await _scrape(client)
        for _ in range(3):
            await client.post("/graphql", json={"query": query}, headers=bearer(token))
        await client.post("/graphql", json={"query": "query MetricsIntro { __schema { queryType { name } } }"},
                          headers=bearer(token))  # fmt: skip
        after = await _scrape(client)

        def grew(name: str, **labels: str) -> float:
            return value(after, name, **labels) - value(before, name, **labels)

        operations = "gateway_graphql_operations_total"
        assert grew(operations, operation="MetricsYears", execution_path="compiled") == 3
        assert grew(operations, operation="MetricsIntro", execution_path="normal") == 1
        # One plan built per document (the introspection one remembered as not compilable), then reused.
        assert grew("gateway_compiled_plan_cache_lookups_total", result="miss") == 2
        assert grew("gateway_compiled_plan_cache_lookups_total", result="hit") == 2

    async def test_a_refusal_is_counted_by_the_limit_that_refused(self, readonly_db, client):
        before = value(await _scrape(client), "gateway_graphql_refusals_total", limit="depth")
        metrics.graphql_refused("depth")
        assert value(await _scrape(client), "gateway_graphql_refusals_total", limit="depth") == before + 1

    def test_past_the_bound_new_operation_names_count_as_other(self, monkeypatch):
        monkeypatch.setattr(metrics, "_operation_names", set())
        monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)
        assert [metrics.operation_label(name) for name in ("A", "B", "C", "A", None)] == [
            "A", "B", "other", "A", "anonymous",
        ]  # fmt: skip


class TestDatabasePool:
    async def test_connections_in_use_and_callers_waiting_are_gauged(self, readonly_db):
        engine = create_async_engine(readonly_db.url, pool_size=1, max_overflow=0)
        metrics.watch_pool(engine.sync_engine.pool)

        def gauges() -> tuple[float, float]:
            found = samples(metrics.exposition().decode())
            return (
                found[("gateway_db_pool_connections_in_use", frozenset())],
                found[("gateway_db_pool_waiting", frozenset())],
            )

        in_use, waiting = gauges()
        try:
            held = await engine.connect().start()
            assert gauges() == (in_use + 1, waiting)
            second = asyncio.create_task(engine.connect().start())
            for _ in range(200):
                await asyncio.sleep(0.01)
                if gauges()[1] == waiting + 1:
                    break
            assert gauges() == (in_use + 1, waiting + 1)
            await held.close()
            await (await second).close()
            assert gauges() == (in_use, waiting)
        finally:
            await engine.dispose()


@pytest.fixture(autouse=True)
def _settings_untouched():
    yield
    get_settings.cache_clear()
