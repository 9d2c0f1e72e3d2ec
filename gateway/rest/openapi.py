"""The OpenAPI document this gateway serves: each path family by its own published document, with this gateway's
differences.

``GET /api/v3/openapi.json`` answers one document of two halves, built once per process:

- the ``/ecf`` paths (schools, partnerships, participants and their actions, transfers, unfunded mentors) as the
  Lead provider API 3.0.0 reference of ECF1 (``reference/lead-provider-api-v3.openapi.json``, copied unchanged
  from DfE), with the ECF1 differences below applied in code;
- every path without ``/ecf`` (the same resources, and delivery partners, declarations and statements) as the
  newer service's v3 document (``reference/ecf2-lead-provider-api-v3.swagger.yaml``, copied unchanged from
  DFE-Digital/register-early-career-teachers-public), with the newer differences below.

Each change is a small function named after it, so either reference can be replaced by a newer copy and the
differences re-applied. Schemas of the two halves keep their published names; an ECF1 schema whose name the
newer document also uses for another shape is renamed ``ECF<name>`` (``ECF_RENAMES``), and the error bodies,
which the gateway sends alike on both halves, are one set of schemas (``SHARED_SCHEMAS``).

How the ``/ecf`` half differs from the ECF1 reference (docs/domain.md sections 3-7):

1. New attributes, always present (adding one is non-breaking, seed 002):
   schools ``expression_of_interest``, ``induction_tutor_name``,
   ``induction_tutor_email``; partnerships ``participants_currently_training``.
2. Nulls. The reference writes ``nullable: true`` next to an ``enum`` or an
   ``anyOf``, which OpenAPI 3.0.3 reads as "null not allowed"; the published
   API sends null there (``withdrawal``, ``deferral``, ``leaving``, ``joining``,
   ``challenged_reason``, ...), so null is spelled out.
   Null is also documented where the data model allows an absent value the
   reference calls a plain string: a partnership's ``induction_tutor_email``
   (like its name), a participant's or unfunded mentor's
   ``teacher_reference_number`` (not known yet) and ``email`` (none recorded),
   and a transfer side's ``provider`` (that side trained school-led).
3. Resource ``type`` values are enumerated (``school``, ``partnership``, ...); pagination documents its bounds.

How the half without ``/ecf`` differs from the newer document (``NEWER_NULLS``): a transfer side's ``provider``
is null when that side trained school-led (no lead provider), as on the ``/ecf`` paths; and null is spelled out
beside an ``enum`` where the document writes ``nullable: true`` (``working_pattern``, ``evidence_held``, ...).
Nothing else: every attribute, and no other, is the document's.

On both halves:

4. Errors. Every error body is ``{"errors": [{"title", "detail"}]}`` (domain.md
   section 3), where the ECF1 reference documents ``{"title", "detail"}`` for 404,
   ``{"bad_request"}`` for 400 and ``{"error": [...]}`` with other titles for
   422. Every operation documents the statuses it can answer: 401 and 429; 400 on
   lists (page, ``filter`` not a hash, ``updated_since``, a missing required
   filter) and on bodies that are not the published structure; 404 on paths
   with an id; 422 on actions.
5. Operation ids are unique (the ECF1 reference reuses ``participants``,
   ``school_ecf_get`` and ``partnerships_ecf_get``).
6. The only server is this gateway (``/``), not DfE's sandbox and production.
7. The document describes itself: ``GET /api/v3/openapi.json``, public (no
   token), as DfE's published Swagger documentation is.
8. Rate limit. Neither reference documents one; the published limit (1,000
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
import yaml

from gateway.rest.documents import openapi_path

REFERENCE_FILE = "lead-provider-api-v3.openapi.json"
NEWER_REFERENCE_FILE = "ecf2-lead-provider-api-v3.swagger.yaml"
OPENAPI_PATH = openapi_path("v3")
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

# The published ``type`` of each resource of the ``/ecf`` paths (docs/domain.md section 3).
RESOURCE_TYPES = {
    "ECFSchool": "school",
    "ECFPartnership": "partnership",
    "ECFParticipant": "participant",
    "ECFParticipantTransfer": "participant-transfer",
    "UnfundedMentor": "unfunded-mentor",
}

# Where the newer document says a plain string and the gateway sends null: a side of a transfer that trained
# school-led has no lead provider (docs/domain.md section 5), on both path families.
NEWER_NULLS = {"ParticipantTransfersTransfer": [("leaving", "provider"), ("joining", "provider")]}

# Error bodies the gateway sends alike on both families: one schema each (the ECF1 half's, rewritten below).
SHARED_SCHEMAS = ("UnauthorisedResponse", "NotFoundResponse", "BadRequestResponse")

# ECF1 schemas of the /ecf paths whose names the newer document gives to other shapes.
ECF_RENAMES = {
    "UnfundedMentor": "ECFUnfundedMentor",
    "UnfundedMentorResponse": "ECFUnfundedMentorResponse",
    "PartnershipsFilter": "ECFPartnershipsFilter",
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
    """A fresh copy of both references with this gateway's differences applied, as one document (module docstring)."""
    ecf, newer = _ecf_half(), _newer_half()
    overlap = set(ecf["components"]["schemas"]) & set(newer["components"]["schemas"])
    if overlap - set(SHARED_SCHEMAS):
        raise ValueError(f"schemas named alike in both references: {sorted(overlap - set(SHARED_SCHEMAS))}")
    document = ecf
    document["paths"] = {**ecf["paths"], **newer["paths"]}
    for name, schema in newer["components"]["schemas"].items():
        document["components"]["schemas"].setdefault(name, schema)
    document["components"]["securitySchemes"].update(newer["components"]["securitySchemes"])
    _document_error_responses(document["paths"])
    _make_operation_ids_unique(document["paths"])
    document["paths"][OPENAPI_PATH] = openapi_operation()
    return document


