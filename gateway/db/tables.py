"""The data model (domain.md section 1) as SQLModel tables.

Every table has a UUID primary key and UTC ``created_at``/``updated_at`` kept
by the column defaults, which read the gateway clock (so sandbox time travel
stamps rows consistently). Enumerated values are stored as the API spells them.
Reads go through SQLAlchemy Core on ``table_of(Table)``; relationships are not
declared, so nothing can lazy-load behind a query's back.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Index, MetaData, Table, UniqueConstraint, Uuid, text
from sqlmodel import Field, SQLModel

from gateway import clock
from gateway.db.types import FastUuid, UTCDateTime
from gateway.vocabulary import BILLABLE_STATES, DeclarationState

# Stable constraint names on SQLite and PostgreSQL alike (Alembic needs them to alter or drop).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _state_in(states) -> str:
    return "state IN (" + ", ".join(f"'{state.value}'" for state in states) + ")"


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, typed: SQLModel sets ``__table__`` when the class is made, where mypy
    cannot see it, so the one unchecked attribute access lives here."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass for table=True
    return table


BILLABLE_STATES_SQL = _state_in(BILLABLE_STATES)
# An exact resubmission is recognised while the original still stands (not voided or clawed back).
RESUBMITTABLE_STATES_SQL = _state_in((*BILLABLE_STATES, DeclarationState.INELIGIBLE))


def _created_at() -> datetime:
    return Field(
        default_factory=clock.now,
        sa_type=UTCDateTime,
        sa_column_kwargs={"default": clock.now},
        nullable=False,
        index=True,
    )


def _updated_at() -> datetime:
    return Field(
        default_factory=clock.now,
        sa_type=UTCDateTime,
        sa_column_kwargs={"default": clock.now, "onupdate": clock.now},
        nullable=False,
        index=True,
    )


class Cohort(SQLModel, table=True):
    __tablename__ = "cohorts"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    year: int = Field(unique=True)
    starts_on: date
    registration_open: bool = True
    payments_frozen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    mentor_funding: bool = False
    detailed_evidence_types: bool = False
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class LeadProvider(SQLModel, table=True):
    __tablename__ = "lead_providers"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(unique=True)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class ApiToken(SQLModel, table=True):
    """A bearer token, stored only as its SHA-256 digest."""

    __tablename__ = "api_tokens"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_digest: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=20)
    lead_provider_id: uuid.UUID | None = Field(default=None, foreign_key="lead_providers.id", index=True)
    description: str | None = None
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class RequestCount(SQLModel, table=True):
    """The requests one token made in its current fixed window (the published rate limit, domain.md section 2).

    One row per token, moved on to the new window when one begins, so old windows never pile up and
    counting stays one statement. A counter, not a resource: no id of its own and no timestamps (those
    read the time-travel clock; the window reads the real one, gateway.domain.rate_limits).
    """

    __tablename__ = "request_counts"

    api_token_id: uuid.UUID = Field(foreign_key="api_tokens.id", primary_key=True, ondelete="CASCADE")
    window_start: datetime = Field(sa_type=UTCDateTime)
    count: int


class DeliveryPartner(SQLModel, table=True):
    __tablename__ = "delivery_partners"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(index=True)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class ProviderRelationship(SQLModel, table=True):
    """A delivery partner working for a lead provider in a cohort."""

    __tablename__ = "provider_relationships"
    __table_args__ = (UniqueConstraint("lead_provider_id", "delivery_partner_id", "cohort_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    lead_provider_id: uuid.UUID = Field(foreign_key="lead_providers.id", index=True)
    delivery_partner_id: uuid.UUID = Field(foreign_key="delivery_partners.id", index=True)
    cohort_id: uuid.UUID = Field(foreign_key="cohorts.id", index=True)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class School(SQLModel, table=True):
    __tablename__ = "schools"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    urn: str = Field(unique=True, max_length=6)
    name: str
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class SchoolCohort(SQLModel, table=True):
    """What is true of a school in one cohort: funding eligibility and its induction tutor."""

    __tablename__ = "school_cohorts"
    __table_args__ = (UniqueConstraint("school_id", "cohort_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    school_id: uuid.UUID = Field(foreign_key="schools.id", index=True)
    cohort_id: uuid.UUID = Field(foreign_key="cohorts.id", index=True)
    eligible_for_funding: bool = Field(default=False, index=True)
    induction_tutor_name: str | None = None
    induction_tutor_email: str | None = None
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class Partnership(SQLModel, table=True):
    __tablename__ = "partnerships"
    # One partnership per school, lead provider and cohort through the API; other LPs may partner the same school.
    __table_args__ = (UniqueConstraint("school_id", "lead_provider_id", "cohort_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    school_id: uuid.UUID = Field(foreign_key="schools.id", index=True)
    lead_provider_id: uuid.UUID = Field(foreign_key="lead_providers.id", index=True)
    delivery_partner_id: uuid.UUID = Field(foreign_key="delivery_partners.id", index=True)
    cohort_id: uuid.UUID = Field(foreign_key="cohorts.id", index=True)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class Participant(SQLModel, table=True):
    __tablename__ = "participants"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    full_name: str
    teacher_reference_number: str | None = Field(default=None, index=True, max_length=7)
    teacher_reference_number_validated: bool = False
    # As the participant's appropriate body reports their induction (ECTs only): when it started overall, and when
    # the latest of its periods ended (null while that period is open, or none is reported).
    overall_induction_start_date: date | None = None
    most_recent_induction_period_end_date: date | None = None
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class ParticipantIdChange(SQLModel, table=True):
    """DfE merged two identities: ``from_participant_id`` now lives on as ``to_participant_id``."""

    __tablename__ = "participant_id_changes"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The merged-away identity has no row of its own any more; the surviving one does.
    from_participant_id: uuid.UUID = Field(index=True)
    to_participant_id: uuid.UUID = Field(foreign_key="participants.id", index=True)
    changed_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class TrainingRecord(SQLModel, table=True):
    """A participant in one role (ECT or mentor), with the funding facts of that role."""

    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("participant_id", "participant_type"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    participant_id: uuid.UUID = Field(foreign_key="participants.id", index=True)
    participant_type: str = Field(max_length=10)
    eligible_for_funding: bool | None = None
    pupil_premium_uplift: bool = False
    sparsity_uplift: bool = False
    induction_end_date: date | None = None
    mentor_funding_end_date: date | None = None
    mentor_ineligible_for_funding_reason: str | None = None
    cohort_changed_after_payments_frozen: bool = False
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class Schedule(SQLModel, table=True):
    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("cohort_id", "identifier"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    cohort_id: uuid.UUID = Field(foreign_key="cohorts.id", index=True)
    identifier: str = Field(max_length=40, index=True)
    name: str
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class Milestone(SQLModel, table=True):
    """The window in which a declaration of one type may be dated, on one schedule."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("schedule_id", "declaration_type"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    schedule_id: uuid.UUID = Field(foreign_key="schedules.id", index=True)
    declaration_type: str = Field(max_length=20)
    start_date: date
    milestone_date: date | None = None
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class TrainingPeriod(SQLModel, table=True):
    """One stretch of a training record at one school.

    Provider-led periods carry a partnership, or only an expression of interest
    for a lead provider until that provider partners the school. School-led
    periods carry neither.

    Two owners report on a period, and their facts are kept apart (domain.md section 5):
    the school (``leaving_on``, ``school_withdrawn_at``: what ``participant_status``
    and the transfers read) and the lead provider (withdrawal and deferral, with
    their reasons: what ``training_status`` reads). Neither erases the other's.
    ``finished_on`` is when the period itself ended, whoever ended it: the
    school's leaving date, a provider's withdrawal or deferral, a change of
    schedule, or completed training.
    """

    __tablename__ = "training_periods"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    training_record_id: uuid.UUID = Field(foreign_key="training_records.id", index=True)
    school_id: uuid.UUID = Field(foreign_key="schools.id", index=True)
    cohort_id: uuid.UUID = Field(foreign_key="cohorts.id", index=True)
    training_programme: str = Field(max_length=20)
    partnership_id: uuid.UUID | None = Field(default=None, foreign_key="partnerships.id", index=True)
    expression_of_interest_lead_provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="lead_providers.id", index=True
    )
    schedule_id: uuid.UUID | None = Field(default=None, foreign_key="schedules.id", index=True)
    started_on: date = Field(index=True)
    finished_on: date | None = None
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawal_reason: str | None = None
    deferred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deferral_reason: str | None = None
    leaving_on: date | None = None
    """The school reported the participant leaving it on this day (``leaving`` until then, ``left`` after)."""
    school_withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """The school withdrew the participant (``participant_status`` ``withdrawn``); not a provider's withdrawal."""
    email: str | None = None
    mentor_id: uuid.UUID | None = Field(default=None, foreign_key="participants.id", index=True)
    # An ECT's working pattern at this school as the school reports it (``full_time``/``part_time``); null for
    # mentors and where the school has not said.
    working_pattern: str | None = Field(default=None, max_length=20)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class LeadProviderParticipant(SQLModel, table=True):
    """A participant a lead provider sees: one with a training period under one of its partnerships (domain.md 5).

    Derived from the training periods by the database itself (triggers made by migration 0006, on every period
    that comes under a partnership), never written by the application. Visibility is only ever gained: periods
    are never deleted, and a period moves only between partnerships of one provider. It lets a provider's list of
    participants walk an index in the order it pages, so a page costs what it holds, however many participants
    the provider has (the rule itself stays ``queries.visible_participant_ids``, which these rows equal).
    """

    __tablename__ = "lead_provider_participants"
    __table_args__ = (
        Index(
            "ix_lead_provider_participants_by_creation", "lead_provider_id", "participant_created_at", "participant_id"
        ),
    )

    lead_provider_id: uuid.UUID = Field(foreign_key="lead_providers.id", primary_key=True)
    participant_id: uuid.UUID = Field(foreign_key="participants.id", primary_key=True)
    participant_created_at: datetime = Field(sa_type=UTCDateTime)
    """The participant's ``created_at`` (never changes): the default order of the lists."""


