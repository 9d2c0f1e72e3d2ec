"""The OpenAPI documents of v1 and v2 this gateway serves: the published ones, with this gateway's differences.

``GET /api/v1/openapi.json`` and ``/api/v2/openapi.json`` answer DfE's documents
(``reference/lead-provider-api-v1.openapi.json`` and ``-v2``, copied unchanged)
with the changes below applied in code, as ``gateway/rest/openapi.py`` does for
v3. How this gateway differs from them:

1. Action responses. ``withdraw``, ``defer`` and ``resume`` answer the same
   record as the list and ``change-schedule`` (the live service renders one
   serializer for all of them), so their attributes carry ``training_record_id``.
2. v2 declaration ``state`` includes ``awaiting-clawback`` and ``clawed-back``,
   as the live v2 serializer sends (the document predates clawbacks).
3. Nulls where the data model allows an absent value: ``email`` (none
   recorded), ``mentor_id`` (mentors, unmentored ECTs), ``teacher_reference_number``
   and ``teacher_reference_number_validated`` (no TRN yet), ``eligible_for_funding``
   (not yet known), in every participant record.
4. Errors. 400 and 422 bodies are ``{"errors": [{"title", "detail"}]}`` (the
   documents' 400 example; the live service's 422), where the schemas name
   ``bad_request`` and ``error``; 404 is ``{"error": "Resource not found"}``.
   Every operation documents what it can answer: 401 and 429; 400 on lists and
   bodies; 404 on paths with an id; 422 on actions.
5. Operation ids are unique (the documents reuse ``participant``).
6. The only server is this gateway; the document describes itself, public.
7. The rate limit (1,000 requests per token in five minutes): 429
   ``{"error": "Retry later"}`` with ``Retry-After``.
"""

from __future__ import annotations

import copy
import functools
from importlib.resources import files
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.rest import openapi as v3
from gateway.rest.documents import openapi_path

JSON = "application/json"
SCHEMAS = "#/components/schemas/"
VERSIONS = ("v1", "v2")

ACTION_RESPONSE_ATTRIBUTES = (
    "ECFParticipantWithdrawAttributesResponse",
    "ECFParticipantDeferAttributesResponse",
    "ECFParticipantResumeAttributesResponse",
)
PARTICIPANT_ATTRIBUTES = ("ECFParticipantAttributes", *ACTION_RESPONSE_ATTRIBUTES)
NULLABLE_PARTICIPANT_ATTRIBUTES = (
    "email",
    "mentor_id",
    "teacher_reference_number",
    "teacher_reference_number_validated",
    "eligible_for_funding",
)
CLAWBACK_STATES = ("awaiting-clawback", "clawed-back")


def reference_document(version: str) -> dict[str, Any]:
    """The published document of ``version``, as DfE publishes it."""
    name = f"lead-provider-api-{version}.openapi.json"
    return orjson.loads(files("gateway.rest").joinpath("reference", name).read_bytes())


@functools.cache
def served_document_bytes(version: str) -> bytes:
    return orjson.dumps(served_document(version))


def served_document(version: str) -> dict[str, Any]:
    """A fresh copy of the published document with this gateway's differences applied (module docstring)."""
    document = reference_document(version)
    schemas = document["components"]["schemas"]
    _describe_this_gateway(document, version)
    _add_training_record_id_to_action_responses(schemas)
    if version == "v2":
        _add_clawback_states(schemas)
    _allow_nulls(schemas)
    _use_error_bodies(schemas)
    _document_error_responses(document["paths"])
    _make_operation_ids_unique(document["paths"], version)
    document["paths"][openapi_path(version)] = v3.openapi_operation(f"this gateway's {version}")
    return document


def _describe_this_gateway(document: dict[str, Any], version: str) -> None:
    document["info"]["description"] += (
        f" Served by this gateway: the published {version} contract with the gateway's differences applied"
        " (training_record_id on every participant record, the states sent, the error bodies, the rate limit)."
    )
    document["servers"] = [{"url": "/", "description": "This gateway"}]


