"""The routes v1 and v2 share, over one version's handlers; each version's table adds what is its own."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from gateway.domain.participants import actions
from gateway.rest.legacy import endpoints
from gateway.rest.legacy.endpoints import Version
from gateway.rest.legacy.errors import ANY_METHOD, unknown_path
from gateway.rest.legacy.openapi import document_endpoint, openapi_path

PARTICIPANT_ACTIONS = {
    "withdraw": endpoints.participant_action(actions.withdraw_participant, "course_identifier", "reason"),
    "defer": endpoints.participant_action(actions.defer_participant, "course_identifier", "reason"),
    "resume": endpoints.participant_action(actions.resume_participant, "course_identifier"),
    "change-schedule": endpoints.participant_action(
        actions.change_schedule, "course_identifier", "schedule_identifier", "cohort"
    ),
}


def participant_action_routes(base: str) -> list[BaseRoute]:
    """``PUT {base}/{id}/withdraw|defer|resume|change-schedule``."""
    return [Route(f"{base}/{{id}}/{name}", handler, methods=["PUT"]) for name, handler in PARTICIPANT_ACTIONS.items()]


def shared_routes(name: str, version: Version) -> list[BaseRoute]:
    """Every operation both documents publish, under ``/api/<name>``."""
    prefix = f"/api/{name}"
    return [
        Route(openapi_path(name), document_endpoint(name), methods=["GET"]),
        Route(f"{prefix}/participants/ecf", endpoints.participants_index, methods=["GET"]),
        Route(f"{prefix}/participants/ecf.csv", endpoints.participants_csv, methods=["GET"]),
        Route(f"{prefix}/participants/ecf/{{id}}", endpoints.participant_show, methods=["GET"]),
        *participant_action_routes(f"{prefix}/participants/ecf"),
        Route(f"{prefix}/participant-declarations", endpoints.declarations_index(version), methods=["GET"]),
        Route(f"{prefix}/participant-declarations", endpoints.declaration_create(version), methods=["POST"]),
        Route(f"{prefix}/participant-declarations.csv", endpoints.declarations_csv(version), methods=["GET"]),
        Route(f"{prefix}/participant-declarations/{{id}}", endpoints.declaration_show(version), methods=["GET"]),
        Route(f"{prefix}/participant-declarations/{{id}}/void", endpoints.declaration_void(version), methods=["PUT"]),
    ]


def unknown_paths(name: str) -> Route:
    """The last route of a version: anything else under its prefix is its 404 (or the 405 of a served path)."""
    return Route(f"/api/{name}/{{path:path}}", unknown_path, methods=ANY_METHOD)
