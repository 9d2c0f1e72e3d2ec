"""The `participants` and `participant` root fields, the Participant and Enrolment types' relations, and their SQL
statement counts, over the sandbox; checked against the database and against the REST API."""

from __future__ import annotations

import pytest

from gateway import vocabulary
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES, TEACH_FIRST
from tests.graphql.support import headers_for, nodes, run
from tests.support import StatementCounter

ENROLMENT_FIELDS = """
    trainingRecordId email mentorId schoolUrn participantType workingPattern cohort trainingStatus participantStatus
    teacherReferenceNumberValidated eligibleForFunding pupilPremiumUplift sparsityUplift scheduleIdentifier
    deliveryPartnerId withdrawal { reason date } deferral { reason date } createdAt inductionEndDate
    overallInductionStartDate mostRecentInductionPeriodEndDate
    mentorFundingEndDate cohortChangedAfterPaymentsFrozen mentorIneligibleForFundingReason
"""
FIELDS = f"""
    id fullName teacherReferenceNumber updatedAt
    enrolments {{ {ENROLMENT_FIELDS} }}
    participantIdChanges {{ fromParticipantId toParticipantId changedAt }}
"""

PARTICIPANTS = f"""
query Participants(
    $first: Int, $after: String, $cohort: [String!], $trainingStatus: [TrainingStatus!], $fromParticipantId: [ID!],
    $updatedSince: String, $leadProviderId: ID, $orderBy: ParticipantOrder! = CREATED_AT_ASC
) {{
    participants(
        first: $first, after: $after, cohort: $cohort, trainingStatus: $trainingStatus, fromParticipantId: $fromParticipantId,
        updatedSince: $updatedSince, leadProviderId: $leadProviderId, orderBy: $orderBy
    ) {{
        totalCount
        pageInfo {{ hasNextPage endCursor }}
        edges {{ node {{ {FIELDS} }} }}
    }}
}}
"""

PARTICIPANT = f"""
query Participant($id: ID!) {{
    participant(id: $id) {{ {FIELDS} }}
}}
"""

ENROLMENT_RELATIONS = """
query Relations($id: ID!) {
    participant(id: $id) {
        id
        enrolments {
            schoolUrn deliveryPartnerId mentorId cohort scheduleIdentifier
            school { id urn cohort }
            deliveryPartner { id }
            partnership { id urn deliveryPartnerId }
            mentor { id fullName }
            unfundedMentor { id fullName }
            schedule { identifier cohort milestones { declarationType startDate milestoneDate } }
            cohortDetails { year }
        }
        transfers { trainingRecordId transferType status }
        declarations { id participantId }
    }
}
"""

# What a provider's sync job asks for: the statement count of this shape must not grow with the page.
SYNC = """
query Sync($first: Int) {
    participants(first: $first) {
        edges {
            node {
                id fullName updatedAt
                participantIdChanges { fromParticipantId }
                enrolments {
                    trainingRecordId trainingStatus participantStatus
                    school { id urn }
                    deliveryPartner { id name }
                    partnership { id }
                    schedule { identifier milestones { declarationType startDate milestoneDate } }
                    mentor { id }
                    unfundedMentor { id }
                    cohortDetails { year }
                }
                transfers { transferType leaving { schoolUrn } }
                declarations { id state }
            }
        }
    }
}
"""


def _enum_name(enum: type, value: str | None) -> str | None:
    return None if value is None else enum(value).name


