"""Builds the rows of schools, participants and declarations, complete and consistent.

The hand-written cases and the generated bulk both go through `Builder`, so a
row always has every column (bulk inserts need the same keys in every row),
periods take their cohort from their schedule, and declarations capture the
provider, delivery partner and mentor of the period they were made in.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from gateway.domain.declaration_digest import submission_digest
from gateway.sandbox.batch import Batch, Row
from gateway.sandbox.declarations import Fate, evidence_held, settle
from gateway.sandbox.ids import new_id
from gateway.sandbox.reference import COHORTS, Reference, cohort_id, delivery_partner_id, lead_provider_id, schedule_id
from gateway.vocabulary import (
    COURSE_FOR_ROLE,
    DeclarationType,
    DeferralReason,
    ParticipantType,
    ScheduleIdentifier,
    TrainingProgramme,
    WithdrawalReason,
    WorkingPattern,
)


@dataclass(frozen=True, slots=True)
class PartnershipRef:
    id: uuid.UUID
    school_id: uuid.UUID
    lead_provider: str
    delivery_partner: str
    year: int


@dataclass(slots=True)
class RecordRef:
    id: uuid.UUID
    participant_id: uuid.UUID
    role: ParticipantType
    row: Row

    @property
    def eligible(self) -> bool:
        return bool(self.row["eligible_for_funding"])


@dataclass(slots=True)
class PeriodRef:
    id: uuid.UUID
    record: RecordRef
    school_id: uuid.UUID
    year: int
    partnership: PartnershipRef | None
    schedule: ScheduleIdentifier | None
    started_on: date
    finished_on: date | None
    stopped_on: date | None  # withdrawn or deferred on
    mentor_id: uuid.UUID | None


class Builder:
    def __init__(self, reference: Reference, batch: Batch, rng: random.Random, *, now: datetime) -> None:
        self.reference = reference
        self.batch = batch
        self.rng = rng
        self.now = now
        self._participants: dict[uuid.UUID, Row] = {}
        """Participant rows by id, to stamp each with its records' and periods' latest change (as actions do)."""

    def new_id(self) -> uuid.UUID:
        return new_id(self.rng)

    def school(self, *, name: str, urn: str, created_at: datetime, id: uuid.UUID | None = None) -> uuid.UUID:
        row = self.batch.add(
            "schools",
            {"id": id or self.new_id(), "urn": urn, "name": name, "created_at": created_at, "updated_at": created_at},
        )
        return row["id"]

    def school_cohort(
        self, school_id: uuid.UUID, year: int, *, eligible: bool, tutor: tuple[str, str] | None, created_at: datetime
    ) -> None:
        self.batch.add(
            "school_cohorts",
            {
                "id": self.new_id(),
                "school_id": school_id,
                "cohort_id": cohort_id(year),
                "eligible_for_funding": eligible,
                "induction_tutor_name": tutor[0] if tutor else None,
                "induction_tutor_email": tutor[1] if tutor else None,
                "created_at": created_at,
                "updated_at": created_at,
            },
        )

    def partnership(
        self, school_id: uuid.UUID, lead_provider: str, delivery_partner: str, year: int, *, created_at: datetime
    ) -> PartnershipRef:
        if delivery_partner not in self.reference.delivery_partners_of(lead_provider, year):
            raise ValueError(f"{delivery_partner} does not work for {lead_provider} in {year}")
        ref = PartnershipRef(self.new_id(), school_id, lead_provider, delivery_partner, year)
        self.batch.add(
            "partnerships",
            {
                "id": ref.id,
                "school_id": school_id,
                "lead_provider_id": lead_provider_id(lead_provider),
                "delivery_partner_id": delivery_partner_id(delivery_partner),
                "cohort_id": cohort_id(year),
                "created_at": created_at,
                "updated_at": created_at,
            },
        )
        return ref

    def participant(
        self,
        *,
        full_name: str,
        trn: str | None,
        created_at: datetime,
        validated: bool = True,
        induction_started_on: date | None = None,
        induction_period_ended_on: date | None = None,
        id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        row = self.batch.add(
            "participants",
            {
                "id": id or self.new_id(),
                "full_name": full_name,
                "teacher_reference_number": trn,
                "teacher_reference_number_validated": validated,
                "overall_induction_start_date": induction_started_on,
                "most_recent_induction_period_end_date": induction_period_ended_on,
                "created_at": created_at,
                "updated_at": created_at,
            },
        )
        self._participants[row["id"]] = row
        return row["id"]

    def _participant_changed(self, participant_id: uuid.UUID, at: datetime) -> None:
        row = self._participants[participant_id]
        row["updated_at"] = max(row["updated_at"], at)

    def id_change(self, *, from_id: uuid.UUID, to_id: uuid.UUID, changed_at: datetime) -> None:
        self.batch.add(
            "participant_id_changes",
            {
                "id": self.new_id(),
                "from_participant_id": from_id,
                "to_participant_id": to_id,
                "changed_at": changed_at,
                "created_at": changed_at,
                "updated_at": changed_at,
            },
        )

    def training_record(
        self,
        participant_id: uuid.UUID,
        role: ParticipantType,
        *,
        eligible: bool | None,
        created_at: datetime,
        pupil_premium: bool = False,
        sparsity: bool = False,
        induction_end_date: date | None = None,
        mentor_funding_end_date: date | None = None,
        mentor_ineligible_reason: str | None = None,
        cohort_changed_after_payments_frozen: bool = False,
    ) -> RecordRef:
        row = self.batch.add(
            "training_records",
            {
                "id": self.new_id(),
                "participant_id": participant_id,
                "participant_type": role.value,
                "eligible_for_funding": eligible,
                "pupil_premium_uplift": pupil_premium,
                "sparsity_uplift": sparsity,
                "induction_end_date": induction_end_date,
                "mentor_funding_end_date": mentor_funding_end_date,
                "mentor_ineligible_for_funding_reason": mentor_ineligible_reason,
                "cohort_changed_after_payments_frozen": cohort_changed_after_payments_frozen,
                "created_at": created_at,
                "updated_at": created_at,
            },
        )
        self._participant_changed(participant_id, created_at)
        return RecordRef(row["id"], participant_id, role, row)

    def training_period(
        self,
        record: RecordRef,
        school_id: uuid.UUID,
        *,
        year: int,
        started_on: date,
        created_at: datetime,
        partnership: PartnershipRef | None = None,
        interested_lead_provider: str | None = None,
        schedule: ScheduleIdentifier | None = None,
        finished_on: date | None = None,
        withdrawn: tuple[WithdrawalReason, datetime] | None = None,
        deferred: tuple[DeferralReason, datetime] | None = None,
        leaving_on: date | None = None,
        school_withdrawn_at: datetime | None = None,
        email: str | None = None,
        mentor_id: uuid.UUID | None = None,
        working_pattern: WorkingPattern | None = None,
        id: uuid.UUID | None = None,
    ) -> PeriodRef:
        if partnership is not None and (partnership.year != year or interested_lead_provider):
            raise ValueError("a period's partnership is of its cohort, and excludes an expression of interest")
        provider_led = partnership is not None or interested_lead_provider is not None
        if provider_led and schedule is None:
            raise ValueError("a provider-led period needs a schedule")
        if leaving_on is not None and finished_on is None:
            finished_on = leaving_on  # the school's leaving date ends the period there
        if school_withdrawn_at is not None and finished_on is None:
            finished_on = school_withdrawn_at.date()
        stopped = withdrawn or deferred
        stopped_on = stopped[1].date() if stopped else None
        if stopped_on is not None:
            # Withdrawing or deferring ends the period that day (domain.md section 5).
            finished_on = stopped_on if finished_on is None else min(finished_on, stopped_on)
        reported = [moment for moment in (stopped[1] if stopped else None, school_withdrawn_at) if moment is not None]
        updated_at = max([created_at, *reported])
        period = PeriodRef(
            id or self.new_id(),
            record,
            school_id,
            year,
            partnership,
            schedule,
            started_on,
            finished_on,
            stopped_on,
            mentor_id,
        )
        self.batch.add(
            "training_periods",
            {
                "id": period.id,
                "training_record_id": record.id,
                "school_id": school_id,
                "cohort_id": cohort_id(year),
                "training_programme": (
                    TrainingProgramme.PROVIDER_LED if provider_led else TrainingProgramme.SCHOOL_LED
                ).value,
                "partnership_id": partnership.id if partnership else None,
                "expression_of_interest_lead_provider_id": lead_provider_id(interested_lead_provider)
                if interested_lead_provider
                else None,
                "schedule_id": schedule_id(year, schedule) if schedule else None,
                "started_on": started_on,
                "finished_on": finished_on,
                "withdrawn_at": withdrawn[1] if withdrawn else None,
                "withdrawal_reason": withdrawn[0].value if withdrawn else None,
                "deferred_at": deferred[1] if deferred else None,
                "deferral_reason": deferred[0].value if deferred else None,
                "leaving_on": leaving_on,
                "school_withdrawn_at": school_withdrawn_at,
                "email": email,
                "mentor_id": mentor_id,
                "working_pattern": None if working_pattern is None else working_pattern.value,
                "created_at": created_at,
                "updated_at": updated_at,
            },
        )
        self._participant_changed(record.participant_id, updated_at)
        return period

    def declaration(
        self,
        period: PeriodRef,
        declaration_type: DeclarationType,
        declaration_date: datetime,
        *,
        fate: Fate,
        evidence_pick: float,
        created_after: timedelta = timedelta(minutes=7),
        void_delay: timedelta = timedelta(days=9),
        id: uuid.UUID | None = None,
    ) -> Row:
        partnership = period.partnership
        if partnership is None or period.schedule is None:
            raise ValueError("only a period under a partnership can be declared against")
        window = self.reference.windows(period.year, period.schedule).get(declaration_type)
        if window is None or not window.contains(declaration_date.date()):
            raise ValueError(
                f"{declaration_type} on {declaration_date:%Y-%m-%d} is outside its milestone on {period.schedule} {period.year}"
            )
        record = period.record
        cohort = COHORTS[period.year]
        course = COURSE_FOR_ROLE[record.role].value
        evidence = evidence_held(
            detailed=cohort.detailed_evidence_types,
            role=record.role,
            declaration_type=declaration_type,
            pick=evidence_pick,
        )
        created_at = declaration_date + created_after
        book = self.reference.book(partnership.lead_provider, period.year)
        settlement = settle(fate, book, created_at, void_delay=void_delay, now=self.now)
        lp_id = lead_provider_id(partnership.lead_provider)
        return self.batch.add(
            "declarations",
            {
                "id": id or self.new_id(),
                "participant_id": record.participant_id,
                "training_record_id": record.id,
                "lead_provider_id": lp_id,
                "cohort_id": cohort.id,
                "declaration_type": declaration_type.value,
                "declaration_date": declaration_date,
                "course_identifier": course,
                "state": settlement.state.value,
                "evidence_held": evidence,
                "has_passed": None,
                "ineligible_for_funding_reason": settlement.ineligible_for_funding_reason,
                "delivery_partner_id": delivery_partner_id(partnership.delivery_partner),
                "mentor_id": period.mentor_id,
                "lead_provider_name": partnership.lead_provider,
                "statement_id": settlement.statement_id,
                "clawback_statement_id": settlement.clawback_statement_id,
                "submission_digest": submission_digest(
                    lead_provider_id=lp_id,
                    participant_id=record.participant_id,
                    declaration_type=declaration_type.value,
                    course_identifier=course,
                    declaration_date=declaration_date,
                    evidence_held=evidence,
                ),
                "voided_at": settlement.voided_at,
                "created_at": created_at,
                "updated_at": settlement.updated_at(created_at),
            },
        )
