"""The OpenAPI document this gateway serves: the published contract, with this gateway's differences.

``GET /api/v3/openapi.json`` answers the Lead provider API 3.0.0 reference
(``reference/lead-provider-api-v3.openapi.json``, copied unchanged from DfE)
with the changes below applied in code, once per process. Each change is a
small function named after it, so the reference can be replaced by a newer
copy and the differences re-applied.

How this gateway differs from the reference (docs/domain.md sections 3-7):

1. Paths. Every ``/ecf`` path (schools, partnerships, participants and their
   actions, transfers, unfunded mentors) is also served without ``/ecf``, as the
   newer guidance (seed 003) spells them. Both serve the same data.
2. Partnerships on the paths without ``/ecf`` omit ``status``,
   ``challenged_reason`` and ``challenged_at`` (seed 003 removed challenges):
   they answer the ``Partnership`` schema; the ``/ecf`` paths keep the published
   ``ECFPartnership`` (``status`` always ``active``, the challenge fields null).
3. New attributes, always present (adding one is non-breaking, seed 002):
   schools ``expression_of_interest``, ``induction_tutor_name``,
   ``induction_tutor_email``; partnerships ``participants_currently_training``.
4. Nulls. The reference writes ``nullable: true`` next to an ``enum`` or an
   ``anyOf``, which OpenAPI 3.0.3 reads as "null not allowed"; the published
   API sends null there (``withdrawal``, ``deferral``, ``leaving``, ``joining``,
   ``evidence_held``, ``challenged_reason``, ...), so null is spelled out.
   Null is also documented where the data model allows an absent value the
   reference calls a plain string: a partnership's ``induction_tutor_email``
   (like its name), a participant's or unfunded mentor's
   ``teacher_reference_number`` (not known yet) and ``email`` (none recorded),
   and a transfer side's ``provider`` (that side trained school-led).
5. Errors. Every error body is ``{"errors": [{"title", "detail"}]}`` (domain.md
   section 3), where the reference documents ``{"title", "detail"}`` for 404,
   ``{"bad_request"}`` for 400 and ``{"error": [...]}`` with other titles for
   422. Every operation documents the statuses it can answer: 401 and 429; 400 on
   lists (page, ``filter`` not a hash, ``updated_since``, a missing required
   filter) and on bodies that are not the published structure; 404 on paths
   with an id; 422 on actions.
6. Resource ``type`` values are enumerated (``school``, ``partnership``, ...);
   statement dates are ``format: date``; pagination documents its bounds.
7. ``filter[type]`` of statements accepts any value (values other than ``ecf``
   give an empty list rather than an error).
8. Operation ids are unique (the reference reuses ``participants``,
   ``school_ecf_get`` and ``partnerships_ecf_get``).
9. The only server is this gateway (``/``), not DfE's sandbox and production.
10. The document describes itself: ``GET /api/v3/openapi.json``, public (no
    token), as DfE's published Swagger documentation is.
11. Rate limit. The reference documents none; the published limit (1,000
    requests per token in five minutes, domain.md section 2) answers 429 with
    ``{"error": "Retry later"}`` (the live service's Rack::Attack body) and a
    ``Retry-After`` header, on every operation that needs a token.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import orjson

REFERENCE_FILE = "lead-provider-api-v3.openapi.json"
OPENAPI_PATH = "/api/v3/openapi.json"
JSON = "application/json"
SCHEMAS = "#/components/schemas/"

# OpenAPI 3.0.3 has no null type: a schema that only accepts null, to add beside a nullable anyOf's alternatives.
NULL_SCHEMA = {"type": "object", "nullable": True, "enum": [None], "description": "No value"}

ADDED_ATTRIBUTES: dict[str, dict[str, dict[str, Any]]] = {
    "ECFSchoolAttributes": {
        "expression_of_interest": {
            "description": "Whether the school has registered at least one participant with you for this cohort. "
            "It stays true once you are in partnership with the school for the cohort.",
            "type": "boolean",
            "example": True,
        },
        "induction_tutor_name": {
            "description": "The name of the school's induction tutor. Null unless expression_of_interest is true.",
            "type": "string",
            "nullable": True,
            "example": "John Doe",
        },
        "induction_tutor_email": {
            "description": "The email address of the school's induction tutor. Null unless expression_of_interest is true.",
            "type": "string",
            "nullable": True,
            "example": "john.doe@example.com",
        },
    },
    "ECFPartnershipAttributes": {
        "participants_currently_training": {
            "description": "The number of ECTs and mentors currently training with you under this partnership. "
            "0 when none are registered with you, all have completed, or all have moved to another provider or school-led training.",
            "type": "integer",
            "minimum": 0,
            "example": 3,
        },
    },
}

# Attributes the reference calls plain strings that the data model may leave empty; the gateway sends null.
NULL_WHERE_ABSENT = {
    "ECFPartnershipAttributes": ["induction_tutor_email"],  # the school has not named a tutor, like the name beside it
    "ECFParticipantAttributes": ["teacher_reference_number"],  # not known yet
    "ECFEnrolment": ["email"],  # none recorded for the training period
    "UnfundedMentorAttributes": ["email", "teacher_reference_number"],
    "ECFParticipantLeaving": ["provider"],  # that side trained school-led: no lead provider
    "ECFParticipantJoining": ["provider"],
}

# The published ``type`` of each resource (docs/domain.md section 3).
RESOURCE_TYPES = {
    "DeliveryPartner": "delivery-partner",
    "ECFSchool": "school",
    "ECFPartnership": "partnership",
    "ECFParticipant": "participant",
    "ECFParticipantTransfer": "participant-transfer",
    "UnfundedMentor": "unfunded-mentor",
    "ParticipantDeclarationResponse": "participant-declaration",
    "Statement": "statement",
}

CHALLENGE_FIELDS = ("status", "challenged_reason", "challenged_at")

# The ``/ecf`` schemas of partnerships and the challenge-free ones served on the paths without ``/ecf``.
PARTNERSHIP_SCHEMAS = {
    "ECFPartnershipAttributes": "PartnershipAttributes",
    "ECFPartnership": "Partnership",
    "ECFPartnershipResponse": "PartnershipResponse",
    "MultipleECFPartnershipsResponse": "MultiplePartnershipsResponse",
}

# Error schemas of the reference, rewritten to the one body the gateway sends: (description, the title every error
# of that kind carries, or None).
ERROR_BODIES = {
    "BadRequestResponse": ("A malformed request: a bad page, filter or body", None),
    "NotFoundResponse": ("The requested resource was not found", "The requested resource was not found"),
    "ErrorResponse": ("The request failed validation: one error per message, titled with the attribute", None),
    "ECFPartnershipRequestErrorResponse": (
        "The request failed validation: one error per message, titled with the attribute",
        None,
    ),
}


@functools.cache
def served_document_bytes() -> bytes:
    """The served document as JSON, built once per process."""
    return orjson.dumps(served_document())


def served_document() -> dict[str, Any]:
    """A fresh copy of the reference with this gateway's differences applied (module docstring)."""
    document = reference_document()
    schemas = document["components"]["schemas"]
    _describe_this_gateway(document)
    _spell_out_nulls(schemas)
    _add_attributes(schemas)
    _allow_null_where_absent(schemas)
    _name_resource_types(schemas)
    _type_statement_dates(schemas)
    _document_pagination(schemas)
    _accept_any_statement_type(schemas)
    _use_published_error_bodies(schemas)
    _add_partnerships_without_challenge(schemas)
    document["paths"] = _with_paths_without_ecf(document["paths"])
    _document_error_responses(document["paths"])
    _make_operation_ids_unique(document["paths"])
    document["paths"][OPENAPI_PATH] = _openapi_operation()
    return document


