"""gzip for answers over the threshold when the client asks for it, and only then."""

from __future__ import annotations

import httpx

from gateway.app import create_app
from gateway.config import get_settings
from gateway.vocabulary import Role
from tests.support import UNREACHED_RATE_LIMIT, bearer, issue_token

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


class TestCompression:
    async def test_a_large_answer_is_gzipped_when_asked_and_decodes_to_the_same_bytes(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        plain = await client.get("/api/v3/participants", headers={**bearer(token), **IDENTITY})
        zipped = await client.get("/api/v3/participants", headers={**bearer(token), **GZIP})
        assert plain.status_code == zipped.status_code == 200
        assert "content-encoding" not in plain.headers
        assert plain.num_bytes_downloaded == len(plain.content) > 10_000
        assert zipped.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in zipped.headers["vary"]
        assert zipped.content == plain.content
        assert zipped.num_bytes_downloaded < len(plain.content) / 4

    async def test_an_answer_under_the_threshold_is_sent_as_it_is(self, readonly_db, client):
        response = await client.get("/healthz", headers=GZIP)
        assert "content-encoding" not in response.headers

    async def test_a_metrics_scrape_is_compressed_only_when_it_asks(self, readonly_db, client):
        plain = await client.get("/metrics", headers=IDENTITY)
        assert len(plain.content) > 1024
        assert "content-encoding" not in plain.headers
        assert (await client.get("/metrics", headers=GZIP)).headers["content-encoding"] == "gzip"

    async def test_a_threshold_of_0_turns_compression_off(self, readonly_db, monkeypatch):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        monkeypatch.setenv("GATEWAY_GZIP_MIN_BYTES", "0")
        get_settings.cache_clear()
        try:
            app = create_app(rate_limit=UNREACHED_RATE_LIMIT)
        finally:
            get_settings.cache_clear()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http:
            response = await http.get("/api/v3/participants", headers={**bearer(token), **GZIP})
        assert response.status_code == 200
        assert "content-encoding" not in response.headers
