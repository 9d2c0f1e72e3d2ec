"""What the database says a provider should read of participants, transfers and unfunded mentors, worked out independently.

The rules of domain.md section 5 are applied here in plain Python over whole
tables, not through the gateway's queries, so the tests compare the gateway's
answer with a second reading of the same rows. Resources are rendered as the
REST API renders them (published names, ids as strings, ``Z`` timestamps).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway import clock
from gateway.db.tables import (
    Cohort,
    LeadProvider,
    Participant,
    ParticipantIdChange,
    Partnership,
    Schedule,
    School,
    TrainingPeriod,
    TrainingRecord,
)
from gateway.responses import dumps


def as_json(value: Any) -> Any:
    return orjson.loads(dumps(value))


def ids(resources: list[dict]) -> list[str]:
    return [r["id"] for r in resources]


@dataclass
class ParticipantsInDatabase:
    participants: dict[uuid.UUID, Any]
    records: dict[uuid.UUID, Any]
    periods: list[Any]
    partnerships: dict[uuid.UUID, Any]
    schools: dict[uuid.UUID, Any]
    cohorts: dict[uuid.UUID, Any]
    schedules: dict[uuid.UUID, Any]
    lead_providers: dict[uuid.UUID, Any]
    id_changes: list[Any]
    # Indexes over the rows above, so the oracle stays linear on the whole sandbox.
    _periods_by_record: dict[uuid.UUID, list[Any]] = field(default_factory=dict)
    _records_by_participant: dict[uuid.UUID, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for period in self.periods:
            self._periods_by_record.setdefault(period.training_record_id, []).append(period)
        for record in self.records.values():
            self._records_by_participant.setdefault(record.participant_id, []).append(record)

    @classmethod
    async def read(cls, engine: AsyncEngine) -> ParticipantsInDatabase:
        async with engine.connect() as conn:

            async def rows(model) -> list:
                return (await conn.execute(select(model.__table__))).all()

            def by_id(found: list) -> dict:
                return {row.id: row for row in found}

            return cls(
                participants=by_id(await rows(Participant)),
                records=by_id(await rows(TrainingRecord)),
                periods=await rows(TrainingPeriod),
                partnerships=by_id(await rows(Partnership)),
                schools=by_id(await rows(School)),
                cohorts=by_id(await rows(Cohort)),
                schedules=by_id(await rows(Schedule)),
                lead_providers=by_id(await rows(LeadProvider)),
                id_changes=await rows(ParticipantIdChange),
            )

    def lead_provider_id(self, name: str) -> uuid.UUID:
        return next(lp.id for lp in self.lead_providers.values() if lp.name == name)

    # Who owns what

    def owner(self, period) -> uuid.UUID | None:
        """The lead provider whose partnership holds the period (an expression of interest is not a partnership)."""
        return None if period.partnership_id is None else self.partnerships[period.partnership_id].lead_provider_id

    def provider(self, period) -> uuid.UUID | None:
        return self.owner(period) or period.expression_of_interest_lead_provider_id

    def participant_of(self, period) -> uuid.UUID:
        return self.records[period.training_record_id].participant_id

    def periods_of_record(self, record_id: uuid.UUID) -> list:
        return sorted(self._periods_by_record.get(record_id, []), key=lambda p: (p.started_on, p.created_at, p.id))

    def visible(self, lead_provider_id: uuid.UUID) -> set[uuid.UUID]:
        return {self.participant_of(p) for p in self.periods if self.owner(p) == lead_provider_id}

    def updated_at(self, participant_id: uuid.UUID):
        stamps = [self.participants[participant_id].updated_at]
        for record in self._records_by_participant.get(participant_id, []):
            stamps.append(record.updated_at)
            stamps.extend(p.updated_at for p in self._periods_by_record.get(record.id, []))
        return max(stamps)

    # The rules of domain.md section 5, written out again

    @staticmethod
    def training_status(period) -> str:
        if period.withdrawn_at and (period.deferred_at is None or period.withdrawn_at >= period.deferred_at):
            return "withdrawn"
        return "deferred" if period.deferred_at else "active"

    @staticmethod
    def participant_status(period, today: date) -> str:
        """The school's view: what the provider did (withdrawn_at, deferred_at, finished_on) plays no part."""
        if period.school_withdrawn_at is not None:
            return "withdrawn"
        if period.leaving_on is not None:
            return "leaving" if period.leaving_on > today else "left"
        return "joining" if period.started_on > today else "active"

    def enrolments(self, participant_id: uuid.UUID, lead_provider_id: uuid.UUID, *, newer: bool = False) -> list[dict]:
        """As the ECF1 document shapes them, or (``newer``) as the newer service's document does."""
        today = clock.today()
        found = []
        for role in ("ect", "mentor"):
            record = next(
                (r for r in self.records.values() if r.participant_id == participant_id and r.participant_type == role),
                None,
            )
            if record is None:
                continue
            mine = [p for p in self.periods_of_record(record.id) if self.owner(p) == lead_provider_id]
            if not mine:
                continue
            period = mine[-1]
            found.append(
                {
                    "training_record_id": str(record.id),
                    "email": period.email,
                    "mentor_id": str(period.mentor_id) if period.mentor_id and role == "ect" else None,
                    "school_urn": self.schools[period.school_id].urn,
                    "participant_type": role,
                    "cohort": str(self.cohorts[period.cohort_id].year),
                    "training_status": self.training_status(period),
                    "participant_status": self.participant_status(period, today),
                    "teacher_reference_number_validated": self.participants[
                        participant_id
                    ].teacher_reference_number_validated,
                    "eligible_for_funding": record.eligible_for_funding,
                    "pupil_premium_uplift": record.pupil_premium_uplift,
                    "sparsity_uplift": record.sparsity_uplift,
                    "schedule_identifier": self.schedules[period.schedule_id].identifier
                    if period.schedule_id
                    else None,
                    "delivery_partner_id": str(self.partnerships[period.partnership_id].delivery_partner_id),
                    "withdrawal": {"reason": period.withdrawal_reason, "date": period.withdrawn_at}
                    if period.withdrawn_at
                    else None,
                    "deferral": {"reason": period.deferral_reason, "date": period.deferred_at}
                    if period.deferred_at
                    else None,
                    "created_at": record.created_at,
                    "induction_end_date": record.induction_end_date,
                    "mentor_funding_end_date": record.mentor_funding_end_date,
                    "cohort_changed_after_payments_frozen": record.cohort_changed_after_payments_frozen,
                    "mentor_ineligible_for_funding_reason": record.mentor_ineligible_for_funding_reason,
                }
            )
            if newer:
                found[-1] = self._newer_enrolment(found[-1], period, participant_id)
        return as_json(found)

    def _newer_enrolment(self, ecf: dict, period, participant_id: uuid.UUID) -> dict:
        """The newer document's enrolment: no TRN validation; an ECT's working pattern and induction dates."""
        ect = ecf["participant_type"] == "ect"
        participant = self.participants[participant_id]
        added = {
            "working_pattern": period.working_pattern if ect else None,
            "most_recent_induction_period_end_date": participant.most_recent_induction_period_end_date if ect else None,
            "overall_induction_start_date": participant.overall_induction_start_date if ect else None,
            # The newer document's participant_status has no "withdrawn": a school's withdrawal has left it.
            "participant_status": "left" if ecf["participant_status"] == "withdrawn" else ecf["participant_status"],
        }
        newer = {**ecf, **added}
        order = [
            "training_record_id", "email", "mentor_id", "school_urn", "participant_type", "working_pattern", "cohort",
            "training_status", "participant_status", "eligible_for_funding", "pupil_premium_uplift", "sparsity_uplift",
            "schedule_identifier", "delivery_partner_id", "withdrawal", "deferral", "created_at", "induction_end_date",
            "most_recent_induction_period_end_date", "overall_induction_start_date", "mentor_funding_end_date",
            "cohort_changed_after_payments_frozen", "mentor_ineligible_for_funding_reason",
        ]  # fmt: skip
        return {name: newer[name] for name in order}

    def participant(self, participant_id: uuid.UUID, lead_provider_id: uuid.UUID, *, newer: bool = False) -> dict:
        row = self.participants[participant_id]
        changes = sorted(
            (c for c in self.id_changes if c.to_participant_id == participant_id), key=lambda c: (c.changed_at, c.id)
        )
        return as_json(
            {
                "id": str(row.id),
                "type": "participant",
                "attributes": {
                    "full_name": row.full_name,
                    "teacher_reference_number": row.teacher_reference_number,
                    "updated_at": self.updated_at(row.id),
                    "ecf_enrolments": self.enrolments(row.id, lead_provider_id, newer=newer),
                    "participant_id_changes": [
                        {
                            "from_participant_id": str(c.from_participant_id),
                            "to_participant_id": str(c.to_participant_id),
                            "changed_at": c.changed_at,
                        }
                        for c in changes
                    ],
                },
            }
        )

    def participants_seen_by(self, lead_provider_id: uuid.UUID, *, newer: bool = False) -> list[dict]:
        """In the default order: ``created_at``, then id; in the ECF1 shape or (``newer``) the newer service's."""
        visible = sorted(self.visible(lead_provider_id), key=lambda pid: (self.participants[pid].created_at, pid))
        return [self.participant(pid, lead_provider_id, newer=newer) for pid in visible]

    # Transfers

    def transfers(self, participant_id: uuid.UUID, lead_provider_id: uuid.UUID, *, newer: bool = False) -> list[dict]:
        """As the ECF1 document shapes them, or (``newer``) with ``created_at`` a date, after ``status``."""
        today = clock.today()
        found = []
        for record in self._records_by_participant.get(participant_id, []):
            periods = self.periods_of_record(record.id)
            for leaving, joining in zip(periods, [*periods[1:], None], strict=True):
                # Only the school's leaving makes a transfer, at the end of the stay at that school.
                if leaving.leaving_on is None or (joining is not None and joining.school_id == leaving.school_id):
                    continue
                if lead_provider_id not in (self.owner(leaving), joining and self.owner(joining)):
                    continue
                if joining is None:
                    kind = "unknown"
                else:
                    kind = "new_provider" if self.provider(leaving) != self.provider(joining) else "new_school"
                future = leaving.leaving_on > today or (joining is not None and joining.started_on > today)
                found.append(
                    {
                        "training_record_id": str(record.id),
                        "transfer_type": kind,
                        "status": "incomplete" if future else "complete",
                        "leaving": self._side(leaving, leaving.leaving_on),
                        "joining": None if joining is None else self._side(joining, joining.started_on),
                        "created_at": joining.created_at if joining is not None else leaving.updated_at,
                    }
                )
        found.sort(key=lambda t: (t["leaving"]["date"], t["training_record_id"]))
        if newer:
            order = ("training_record_id", "transfer_type", "status", "created_at", "leaving", "joining")
            found = [{name: t[name] for name in order} | {"created_at": t["created_at"].date()} for t in found]
        return as_json(found)

    def _side(self, period, day: date) -> dict:
        provider = self.provider(period)
        return {
            "school_urn": self.schools[period.school_id].urn,
            "provider": None if provider is None else self.lead_providers[provider].name,
            "date": day,
        }

    def participant_transfers(
        self, participant_id: uuid.UUID, lead_provider_id: uuid.UUID, *, newer: bool = False
    ) -> dict:
        return as_json(
            {
                "id": str(participant_id),
                "type": "participant-transfer",
                "attributes": {
                    "updated_at": self.updated_at(participant_id),
                    "transfers": self.transfers(participant_id, lead_provider_id, newer=newer),
                },
            }
        )

    def transfers_seen_by(self, lead_provider_id: uuid.UUID, *, newer: bool = False) -> list[dict]:
        with_transfers = [pid for pid in self.participants if self.transfers(pid, lead_provider_id)]
        with_transfers.sort(key=lambda pid: (self.participants[pid].created_at, pid))
        return [self.participant_transfers(pid, lead_provider_id, newer=newer) for pid in with_transfers]

    # Unfunded mentors

    def unfunded_mentor_ids(self, lead_provider_id: uuid.UUID) -> set[uuid.UUID]:
        mentors = {p.mentor_id for p in self.periods if p.mentor_id and self.owner(p) == lead_provider_id}
        trained = self.visible(lead_provider_id)
        return {m for m in mentors if m not in trained}

    def mentees(self, mentor_id: uuid.UUID, lead_provider_id: uuid.UUID) -> set[uuid.UUID]:
        return {
            self.participant_of(p)
            for p in self.periods
            if p.mentor_id == mentor_id and self.owner(p) == lead_provider_id
        }

    def unfunded_mentor(self, mentor_id: uuid.UUID) -> dict:
        row = self.participants[mentor_id]
        with_email = [p for p in self.periods if self.participant_of(p) == mentor_id and p.email]
        latest = max(with_email, key=lambda p: (p.started_on, p.created_at), default=None)
        return as_json(
            {
                "id": str(row.id),
                "type": "unfunded-mentor",
                "attributes": {
                    "full_name": row.full_name,
                    "email": latest.email if latest else None,
                    "teacher_reference_number": row.teacher_reference_number,
                    "created_at": row.created_at,
                    "updated_at": self.updated_at(row.id),
                },
            }
        )

    def unfunded_mentors_seen_by(self, lead_provider_id: uuid.UUID) -> list[dict]:
        mentors = sorted(self.unfunded_mentor_ids(lead_provider_id), key=lambda m: (self.participants[m].created_at, m))
        return [self.unfunded_mentor(m) for m in mentors]