def as_graphql(resource: dict, newer: dict) -> dict:
    """A participant as the REST API renders it on the /ecf path (``resource``) and the newer one (``newer``), spelled
    as the GraphQL type spells it (enums by member name): GraphQL has the attributes of both shapes."""
    attributes = resource["attributes"]
    newer_enrolments = {e["training_record_id"]: e for e in newer["attributes"]["ecf_enrolments"]}

    def enrolment(e: dict) -> dict:
        n = newer_enrolments[e["training_record_id"]]
        return {
            "trainingRecordId": e["training_record_id"],
            "email": e["email"],
            "mentorId": e["mentor_id"],
            "schoolUrn": e["school_urn"],
            "participantType": _enum_name(vocabulary.ParticipantType, e["participant_type"]),
            "workingPattern": _enum_name(vocabulary.WorkingPattern, n["working_pattern"]),
            "cohort": e["cohort"],
            "trainingStatus": _enum_name(vocabulary.TrainingStatus, e["training_status"]),
            "participantStatus": _enum_name(vocabulary.ParticipantStatus, e["participant_status"]),
            "teacherReferenceNumberValidated": e["teacher_reference_number_validated"],
            "eligibleForFunding": e["eligible_for_funding"],
            "pupilPremiumUplift": e["pupil_premium_uplift"],
            "sparsityUplift": e["sparsity_uplift"],
            "scheduleIdentifier": _enum_name(vocabulary.ScheduleIdentifier, e["schedule_identifier"]),
            "deliveryPartnerId": e["delivery_partner_id"],
            "withdrawal": e["withdrawal"]
            and {**e["withdrawal"], "reason": _enum_name(vocabulary.WithdrawalReason, e["withdrawal"]["reason"])},
            "deferral": e["deferral"]
            and {**e["deferral"], "reason": _enum_name(vocabulary.DeferralReason, e["deferral"]["reason"])},
            "createdAt": e["created_at"],
            "inductionEndDate": e["induction_end_date"],
            "overallInductionStartDate": n["overall_induction_start_date"],
            "mostRecentInductionPeriodEndDate": n["most_recent_induction_period_end_date"],
            "mentorFundingEndDate": e["mentor_funding_end_date"],
            "cohortChangedAfterPaymentsFrozen": e["cohort_changed_after_payments_frozen"],
            "mentorIneligibleForFundingReason": _enum_name(
                vocabulary.MentorIneligibleForFundingReason, e["mentor_ineligible_for_funding_reason"]
            ),
        }

    return {
        "id": resource["id"],
        "fullName": attributes["full_name"],
        "teacherReferenceNumber": attributes["teacher_reference_number"],
        "updatedAt": attributes["updated_at"],
        "enrolments": [enrolment(e) for e in attributes["ecf_enrolments"]],
        "participantIdChanges": [
            {
                "fromParticipantId": c["from_participant_id"],
                "toParticipantId": c["to_participant_id"],
                "changedAt": c["changed_at"],
            }
            for c in attributes["participant_id_changes"]
        ],
    }


def both_shapes(sandbox, provider_id) -> list[dict]:
    """What the provider sees, as GraphQL spells it: from both REST shapes of the reference model."""
    return [
        as_graphql(r, n)
        for r, n in zip(
            sandbox.participants_seen_by(provider_id),
            sandbox.participants_seen_by(provider_id, newer=True),
            strict=True,
        )
    ]


