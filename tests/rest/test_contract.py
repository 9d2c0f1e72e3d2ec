"""The shared contract of every REST endpoint (DfE's ``it_behaves_like`` specs), over the endpoint table.

Each class is one shared behaviour; each test runs for every endpoint of
tests/rest/endpoints.py that is served today, on both path families. Responses
are checked against the OpenAPI document the gateway itself serves
(``GET /api/v3/openapi.json``).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy import func, select

from gateway.db.tables import Cohort, LeadProvider, Participant, SchoolCohort
from gateway.rest.openapi import served_document
from tests.rest.endpoints import LISTS, SHOWS, ListEndpoint, Sandbox, served_now
from tests.rest.openapi_validation import ResponseValidator
from tests.rest.support import ACCESS_DENIED, BAD_PAGE, BAD_UPDATED_SINCE, FILTER_NOT_A_HASH, MAX_PAGE, NOT_FOUND
from tests.support import bearer, issue_token

# Sort keys a resource sorts by without publishing them, read from its table (published type -> table).
UNPUBLISHED_SORT_COLUMNS = {"participant": Participant.__table__, "participant-transfer": Participant.__table__}

SERVED = served_document()
SERVED_LISTS = [e for e in LISTS if served_now("GET", e.path)]
SERVED_SHOWS = [e for e in SHOWS if served_now("GET", e.path)]
SERVED_ENDPOINTS = [*SERVED_LISTS, *SERVED_SHOWS]


def _parameters(path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in SERVED["paths"][path]["get"].get("parameters", [])}


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SERVED["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def filter_names(path: str) -> set[str]:
    """The filters the served document declares for a list (``filter`` objects or ``filter[...]`` parameters)."""
    names = set()
    for name, parameter in _parameters(path).items():
        if name == "filter":
            names |= set(_resolved(parameter["schema"]).get("properties", {}))
        elif name.startswith("filter["):
            names.add(name[len("filter[") : -1])
    return names


def sort_keys(path: str) -> list[str]:
    """The sort keys the served document allows for a list (ascending spelling): an array of keys (ECF1) or one."""
    parameter = _parameters(path).get("sort")
    if parameter is None:
        return []
    schema = _resolved(parameter["schema"])
    return [k for k in _resolved(schema.get("items", schema))["enum"] if not k.startswith("-")]


def required_filters(path: str) -> list[str]:
    """Filters the served document requires: ``filter[...]`` parameters (ECF1) or a ``filter`` object's (newer)."""
    parameters = _parameters(path)
    required = [
        name[len("filter[") : -1] for name, p in parameters.items() if name.startswith("filter[") and p.get("required")
    ]
    if "filter" in parameters:
        required += _resolved(parameters["filter"]["schema"]).get("required", [])
    return required


UPDATED_SINCE_LISTS = [e for e in SERVED_LISTS if "updated_since" in filter_names(e.path)]
SORTS = [(e, key) for e in SERVED_LISTS for key in sort_keys(e.path)]
REQUIRED_FILTERS = [(e, name) for e in SERVED_ENDPOINTS for name in required_filters(e.path)]
# A path with no route yet is expected to fail, strictly: once its route lands the test passes and the stale
# entry in NOT_YET_IMPLEMENTED must go.
WRONG_METHODS = [
    pytest.param(method, path, marks=pytest.mark.xfail(reason=f"no route for {path} yet", strict=True))
    if not any(served_now(m.upper(), path) for m in item if m != "parameters")
    else pytest.param(method, path)
    for path, item in SERVED["paths"].items()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    if method.lower() not in item
]

