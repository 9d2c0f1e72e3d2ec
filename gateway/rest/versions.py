"""The REST generations before v3 (each a route table in ``gateway/rest/v1`` and ``v2``), mounted beside it."""

from __future__ import annotations

from starlette.routing import BaseRoute

from gateway.rest.v1.routes import v1_routes
from gateway.rest.v2.routes import v2_routes


def legacy_routes() -> list[BaseRoute]:
    return [*v1_routes(), *v2_routes()]
