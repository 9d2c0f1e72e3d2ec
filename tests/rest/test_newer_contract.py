"""The paths without ``/ecf`` against the newer service's own v3 document, as a client generated from it reads them.

Every GET endpoint of that document, for every sandbox lead provider, and the answer of every write it documents,
is validated against ``gateway/rest/reference/ecf2-lead-provider-api-v3.swagger.yaml`` exactly as DfE publishes
it (a test below holds the copy to the published file's bytes), read strictly: an attribute it documents that is
missing, or one it does not document, is a failure.

The one difference the gateway keeps, and the served document names (``gateway.rest.openapi.NEWER_NULLS``): a
transfer side that trained school-led has no lead provider, so its ``provider`` is null.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema.exceptions import ValidationError

from gateway.rest.openapi import NEWER_NULLS, newer_reference_document, operations, served_document
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import LEAD_PROVIDER_NAMES
from tests.declaration_scenarios import make_trainee
from tests.rest.endpoints import LISTS, SHOWS, ListEndpoint
from tests.rest.openapi_validation import ResponseValidator, describe
from tests.rest.test_contract import all_items, get_json, sample
from tests.support import bearer, issue_token

NEWER = newer_reference_document()
VALIDATOR = ResponseValidator(NEWER)
PUBLISHED_COPY = Path("/work/shared/reference/ecf2-lead-provider-api-v3.swagger.yaml")
PACKAGED_COPY = Path(__file__).resolve().parents[2] / "gateway/rest/reference/ecf2-lead-provider-api-v3.swagger.yaml"

NEWER_GETS = {path for path, method, _ in operations(NEWER["paths"]) if method == "get"}
NEWER_WRITES = {(method, path) for path, method, _ in operations(NEWER["paths"]) if method != "get"}
NEWER_LISTS = [e for e in LISTS if e.path in NEWER_GETS]
NEWER_SHOWS = [e for e in SHOWS if e.path in NEWER_GETS]
COHORT_YEARS = (2021, 2022, 2023, 2024, 2025, 2026)


def school_led_side(error: ValidationError) -> bool:
    """A null ``provider`` on a transfer side: the gateway's one named difference (NEWER_NULLS)."""
    location = list(error.absolute_path)
    sides = {side for side, _name in NEWER_NULLS["ParticipantTransfersTransfer"]}
    return (
        error.instance is None
        and error.validator == "type"
        and location[-1:] == ["provider"]
        and len(location) >= 2
        and location[-2] in sides
    )


def failures(path: str, body: Any, *, method: str = "get") -> list[str]:
    return [describe(e) for e in VALIDATOR.violations(path, body, method=method) if not school_led_side(e)]


@pytest.fixture(scope="module")
async def tokens(shared_sandbox) -> dict[str, dict[str, str]]:
    return {name: bearer(await issue_token(shared_sandbox.engine, lead_provider=name)) for name in LEAD_PROVIDER_NAMES}


def list_urls(endpoint: ListEndpoint) -> list[str]:
    if endpoint.by_cohort:
        return [f"{endpoint.path}?filter[cohort]={year}" for year in COHORT_YEARS]
    return [endpoint.path]


