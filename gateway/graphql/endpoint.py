"""Mounts the GraphQL schema at /graphql."""

from __future__ import annotations

from starlette.routing import BaseRoute


def graphql_routes() -> list[BaseRoute]:
    return []
