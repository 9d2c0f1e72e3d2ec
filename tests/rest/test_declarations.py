"""GET /api/v3/participant-declarations and /api/v3/participant-declarations/{id}."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gateway.db.engine import read_connection
from gateway.db.tables import Declaration, LeadProvider, Partnership, TrainingPeriod
from gateway.vocabulary import BILLABLE_STATES, Role
from tests.fixtures.declaration_world import World
from tests.rest.support import BAD_PAGE, BAD_UPDATED_SINCE, NOT_FOUND
from tests.support import bearer, issue_token

PATH = "/api/v3/participant-declarations"
ATTRIBUTES = {
    "participant_id", "declaration_type", "declaration_date", "course_identifier", "state", "updated_at", "created_at",
    "delivery_partner_id", "statement_id", "clawback_statement_id", "ineligible_for_funding_reason", "mentor_id",
    "uplift_paid", "evidence_held", "lead_provider_name",
}  # fmt: skip


async def alpha(world_engine) -> dict[str, str]:
    return bearer(await issue_token(world_engine, lead_provider="Alpha Training"))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


def names(w: World, *keys: str) -> list[str]:
    return [str(w.declarations[k]) for k in keys]


class TestIndex:
    async def test_a_provider_gets_its_own_and_others_billable_declarations_of_its_participants_oldest_first(
        self, world_db, world, client
    ):
        response = await client.get(PATH, headers=await alpha(world_db.db.engine))
        assert ids(response) == names(
            world,
            "moved_in_started",
            "moved_out_retained_2",
            "moved_out_started",
            "moved_in_retained_1",
            "moved_in_retained_3",
        )

    async def test_each_item_is_a_participant_declaration_with_every_published_attribute(self, world_db, world, client):
        response = await client.get(PATH, headers=await alpha(world_db.db.engine))
        for item in response.json()["data"]:
            assert item["type"] == "participant-declaration"
            assert set(item["attributes"]) == ATTRIBUTES

    async def test_attributes_render_as_published(self, world_db, world, client):
        response = await client.get(PATH, headers=await alpha(world_db.db.engine))
        item = next(i for i in response.json()["data"] if i["id"] == str(world.declarations["moved_out_retained_2"]))
        assert item["attributes"] == {
            "participant_id": str(world.participants["moved_out"]),
            "declaration_type": "retained-2",
            "declaration_date": "2023-11-01T10:00:00Z",
            "course_identifier": "ecf-induction",
            "state": "clawed-back",
            "updated_at": "2023-11-01T12:00:00Z",
            "created_at": "2023-11-01T12:00:00Z",
            "delivery_partner_id": str(world.delivery_partners["Alpha"]),
            "statement_id": str(world.statements["alpha_january"]),
            "clawback_statement_id": str(world.statements["alpha_april"]),
            "ineligible_for_funding_reason": None,
            "mentor_id": None,
            "uplift_paid": False,
            "evidence_held": "training-event-attended",
            "lead_provider_name": "Alpha Training",
        }

    async def test_a_paid_ect_started_declaration_with_an_uplift_shows_it_paid(self, world_db, world, client):
        response = await client.get(
            f"{PATH}/{world.declarations['moved_in_started']}", headers=await alpha(world_db.db.engine)
        )
        assert response.json()["data"]["attributes"]["uplift_paid"] is True
        assert response.json()["data"]["attributes"]["lead_provider_name"] == "Beta Training"

    async def test_the_cohort_filter_takes_a_comma_list_and_ignores_values_that_are_not_years(
        self, world_db, world, client
    ):
        headers = await alpha(world_db.db.engine)
        assert len(ids(await client.get(PATH, params={"filter[cohort]": "2023,2024"}, headers=headers))) == 5
        assert ids(await client.get(PATH, params={"filter[cohort]": "2024"}, headers=headers)) == []
        assert ids(await client.get(PATH, params={"filter[cohort]": "twenty"}, headers=headers)) == []

    async def test_the_participant_filter_takes_a_comma_list(self, world_db, world, client):
        wanted = f"{world.participants['moved_out']},not-an-id,{world.participants['beta_only']}"
        response = await client.get(
            PATH, params={"filter[participant_id]": wanted}, headers=await alpha(world_db.db.engine)
        )
        assert ids(response) == names(world, "moved_out_retained_2", "moved_out_started")

    async def test_the_delivery_partner_filter_matches_the_partner_on_the_declaration(self, world_db, world, client):
        params = {"filter[delivery_partner_id]": str(world.delivery_partners["Alpha"])}
        response = await client.get(PATH, params=params, headers=await alpha(world_db.db.engine))
        assert ids(response) == names(world, "moved_out_retained_2", "moved_in_retained_3")

    async def test_updated_since_keeps_declarations_updated_at_or_after_it(self, world_db, world, client):
        params = {"filter[updated_since]": "2024-01-10T12:00:00Z"}
        response = await client.get(PATH, params=params, headers=await alpha(world_db.db.engine))
        assert ids(response) == names(world, "moved_in_retained_1", "moved_in_retained_3")

    async def test_an_invalid_updated_since_is_the_published_400(self, world_db, world, client):
        response = await client.get(
            PATH, params={"filter[updated_since]": "yesterday"}, headers=await alpha(world_db.db.engine)
        )
        assert response.status_code == 400
        assert response.json() == BAD_UPDATED_SINCE

    async def test_a_filter_that_is_not_a_hash_is_a_400(self, world_db, world, client):
        response = await client.get(PATH, params={"filter": "2023"}, headers=await alpha(world_db.db.engine))
        assert response.status_code == 400
        assert response.json() == {"errors": [{"title": "Bad parameter", "detail": "Filter must be a hash"}]}

    async def test_pages_follow_the_same_order_and_a_page_past_the_end_is_empty(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        everything = ids(await client.get(PATH, headers=headers))
        pages = [
            ids(await client.get(PATH, params={"page[page]": n, "page[per_page]": 2}, headers=headers))
            for n in (1, 2, 3, 4)
        ]
        assert pages[0] + pages[1] + pages[2] == everything
        assert [len(p) for p in pages] == [2, 2, 1, 0]

    async def test_a_page_below_one_is_the_published_400(self, world_db, world, client):
        response = await client.get(PATH, params={"page[page]": "0"}, headers=await alpha(world_db.db.engine))
        assert response.status_code == 400
        assert response.json() == BAD_PAGE

    async def test_a_sort_parameter_is_not_published_for_declarations_and_changes_nothing(
        self, world_db, world, client
    ):
        headers = await alpha(world_db.db.engine)
        assert ids(await client.get(PATH, params={"sort": "-created_at"}, headers=headers)) == ids(
            await client.get(PATH, headers=headers)
        )

    async def test_an_analyst_gets_every_declaration(self, world_db, world, client):
        token = await issue_token(world_db.db.engine, role=Role.ANALYST)
        response = await client.get(PATH, params={"page[per_page]": 3000}, headers=bearer(token))
        assert set(ids(response)) == {str(i) for i in world.declarations.values()}

    async def test_without_a_token_the_answer_is_the_published_401(self, world_db, world, client):
        response = await client.get(PATH)
        assert response.status_code == 401
        assert response.json() == {"error": "HTTP Token: Access denied"}


class TestShow:
    async def test_another_providers_visible_declaration_is_returned(self, world_db, world, client):
        key = world.declarations["moved_in_retained_1"]
        response = await client.get(f"{PATH}/{key}", headers=await alpha(world_db.db.engine))
        assert response.status_code == 200
        assert response.json()["data"]["id"] == str(key)
        assert response.json()["data"]["attributes"]["state"] == "submitted"

    async def test_another_providers_voided_declaration_is_not_found(self, world_db, world, client):
        response = await client.get(
            f"{PATH}/{world.declarations['moved_in_retained_2']}", headers=await alpha(world_db.db.engine)
        )
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_a_declaration_of_a_participant_the_provider_never_trained_is_not_found(
        self, world_db, world, client
    ):
        response = await client.get(
            f"{PATH}/{world.declarations['beta_only_started']}", headers=await alpha(world_db.db.engine)
        )
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_a_malformed_or_unknown_id_is_not_found(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        for key in ("not-a-uuid", str(uuid.uuid4())):
            response = await client.get(f"{PATH}/{key}", headers=headers)
            assert response.status_code == 404
            assert response.json() == NOT_FOUND


async def all_pages(client, path: str, headers: dict[str, str]) -> list[dict]:
    items, page = [], 1
    while True:
        response = await client.get(path, params={"page[page]": page, "page[per_page]": 3000}, headers=headers)
        assert response.status_code == 200, response.text
        batch = response.json()["data"]
        items.extend(batch)
        if len(batch) < 3000:
            return items
        page += 1


class TestSandbox:
    async def test_each_provider_gets_every_declaration_it_made_as_stored_and_only_billable_ones_of_others(
        self, readonly_db, client
    ):
        async with read_connection(readonly_db.engine) as conn:
            providers = (await conn.execute(select(LeadProvider.__table__.c.id, LeadProvider.__table__.c.name))).all()
            stored = {r.id: r for r in await conn.execute(select(Declaration.__table__))}
            trained = {
                (r.lead_provider_id, r.training_record_id)
                for r in await conn.execute(
                    select(
                        Partnership.__table__.c.lead_provider_id, TrainingPeriod.__table__.c.training_record_id
                    ).join(
                        Partnership.__table__, Partnership.__table__.c.id == TrainingPeriod.__table__.c.partnership_id
                    )
                )
            }
        assert {r.state for r in stored.values()} >= {
            "submitted",
            "eligible",
            "payable",
            "paid",
            "voided",
            "awaiting-clawback",
            "clawed-back",
        }
        for lp_id, name in providers:
            items = await all_pages(client, PATH, bearer(await issue_token(readonly_db.engine, lead_provider=name)))
            got = {uuid.UUID(i["id"]): i["attributes"] for i in items}
            own = {key for key, row in stored.items() if row.lead_provider_id == lp_id}
            assert own <= set(got), name
            for key, attributes in got.items():
                row = stored[key]
                assert attributes["state"] == published_state(row.state)
                assert attributes["statement_id"] == (str(row.statement_id) if row.statement_id else None)
                assert attributes["clawback_statement_id"] == (
                    str(row.clawback_statement_id) if row.clawback_statement_id else None
                )
                assert attributes["lead_provider_name"] == row.lead_provider_name
                if key not in own:
                    assert row.state in BILLABLE_STATES, name
                    assert (lp_id, row.training_record_id) in trained, name
            own_states = {published_state(stored[key].state) for key in own}
            assert {got[key]["state"] for key in own} == own_states

    async def test_a_duplicate_declaration_stored_as_ineligible_answers_as_voided_with_its_reason(
        self, readonly_db, client
    ):
        async with read_connection(readonly_db.engine) as conn:
            rows = (
                await conn.execute(
                    select(Declaration.__table__.c.id, LeadProvider.__table__.c.name)
                    .join(
                        LeadProvider.__table__, LeadProvider.__table__.c.id == Declaration.__table__.c.lead_provider_id
                    )
                    .where(Declaration.__table__.c.state == "ineligible")
                )
            ).all()
        assert rows, "the sandbox holds no ineligible declaration"
        for id_, name in rows:
            headers = bearer(await issue_token(readonly_db.engine, lead_provider=name))
            response = await client.get(f"{PATH}/{id_}", headers=headers)
            attributes = response.json()["data"]["attributes"]
            assert (attributes["state"], attributes["ineligible_for_funding_reason"]) == (
                "voided",
                "duplicate_declaration",
            )
            listed = await all_pages(client, PATH, headers)
            assert {i["attributes"]["state"] for i in listed if i["id"] == str(id_)} == {"voided"}


def published_state(state: str) -> str:
    """The newer document has no ``ineligible``: such a declaration, never payable, answers as ``voided``."""
    return "voided" if state == "ineligible" else state
