"""GET /api/v3/openapi.json, the differences it documents, and the routes it promises."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path
from typing import Any, ClassVar

import pytest
from openapi_schema_validator import OAS30Validator

from gateway.rest.openapi import (
    ADDED_ATTRIBUTES,
    ECF_RENAMES,
    NEWER_NULLS,
    OPENAPI_PATH,
    newer_reference_document,
    operations,
    reference_document,
    served_document,
)
from tests.rest.endpoints import NOT_YET_IMPLEMENTED, routed_operations
from tests.rest.openapi_validation import ResponseValidator

REPOSITORY = Path(__file__).resolve().parents[2]
SERVED = served_document()
REFERENCE = reference_document()
NEWER = newer_reference_document()
CHALLENGE_FIELDS = ("status", "challenged_reason", "challenged_at")
NOT_FOUND = {
    "errors": [
        {"title": "The requested resource was not found", "detail": "Nothing could be found for the provided details"}
    ]
}
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def resolved(schema: dict[str, Any], document: dict[str, Any] = SERVED) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def attributes_schema(path: str, document: dict[str, Any] = SERVED) -> dict[str, Any]:
    """The attributes schema of the resource a GET path answers (its items, for a list)."""
    body = resolved(
        document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"], document
    )
    data = resolved(body["properties"]["data"], document)
    resource = resolved(data["items"], document) if data.get("type") == "array" else data
    return resolved(resource["properties"]["attributes"], document)


def documented_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, method, _ in operations(document["paths"])]


class TestServedDocument:
    async def test_the_document_is_served_without_a_token(self, readonly_db, client):
        response = await client.get(OPENAPI_PATH)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == served_document()

    async def test_a_bad_token_does_not_stand_in_the_way(self, readonly_db, client):
        response = await client.get(OPENAPI_PATH, headers={"Authorization": "Bearer not-a-token"})
        assert response.status_code == 200
        assert response.json()["openapi"] == "3.0.1"

    async def test_the_rest_of_the_api_still_needs_a_token(self, readonly_db, client):
        response = await client.get("/api/v3/openapi.json/statements")
        assert response.status_code == 401
        response = await client.get("/api/v3/openapi.jsonx")
        assert response.status_code == 401

    def test_the_document_says_it_needs_no_token_and_everything_else_does(self):
        assert SERVED["paths"][OPENAPI_PATH]["get"]["security"] == []
        assert SERVED["security"] == [{"bearerAuth": []}]
        others = [
            op.get("security", SERVED["security"]) for p, _m, op in operations(SERVED["paths"]) if p != OPENAPI_PATH
        ]
        # The ECF1 half names its scheme bearerAuth, the newer half api_key: both are a bearer token.
        schemes = SERVED["components"]["securitySchemes"]
        assert others and all(len(security) == 1 for security in others)
        assert {(schemes[name]["type"], schemes[name]["scheme"]) for s in others for name in s[0]} == {
            ("http", "bearer")
        }

    def test_the_reference_ships_inside_the_package(self):
        globs = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
            "gateway"
        ]
        assert any(fnmatch.fnmatch("rest/reference/lead-provider-api-v3.openapi.json", glob) for glob in globs)
        assert any(fnmatch.fnmatch("rest/reference/ecf2-lead-provider-api-v3.swagger.yaml", glob) for glob in globs)
        assert REFERENCE["info"]["title"] == "Lead provider API - 3.0.0"
        assert (NEWER["info"]["title"], NEWER["info"]["version"]) == ("Lead Provider API", "v3")

    def test_only_this_gateway_is_named_as_a_server(self):
        assert SERVED["servers"] == [{"url": "/", "description": "This gateway"}]

    def test_operation_ids_are_unique(self):
        ids = [op["operationId"] for _p, _m, op in operations(SERVED["paths"])]
        assert len(ids) == len(set(ids))

    def test_every_reference_resolves(self):
        text = str(SERVED)
        refs = set(re.findall(r"'\$ref': '#/components/schemas/([^']+)'", text))
        assert refs, "no references found: the pattern is wrong"
        assert refs - set(SERVED["components"]["schemas"]) == set()

    def test_building_it_leaves_the_reference_untouched(self):
        served_document()
        assert reference_document() == REFERENCE
        assert newer_reference_document() == NEWER
        assert "/api/v3/schools" not in REFERENCE["paths"]


class TestPathFamilies:
    @pytest.mark.parametrize("path", [p for p in REFERENCE["paths"] if "/ecf" in p])
    def test_every_ecf_path_is_served_with_the_ecf1_references_methods_and_answers(self, path):
        assert set(SERVED["paths"][path]) == set(REFERENCE["paths"][path])
        for method in REFERENCE["paths"][path]:
            published = REFERENCE["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
            name = published["$ref"].rsplit("/", 1)[-1]
            served = SERVED["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
            # Renamed only where the newer document gives the name to another shape.
            assert served == {"$ref": f"#/components/schemas/{ECF_RENAMES.get(name, name)}"}

    @pytest.mark.parametrize("path", list(NEWER["paths"]))
    def test_every_path_of_the_newer_document_is_served_with_its_methods_and_answers(self, path):
        assert set(SERVED["paths"][path]) == set(NEWER["paths"][path])
        for method in NEWER["paths"][path]:
            assert SERVED["paths"][path][method]["responses"]["200"] == NEWER["paths"][path][method]["responses"]["200"]

    def test_the_paths_are_the_two_documents_and_this_one(self):
        ecf = {p for p in REFERENCE["paths"] if "/ecf" in p}
        assert set(SERVED["paths"]) == ecf | set(NEWER["paths"]) | {OPENAPI_PATH}

    @pytest.mark.parametrize("path", ["/api/v3/partnerships", "/api/v3/partnerships/{id}"])
    def test_partnerships_without_ecf_have_no_challenge_fields(self, path):
        properties = attributes_schema(path)["properties"]
        assert set(CHALLENGE_FIELDS) & set(properties) == set()
        assert {"cohort", "urn", "school_id", "delivery_partner_id", "participants_currently_training"} <= set(
            properties
        )

    @pytest.mark.parametrize("path", ["/api/v3/partnerships/ecf", "/api/v3/partnerships/ecf/{id}"])
    def test_partnerships_on_ecf_paths_keep_the_published_challenge_fields(self, path):
        schema = attributes_schema(path)
        assert set(CHALLENGE_FIELDS) <= set(schema["properties"])
        assert "status" in schema["required"]

    @pytest.mark.parametrize(
        ("path", "name"),
        [
            ("/api/v3/participants/{id}", "working_pattern"),
            ("/api/v3/participants", "overall_induction_start_date"),
            ("/api/v3/participants", "most_recent_induction_period_end_date"),
        ],
    )
    def test_the_newer_enrolment_attributes_are_documented_only_without_ecf(self, path, name):
        def enrolment_properties(path: str) -> set[str]:
            items = attributes_schema(path)["properties"]["ecf_enrolments"]["items"]
            return set(resolved(items)["properties"])

        assert name in enrolment_properties(path)
        assert name not in enrolment_properties(path.replace("/participants", "/participants/ecf"))

    @pytest.mark.parametrize(
        ("path", "absent"),
        [
            ("/api/v3/participant-declarations", "has_passed"),
            ("/api/v3/participant-declarations/{id}", "has_passed"),
            ("/api/v3/statements", "type"),
        ],
    )
    def test_the_resources_without_an_ecf_path_answer_the_newer_documents_shape(self, path, absent):
        assert absent not in attributes_schema(path)["properties"]
        assert absent in attributes_schema(path, REFERENCE)["properties"]


class TestAddedAttributes:
    @pytest.mark.parametrize(
        ("path", "name"),
        [
            ("/api/v3/schools/ecf", "expression_of_interest"),
            ("/api/v3/schools/ecf/{id}", "induction_tutor_name"),
            ("/api/v3/schools/ecf", "induction_tutor_email"),
            ("/api/v3/partnerships/ecf", "participants_currently_training"),
            ("/api/v3/partnerships/ecf/{id}", "participants_currently_training"),
        ],
    )
    def test_the_attribute_is_documented_and_required(self, path, name):
        schema = attributes_schema(path)
        assert name in schema["properties"]
        assert name in schema["required"]
        assert schema["properties"][name]["description"]

    def test_every_added_attribute_is_new_to_the_reference(self):
        for schema, added in ADDED_ATTRIBUTES.items():
            assert set(added) & set(REFERENCE["components"]["schemas"][schema]["properties"]) == set()


class TestNulls:
    NULLABLE: ClassVar[list[tuple[str, str]]] = [
        ("ECFEnrolment", "withdrawal"),
        ("ECFEnrolment", "deferral"),
        ("ECFEnrolment", "mentor_ineligible_for_funding_reason"),
        ("ECFParticipantTransfers", "leaving"),
        ("ECFParticipantTransfers", "joining"),
        ("ECFPartnershipAttributes", "challenged_reason"),
        ("ECFPartnershipAttributes", "induction_tutor_email"),
        ("ECFParticipantAttributes", "teacher_reference_number"),
        ("ECFEnrolment", "email"),
        ("UnfundedMentorAttributes", "email"),
        ("UnfundedMentorAttributes", "teacher_reference_number"),
        ("ECFParticipantLeaving", "provider"),
        ("ECFParticipantJoining", "provider"),
    ]

    @staticmethod
    def accepts_null(document: dict[str, Any], schema: str, attribute: str) -> bool:
        root = {
            **document["components"]["schemas"][schema]["properties"][attribute],
            "components": document["components"],
        }
        return OAS30Validator(root).is_valid(None)

    @pytest.mark.parametrize(("schema", "attribute"), NULLABLE)
    def test_an_attribute_the_api_sends_as_null_accepts_null(self, schema, attribute):
        assert self.accepts_null(SERVED, schema, attribute)

    @pytest.mark.parametrize(("schema", "attribute"), NULLABLE)
    def test_the_reference_as_published_refuses_that_null(self, schema, attribute):
        assert not self.accepts_null(REFERENCE, schema, attribute)

    @pytest.mark.parametrize(
        ("schema", "side", "attribute"),
        [(schema, side, name) for schema, places in NEWER_NULLS.items() for side, name in places],
    )
    def test_a_school_led_transfer_side_may_have_no_provider_where_the_newer_document_says_a_string(
        self, schema, side, attribute
    ):
        def accepts_null(document: dict[str, Any]) -> bool:
            root = {
                **document["components"]["schemas"][schema]["properties"][side]["properties"][attribute],
                "components": document["components"],
            }
            return OAS30Validator(root).is_valid(None)

        assert accepts_null(SERVED)
        assert not accepts_null(NEWER)

    def test_values_besides_null_are_still_checked(self):
        root = {
            **SERVED["components"]["schemas"]["ECFEnrolment"]["properties"]["withdrawal"],
            "components": SERVED["components"],
        }
        assert not OAS30Validator(root).is_valid({"reason": "bored", "date": "2024-01-01T00:00:00Z"})
        assert OAS30Validator(root).is_valid({"reason": "other", "date": "2024-01-01T00:00:00Z"})


class TestErrorResponses:
    @pytest.mark.parametrize(("method", "path"), documented_operations(SERVED))
    def test_every_operation_documents_the_errors_it_can_answer(self, method, path):
        responses = SERVED["paths"][path][method.lower()]["responses"]
        if path == OPENAPI_PATH:
            assert set(responses) == {"200"}
            return
        assert "401" in responses
        assert ("404" in responses) == ("{id}" in path)
        assert ("422" in responses) == (method != "GET")
        parameters = {p["name"] for p in SERVED["paths"][path][method.lower()].get("parameters", [])}
        if "page" in parameters or "requestBody" in SERVED["paths"][path][method.lower()]:
            assert "400" in responses

    def test_the_published_404_body_validates_where_the_reference_schema_refused_it(self):
        path = "/api/v3/statements/{id}"
        assert ResponseValidator(SERVED).errors(path, NOT_FOUND, status="404") == []
        assert ResponseValidator(REFERENCE, strict=True).errors(path, NOT_FOUND, status="404") != []

    def test_a_404_body_with_another_title_is_refused(self):
        body = {"errors": [{"title": "Gone", "detail": "Nothing could be found for the provided details"}]}
        assert ResponseValidator(SERVED).errors("/api/v3/statements/{id}", body, status="404") != []

    def test_a_validation_error_body_is_documented_for_actions(self):
        body = {"errors": [{"title": "cohort", "detail": "Enter a '#/cohort'."}]}
        assert ResponseValidator(SERVED).errors("/api/v3/partnerships", body, method="post", status="422") == []
        assert (
            ResponseValidator(SERVED).errors("/api/v3/participant-declarations", body, method="post", status="422")
            == []
        )
        assert (
            ResponseValidator(SERVED).errors("/api/v3/partnerships", {"error": []}, method="post", status="422") != []
        )


class TestRouteCoverage:
    def test_every_reference_operation_is_in_the_served_document(self):
        assert set(documented_operations(REFERENCE)) <= set(documented_operations(SERVED))
        assert set(documented_operations(NEWER)) <= set(documented_operations(SERVED))

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            pytest.param(m, p, marks=pytest.mark.xfail(reason="not implemented yet", strict=True))
            if (m, p) in NOT_YET_IMPLEMENTED
            else (m, p)
            for m, p in documented_operations(SERVED)
        ],
    )
    def test_every_documented_operation_is_served_by_a_route(self, method, path):
        assert (method, path) in routed_operations()

    def test_every_route_is_documented(self):
        assert routed_operations() - set(documented_operations(SERVED)) == set()

    def test_the_not_yet_implemented_list_names_only_documented_operations(self):
        assert set(documented_operations(SERVED)) >= NOT_YET_IMPLEMENTED
