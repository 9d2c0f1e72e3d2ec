"""PUT /api/v3/participants[/ecf]/{id}/withdraw|defer|resume|change-schedule: answered with the participant as the GETs render it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import write_transaction
from gateway.domain.participants import actions
from gateway.rest import bodies, rendering
from gateway.rest.params import path_id
from gateway.rest.serializers.participants import participant


async def withdraw(request: Request) -> Response:
    participant_id = path_id(request.path_params["id"])
    attributes = await bodies.attributes(request)
    async with write_transaction() as conn:
        row = await actions.withdraw_participant(
            conn,
            rendering.request_caller(request),
            participant_id,
            course_identifier=bodies.text(attributes, "course_identifier"),
            reason=bodies.text(attributes, "reason"),
        )
    return rendering.one(row, participant)


async def defer(request: Request) -> Response:
    participant_id = path_id(request.path_params["id"])
    attributes = await bodies.attributes(request)
    async with write_transaction() as conn:
        row = await actions.defer_participant(
            conn,
            rendering.request_caller(request),
            participant_id,
            course_identifier=bodies.text(attributes, "course_identifier"),
            reason=bodies.text(attributes, "reason"),
        )
    return rendering.one(row, participant)


async def resume(request: Request) -> Response:
    participant_id = path_id(request.path_params["id"])
    attributes = await bodies.attributes(request)
    async with write_transaction() as conn:
        row = await actions.resume_participant(
            conn, rendering.request_caller(request), participant_id, course_identifier=bodies.text(attributes, "course_identifier")
        )
    return rendering.one(row, participant)


async def change_schedule(request: Request) -> Response:
    participant_id = path_id(request.path_params["id"])
    attributes = await bodies.attributes(request)
    async with write_transaction() as conn:
        row = await actions.change_schedule(
            conn,
            rendering.request_caller(request),
            participant_id,
            course_identifier=bodies.text(attributes, "course_identifier"),
            schedule_identifier=bodies.text(attributes, "schedule_identifier"),
            cohort=bodies.text(attributes, "cohort"),
        )
    return rendering.one(row, participant)