def _add_training_record_id_to_action_responses(schemas: dict[str, Any]) -> None:
    listed = schemas["ECFParticipantAttributes"]["properties"]["training_record_id"]
    for name in ACTION_RESPONSE_ATTRIBUTES:
        properties = schemas[name]["properties"]
        # In the list's attribute order: just before schedule_identifier.
        schemas[name]["properties"] = {}
        for key, value in properties.items():
            if key == "schedule_identifier":
                schemas[name]["properties"]["training_record_id"] = copy.deepcopy(listed)
            schemas[name]["properties"][key] = value
        schemas[name]["required"] = [*schemas[name]["required"], "training_record_id"]


def _add_clawback_states(schemas: dict[str, Any]) -> None:
    state = schemas["ParticipantDeclarationAttributes"]["properties"]["state"]
    state["enum"] = [*state["enum"], *CLAWBACK_STATES]


def _allow_nulls(schemas: dict[str, Any]) -> None:
    for name in PARTICIPANT_ATTRIBUTES:
        for attribute in NULLABLE_PARTICIPANT_ATTRIBUTES:
            schemas[name]["properties"][attribute]["nullable"] = True


def _use_error_bodies(schemas: dict[str, Any]) -> None:
    schemas["Error"] = {
        "description": "One error: a title (for validation errors, the attribute) and a message",
        "type": "object",
        "required": ["title", "detail"],
        "properties": {"title": {"type": "string"}, "detail": {"type": "string"}},
    }
    errors = {"type": "array", "minItems": 1, "items": {"$ref": f"{SCHEMAS}Error"}}
    schemas["BadRequestResponse"] = {
        "description": "A malformed request: a bad page, filter or body",
        "type": "object",
        "required": ["errors"],
        "properties": {"errors": errors},
    }
    schemas["ErrorResponse"] = {
        "description": "The request failed validation: one error per message, titled with the attribute",
        "type": "object",
        "required": ["errors"],
        "properties": {"errors": copy.deepcopy(errors)},
    }
    schemas["NotFoundResponse"] = {
        "description": "The requested resource was not found",
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "enum": ["Resource not found"]}},
    }
    v3.document_token_errors(schemas)


def _document_error_responses(paths: dict[str, Any]) -> None:
    for path, method, operation in v3.operations(paths):
        responses = operation.setdefault("responses", {})
        # The CSV exports documented their 401 as text/csv; the body is the JSON every other operation sends.
        responses["401"] = v3.response_of("Unauthorized", "UnauthorisedResponse")
        responses.setdefault("429", v3._too_many_requests())
        if method == "get" and "{id}" not in path:  # every list and export parses its filters and pages
            responses.setdefault("400", v3.response_of("Bad or missing parameters", "BadRequestResponse"))
        if "requestBody" in operation:
            responses.setdefault(
                "400", v3.response_of("The body is not the published JSON structure", "BadRequestResponse")
            )
        if "{id}" in path:
            responses.setdefault("404", v3.response_of("Not Found", "NotFoundResponse"))
        if method != "get":
            responses.setdefault("422", v3.response_of("Unprocessable entity", "ErrorResponse"))
        operation["responses"] = dict(sorted(responses.items()))


def _make_operation_ids_unique(paths: dict[str, Any], version: str) -> None:
    seen: dict[str, int] = {}
    for _path, _method, operation in v3.operations(paths):
        seen[operation.get("operationId", "")] = seen.get(operation.get("operationId", ""), 0) + 1
    for path, method, operation in v3.operations(paths):
        if seen[operation.get("operationId", "")] > 1:
            slug = path.removeprefix(f"/api/{version}/").replace("{id}", "by_id")
            operation["operationId"] = f"{method}_" + "".join(c if c.isalnum() else "_" for c in slug.lower()).strip(
                "_"
            )


def document_endpoint(version: str):
    """The handler, with the document built now (at start-up) rather than on the first request."""
    body = served_document_bytes(version)

    async def document(_request: Request) -> Response:
        return Response(body, media_type=JSON)

    return document
