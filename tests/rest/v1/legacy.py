"""What the v1 and v2 tests share: paths, validators over the published documents themselves, and requests."""

from __future__ import annotations

from typing import Any

from gateway.rest.legacy.openapi import (
    CLAWBACK_STATES,
    NULLABLE_PARTICIPANT_ATTRIBUTES,
    reference_document,
    served_document,
)
from tests.rest.openapi_validation import ResponseValidator
from tests.rest.support import MAX_PAGE

VERSIONS = ("v1", "v2")
NOT_FOUND = {"error": "Resource not found"}
PUBLISHED = {v: ResponseValidator(reference_document(v)) for v in VERSIONS}
SERVED = {v: ResponseValidator(served_document(v)) for v in VERSIONS}
ACTIONS_WITHOUT_TRAINING_RECORD_ID = ("withdraw", "defer", "resume")


def path(version: str, tail: str) -> str:
    return f"/api/{version}{tail}"


def _named_difference(version: str, path_: str, error: str) -> bool:
    """Whether an error against the published document is one of the differences the served document names."""
    location, _, message = error.partition(": ")
    if path_.endswith(ACTIONS_WITHOUT_TRAINING_RECORD_ID) and location == "data/attributes":
        return message == "Additional properties are not allowed ('training_record_id' was unexpected)"
    attribute = location.rsplit("/", 1)[-1]
    if attribute in NULLABLE_PARTICIPANT_ATTRIBUTES and message == "None is not of type 'string'":
        return True
    if attribute in NULLABLE_PARTICIPANT_ATTRIBUTES and message == "None is not of type 'boolean'":
        return True
    if version == "v2" and attribute == "state":
        return any(message.startswith(f"'{state}' is not one of") for state in CLAWBACK_STATES)
    return False


def contract_errors(version: str, path_: str, body: Any, *, method: str = "get", status: str = "200") -> list[str]:
    """How ``body`` breaks the published document (strictly: absent and extra attributes both count) beyond the
    differences the served document names, and how it breaks the served document at all."""
    published = [
        e
        for e in PUBLISHED[version].errors(path_, body, method=method, status=status)
        if not _named_difference(version, path_, e)
    ]
    served = [f"served: {e}" for e in SERVED[version].errors(path_, body, method=method, status=status)]
    return published + served


def error_body_errors(version: str, path_: str, body: Any, *, method: str, status: str) -> list[str]:
    """How an error body breaks the served document. The published error schemas contradict their own examples
    (``bad_request`` and ``error`` beside ``errors`` lists), so only the served document, which names that
    difference, can be held to them."""
    return SERVED[version].errors(path_, body, method=method, status=status)


async def list_all(client, url: str, headers: dict[str, str], **params) -> list[dict]:
    response = await client.get(url, params={"page[per_page]": str(MAX_PAGE), **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def action_body(type_: str, **attributes) -> dict:
    return {"data": {"type": type_, "attributes": attributes}}