def reference_document() -> dict[str, Any]:
    """The published Lead provider API 3.0.0 document, as DfE publishes it."""
    return orjson.loads(files("gateway.rest").joinpath("reference", REFERENCE_FILE).read_bytes())


def without_ecf(path: str) -> str:
    """``/api/v3/participants/ecf/{id}/transfers`` -> ``/api/v3/participants/{id}/transfers``."""
    return path.replace("/ecf", "", 1)


def operations(paths: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation of ``paths``."""
    for path, item in paths.items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}:
                yield path, method, operation


def _describe_this_gateway(document: dict[str, Any]) -> None:
    document["info"]["description"] += (
        " Served by this gateway: the published 3.0.0 contract with the gateway's differences applied"
        " (paths without /ecf, the newer partnership shape, added attributes, the error bodies it sends, the rate limit)."
    )
    document["servers"] = [{"url": "/", "description": "This gateway"}]


def _spell_out_nulls(schemas: dict[str, Any]) -> None:
    for schema in _subschemas(schemas):
        if schema.get("nullable") is not True:
            continue
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema and "type" not in schema and NULL_SCHEMA not in schema[combinator]:
                schema[combinator] = [*schema[combinator], dict(NULL_SCHEMA)]


def _add_attributes(schemas: dict[str, Any]) -> None:
    for name, added in ADDED_ATTRIBUTES.items():
        schemas[name]["properties"].update(copy.deepcopy(added))
        schemas[name]["required"] = [*schemas[name]["required"], *added]


def _allow_null_where_absent(schemas: dict[str, Any]) -> None:
    for schema, names in NULL_WHERE_ABSENT.items():
        for name in names:
            schemas[schema]["properties"][name]["nullable"] = True


def _name_resource_types(schemas: dict[str, Any]) -> None:
    for name, type_ in RESOURCE_TYPES.items():
        schemas[name]["properties"]["type"]["enum"] = [type_]


def _type_statement_dates(schemas: dict[str, Any]) -> None:
    for name in ("cut_off_date", "payment_date"):
        schemas["StatementAttributes"]["properties"][name]["format"] = "date"


def _document_pagination(schemas: dict[str, Any]) -> None:
    properties = schemas["Pagination"]["properties"]
    properties["page"].update(minimum=1, default=1)
    properties["per_page"].update(minimum=1, default=100)


def _accept_any_statement_type(schemas: dict[str, Any]) -> None:
    type_filter = schemas["StatementsFilter"]["properties"]["type"]
    type_filter.pop("enum", None)
    type_filter["description"] = "Return statements of this type (ecf). Other values give an empty list."


def _use_published_error_bodies(schemas: dict[str, Any]) -> None:
    schemas["Error"] = {
        "description": "One error: a title (for validation errors, the attribute) and a message",
        "type": "object",
        "required": ["title", "detail"],
        "properties": {"title": {"type": "string"}, "detail": {"type": "string"}},
    }
    for name, (description, title) in ERROR_BODIES.items():
        item: dict[str, Any] = {"$ref": f"{SCHEMAS}Error"}
        if title is not None:
            item = {"allOf": [item, {"type": "object", "properties": {"title": {"type": "string", "enum": [title]}}}]}
        schemas[name] = {
            "description": description,
            "type": "object",
            "required": ["errors"],
            "properties": {"errors": {"type": "array", "minItems": 1, "items": item}},
        }
    unauthorised = schemas["UnauthorisedResponse"]
    unauthorised["required"] = ["error"]
    unauthorised["properties"]["error"]["enum"] = ["HTTP Token: Access denied"]
    schemas["TooManyRequestsResponse"] = {
        "description": "Over the rate limit: by default 1,000 requests per token in a five-minute window",
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "enum": ["Retry later"]}},
    }


def _add_partnerships_without_challenge(schemas: dict[str, Any]) -> None:
    for ecf_name, name in PARTNERSHIP_SCHEMAS.items():
        schema = _renamed_refs(copy.deepcopy(schemas[ecf_name]), PARTNERSHIP_SCHEMAS)
        schema["description"] = schema.get("description", "").replace("ECF partnership", "partnership")
        schemas[name] = schema
    attributes = schemas["PartnershipAttributes"]
    for field in CHALLENGE_FIELDS:
        del attributes["properties"][field]
    attributes["required"] = [f for f in attributes["required"] if f not in CHALLENGE_FIELDS]


def _with_paths_without_ecf(paths: dict[str, Any]) -> dict[str, Any]:
    """The reference paths, each ``/ecf`` path followed by its twin without ``/ecf``."""
    result: dict[str, Any] = {}
    for path, item in paths.items():
        result[path] = item
        if "/ecf" in path:
            twin = copy.deepcopy(item)
            if path.startswith("/api/v3/partnerships/"):
                twin = _without_challenge_examples(_renamed_refs(twin, PARTNERSHIP_SCHEMAS))
            for method, operation in twin.items():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["operationId"] = _operation_id(method, without_ecf(path))
            result[without_ecf(path)] = twin
    return result


def _document_error_responses(paths: dict[str, Any]) -> None:
    for path, method, operation in operations(paths):
        responses = operation.setdefault("responses", {})
        responses.setdefault("401", _response("Unauthorized", "UnauthorisedResponse"))
        responses.setdefault("429", _too_many_requests())
        names_parameters = {p.get("name") for p in operation.get("parameters", [])}
        if "page" in names_parameters or any(str(n).startswith("filter[") for n in names_parameters):
            responses.setdefault("400", _response("Bad or missing parameters", "BadRequestResponse"))
        if "requestBody" in operation:
            responses.setdefault("400", _response("The body is not the published JSON structure", "BadRequestResponse"))
        if "{id}" in path:
            responses.setdefault("404", _response("Not Found", "NotFoundResponse"))
        if method != "get":
            responses.setdefault("422", _response("Unprocessable entity", "ErrorResponse"))
        operation["responses"] = dict(sorted(responses.items()))


def _make_operation_ids_unique(paths: dict[str, Any]) -> None:
    counts: dict[str, int] = {}
    for _path, _method, operation in operations(paths):
        counts[operation.get("operationId", "")] = counts.get(operation.get("operationId", ""), 0) + 1
    for path, method, operation in operations(paths):
        if counts[operation.get("operationId", "")] > 1:
            operation["operationId"] = _operation_id(method, path)


def _operation_id(method: str, path: str) -> str:
    """``put`` ``/api/v3/participants/{id}/withdraw`` -> ``put_participants_by_id_withdraw``."""
    slug = path.removeprefix("/api/v3/").replace("{id}", "by_id")
    return f"{method}_{re.sub(r'[^a-z0-9]+', '_', slug.lower()).strip('_')}"


def _openapi_operation() -> dict[str, Any]:
    return {
        "get": {
            "summary": "This document",
            "description": "The OpenAPI document of this gateway. Public: no token needed.",
            "operationId": "get_openapi_document",
            "security": [],
            "responses": {
                "200": {"description": "The OpenAPI 3.0 document", "content": {JSON: {"schema": {"type": "object"}}}}
            },
        }
    }


def _response(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"{SCHEMAS}{schema}"}}}}


def _too_many_requests() -> dict[str, Any]:
    response = _response("Too many requests", "TooManyRequestsResponse")
    response["headers"] = {
        "Retry-After": {
            "description": "Seconds until the rate limit's window ends",
            "schema": {"type": "integer", "minimum": 1},
        }
    }
    return response


def _renamed_refs(node: Any, renames: dict[str, str]) -> Any:
    """``node`` with every ``$ref`` to a schema in ``renames`` pointing at its new name."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMAS) and ref.removeprefix(SCHEMAS) in renames:
            return {**node, "$ref": SCHEMAS + renames[ref.removeprefix(SCHEMAS)]}
        return {key: _renamed_refs(value, renames) for key, value in node.items()}
    if isinstance(node, list):
        return [_renamed_refs(value, renames) for value in node]
    return node


def _without_challenge_examples(node: Any) -> Any:
    """Examples of the newer partnership shape: the published ones without the challenge fields."""
    if isinstance(node, dict):
        if node.get("type") == "partnership" and isinstance(node.get("attributes"), dict):
            node = {**node, "attributes": {k: v for k, v in node["attributes"].items() if k not in CHALLENGE_FIELDS}}
        return {key: _without_challenge_examples(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_challenge_examples(value) for value in node]
    return node


def _subschemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict nested in ``node`` (schemas, their properties and items), examples excluded."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from _subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _subschemas(value)
