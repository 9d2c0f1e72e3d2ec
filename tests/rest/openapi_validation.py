"""Response bodies checked against the served OpenAPI document, with openapi-schema-validator.

The contract suite validates strictly: besides the document's own rules (types,
required attributes, enums, formats), every documented attribute must be
present (the gateway renders ``null``, never a missing key) and no undocumented
attribute may appear (a new attribute must be added to the served document).
Neither published document sets ``additionalProperties: false``, so the strict
reading walks every schema and closes it.

``nullable: true`` beside an ``enum`` is read as a generated client reads it (null
allowed), which OpenAPI 3.0.3's letter does not say: both published documents
write it that way for attributes their services send as null.
"""

from __future__ import annotations

import copy
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator


def describe(error: ValidationError) -> str:
    return f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message}"


class ResponseValidator:
    """Validates response bodies of one OpenAPI 3.0 document, by path, method and status."""

    def __init__(self, document: dict[str, Any], *, strict: bool = True) -> None:
        self.document = document
        self.components = strict_components(document["components"]) if strict else document["components"]
        self._validators: dict[tuple[str, str, str], OAS30Validator] = {}

    def errors(self, path: str, body: Any, *, method: str = "get", status: str = "200") -> list[str]:
        """Every way ``body`` breaks the schema of that response, as ``location: message`` lines."""
        return [describe(e) for e in self.violations(path, body, method=method, status=status)]

    def violations(self, path: str, body: Any, *, method: str = "get", status: str = "200") -> list[ValidationError]:
        """Every way ``body`` breaks the schema of that response."""
        return list(self._validator(path, method, status).iter_errors(body))

    def _validator(self, path: str, method: str, status: str) -> OAS30Validator:
        key = (path, method, status)
        if key not in self._validators:
            schema = response_schema(self.document, path, method, status)
            # "#/components/..." references resolve against the root schema, so the components travel with it.
            self._validators[key] = OAS30Validator(
                {**schema, "components": self.components}, format_checker=OAS30Validator.FORMAT_CHECKER
            )
        return self._validators[key]


def response_schema(document: dict[str, Any], path: str, method: str = "get", status: str = "200") -> dict[str, Any]:
    operation = document["paths"][path][method]
    return operation["responses"][status]["content"]["application/json"]["schema"]


def strict_components(components: dict[str, Any]) -> dict[str, Any]:
    """A copy where every object schema with properties requires them all and allows no others."""
    strict = copy.deepcopy(components)
    _tighten(strict, inside_all_of=False)
    return strict


def _tighten(node: Any, *, inside_all_of: bool) -> None:
    if isinstance(node, dict):
        # An allOf member only sees part of the object: closing it would reject its siblings' properties.
        if "properties" in node and not inside_all_of:
            node.setdefault("additionalProperties", False)
            node["required"] = list(node["properties"])
        if node.get("nullable") is True and isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        for key, value in node.items():
            if key not in ("example", "examples"):
                _tighten(value, inside_all_of=key == "allOf")
    elif isinstance(node, list):
        for value in node:
            _tighten(value, inside_all_of=inside_all_of)
