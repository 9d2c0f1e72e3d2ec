"""One timestamp format: every date-time a face sends is RFC 3339 UTC to the second with ``Z``, seeded or just written.

A row written by the API carries microseconds (the clock's); the sandbox seeds rows on the second. Both must
read alike on every REST list and show, and in GraphQL, while the database keeps the precision it was given.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from gateway import clock
from gateway.db.engine import read_connection
from gateway.db.tables import Participant, TrainingPeriod, TrainingRecord
from gateway.responses import rfc3339
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION
from tests.rest.endpoints import LISTS, Sandbox
from tests.rest.support import headers_for, list_all
from tests.support import bearer, issue_token

DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
LOOKS_LIKE_A_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T")
PARTICIPANTS = "/api/v3/participants/ecf"

_periods = TrainingPeriod.__table__
_records = TrainingRecord.__table__
_participants = Participant.__table__


def _written_at() -> datetime:
    """Tomorrow at a moment with microseconds that a cut and a rounding tell apart (.793481 rounds up)."""
    return (clock.now() + timedelta(days=1)).replace(hour=10, minute=15, second=30, microsecond=793481)


def _date_times(value) -> list[str]:
    """Every string in a JSON document that starts like a date-time (dates alone are YYYY-MM-DD)."""
    if isinstance(value, dict):
        return [found for item in value.values() for found in _date_times(item)]
    if isinstance(value, list):
        return [found for item in value for found in _date_times(item)]
    return [value] if isinstance(value, str) and LOOKS_LIKE_A_DATE_TIME.match(value) else []


async def _withdraw_now(client, db, moment: datetime) -> dict:
    """Withdraw ACTIVE_ECT at ``moment`` (the sandbox's X-With-Server-Date); the answer's data."""
    response = await client.put(
        f"{PARTICIPANTS}/{case_id(Case.ACTIVE_ECT)}/withdraw",
        json={
            "data": {
                "type": "participant-withdraw",
                "attributes": {"course_identifier": "ecf-induction", "reason": "other"},
            }
        },
        headers=await headers_for(db, AMBITION, server_date=moment.isoformat().replace("+00:00", "Z")),
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


class TestRfc3339:
    def test_cuts_the_fraction_and_never_rounds_up(self):
        assert rfc3339(datetime(2026, 12, 1, 19, 29, 17, 999999, tzinfo=UTC)) == "2026-12-01T19:29:17Z"

    def test_another_zone_is_rendered_in_utc(self):
        moment = datetime(2026, 12, 1, 20, 29, 17, tzinfo=timezone(timedelta(hours=1)))
        assert rfc3339(moment) == "2026-12-01T19:29:17Z"


class TestRest:
    async def test_a_row_written_a_moment_ago_reads_to_the_second_and_keeps_its_precision_stored(
        self, sandbox_db, client
    ):
        moment = _written_at()
        data = await _withdraw_now(client, sandbox_db, moment)

        second = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        (enrolment,) = data["attributes"]["ecf_enrolments"]
        assert (data["attributes"]["updated_at"], enrolment["withdrawal"]["date"]) == (second, second)
        shown = await client.get(
            f"{PARTICIPANTS}/{case_id(Case.ACTIVE_ECT)}", headers=await headers_for(sandbox_db, AMBITION)
        )
        assert shown.json()["data"] == data
        async with read_connection(sandbox_db.engine) as conn:
            stored = (
                await conn.execute(
                    select(_periods.c.withdrawn_at)
                    .join(_records, _records.c.id == _periods.c.training_record_id)
                    .where(_records.c.participant_id == case_id(Case.ACTIVE_ECT))
                )
            ).scalar_one()
        assert stored == moment

    async def test_updated_since_the_second_a_client_saw_gives_the_row_again(self, sandbox_db, client):
        moment = _written_at()
        data = await _withdraw_now(client, sandbox_db, moment)
        headers = await headers_for(sandbox_db, AMBITION)

        seen = data["attributes"]["updated_at"]
        again = await list_all(client, PARTICIPANTS, headers, **{"filter[updated_since]": seen})
        assert str(case_id(Case.ACTIVE_ECT)) in {item["id"] for item in again}
        next_second = (moment + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        later = await list_all(client, PARTICIPANTS, headers, **{"filter[updated_since]": next_second})
        assert str(case_id(Case.ACTIVE_ECT)) not in {item["id"] for item in later}

    @pytest.mark.parametrize("endpoint", LISTS, ids=str)
    async def test_every_date_time_of_every_list_has_the_one_format(self, sandbox_db, client, endpoint):
        await _withdraw_now(client, sandbox_db, _written_at())
        sandbox = Sandbox(lead_providers=(AMBITION,), cohort_years=(2024,), busy_cohort=2024)
        response = await client.get(
            endpoint.url(sandbox, "page[per_page]=3000"), headers=await headers_for(sandbox_db, AMBITION)
        )
        assert response.status_code == 200, response.text
        found = _date_times(response.json())
        assert found, "the list shows date-times"
        assert [value for value in found if not DATE_TIME.fullmatch(value)] == []


PARTICIPANT = """query($id: ID!) {
  participant(id: $id) { createdAt updatedAt enrolments { createdAt withdrawal { date } } }
}"""


class TestGraphql:
    async def test_date_times_read_to_the_second_whether_seeded_or_just_written(self, sandbox_db, client):
        moment = _written_at()
        await _withdraw_now(client, sandbox_db, moment)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)

        response = await client.post(
            "/graphql",
            json={"query": PARTICIPANT, "variables": {"id": str(case_id(Case.ACTIVE_ECT))}},
            headers=bearer(token),
        )

        body = response.json()
        assert "errors" not in body, body
        participant = body["data"]["participant"]
        second = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert (participant["updatedAt"], participant["enrolments"][0]["withdrawal"]["date"]) == (second, second)
        assert [value for value in _date_times(body) if not DATE_TIME.fullmatch(value)] == []
