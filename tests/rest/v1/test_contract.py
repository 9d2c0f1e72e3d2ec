"""Every operation of the v1 and v2 documents, for every sandbox lead provider, validated against the published
documents themselves (strictly: a documented attribute absent or an undocumented one present both fail), beyond
the differences the served documents name; and the error bodies each version publishes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.routing import Route

from gateway.app import create_app
from gateway.rest.legacy.openapi import openapi_path, reference_document, served_document
from gateway.rest.versions import legacy_routes
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES
from tests.rest.support import ACCESS_DENIED, BAD_BODY, BAD_PAGE, BAD_UPDATED_SINCE, headers_for
from tests.rest.v1.legacy import NOT_FOUND, VERSIONS, action_body, contract_errors, error_body_errors, path

PARTICIPANTS = "/participants/ecf"
DECLARATIONS = "/participant-declarations"
MISSING = str(uuid.uuid4())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", LEAD_PROVIDER_NAMES)
class TestReadsForEveryProvider:
    async def test_participant_list_and_show(self, readonly_db, client, version, name):
        headers = await headers_for(readonly_db, name)
        url = path(version, PARTICIPANTS)
        response = await client.get(url, params={"page[per_page]": "3000"}, headers=headers)
        assert response.status_code == 200
        assert contract_errors(version, url, response.json()) == []
        listed = response.json()["data"]
        assert listed, f"{name} trains nobody in the sandbox"
        shown = await client.get(f"{url}/{listed[0]['id']}", headers=headers)
        assert shown.status_code == 200
        assert contract_errors(version, f"{url}/{{id}}", shown.json()) == []

    async def test_declaration_list_and_show(self, readonly_db, client, version, name):
        headers = await headers_for(readonly_db, name)
        url = path(version, DECLARATIONS)
        response = await client.get(url, params={"page[per_page]": "3000"}, headers=headers)
        assert response.status_code == 200
        assert contract_errors(version, url, response.json()) == []
        for declaration in response.json()["data"][:3]:
            shown = await client.get(f"{url}/{declaration['id']}", headers=headers)
            assert shown.status_code == 200
            assert contract_errors(version, f"{url}/{{id}}", shown.json()) == []

    async def test_exports_are_csv_with_the_documented_header(self, readonly_db, client, version, name):
        headers = await headers_for(readonly_db, name)
        document = reference_document(version)
        for tail, schema in (
            (f"{PARTICIPANTS}.csv", "MultipleECFParticipantsCsvResponse"),
            (f"{DECLARATIONS}.csv", "MultipleParticipantDeclarationsCsvResponse"),
        ):
            response = await client.get(path(version, tail), headers=headers)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            documented_header = document["components"]["schemas"][schema]["example"].split("\n", 1)[0]
            assert response.text.split("\n", 1)[0] == documented_header


@pytest.mark.parametrize("version", VERSIONS)
class TestErrors:
    async def test_a_missing_or_malformed_id_is_the_versions_404(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, LEAD_PROVIDER_NAMES[0])
        for tail in (f"{PARTICIPANTS}/{MISSING}", f"{PARTICIPANTS}/not-an-id", f"{DECLARATIONS}/{MISSING}"):
            response = await client.get(path(version, tail), headers=headers)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), tail
        voided = await client.put(path(version, f"{DECLARATIONS}/{MISSING}/void"), headers=headers)
        assert (voided.status_code, voided.json()) == (404, NOT_FOUND)
        void_path = path(version, f"{DECLARATIONS}/{{id}}/void")
        assert error_body_errors(version, void_path, voided.json(), method="put", status="404") == []

    async def test_an_unknown_path_is_the_versions_404_and_a_wrong_method_a_405(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, LEAD_PROVIDER_NAMES[0])
        unknown = await client.get(path(version, "/schools/ecf"), headers=headers)
        assert (unknown.status_code, unknown.json()) == (404, NOT_FOUND)
        wrong = await client.delete(path(version, PARTICIPANTS), headers=headers)
        assert wrong.status_code == 405
        assert wrong.headers["allow"] == "GET, HEAD"

    async def test_no_token_is_the_published_401(self, readonly_db, client, version):
        for tail in (PARTICIPANTS, f"{PARTICIPANTS}.csv", DECLARATIONS, f"{DECLARATIONS}.csv"):
            response = await client.get(path(version, tail))
            assert (response.status_code, response.json()) == (401, ACCESS_DENIED)

    async def test_bad_pages_filters_and_bodies_are_400s(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, LEAD_PROVIDER_NAMES[0])
        page = await client.get(path(version, PARTICIPANTS), params={"page[page]": "0"}, headers=headers)
        assert (page.status_code, page.json()) == (400, BAD_PAGE)
        since = await client.get(
            path(version, f"{DECLARATIONS}.csv"), params={"filter[updated_since]": "yesterday"}, headers=headers
        )
        assert (since.status_code, since.json()) == (400, BAD_UPDATED_SINCE)
        body = await client.post(path(version, DECLARATIONS), content=b"not json", headers=headers)
        assert (body.status_code, body.json()) == (400, BAD_BODY)
        assert error_body_errors(version, path(version, DECLARATIONS), body.json(), method="post", status="400") == []

    async def test_a_422_lists_each_message_in_the_v3_text(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, LEAD_PROVIDER_NAMES[0])
        response = await client.post(
            path(version, DECLARATIONS), json=action_body("participant-declaration"), headers=headers
        )
        assert response.status_code == 422
        assert {"title": "participant_id", "detail": "Enter a '#/participant_id'."} in response.json()["errors"]
        errors = error_body_errors(version, path(version, DECLARATIONS), response.json(), method="post", status="422")
        assert errors == []


@pytest.mark.parametrize("version", VERSIONS)
class TestServedDocument:
    async def test_the_document_is_served_without_a_token(self, readonly_db, client, version):
        response = await client.get(openapi_path(version))
        assert response.status_code == 200
        assert response.json() == served_document(version)

    def test_it_keeps_every_published_operation(self, version):
        published = reference_document(version)["paths"]
        served = served_document(version)["paths"]
        for url, item in published.items():
            assert set(item) <= set(served[url]), url
        assert len([m for item in published.values() for m in item]) == {"v1": 16, "v2": 12}[version]

    def test_operation_ids_are_unique(self, version):
        ids = [op["operationId"] for item in served_document(version)["paths"].values() for op in item.values()]
        assert len(ids) == len(set(ids))


class TestRoutes:
    def test_every_route_of_a_version_is_an_operation_of_its_served_document(self):
        routed = {
            (method.lower(), route.path)
            for route in legacy_routes()
            if isinstance(route, Route) and "{path:path}" not in route.path
            for method in route.methods or ()
            if method != "HEAD"
        }
        documented = {
            (method, url)
            for version in VERSIONS
            for url, item in served_document(version)["paths"].items()
            for method in item
        }
        assert routed == documented


@pytest.mark.parametrize("version", VERSIONS)
class TestSharedMachinery:
    async def test_time_travel_moves_a_leaving_registration_to_withdrawn_once_its_date_has_passed(
        self, readonly_db, client, version
    ):
        url = path(version, f"{PARTICIPANTS}/{case_id(Case.LEAVING_ECT)}")
        today = await client.get(url, headers=await headers_for(readonly_db, AMBITION))
        later = (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
        travelled = await client.get(url, headers=await headers_for(readonly_db, AMBITION, server_date=later))
        assert today.json()["data"]["attributes"]["status"] == "active"
        assert travelled.json()["data"]["attributes"]["status"] == "withdrawn"

    async def test_the_rate_limit_counts_legacy_requests_too(self, readonly_db, version):
        app = create_app(rate_limit=2)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        headers = await headers_for(readonly_db, AMBITION)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as limited:
            answers = [await limited.get(path(version, DECLARATIONS), headers=headers) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[-1].json() == {"error": "Retry later"}
        assert "retry-after" in answers[-1].headers