class Statement(SQLModel, table=True):
    """A monthly payment statement of one lead provider and cohort."""

    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("lead_provider_id", "cohort_id", "year", "month"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    lead_provider_id: uuid.UUID = Field(foreign_key="lead_providers.id", index=True)
    cohort_id: uuid.UUID = Field(foreign_key="cohorts.id", index=True)
    month: int
    year: int
    cut_off_date: date = Field(index=True)
    payment_date: date = Field(index=True)
    output_fee: bool = True
    status: str = Field(default="open", max_length=10, index=True)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


class Declaration(SQLModel, table=True):
    """A milestone claim. Never deleted: voiding and clawback change its state."""

    __tablename__ = "declarations"
    __table_args__ = (
        # At most one billable declaration per training record and type, whichever LP sent it.
        Index(
            "uq_declarations_billable_slot",
            "training_record_id",
            "declaration_type",
            unique=True,
            sqlite_where=text(BILLABLE_STATES_SQL),
            postgresql_where=text(BILLABLE_STATES_SQL),
        ),
        # Concurrent identical submissions by one LP collapse onto one row (the idempotent 200).
        Index(
            "uq_declarations_submission_digest",
            "submission_digest",
            unique=True,
            sqlite_where=text(RESUBMITTABLE_STATES_SQL),
            postgresql_where=text(RESUBMITTABLE_STATES_SQL),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    participant_id: uuid.UUID = Field(foreign_key="participants.id", index=True)
    training_record_id: uuid.UUID = Field(foreign_key="training_records.id", index=True)
    lead_provider_id: uuid.UUID = Field(foreign_key="lead_providers.id", index=True)
    cohort_id: uuid.UUID = Field(foreign_key="cohorts.id", index=True)
    declaration_type: str = Field(max_length=20)
    declaration_date: datetime = Field(sa_type=UTCDateTime)
    course_identifier: str = Field(max_length=20)
    state: str = Field(max_length=20, index=True)
    evidence_held: str | None = None
    has_passed: bool | None = None
    ineligible_for_funding_reason: str | None = None
    delivery_partner_id: uuid.UUID | None = Field(default=None, foreign_key="delivery_partners.id", index=True)
    mentor_id: uuid.UUID | None = Field(default=None, foreign_key="participants.id", index=True)
    lead_provider_name: str
    statement_id: uuid.UUID | None = Field(default=None, foreign_key="statements.id", index=True)
    clawback_statement_id: uuid.UUID | None = Field(default=None, foreign_key="statements.id", index=True)
    submission_digest: str = Field(max_length=64)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created_at()
    updated_at: datetime = _updated_at()


ALL_TABLES = [table_of(model) for model in SQLModel.__subclasses__() if getattr(model, "__table__", None) is not None]


def _read_ids_quickly() -> None:
    # SQLModel types every uuid.UUID field as Uuid; one swap here instead of sa_type on each field.
    for table in metadata.tables.values():
        for column in table.columns:
            if type(column.type) is Uuid:
                column.type = FastUuid()


_read_ids_quickly()
