"""Every operation of ``lead-provider-api-v1.openapi.json``: v2's, its declarations with ``eligible_for_payment``
and ``voided``, and the participant actions also under their older paths without ``/ecf``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from gateway.rest.legacy.endpoints import Version
from gateway.rest.legacy.routes import participant_action_routes, shared_routes, unknown_paths
from gateway.rest.v1.serializers import declaration

NAME = "v1"
DECLARATION_CSV_COLUMNS = (
    "id", "participant_id", "declaration_type", "course_identifier", "eligible_for_payment", "declaration_date",
    "voided", "state", "updated_at",
)  # fmt: skip
VERSION = Version(declaration=declaration, declaration_csv_columns=DECLARATION_CSV_COLUMNS)


def v1_routes() -> list[BaseRoute]:
    return [
        *shared_routes(NAME, VERSION),
        *participant_action_routes(f"/api/{NAME}/participants"),
        unknown_paths(NAME),
    ]