# Query strings a careless or hostile client sends; none may crash the gateway.
ODD_QUERIES = [
    "filter[cohort]=%E2%82%AC%F0%9F%98%80",
    "filter[cohort]=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94",  # 2024 in full-width digits
    "filter[cohort]=99999999999999999999",
    "filter[cohort]=2021&filter[cohort]=2022",
    "filter[cohort]=" + "9" * 5000,
    "filter[cohort][x]=1",
    "filter[cohort]=",
    "filter[]=1",
    "filter[=1",
    "filter]=1",
    "filter[updated_since]=",
    "filter[updated_since]=%F0%9F%98%80",
    "filter[updated_since]=9999-12-31T23:59:59-14:00",
    "filter[updated_since]=0001-01-01T00:00:00%2B14:00",
    "filter[updated_since]=2024-13-45",
    "filter[updated_since]=2024-01-01T25:61:61Z",
    "filter[updated_since][x]=2024-01-01",
    "filter[urn]=%00",
    "filter[urn]=12%0034",
    "filter[delivery_partner_id]=%00",
    "filter[delivery_partner_id]=,,,",
    "filter[participant_id]=not-a-uuid",
    "filter[from_participant_id]=%00",
    "filter[training_status]=%ED%A0%80",
    "filter[training_status]=%00",
    "filter[cohort]=%00",
    "filter[updated_since]=%00",
    "filter[participant_id]=%00",
    "filter[type]=%00",
    "page=1",
    "page[]=1",
    "page[page][x]=1",
    "page[page]=",
    "page[per_page]=",
    "page[page]=99999999999999999999999",
    "page[per_page]=99999999999999999999999",
    "page[page]=9223372036854775807",
    "page[page]=9223372036854775807&page[per_page]=3000",
    "page[page]=1&page[page]=x",
    "page[page]=%EF%BC%91",  # 1 in full-width digits
    "page[page]=1e3",
    "sort=,,-",
    "sort=-",
    "sort=--updated_at",
    "sort=",
    "sort=%00",
    "sort=updated_at&sort=-updated_at",
    "sort=name,urn,id,password",
    "%ZZ=1",
    "=&=&&&",
    "a" * 8000 + "=1",
]


@pytest.fixture(scope="module")
async def sandbox(shared_sandbox) -> Sandbox:
    lead_providers, cohorts, school_cohorts = LeadProvider.__table__, Cohort.__table__, SchoolCohort.__table__
    async with shared_sandbox.engine.connect() as conn:
        names = (await conn.execute(select(lead_providers.c.name).order_by(lead_providers.c.name))).scalars().all()
        years = (await conn.execute(select(cohorts.c.year).order_by(cohorts.c.year))).scalars().all()
        busy = await conn.scalar(
            select(cohorts.c.year)
            .join(school_cohorts, school_cohorts.c.cohort_id == cohorts.c.id)
            .where(school_cohorts.c.eligible_for_funding)
            .group_by(cohorts.c.year)
            .order_by(func.count().desc(), cohorts.c.year)
            .limit(1)
        )
    return Sandbox(lead_providers=tuple(names), cohort_years=tuple(years), busy_cohort=busy)


@pytest.fixture(scope="module")
async def tokens(shared_sandbox, sandbox) -> dict[str, dict[str, str]]:
    """Authorization headers of every sandbox lead provider, by name."""
    return {
        name: bearer(await issue_token(shared_sandbox.engine, lead_provider=name)) for name in sandbox.lead_providers
    }


@pytest.fixture(scope="module")
def busiest(tokens) -> Busiest:
    return Busiest(tokens)


@pytest.fixture(scope="module")
def validator() -> ResponseValidator:
    return ResponseValidator(SERVED)


async def get_json(client: httpx.AsyncClient, url: str, headers: dict[str, str], *, status: int = 200) -> Any:
    response = await client.get(url, headers=headers)
    assert response.status_code == status, f"GET {url}: {response.status_code} {response.text[:500]}"
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


async def all_items(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of a list, page by page at the largest page size."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        data = (await get_json(client, with_query(url, f"page[per_page]={MAX_PAGE}&page[page]={page}"), headers))[
            "data"
        ]
        items += data
        if len(data) < MAX_PAGE:
            return items
        page += 1


