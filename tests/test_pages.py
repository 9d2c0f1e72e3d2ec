"""The browser pages as HTTP sees them: what they load, how long browsers keep it, and the headers that hold them
to the gateway's own origin. (tests/browser drives them in Chromium.)"""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path

import orjson
import pytest
from graphql import parse, validate

from gateway.graphql.schema import schema
from gateway.pages import documents_block
from gateway.rest.documents import OPENAPI_DOCUMENTS
from gateway.vocabulary import Role
from tests.support import bearer, issue_token

PAGES = ["/graphql", "/api/docs"]
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "frontend" / "src" / "examples").glob("*.graphql"))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script" and "src" not in dict(attrs):
            self.inline_scripts.append(dict(attrs))


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("path", PAGES)
class TestPages:
    async def test_the_page_opens_in_a_browser_without_a_token(self, readonly_db, client, path):
        response = await client.get(path, headers=BROWSER)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"

    async def test_every_script_and_style_sheet_is_a_hashed_file_of_the_gateway(self, readonly_db, client, path):
        page = (await client.get(path, headers=BROWSER)).text
        loaded = [attrs.get("src") or attrs.get("href") for tag, attrs in _tags(page).tags if tag in ("script", "link")]
        loaded = [url for url in loaded if url]
        assert loaded and all(re.fullmatch(r"/static/assets/[\w.-]+-[\w-]{8}\.(js|css)", url) for url in loaded)
        for url in loaded:
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert asset.headers["x-content-type-options"] == "nosniff"

    async def test_no_script_runs_inline(self, readonly_db, client, path):
        page = (await client.get(path, headers=BROWSER)).text
        assert all(attrs.get("type") == "application/json" for attrs in _tags(page).inline_scripts)

    async def test_the_policy_allows_the_gateways_origin_only_and_no_framing(self, readonly_db, client, path):
        response = await client.get(path, headers=BROWSER)
        policy = _directives(response.headers["content-security-policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert not any(
            "unsafe-eval" in value or "http" in value or value == "*" for v in policy.values() for value in v
        )
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"


class TestGraphiQL:
    async def test_browsers_get_the_gateways_graphiql_not_strawberrys_cdn_page(self, readonly_db, client):
        page = (await client.get("/graphql", headers=BROWSER)).text
        assert 'id="graphiql"' in page
        assert "unpkg.com" not in page and "https://" not in page

    async def test_a_get_without_a_query_and_with_any_accept_answers_json_not_a_page(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        response = await client.get("/graphql", headers={"Accept": "*/*", **bearer(token)})
        # Strawberry would answer its stock GraphiQL page (scripts from a CDN) to any GET without a query.
        assert response.headers["content-type"].startswith("application/json")
        assert response.status_code == 400  # GraphQL over HTTP: a request with no query is a request error
        assert response.json()["errors"] and "data" not in response.json()

    @pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
    def test_every_example_document_is_valid_against_the_schema(self, example):
        assert validate(schema._schema, parse(example.read_text())) == []


class TestApiDocs:
    async def test_the_page_lists_every_served_openapi_document(self, readonly_db, client):
        page = (await client.get("/api/docs")).text
        block = re.search(r'<script type="application/json" id="openapi-documents">(.*?)</script>', page, re.S)
        assert orjson.loads(block.group(1)) == [{"name": name, "url": url} for name, url in OPENAPI_DOCUMENTS]

    async def test_every_listed_document_is_served_without_a_token(self, readonly_db, client):
        for _name, url in OPENAPI_DOCUMENTS:
            response = await client.get(url)
            assert response.status_code == 200, url
            assert response.json()["paths"]

    def test_a_document_name_cannot_end_the_data_block_early(self):
        block = documents_block([("</script><script>alert(1)</script>", "/x")])
        assert "</script>" not in block
        assert orjson.loads(block) == [{"name": "</script><script>alert(1)</script>", "url": "/x"}]


class TestStaticFiles:
    async def test_an_unknown_asset_answers_the_json_404(self, readonly_db, client):
        response = await client.get("/static/assets/missing-00000000.js")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")


class TestApiResponses:
    @pytest.mark.parametrize("path", ["/api/v3/delivery-partners", "/api/v3/openapi.json", "/healthz", "/nowhere"])
    async def test_api_responses_say_nosniff_too(self, readonly_db, client, path):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        for headers in ({}, bearer(token)):
            response = await client.get(path, headers=headers)
            assert response.headers["x-content-type-options"] == "nosniff", (path, response.status_code)

    async def test_a_graphql_answer_says_nosniff(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        response = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=bearer(token))
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"


class TestPackaging:
    def test_every_built_file_is_package_data_so_pip_install_ships_it(self):
        root = Path(__file__).resolve().parents[1]
        patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["gateway"]
        built = [
            path.relative_to(root / "gateway").as_posix()
            for folder in ("pages", "static")
            for path in (root / "gateway" / folder).rglob("*")
            if path.is_file()
        ]
        assert built
        assert [file for file in built if not any(fnmatch(file, pattern) for pattern in patterns)] == []
