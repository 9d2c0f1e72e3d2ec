"""The browser pages: GraphiQL for analysts (``GET /graphql`` from a browser) and the REST API docs (``GET /api/docs``).

Both are HTML files built from ``frontend/`` (``npm --prefix frontend ci && npm --prefix frontend run build``)
into ``pages/``; their scripts, styles, fonts and workers are in ``static/`` under content-hashed names, so
they are served with a year-long, immutable cache lifetime, while a page itself is revalidated on every
visit (a new build changes the names it refers to). Nothing they load comes from another origin; the
security headers of gateway/security_headers.py hold them to that.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib.resources import files

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.rest.documents import OPENAPI_DOCUMENTS

STATIC_PREFIX = "/static"
DOCS_PATH = "/api/docs"
PAGE_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=31536000, immutable"
DOCUMENTS_PLACEHOLDER = "__OPENAPI_DOCUMENTS__"


def _page(name: str) -> str:
    return (files("gateway") / "pages" / name).read_text(encoding="utf-8")


def _html(body: str) -> Response:
    return HTMLResponse(body, headers={"Cache-Control": PAGE_CACHE})


@functools.cache
def _graphiql_body() -> str:
    return _page("graphiql.html")


def graphiql_page() -> Response:
    """The GraphiQL page: an ASGI response, for the /graphql endpoint to answer browsers with."""
    return _html(_graphiql_body())


def documents_block(documents: Sequence[tuple[str, str]]) -> str:
    """The served OpenAPI documents as the JSON of the docs page's data block (``</script>`` cannot end it early)."""
    listed = [{"name": name, "url": url} for name, url in documents]
    return orjson.dumps(listed).decode().replace("<", "\\u003c")


def api_docs_endpoint(documents: Sequence[tuple[str, str]]):
    """GET /api/docs: Swagger UI over every (name, path) OpenAPI document the gateway serves."""
    body = _page("api-docs.html").replace(DOCUMENTS_PLACEHOLDER, documents_block(documents))

    async def api_docs(_request: Request) -> Response:
        return _html(body)

    return api_docs


class HashedStaticFiles(StaticFiles):
    """The built assets: every name carries its content's hash, so a browser may keep a copy for a year."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = ASSET_CACHE
        return response


def page_routes(documents: Sequence[tuple[str, str]] = OPENAPI_DOCUMENTS) -> list[BaseRoute]:
    return [
        Route(DOCS_PATH, api_docs_endpoint(documents), methods=["GET"]),
        Mount(STATIC_PREFIX, app=HashedStaticFiles(directory=str(files("gateway") / "static")), name="static"),
    ]