class TestTheDocumentItself:
    def test_the_packaged_copy_is_the_published_document_byte_for_byte(self):
        if not PUBLISHED_COPY.exists():
            pytest.skip("the published document is not on this machine")
        assert (
            hashlib.sha256(PACKAGED_COPY.read_bytes()).digest() == hashlib.sha256(PUBLISHED_COPY.read_bytes()).digest()
        )

    def test_every_get_of_the_document_is_in_the_endpoint_table(self):
        assert {e.path for e in NEWER_LISTS} | {e.path for e in NEWER_SHOWS} == NEWER_GETS

    def test_the_served_document_describes_these_paths_by_the_newer_document(self):
        served = served_document()
        for path in NEWER_GETS:
            assert (
                served["paths"][path]["get"]["responses"]["200"] == NEWER["paths"][path]["get"]["responses"]["200"]
            ), path

    def test_a_body_with_an_undocumented_or_a_missing_attribute_fails(self):
        path = "/api/v3/statements/{id}"
        attributes = {
            "month": "May",
            "year": "2025",
            "cohort": "2024",
            "cut_off_date": "2025-04-30",
            "payment_date": "2025-05-25",
            "paid": True,
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
        }
        body = {"data": {"id": "5c5f1a7e-3d4b-4a51-9a2e-1f6f0d1c2b3a", "type": "statement", "attributes": attributes}}
        assert failures(path, body) == []
        with_type = {"data": {**body["data"], "attributes": {**attributes, "type": "ecf"}}}
        assert failures(path, with_type) != []
        without_paid = {"data": {**body["data"], "attributes": {k: v for k, v in attributes.items() if k != "paid"}}}
        assert failures(path, without_paid) != []


class TestReads:
    @pytest.mark.parametrize("endpoint", NEWER_LISTS, ids=str)
    async def test_every_item_of_every_lead_providers_list_matches_the_newer_document(
        self, readonly_db, client, tokens, endpoint
    ):
        seen, problems = 0, []
        for name, headers in tokens.items():
            for url in list_urls(endpoint):
                items = await all_items(client, url, headers)
                seen += len(items)
                problems += [f"{name} {url}: {e}" for e in failures(endpoint.path, {"data": items})]
        assert seen > 0, "the sandbox holds none of these, so nothing was validated"
        assert not problems, "\n".join(problems[:20])

    @pytest.mark.parametrize("endpoint", NEWER_SHOWS, ids=str)
    async def test_each_record_shown_matches_the_newer_document(self, readonly_db, client, tokens, endpoint):
        lister = next(e for e in LISTS if e.path == endpoint.listed_by)
        shown, problems = 0, []
        for name, headers in tokens.items():
            for url in list_urls(lister):
                for item in sample(await all_items(client, url, headers), 4 if lister.by_cohort else 12):
                    body = await get_json(client, endpoint.url_for(item), headers)
                    shown += 1
                    problems += [f"{name} {item['id']}: {e}" for e in failures(endpoint.path, body)]
        assert shown > 0, "the sandbox holds none of these, so nothing was validated"
        assert not problems, "\n".join(problems[:20])

    async def test_the_named_difference_occurs_in_the_sandbox_and_is_the_only_one(self, readonly_db, client, tokens):
        tolerated = []
        for headers in tokens.values():
            items = await all_items(client, "/api/v3/participants/transfers", headers)
            tolerated += [e for e in VALIDATOR.violations("/api/v3/participants/transfers", {"data": items})]
        assert tolerated, "no school-led transfer side in the sandbox: the named difference is untested"
        assert all(school_led_side(e) for e in tolerated), [describe(e) for e in tolerated][:5]


async def _put(client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict) -> httpx.Response:
    return await client.put(url, json=body, headers=headers)


