"""GET /api/v3/statements and /api/v3/statements/{id}."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gateway.db.engine import read_connection
from gateway.db.tables import Cohort, LeadProvider, Statement
from gateway.vocabulary import Role
from tests.fixtures.declaration_world import World
from tests.rest.support import NOT_FOUND
from tests.support import bearer, issue_token

PATH = "/api/v3/statements"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


async def alpha(world_engine) -> dict[str, str]:
    return bearer(await issue_token(world_engine, lead_provider="Alpha Training"))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


def keys(w: World, *names: str) -> list[str]:
    return [str(w.statements[n]) for n in names]


class TestIndex:
    async def test_a_provider_gets_its_own_output_fee_statements_by_payment_date(self, world_db, world, client):
        response = await client.get(PATH, headers=await alpha(world_db.db.engine))
        assert ids(response) == keys(world, "alpha_january", "alpha_april")

    async def test_statements_render_as_published(self, world_db, world, client):
        response = await client.get(PATH, headers=await alpha(world_db.db.engine))
        first = response.json()["data"][0]
        assert first["type"] == "statement"
        attributes = dict(first["attributes"])
        assert attributes.pop("created_at").endswith("Z") and attributes.pop("updated_at").endswith("Z")
        assert attributes == {
            "month": "January",
            "year": "2024",
            "cohort": "2023",
            "cut_off_date": "2023-12-31",
            "payment_date": "2024-01-25",
            "paid": True,
        }
        assert response.json()["data"][1]["attributes"]["paid"] is False

    async def test_the_ecf_type_keeps_every_statement_and_any_other_type_none(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        assert ids(await client.get(PATH, params={"filter[type]": "ecf"}, headers=headers)) == keys(
            world, "alpha_january", "alpha_april"
        )
        assert ids(await client.get(PATH, params={"filter[type]": "npq"}, headers=headers)) == []

    async def test_the_cohort_filter_keeps_statements_funding_those_years(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        assert len(ids(await client.get(PATH, params={"filter[cohort]": "2022,2023"}, headers=headers))) == 2
        assert ids(await client.get(PATH, params={"filter[cohort]": "2022"}, headers=headers)) == []

    async def test_an_invalid_updated_since_is_the_published_400(self, world_db, world, client):
        response = await client.get(
            PATH, params={"filter[updated_since]": "2024-13-45"}, headers=await alpha(world_db.db.engine)
        )
        assert response.status_code == 400
        assert response.json() == {
            "errors": [{"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid ISO 8601 date"}]
        }

    async def test_updated_since_in_the_future_finds_nothing(self, world_db, world, client):
        response = await client.get(
            PATH, params={"filter[updated_since]": "2999-01-01"}, headers=await alpha(world_db.db.engine)
        )
        assert ids(response) == []

    async def test_pages_follow_payment_date(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        pages = [
            ids(await client.get(PATH, params={"page[page]": n, "page[per_page]": 1}, headers=headers))
            for n in (1, 2, 3)
        ]
        assert pages == [keys(world, "alpha_january"), keys(world, "alpha_april"), []]

    async def test_an_analyst_gets_every_statement(self, world_db, world, client):
        token = await issue_token(world_db.db.engine, role=Role.ANALYST)
        assert set(ids(await client.get(PATH, headers=bearer(token)))) == {str(s) for s in world.statements.values()}


class TestShow:
    async def test_a_provider_gets_its_own_statement(self, world_db, world, client):
        response = await client.get(
            f"{PATH}/{world.statements['alpha_april']}", headers=await alpha(world_db.db.engine)
        )
        assert response.status_code == 200
        assert response.json()["data"]["attributes"]["month"] == "April"

    async def test_another_providers_statement_is_not_found(self, world_db, world, client):
        response = await client.get(
            f"{PATH}/{world.statements['beta_january']}", headers=await alpha(world_db.db.engine)
        )
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_a_statement_without_output_fees_is_not_found(self, world_db, world, client):
        response = await client.get(
            f"{PATH}/{world.statements['alpha_february']}", headers=await alpha(world_db.db.engine)
        )
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_a_malformed_or_unknown_id_is_not_found(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        for key in ("12", str(uuid.uuid4())):
            response = await client.get(f"{PATH}/{key}", headers=headers)
            assert response.status_code == 404
            assert response.json() == NOT_FOUND


class TestSandbox:
    async def test_each_provider_gets_its_output_fee_statements_as_stored(self, readonly_db, client):
        statements, cohorts = Statement.__table__, Cohort.__table__
        async with read_connection(readonly_db.engine) as conn:
            providers = (await conn.execute(select(LeadProvider.__table__.c.id, LeadProvider.__table__.c.name))).all()
            stored = (
                await conn.execute(
                    select(statements, cohorts.c.year.label("cohort_year")).join(
                        cohorts, cohorts.c.id == statements.c.cohort_id
                    )
                )
            ).all()
        assert {r.status for r in stored} == {"open", "payable", "paid"}
        for lp_id, name in providers:
            response = await client.get(
                PATH,
                params={"page[per_page]": 3000},
                headers=bearer(await issue_token(readonly_db.engine, lead_provider=name)),
            )
            expected = sorted(
                (r for r in stored if r.lead_provider_id == lp_id and r.output_fee),
                key=lambda r: (r.payment_date, str(r.id)),
            )
            assert expected, name
            assert ids(response) == [str(r.id) for r in expected], name
            for item, row in zip(response.json()["data"], expected, strict=True):
                assert item["attributes"]["month"] == MONTHS[row.month - 1]
                assert item["attributes"]["year"] == str(row.year)
                assert item["attributes"]["cohort"] == str(row.cohort_year)
                assert item["attributes"]["payment_date"] == row.payment_date.isoformat()
                assert item["attributes"]["cut_off_date"] == row.cut_off_date.isoformat()
                assert item["attributes"]["paid"] is (row.status == "paid")
