"""Where each REST version's OpenAPI document is served: the one list the docs page and authentication read."""

from __future__ import annotations

VERSIONS = ("v1", "v2", "v3")


def openapi_path(version: str) -> str:
    return f"/api/{version}/openapi.json"


OPENAPI_DOCUMENTS: tuple[tuple[str, str], ...] = tuple(
    (f"Lead provider API {version}", openapi_path(version)) for version in VERSIONS
)
"""(name, path) of every OpenAPI document served, oldest version first: GET /api/docs shows each of them."""