class TestWrites:
    """Each write of the newer document, for every sandbox lead provider, answered as that document says."""

    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_every_documented_write_answers_the_newer_documents_body(self, sandbox_db, client, lead_provider):
        headers = bearer(await issue_token(sandbox_db.engine, lead_provider=lead_provider))
        answered: dict[tuple[str, str], dict] = {}
        answered |= await self._partnership_writes(client, headers)
        answered |= await self._participant_actions(client, headers)
        answered |= await self._declaration_writes(sandbox_db, client, headers, lead_provider)
        assert set(answered) == NEWER_WRITES
        problems = [
            f"{method.upper()} {path}: {e}"
            for (method, path), body in answered.items()
            for e in failures(path, body, method=method)
        ]
        assert not problems, "\n".join(problems[:20])

    async def _partnership_writes(self, client, headers) -> dict[tuple[str, str], dict]:
        partners = await all_items(client, "/api/v3/delivery-partners?filter[cohort]=2025", headers)
        assert partners, "the provider has no delivery partner in 2025"
        attributes = {
            "cohort": "2025",
            "school_id": str(case_id(Case.UNPARTNERED_ELIGIBLE_SCHOOL)),
            "delivery_partner_id": partners[0]["id"],
        }
        created = await client.post(
            "/api/v3/partnerships", json={"data": {"type": "partnership", "attributes": attributes}}, headers=headers
        )
        assert created.status_code == 200, created.text
        found = {("post", "/api/v3/partnerships"): created.json()}
        for partnership in await all_items(client, "/api/v3/partnerships", headers):
            cohort = partnership["attributes"]["cohort"]
            others = [
                p["id"]
                for p in await all_items(client, f"/api/v3/delivery-partners?filter[cohort]={cohort}", headers)
                if p["id"] != partnership["attributes"]["delivery_partner_id"]
            ]
            for other in others:
                body = {"data": {"type": "partnership", "attributes": {"delivery_partner_id": other}}}
                response = await _put(client, f"/api/v3/partnerships/{partnership['id']}", headers, body)
                if response.status_code == 200:
                    found[("put", "/api/v3/partnerships/{id}")] = response.json()
                    return found
        pytest.fail("no partnership of the provider could change delivery partner")

    async def _participant_actions(self, client, headers) -> dict[tuple[str, str], dict]:
        found: dict[tuple[str, str], dict] = {}
        participants = await all_items(client, "/api/v3/participants?filter[training_status]=active", headers)
        for item in participants:
            (enrolment, *_) = item["attributes"]["ecf_enrolments"]
            if enrolment["training_status"] != "active" or enrolment["participant_status"] != "active":
                continue
            course = "ecf-induction" if enrolment["participant_type"] == "ect" else "ecf-mentor"
            url = f"/api/v3/participants/{item['id']}"
            steps = [
                ("defer", {"reason": "other"}),
                ("resume", {}),
                *[
                    ("change-schedule", {"schedule_identifier": schedule, "cohort": enrolment["cohort"]})
                    for schedule in ("ecf-extended-september", "ecf-standard-january", "ecf-extended-january")
                    if schedule != enrolment["schedule_identifier"]
                ],
                ("withdraw", {"reason": "other"}),
            ]
            for action, attributes in steps:
                if (action == "change-schedule") and ("put", f"/api/v3/participants/{{id}}/{action}") in found:
                    continue
                body = {
                    "data": {
                        "type": f"participant-{action}",
                        "attributes": {"course_identifier": course, **attributes},
                    }
                }
                response = await _put(client, f"{url}/{action}", headers, body)
                if response.status_code == 200:
                    found[("put", f"/api/v3/participants/{{id}}/{action}")] = response.json()
            if len(found) == 4:
                return found
        pytest.fail(f"not every participant action succeeded for one of the provider's participants: {sorted(found)}")

    async def _declaration_writes(self, sandbox_db, client, headers, lead_provider) -> dict[tuple[str, str], dict]:
        # At the school the partnership write above just partnered, so every provider has a 2025 partnership there.
        trainee = await make_trainee(
            sandbox_db.engine, lead_provider=lead_provider, school=Case.UNPARTNERED_ELIGIBLE_SCHOOL
        )
        body = {
            "data": {
                "type": "participant-declaration",
                "attributes": trainee.declaration("started", "2025-10-01T10:00:00Z", "other"),
            }
        }
        created = await client.post("/api/v3/participant-declarations", json=body, headers=headers)
        assert created.status_code == 200, created.text
        voided = await _put(
            client, f"/api/v3/participant-declarations/{created.json()['data']['id']}/void", headers, {}
        )
        assert voided.status_code == 200, voided.text
        assert voided.json()["data"]["attributes"]["state"] == "voided"
        return {
            ("post", "/api/v3/participant-declarations"): created.json(),
            ("put", "/api/v3/participant-declarations/{id}/void"): voided.json(),
        }
