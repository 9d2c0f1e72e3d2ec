"""The REST route table: every path of the Lead provider API 3.0.0, on `/ecf` paths and without."""

from __future__ import annotations

from starlette.routing import BaseRoute


def rest_routes() -> list[BaseRoute]:
    return []
