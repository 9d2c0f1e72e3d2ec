"""Every operation of ``lead-provider-api-v2.openapi.json``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from gateway.rest.legacy.endpoints import Version
from gateway.rest.legacy.routes import shared_routes, unknown_paths
from gateway.rest.v2.serializers import declaration

NAME = "v2"
DECLARATION_CSV_COLUMNS = (
    "id", "participant_id", "declaration_type", "course_identifier", "declaration_date", "state", "updated_at",
)  # fmt: skip
VERSION = Version(declaration=declaration, declaration_csv_columns=DECLARATION_CSV_COLUMNS)


def v2_routes() -> list[BaseRoute]:
    return [*shared_routes(NAME, VERSION), unknown_paths(NAME)]
