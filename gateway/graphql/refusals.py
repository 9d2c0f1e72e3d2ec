"""A GraphQL request refused before it ran, as GraphQL over HTTP answers it: errors, no ``data``, a 4xx status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
BAD_USER_INPUT = "BAD_USER_INPUT"


@dataclass(eq=False)
class Refused(Exception):
    """``status``: the answer's status under ``application/graphql-response+json``.

    ``json_status``: under ``application/json``, where the spec asks for 200 when the document
    does not parse, validate or coerce (clients of that media type read errors from the body);
    by default the same as ``status``.
    """

    errors: list[dict[str, Any]]
    status: int = 400
    json_status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def status_for(self, media_type: str) -> int:
        if media_type == "application/json" and self.json_status is not None:
            return self.json_status
        return self.status


def refused(message: str, code: str = BAD_USER_INPUT, *, status: int = 400, **extensions: Any) -> Refused:
    return Refused([{"message": message, "extensions": {"code": code, **extensions}}], status=status)


def too_complex(limit: str, value: int | None, maximum: int, message: str) -> Refused:
    """A document over one of its limits; answered like a validation failure (200 under application/json)."""
    details: dict[str, Any] = {"limit": limit, "maximum": maximum}
    if value is not None:
        details["value"] = value
    return Refused([{"message": message, "extensions": {"code": QUERY_TOO_COMPLEX, **details}}], json_status=200)
