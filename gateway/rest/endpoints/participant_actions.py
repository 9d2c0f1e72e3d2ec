"""PUT /api/v3/participants[/ecf]/{id}/withdraw|defer|resume|change-schedule: answered with the participant as the GETs render it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import write_transaction
from gateway.domain.participants import actions
from gateway.rest import bodies, rendering
from gateway.rest.params import path_id
from gateway.rest.rendering import Serializer


def _action(act: Callable[..., Awaitable[Any]], *attributes: str) -> Callable[..., Awaitable[Response]]:
    """An endpoint running ``act`` in one transaction with the named body attributes (as text, or None)."""

    async def endpoint(request: Request, *, serializer: Serializer) -> Response:
        participant_id = path_id(request.path_params["id"])
        body = await bodies.attributes(request)
        values = {name: bodies.text(body, name) for name in attributes}
        async with write_transaction() as conn:
            row = await act(conn, rendering.request_caller(request), participant_id, **values)
        return rendering.one(row, serializer)

    return endpoint


withdraw = _action(actions.withdraw_participant, "course_identifier", "reason")
defer = _action(actions.defer_participant, "course_identifier", "reason")
resume = _action(actions.resume_participant, "course_identifier")
change_schedule = _action(actions.change_schedule, "course_identifier", "schedule_identifier", "cohort")
