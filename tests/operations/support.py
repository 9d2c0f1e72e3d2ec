"""Helpers of the operations tests: log lines as the JSON formatter writes them, an app that can fail."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from gateway.app import create_app
from gateway.logging import JsonFormatter, TextFormatter
from tests.support import UNREACHED_RATE_LIMIT

FAILING_PATH = "/test-only/fails"


class LogLines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def parsed(self) -> list[dict]:
        """Every line, each of which must be one JSON object."""
        return [orjson.loads(line) for line in self.text.splitlines()]


@contextmanager
def captured_logs(formatter: logging.Formatter | None = None) -> Iterator[LogLines]:
    """What the root logger writes while the block runs, formatted as ``gateway serve`` formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter or JsonFormatter())
    # The test's HTTP client logs its own requests, query strings and all: those are not the server's lines.
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield LogLines(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def _fails(_request: Request):
    logging.getLogger("gateway.test").info("about to fail")
    raise RuntimeError("boom: SELECT secret FROM somewhere")


def app_with_a_failing_route() -> Starlette:
    app = create_app(rate_limit=UNREACHED_RATE_LIMIT)
    app.router.routes.append(Route(FAILING_PATH, _fails))
    return app


def client_of(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://gateway.test")


__all__ = ["FAILING_PATH", "LogLines", "TextFormatter", "app_with_a_failing_route", "captured_logs", "client_of"]