class Busiest:
    """Per URL, the lead provider with the most items there and those items (the shared sandbox never changes)."""

    def __init__(self, tokens: dict[str, dict[str, str]]) -> None:
        self.tokens = tokens
        self.found: dict[str, tuple[dict[str, str], list[dict[str, Any]]]] = {}

    async def __call__(self, client: httpx.AsyncClient, url: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
        if url not in self.found:
            best: tuple[dict[str, str], list[dict[str, Any]]] = ({}, [])
            for headers in self.tokens.values():
                items = await all_items(client, url, headers)
                if len(items) >= len(best[1]):
                    best = (headers, items)
            self.found[url] = best
        return self.found[url]


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def sample(items: list[dict[str, Any]], size: int = 12) -> list[dict[str, Any]]:
    """Up to ``size`` items spread evenly over the list, first and last included."""
    if len(items) <= size:
        return items
    step = (len(items) - 1) / (size - 1)
    return [items[round(i * step)] for i in range(size)]


class TestTokenAuthenticated:
    @pytest.mark.parametrize("endpoint", SERVED_ENDPOINTS, ids=str)
    @pytest.mark.parametrize(
        "headers",
        [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Bearer "}, {"Authorization": "Token abc"}],
        ids=["missing", "unknown", "empty", "other-scheme"],
    )
    async def test_a_request_without_a_valid_token_is_refused_with_the_published_401(
        self, readonly_db, client, sandbox, validator, endpoint, headers
    ):
        if isinstance(endpoint, ListEndpoint):
            url = endpoint.url(sandbox)
        else:
            url = endpoint.url_with_id(uuid.uuid4(), cohort=sandbox.busy_cohort if endpoint.by_cohort else None)
        body = await get_json(client, url, headers, status=401)
        assert body == ACCESS_DENIED
        assert validator.errors(endpoint.path, body, status="401") == []


class TestValidatesAgainstTheServedOpenAPI:
    @pytest.mark.parametrize("endpoint", SERVED_LISTS, ids=str)
    async def test_every_item_of_every_lead_providers_list_matches_the_documented_schema(
        self, readonly_db, client, sandbox, tokens, validator, endpoint
    ):
        cohorts = sandbox.cohort_years if endpoint.by_cohort else [None]
        seen, problems = 0, []
        for name, headers in tokens.items():
            for cohort in cohorts:
                url = endpoint.path + (f"?filter[cohort]={cohort}" if cohort else "")
                items = await all_items(client, url, headers)
                seen += len(items)
                problems += [f"{name} {cohort or ''}: {e}" for e in validator.errors(endpoint.path, {"data": items})]
        assert seen > 0, "the sandbox holds none of these, so nothing was validated"
        assert not problems, "\n".join(problems[:20])

    @pytest.mark.parametrize("endpoint", SERVED_SHOWS, ids=str)
    async def test_each_record_shown_matches_the_documented_schema_and_its_list_item(
        self, readonly_db, client, sandbox, tokens, validator, endpoint
    ):
        lister = next(e for e in LISTS if e.path == endpoint.listed_by)
        cohorts = sandbox.cohort_years if endpoint.by_cohort else [None]
        shown, problems = 0, []
        for name, headers in tokens.items():
            for cohort in cohorts:
                url = lister.path + (f"?filter[cohort]={cohort}" if cohort else "")
                for item in sample(await all_items(client, url, headers), 6 if cohort else 12):
                    body = await get_json(client, endpoint.url_for(item), headers)
                    shown += 1
                    problems += [f"{name} {item['id']}: {e}" for e in validator.errors(endpoint.path, body)]
                    if body["data"] != item:
                        problems.append(f"{name} {item['id']}: shown {body['data']} but listed {item}")
        assert shown > 0, "the sandbox holds none of these, so nothing was validated"
        assert not problems, "\n".join(problems[:20])


class TestPaginated:
    @pytest.mark.parametrize("endpoint", SERVED_LISTS, ids=str)
    async def test_a_page_of_3000_and_the_default_page_of_100_start_the_same_list(
        self, readonly_db, client, sandbox, busiest, endpoint
    ):
        headers, items = await busiest(client, endpoint.url(sandbox))
        default = (await get_json(client, endpoint.url(sandbox), headers))["data"]
        largest = (await get_json(client, endpoint.url(sandbox, f"page[per_page]={MAX_PAGE}"), headers))["data"]
        assert largest == items[:MAX_PAGE]
        assert default == items[:100]

    @pytest.mark.parametrize("endpoint", SERVED_LISTS, ids=str)
    async def test_consecutive_pages_are_consecutive_slices_of_the_list(
        self, readonly_db, client, sandbox, busiest, endpoint
    ):
        headers, items = await busiest(client, endpoint.url(sandbox))
        assert len(items) > 2, "too few items in the sandbox to page through"
        size = len(items) // 3
        pages = [
            (await get_json(client, endpoint.url(sandbox, f"page[per_page]={size}&page[page]={n}"), headers))["data"]
            for n in range(1, -(-len(items) // size) + 1)
        ]
        assert [len(page) for page in pages[:-1]] == [size] * (len(pages) - 1)
        assert [item for page in pages for item in page] == items

    @pytest.mark.parametrize("endpoint", SERVED_LISTS, ids=str)
    async def test_a_page_size_above_3000_is_served_as_3000(self, readonly_db, client, sandbox, tokens, endpoint):
        headers = next(iter(tokens.values()))
        above = await get_json(client, endpoint.url(sandbox, "page[per_page]=5000"), headers)
        at_most = await get_json(client, endpoint.url(sandbox, f"page[per_page]={MAX_PAGE}"), headers)
        assert above == at_most

    @pytest.mark.parametrize("endpoint", SERVED_LISTS, ids=str)
    async def test_a_page_past_the_end_is_an_empty_list(self, readonly_db, client, sandbox, busiest, endpoint):
        headers, items = await busiest(client, endpoint.url(sandbox))
        past = len(items) // 10 + 2
        body = await get_json(client, endpoint.url(sandbox, f"page[per_page]=10&page[page]={past}"), headers)
        assert body == {"data": []}

    @pytest.mark.parametrize("endpoint", SERVED_LISTS, ids=str)
    @pytest.mark.parametrize(
        "query",
        ["page[page]=0", "page[page]=-1", "page[page]=abc", "page[per_page]=0", "page[per_page]=abc", "page[page]=1.5"],
    )
    async def test_a_page_below_1_or_not_a_number_is_the_published_400(
        self, readonly_db, client, sandbox, tokens, validator, endpoint, query
    ):
        body = await get_json(client, endpoint.url(sandbox, query), next(iter(tokens.values())), status=400)
        assert body == BAD_PAGE
        assert validator.errors(endpoint.path, body, status="400") == []


class TestFilterMustBeAHash:
    @pytest.mark.parametrize("endpoint", SERVED_LISTS, ids=str)
    @pytest.mark.parametrize("query", ["filter=x", "filter=", "filter=2024"])
    async def test_a_filter_that_is_not_an_object_is_the_published_400(
        self, readonly_db, client, sandbox, tokens, validator, endpoint, query
    ):
        body = await get_json(client, endpoint.url(sandbox, query), next(iter(tokens.values())), status=400)
        assert body == FILTER_NOT_A_HASH
        assert validator.errors(endpoint.path, body, status="400") == []


class TestRequiredFilter:
    @pytest.mark.parametrize(("endpoint", "name"), REQUIRED_FILTERS, ids=lambda v: str(v))
    @pytest.mark.parametrize("value", [None, "", "   "], ids=["missing", "empty", "blank"])
    async def test_a_required_filter_left_out_is_the_published_400(
        self, readonly_db, client, tokens, validator, endpoint, name, value
    ):
        query = "" if value is None else f"filter[{name}]={value}"
        url = endpoint.path if isinstance(endpoint, ListEndpoint) else endpoint.url_with_id(uuid.uuid4())
        body = await get_json(client, with_query(url, query) if query else url, next(iter(tokens.values())), status=400)
        assert body == {
            "errors": [{"title": "Bad parameter", "detail": f"The filter '#/{name}' must be included in your request"}]
        }
        assert validator.errors(endpoint.path, body, status="400") == []


class TestFilterByUpdatedSince:
    @pytest.mark.parametrize("endpoint", UPDATED_SINCE_LISTS, ids=str)
    @pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-02-30", "20240101", "2024-01-01T10", "1"])
    async def test_a_value_that_is_not_iso_8601_is_the_published_400(
        self, readonly_db, client, sandbox, tokens, validator, endpoint, value
    ):
        body = await get_json(
            client, endpoint.url(sandbox, f"filter[updated_since]={value}"), next(iter(tokens.values())), status=400
        )
        assert body == BAD_UPDATED_SINCE
        assert validator.errors(endpoint.path, body, status="400") == []

    @pytest.mark.parametrize("endpoint", UPDATED_SINCE_LISTS, ids=str)
    async def test_a_moment_far_in_the_future_gives_an_empty_list(
        self, readonly_db, client, sandbox, busiest, endpoint
    ):
        headers, items = await busiest(client, endpoint.url(sandbox))
        assert items, "nothing in the sandbox to filter out"
        body = await get_json(client, endpoint.url(sandbox, "filter[updated_since]=2999-01-01T00:00:00Z"), headers)
        assert body == {"data": []}

    @pytest.mark.parametrize("endpoint", UPDATED_SINCE_LISTS, ids=str)
    async def test_a_moment_before_everything_keeps_the_whole_list(
        self, readonly_db, client, sandbox, busiest, endpoint
    ):
        headers, items = await busiest(client, endpoint.url(sandbox))
        filtered = await all_items(client, endpoint.url(sandbox, "filter[updated_since]=2000-01-01"), headers)
        assert filtered == items

    @pytest.mark.parametrize("endpoint", UPDATED_SINCE_LISTS, ids=str)
    async def test_it_keeps_exactly_the_items_updated_at_or_after_the_moment(
        self, readonly_db, client, sandbox, busiest, endpoint
    ):
        headers, items = await busiest(client, endpoint.url(sandbox))
        stamps = sorted({item["attributes"]["updated_at"] for item in items}, key=moment)
        assert len(stamps) > 1, "every item has the same updated_at: nothing to tell apart"
        since = stamps[len(stamps) // 2]
        filtered = await all_items(
            client, endpoint.url(sandbox, f"filter[updated_since]={since.replace('+', '%2B')}"), headers
        )
        assert filtered == [item for item in items if moment(item["attributes"]["updated_at"]) >= moment(since)]
        assert 0 < len(filtered) < len(items)


async def sort_values(engine, items: list[dict[str, Any]], key: str) -> dict[str, datetime]:
    """Each item's value of a sort key: its attribute, or (keys the resource does not publish) its table's column."""
    if all(key in item["attributes"] for item in items):
        return {item["id"]: moment(item["attributes"][key]) for item in items}
    table = UNPUBLISHED_SORT_COLUMNS[items[0]["type"]]
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(table.c.id, table.c[key]).where(table.c.id.in_([uuid.UUID(i["id"]) for i in items]))
        )
        return {str(id_): value if value.tzinfo else value.replace(tzinfo=UTC) for id_, value in rows}


class TestSortable:
    @pytest.mark.parametrize(("endpoint", "key"), SORTS, ids=lambda v: str(v))
    @pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
    async def test_a_documented_sort_key_orders_the_list_with_ties_broken_by_id(
        self, readonly_db, client, sandbox, busiest, endpoint, key, descending
    ):
        headers, items = await busiest(client, endpoint.url(sandbox))
        sorted_items = await all_items(client, endpoint.url(sandbox, f"sort={'-' if descending else ''}{key}"), headers)
        assert sorted(i["id"] for i in sorted_items) == sorted(i["id"] for i in items)
        values = await sort_values(readonly_db.engine, sorted_items, key)
        assert len(set(values.values())) > 1, f"every item has the same {key}: the order proves nothing"
        expected = sorted(
            values, key=lambda id_: (-values[id_].timestamp() if descending else values[id_].timestamp(), id_)
        )
        assert [i["id"] for i in sorted_items] == expected

    @pytest.mark.parametrize("endpoint", [e for e in SERVED_LISTS if sort_keys(e.path)], ids=str)
    async def test_unknown_sort_keys_are_ignored(self, readonly_db, client, sandbox, busiest, endpoint):
        headers, items = await busiest(client, endpoint.url(sandbox))
        ignored = await all_items(client, endpoint.url(sandbox, "sort=-password,name"), headers)
        assert ignored == items


def allowed_methods(url: str) -> set[str]:
    """The methods the document allows on a concrete URL, over every path template it matches."""
    allowed = set()
    for path, item in SERVED["paths"].items():
        if re.fullmatch(re.escape(path).replace(r"\{id\}", "[^/]+"), url):
            allowed |= {m.upper() for m in item if m in ("get", "put", "post", "patch", "delete")}
    return allowed


class TestMethodNotAllowed:
    @pytest.mark.parametrize(("method", "path"), WRONG_METHODS, ids=lambda v: str(v))
    async def test_a_method_the_path_does_not_have_is_a_json_405(self, readonly_db, client, tokens, method, path):
        url = path.replace("{id}", str(uuid.uuid4()))
        if method in allowed_methods(url):
            pytest.skip(f"{url} is also another path that allows {method}")
        response = await client.request(method, url, headers=next(iter(tokens.values())), json={})
        assert response.status_code == 405
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {
            "errors": [{"title": "Method not allowed", "detail": f"{method} is not supported on {url}"}]
        }
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert allowed - {"HEAD"} == allowed_methods(url)


class TestNotFound:
    @pytest.mark.parametrize("endpoint", SERVED_SHOWS, ids=str)
    @pytest.mark.parametrize(
        "id_", [str(uuid.uuid4()), "not-a-uuid", "12345", "00000000-0000-0000-0000-00000000000g", "' OR 1=1 --", "%00"]
    )
    async def test_an_id_that_names_no_visible_record_is_the_published_404(
        self, readonly_db, client, sandbox, tokens, validator, endpoint, id_
    ):
        url = endpoint.url_with_id(id_, cohort=sandbox.busy_cohort if endpoint.by_cohort else None)
        body = await get_json(client, url, next(iter(tokens.values())), status=404)
        assert body == NOT_FOUND
        assert validator.errors(endpoint.path, body, status="404") == []


async def odd_responses(client, sandbox, busiest, endpoint, queries) -> list[str]:
    """The queries of ``queries`` that ``endpoint`` answers with anything but JSON 200, 400 or 404."""
    lister = endpoint if isinstance(endpoint, ListEndpoint) else next(e for e in LISTS if e.path == endpoint.listed_by)
    headers, items = await busiest(client, lister.url(sandbox))
    problems = []
    for query in queries:
        if isinstance(endpoint, ListEndpoint):
            url = endpoint.url(sandbox, query)
        else:
            url = endpoint.url_for(items[0], extra=query) if items else endpoint.url_with_id(uuid.uuid4(), extra=query)
        response = await client.get(url, headers=headers)
        if response.status_code not in (200, 400, 404) or not response.headers["content-type"].startswith(
            "application/json"
        ):
            problems.append(f"{query[:80]}: {response.status_code} {response.text[:200]}")
        elif response.status_code == 400 and list(response.json()) != ["errors"]:
            problems.append(f"{query[:80]}: 400 {response.text[:200]}")
    return problems


class TestNeverA500:
    @pytest.mark.parametrize("endpoint", SERVED_ENDPOINTS, ids=str)
    async def test_odd_query_strings_get_an_answer_not_a_crash(self, readonly_db, client, sandbox, busiest, endpoint):
        problems = await odd_responses(client, sandbox, busiest, endpoint, ODD_QUERIES)
        assert not problems, "\n".join(problems)


class TestTheValidatorItself:
    """The validator the suite relies on must catch what the suite claims to catch."""

    PATH = "/api/v3/partnerships/ecf/{id}"
    VALID: ClassVar[dict[str, Any]] = {
        "data": {
            "id": "5c5f1a7e-3d4b-4a51-9a2e-1f6f0d1c2b3a",
            "type": "partnership",
            "attributes": {
                "cohort": "2024",
                "urn": "123456",
                "school_id": "0b7e9c3a-6f21-4c8e-9d3b-2a1f4e5d6c7b",
                "delivery_partner_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                "delivery_partner_name": "Example Delivery Partner",
                "status": "active",
                "challenged_reason": None,
                "challenged_at": None,
                "induction_tutor_name": None,
                "induction_tutor_email": None,
                "participants_currently_training": 3,
                "updated_at": "2024-05-31T02:22:32Z",
                "created_at": "2024-05-31T02:22:32.123456Z",
            },
        }
    }

    def broken(self, **changes: Any) -> dict[str, Any]:
        attributes = {**self.VALID["data"]["attributes"], **changes}
        return {"data": {**self.VALID["data"], "attributes": {k: v for k, v in attributes.items() if v is not ...}}}

    @pytest.mark.parametrize("strict", [True, False], ids=["strict", "as-served"])
    def test_a_body_as_documented_passes(self, strict):
        assert ResponseValidator(SERVED, strict=strict).errors(self.PATH, self.VALID) == []

    @pytest.mark.parametrize("strict", [True, False], ids=["strict", "as-served"])
    @pytest.mark.parametrize(
        "changes",
        [
            {"urn": 123456},  # wrong type
            {"participants_currently_training": "3"},  # wrong type
            {"updated_at": "31/05/2024"},  # wrong format
            {"school_id": "not-a-uuid"},  # wrong format
            {"cohort": ...},  # required attribute missing
            {"status": ...},  # required attribute missing
            {"status": "paused"},  # unknown enum value
            {"challenged_reason": "bored"},  # unknown enum value
            {"delivery_partner_name": None},  # null where the document does not allow it
        ],
        ids=lambda c: ",".join(f"{k}={v!r}" for k, v in c.items()),
    )
    def test_a_broken_body_fails(self, strict, changes):
        assert ResponseValidator(SERVED, strict=strict).errors(self.PATH, self.broken(**changes)) != []

    def test_a_body_of_the_wrong_resource_type_fails(self):
        body = {"data": {**self.VALID["data"], "type": "school"}}
        assert ResponseValidator(SERVED).errors(self.PATH, body) != []

    @pytest.mark.parametrize(
        "changes", [{"surprise": 1}, {"delivery_partner_name": ...}], ids=["undocumented", "missing-optional"]
    )
    def test_strict_validation_also_fails_an_undocumented_or_missing_attribute(self, changes):
        assert ResponseValidator(SERVED, strict=False).errors(self.PATH, self.broken(**changes)) == []
        assert ResponseValidator(SERVED, strict=True).errors(self.PATH, self.broken(**changes)) != []

    def test_the_challenge_fields_are_undocumented_on_the_path_without_ecf(self):
        assert ResponseValidator(SERVED).errors("/api/v3/partnerships/{id}", self.VALID) != []
        without = self.broken(status=..., challenged_reason=..., challenged_at=...)
        assert ResponseValidator(SERVED).errors("/api/v3/partnerships/{id}", without) == []