class TestParticipants:
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_exactly_what_the_database_holds_for_each_provider(
        self, readonly_db, client, sandbox, lead_provider
    ):
        result = await run(client, await headers_for(readonly_db, lead_provider), PARTICIPANTS, first=3000)
        expected = sandbox.participants_seen_by(sandbox.lead_provider_id(lead_provider))
        assert nodes(result) == both_shapes(sandbox, sandbox.lead_provider_id(lead_provider))
        assert result["data"]["participants"]["totalCount"] == len(expected)

    async def test_returns_the_same_records_as_the_rest_api(self, readonly_db, client):
        headers = await headers_for(readonly_db, TEACH_FIRST)
        rest, newer = [
            (await client.get(path, params={"page[per_page]": "3000"}, headers=headers)).json()["data"]
            for path in ("/api/v3/participants/ecf", "/api/v3/participants")
        ]
        result = await run(client, headers, PARTICIPANTS, first=3000)
        assert nodes(result) == [as_graphql(r, n) for r, n in zip(rest, newer, strict=True)]

    async def test_an_unknown_training_status_is_refused_by_the_schema(self, readonly_db, client):
        result = await run(client, await headers_for(readonly_db, AMBITION), PARTICIPANTS, trainingStatus=["PAUSED"])
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    async def test_training_status_keeps_participants_with_an_enrolment_in_it(self, readonly_db, client, sandbox):
        result = await run(
            client, await headers_for(readonly_db, AMBITION), PARTICIPANTS, first=3000, trainingStatus=["WITHDRAWN"]
        )
        expected = [
            r["id"]
            for r in sandbox.participants_seen_by(sandbox.lead_provider_id(AMBITION))
            if any(e["training_status"] == "withdrawn" for e in r["attributes"]["ecf_enrolments"])
        ]
        assert [n["id"] for n in nodes(result)] == expected and expected

    async def test_cohort_and_from_participant_id_filter_as_on_the_rest_api(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        result = await run(
            client,
            headers,
            PARTICIPANTS,
            cohort=["2021"],
            fromParticipantId=[str(case_id(Case.MERGED_AWAY_PARTICIPANT)), "nonsense"],
        )
        assert nodes(result) == []
        result = await run(
            client,
            headers,
            PARTICIPANTS,
            cohort=["2024"],
            fromParticipantId=[str(case_id(Case.MERGED_AWAY_PARTICIPANT))],
        )
        assert [n["id"] for n in nodes(result)] == [str(case_id(Case.ECT_WITH_ID_CHANGE))]

    async def test_an_invalid_updated_since_is_a_bad_user_input(self, readonly_db, client):
        result = await run(client, await headers_for(readonly_db, AMBITION), PARTICIPANTS, updatedSince="soon")
        assert result["data"] is None
        assert result["errors"][0]["message"] == "The filter '#/updated_since' must be a valid ISO 8601 date"
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    async def test_ordered_by_updated_at_descending_then_id(self, readonly_db, client, sandbox):
        result = await run(
            client, await headers_for(readonly_db, AMBITION), PARTICIPANTS, first=3000, orderBy="UPDATED_AT_DESC"
        )
        expected = sorted(sandbox.participants_seen_by(sandbox.lead_provider_id(AMBITION)), key=lambda r: r["id"])
        expected.sort(key=lambda r: r["attributes"]["updated_at"], reverse=True)
        assert [n["id"] for n in nodes(result)] == [r["id"] for r in expected]

    async def test_pages_read_with_cursors_cover_the_list_once(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        everything = [n["id"] for n in nodes(await run(client, headers, PARTICIPANTS, first=3000))]
        seen, after = [], None
        while True:
            result = await run(client, headers, PARTICIPANTS, first=20, after=after)
            seen.extend(n["id"] for n in nodes(result))
            if not result["data"]["participants"]["pageInfo"]["hasNextPage"]:
                break
            after = result["data"]["participants"]["pageInfo"]["endCursor"]
        assert seen == everything

    async def test_the_first_page_says_whether_more_follow(self, readonly_db, client, sandbox):
        result = await run(client, await headers_for(readonly_db, AMBITION), PARTICIPANTS, first=20)
        assert len(nodes(result)) == 20
        assert result["data"]["participants"]["pageInfo"]["hasNextPage"] is True
        assert result["data"]["participants"]["totalCount"] == len(sandbox.visible(sandbox.lead_provider_id(AMBITION)))

    async def test_an_analyst_naming_a_provider_sees_what_it_sees(self, readonly_db, client, sandbox):
        provider_id = sandbox.lead_provider_id(TEACH_FIRST)
        result = await run(
            client, await headers_for(readonly_db, None), PARTICIPANTS, first=3000, leadProviderId=str(provider_id)
        )
        assert nodes(result) == both_shapes(sandbox, provider_id)


class TestParticipant:
    async def test_reads_one_participant_as_the_database_holds_it(self, readonly_db, client, sandbox):
        result = await run(
            client, await headers_for(readonly_db, AMBITION), PARTICIPANT, id=str(case_id(Case.ECT_THEN_MENTOR))
        )
        assert "errors" not in result
        id_, provider_id = case_id(Case.ECT_THEN_MENTOR), sandbox.lead_provider_id(AMBITION)
        assert result["data"]["participant"] == as_graphql(
            sandbox.participant(id_, provider_id), sandbox.participant(id_, provider_id, newer=True)
        )
        assert [e["participantType"] for e in result["data"]["participant"]["enrolments"]] == ["ECT", "MENTOR"]

    @pytest.mark.parametrize("id_", [str(case_id(Case.ACTIVE_ECT)), "not-an-id"])
    async def test_another_providers_participant_is_null_and_not_found(self, readonly_db, client, id_):
        result = await run(client, await headers_for(readonly_db, TEACH_FIRST), PARTICIPANT, id=id_)
        assert result["data"] == {"participant": None}
        assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]


class TestEnrolmentRelations:
    async def _enrolment(self, client, headers, case: Case) -> dict:
        result = await run(client, headers, ENROLMENT_RELATIONS, id=str(case_id(case)))
        assert "errors" not in result, result
        (enrolment,) = result["data"]["participant"]["enrolments"]
        return enrolment

    async def test_the_objects_behind_the_ids_are_the_ones_the_ids_name(self, readonly_db, client, sandbox):
        enrolment = await self._enrolment(client, await headers_for(readonly_db, AMBITION), Case.LEAVING_ECT)
        (period,) = [p for p in sandbox.periods if sandbox.participant_of(p) == case_id(Case.LEAVING_ECT)]
        assert enrolment["school"] == {
            "id": str(period.school_id),
            "urn": enrolment["schoolUrn"],
            "cohort": enrolment["cohort"],
        }
        assert enrolment["deliveryPartner"] == {"id": enrolment["deliveryPartnerId"]}
        assert enrolment["partnership"] == {
            "id": str(period.partnership_id),
            "urn": "100001",
            "deliveryPartnerId": enrolment["deliveryPartnerId"],
        }
        assert enrolment["cohortDetails"] == {"year": int(enrolment["cohort"])}
        assert enrolment["schedule"]["identifier"] == enrolment["scheduleIdentifier"] == "STANDARD_SEPTEMBER"
        assert enrolment["schedule"]["cohort"] == "2024"
        assert enrolment["schedule"]["milestones"][0] == {
            "declarationType": "STARTED",
            "startDate": "2024-06-01",
            "milestoneDate": "2024-12-31",
        }
        assert [m["declarationType"] for m in enrolment["schedule"]["milestones"]] == [
            "STARTED",
            "RETAINED_1",
            "RETAINED_2",
            "RETAINED_3",
            "RETAINED_4",
            "COMPLETED",
        ]

    async def test_a_mentor_the_provider_trains_is_a_participant(self, readonly_db, client):
        enrolment = await self._enrolment(client, await headers_for(readonly_db, AMBITION), Case.LEAVING_ECT)
        assert enrolment["mentor"] == {"id": str(case_id(Case.ECT_THEN_MENTOR)), "fullName": "Rebecca Shaw"}
        assert enrolment["unfundedMentor"] is None

    async def test_a_mentor_the_provider_does_not_train_is_an_unfunded_mentor(self, readonly_db, client):
        enrolment = await self._enrolment(
            client, await headers_for(readonly_db, AMBITION), Case.ECT_WITH_UNFUNDED_MENTOR
        )
        assert enrolment["mentorId"] == str(case_id(Case.UNFUNDED_MENTOR))
        assert enrolment["mentor"] is None
        assert enrolment["unfundedMentor"] == {"id": str(case_id(Case.UNFUNDED_MENTOR)), "fullName": "Daniel Okafor"}

    async def test_the_participants_transfers_and_declarations_are_those_of_the_rest_api(self, readonly_db, client):
        headers = await headers_for(readonly_db, TEACH_FIRST)
        participant_id = str(case_id(Case.TRANSFER_NEW_PROVIDER))
        result = await run(client, headers, ENROLMENT_RELATIONS, id=participant_id)
        assert "errors" not in result, result
        transfers = (await client.get(f"/api/v3/participants/{participant_id}/transfers", headers=headers)).json()[
            "data"
        ]
        assert result["data"]["participant"]["transfers"] == [
            {
                "trainingRecordId": t["training_record_id"],
                "transferType": t["transfer_type"].upper(),
                "status": t["status"].upper(),
            }
            for t in transfers["attributes"]["transfers"]
        ]
        declarations = (
            await client.get(
                "/api/v3/participant-declarations", params={"filter[participant_id]": participant_id}, headers=headers
            )
        ).json()["data"]
        assert declarations, "both providers declared for this participant"
        assert {d["id"] for d in result["data"]["participant"]["declarations"]} == {d["id"] for d in declarations}


class TestStatementCounts:
    @pytest.mark.parametrize("lead_provider", [AMBITION, None])
    async def test_a_sync_page_costs_the_same_statements_small_or_large(
        self, readonly_db, client, sandbox, lead_provider
    ):
        headers = await headers_for(readonly_db, lead_provider)
        counts = {}
        for first in (10, 200):
            with StatementCounter(readonly_db.engine) as counter:
                result = await run(client, headers, SYNC, first=first)
            assert "errors" not in result, result
            counts[first] = (counter.count, len(result["data"]["participants"]["edges"]))
        assert counts[200][1] > 100, "the large page must hold many participants"
        assert counts[10][0] == counts[200][0]