def _ecf_half() -> dict[str, Any]:
    """The ECF1 reference's ``/ecf`` paths and the schemas they use, with the ECF1 differences."""
    document = reference_document()
    schemas = document["components"]["schemas"]
    _describe_this_gateway(document)
    _spell_out_nulls(schemas)
    _add_attributes(schemas)
    _allow_null_where_absent(schemas)
    _name_resource_types(schemas)
    _document_pagination(schemas)
    _use_published_error_bodies(schemas)
    document["paths"] = {path: item for path, item in document["paths"].items() if "/ecf" in path}
    kept = _referenced(document["paths"], schemas) | {
        "Error",
        *SHARED_SCHEMAS,
        "ErrorResponse",
        "TooManyRequestsResponse",
    }
    document["components"]["schemas"] = {
        ECF_RENAMES.get(name, name): schema for name, schema in schemas.items() if name in kept
    }
    return _renamed_refs(document, ECF_RENAMES)


def _newer_half() -> dict[str, Any]:
    """The newer service's document, with the newer differences."""
    document = newer_reference_document()
    schemas = document["components"]["schemas"]
    _spell_out_nulls(schemas)
    for schema, locations in NEWER_NULLS.items():
        for side, name in locations:
            schemas[schema]["properties"][side]["properties"][name]["nullable"] = True
    for name in SHARED_SCHEMAS:
        del schemas[name]
    return document


def reference_document() -> dict[str, Any]:
    """The published Lead provider API 3.0.0 document, as DfE publishes it."""
    return orjson.loads(files("gateway.rest").joinpath("reference", REFERENCE_FILE).read_bytes())


def newer_reference_document() -> dict[str, Any]:
    """The newer service's v3 document, as DfE publishes it (its paths without ``/ecf``)."""
    return yaml.safe_load(files("gateway.rest").joinpath("reference", NEWER_REFERENCE_FILE).read_text("utf-8"))


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
        " Served by this gateway: the /ecf paths as the published 3.0.0 contract, every other path as the newer"
        " service's v3 document, with the gateway's differences applied (added attributes, the nulls it sends, the"
        " error bodies it sends, the rate limit)."
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


def _document_pagination(schemas: dict[str, Any]) -> None:
    properties = schemas["Pagination"]["properties"]
    properties["page"].update(minimum=1, default=1)
    properties["per_page"].update(minimum=1, default=100)


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
    document_token_errors(schemas)


def document_token_errors(schemas: dict[str, Any]) -> None:
    """The 401 and 429 bodies every version sends (authentication and the rate limit come before any route)."""
    unauthorised = schemas["UnauthorisedResponse"]
    unauthorised["required"] = ["error"]
    unauthorised["properties"]["error"]["enum"] = ["HTTP Token: Access denied"]
    schemas["TooManyRequestsResponse"] = {
        "description": "Over the rate limit: by default 1,000 requests per token in a five-minute window",
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "enum": ["Retry later"]}},
    }


def _document_error_responses(paths: dict[str, Any]) -> None:
    for path, method, operation in operations(paths):
        responses = operation.setdefault("responses", {})
        responses.setdefault("401", response_of("Unauthorized", "UnauthorisedResponse"))
        responses.setdefault("429", _too_many_requests())
        names_parameters = {p.get("name") for p in operation.get("parameters", [])}
        if {"page", "filter"} & names_parameters or any(str(n).startswith("filter[") for n in names_parameters):
            responses.setdefault("400", response_of("Bad or missing parameters", "BadRequestResponse"))
        if "requestBody" in operation:
            responses.setdefault(
                "400", response_of("The body is not the published JSON structure", "BadRequestResponse")
            )
        if "{id}" in path:
            responses.setdefault("404", response_of("Not Found", "NotFoundResponse"))
        if method != "get":
            responses.setdefault("422", response_of("Unprocessable entity", "ErrorResponse"))
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


def openapi_operation(subject: str = "this gateway") -> dict[str, Any]:
    """The operation serving an OpenAPI document (of ``subject``) itself, as every version documents it."""
    return {
        "get": {
            "summary": "This document",
            "description": f"The OpenAPI document of {subject}. Public: no token needed.",
            "operationId": "get_openapi_document",
            "security": [],
            "responses": {
                "200": {"description": "The OpenAPI 3.0 document", "content": {JSON: {"schema": {"type": "object"}}}}
            },
        }
    }


def response_of(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"{SCHEMAS}{schema}"}}}}


def _too_many_requests() -> dict[str, Any]:
    response = response_of("Too many requests", "TooManyRequestsResponse")
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


def _referenced(node: Any, schemas: dict[str, Any]) -> set[str]:
    """The names of every schema ``node`` refers to, directly or through other schemas."""
    found: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMAS) and ref.removeprefix(SCHEMAS) not in found:
                found.add(ref.removeprefix(SCHEMAS))
                pending.append(schemas[ref.removeprefix(SCHEMAS)])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


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
