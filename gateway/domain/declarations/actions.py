"""Declaring a milestone and voiding a declaration (domain.md section 6).

Each action loads what it needs once, runs the pure checks of
``declarations.checks`` and writes in the caller's transaction, answering the
declaration as ``queries.get_declaration`` reads it, so both faces render the
same row the GET endpoints would.

Concurrency: the partial unique indexes on declarations are the backstop. An
identical submission that commits while another is loading its facts makes the
slot check fail for the second; so a refusal looks for the resubmission once
more before it answers 422. Two identical submissions racing past the checks
collapse on
``uq_declarations_submission_digest`` (the loser answers the winner's row);
two different ones for one slot collapse on ``uq_declarations_billable_slot``
(the loser gets the slot's 422). Voiding locks the declaration row, so it
serialises with DfE finance paying its statement.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.tables import Cohort, Declaration, table_of
from gateway.domain.callers import Caller
from gateway.domain.declaration_digest import submission_digest
from gateway.domain.declarations.checks import DECLARATION_TYPE, SLOT_TAKEN, declaration_errors
from gateway.domain.declarations.evidence import accepted_evidence, stored_evidence
from gateway.domain.declarations.facts import (
    BILLABLE,
    SubmissionFacts,
    TrainingFacts,
    find_resubmission,
    load_submission_facts,
    load_training,
)
from gateway.domain.declarations.payment import CONTRACT_ENDED, PaymentTarget, next_open_output_statement
from gateway.domain.declarations.queries import DeclarationRow, get_declaration
from gateway.domain.declarations.submission import DeclarationSubmission, ParsedSubmission, parse_submission
from gateway.domain.errors import NotFound, ValidationFailed
from gateway.vocabulary import DeclarationState, IneligibleForFundingReason, ParticipantType

_declarations = table_of(Declaration)
_cohorts = table_of(Cohort)

PARTICIPANT_DECLARATION_ID = "participant_declaration_id"
ALREADY_VOIDED = "The declaration has already been voided."
CLAWED_BACK = "This declaration has been clawed-back, so you can only view it."

VOIDABLE_UNPAID = (
    DeclarationState.SUBMITTED,
    DeclarationState.ELIGIBLE,
    DeclarationState.PAYABLE,
    DeclarationState.INELIGIBLE,
)


async def create_declaration(
    conn: AsyncConnection, caller: Caller, submission: DeclarationSubmission
) -> DeclarationRow:
    """Record a declaration, or answer the standing one an identical earlier submission made."""
    lead_provider_id = caller.require_lead_provider()
    parsed = parse_submission(submission)
    participant_known, training = False, None
    if parsed.participant_id is not None:
        participant_known, training = await load_training(
            conn, lead_provider_id=lead_provider_id, participant_id=parsed.participant_id, role=parsed.role
        )

    digest = _digest(lead_provider_id, parsed, submission, training)
    if digest is not None and (earlier := await find_resubmission(conn, digest)) is not None:
        return await get_declaration(conn, caller, earlier)

    facts = await load_submission_facts(
        conn,
        lead_provider_id=lead_provider_id,
        participant_known=participant_known,
        training=training,
        declaration_type=parsed.declaration_type,
    )
    errors = declaration_errors(submission, parsed, facts, now=clock.now())
    if errors:
        # An identical submission may have committed between the first look and the facts: its row now
        # holds the slot, and this resubmission must answer it, not the slot's 422.
        if digest is not None and (earlier := await find_resubmission(conn, digest)) is not None:
            return await get_declaration(conn, caller, earlier)
        raise ValidationFailed(errors)
    assert training is not None and digest is not None  # the checks passed, so both were established

    declaration_id = uuid.uuid4()
    try:
        async with conn.begin_nested():
            await conn.execute(
                _declarations.insert().values(
                    **_new_row(declaration_id, caller, parsed, submission, training, facts, digest)
                )
            )
    except IntegrityError:
        # Lost a race with a concurrent submission that passed the same checks.
        if (earlier := await find_resubmission(conn, digest)) is not None:
            return await get_declaration(conn, caller, earlier)
        if await _slot_taken(conn, training, parsed):
            raise ValidationFailed.single(DECLARATION_TYPE, SLOT_TAKEN) from None
        raise
    return await get_declaration(conn, caller, declaration_id)


def _accepted(parsed: ParsedSubmission, training: TrainingFacts):
    assert parsed.declaration_type is not None
    return accepted_evidence(
        detailed=training.detailed_evidence_types,
        role=training.participant_type,
        declaration_type=parsed.declaration_type,
    )


def _digest(
    lead_provider_id: uuid.UUID,
    parsed: ParsedSubmission,
    submission: DeclarationSubmission,
    training: TrainingFacts | None,
) -> str | None:
    """The fingerprint of a well-formed submission for a participant the caller trains in that role."""
    if (
        training is None
        or parsed.declaration_type is None
        or parsed.declaration_date is None
        or parsed.course_identifier is None
    ):
        return None
    if submission.evidence_held is not None and not isinstance(submission.evidence_held, str):
        return None
    return submission_digest(
        lead_provider_id=lead_provider_id,
        participant_id=parsed.participant_id,  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        declaration_type=parsed.declaration_type.value,
        course_identifier=parsed.course_identifier.value,
        declaration_date=parsed.declaration_date,
        evidence_held=stored_evidence(submission.evidence_held, _accepted(parsed, training)),
    )


def _new_row(
    declaration_id: uuid.UUID,
    caller: Caller,
    parsed: ParsedSubmission,
    submission: DeclarationSubmission,
    training: TrainingFacts,
    facts: SubmissionFacts,
    digest: str,
) -> dict:
    if facts.duplicate_elsewhere:
        state, statement_id, reason = (
            DeclarationState.INELIGIBLE,
            None,
            IneligibleForFundingReason.DUPLICATE_DECLARATION.value,
        )
    elif training.eligible_for_funding:
        state, statement_id, reason = DeclarationState.ELIGIBLE, facts.statement_id, None
    else:
        state, statement_id, reason = DeclarationState.SUBMITTED, None, None
    return {
        "id": declaration_id,
        "participant_id": parsed.participant_id,
        "training_record_id": training.training_record_id,
        "lead_provider_id": caller.lead_provider_id,
        "cohort_id": training.cohort_id,
        "declaration_type": parsed.declaration_type.value,  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        "declaration_date": parsed.declaration_date,
        "course_identifier": parsed.course_identifier.value,  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        "state": state.value,
        "evidence_held": stored_evidence(submission.evidence_held, _accepted(parsed, training)),
        "ineligible_for_funding_reason": reason,
        "delivery_partner_id": training.delivery_partner_id,
        "mentor_id": training.mentor_id if training.participant_type is ParticipantType.ECT else None,
        "lead_provider_name": caller.lead_provider_name,
        "statement_id": statement_id,
        "submission_digest": digest,
    }


async def _slot_taken(conn: AsyncConnection, training: TrainingFacts, parsed: ParsedSubmission) -> bool:
    stmt = select(_declarations.c.id).where(
        _declarations.c.training_record_id == training.training_record_id,
        _declarations.c.declaration_type == parsed.declaration_type.value,  # type: ignore[arg-type, union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        _declarations.c.state.in_(BILLABLE),
    )
    return (await conn.execute(stmt)).first() is not None


async def void_declaration(conn: AsyncConnection, caller: Caller, declaration_id: uuid.UUID) -> DeclarationRow:
    """Void one of the caller's own declarations; a paid one waits to be clawed back on the next open statement."""
    lead_provider_id = caller.require_lead_provider()
    found = (
        await conn.execute(
            select(_declarations.c.state, _declarations.c.cohort_id)
            .where(_declarations.c.id == declaration_id, _declarations.c.lead_provider_id == lead_provider_id)
            .with_for_update()
        )
    ).first()
    if found is None:
        raise NotFound()
    state = DeclarationState(found.state)
    if state is DeclarationState.VOIDED:
        raise ValidationFailed.single(PARTICIPANT_DECLARATION_ID, ALREADY_VOIDED)
    if state in (DeclarationState.AWAITING_CLAWBACK, DeclarationState.CLAWED_BACK):
        raise ValidationFailed.single(PARTICIPANT_DECLARATION_ID, CLAWED_BACK)

    now = clock.now()
    if state is DeclarationState.PAID:
        clawback_statement_id = await next_open_output_statement(conn, PaymentTarget(lead_provider_id, found.cohort_id))
        if clawback_statement_id is None:
            year = (await conn.execute(select(_cohorts.c.year).where(_cohorts.c.id == found.cohort_id))).scalar_one()
            raise ValidationFailed.single(PARTICIPANT_DECLARATION_ID, CONTRACT_ENDED.format(year=year))
        changes = {
            "state": DeclarationState.AWAITING_CLAWBACK.value,
            "clawback_statement_id": clawback_statement_id,
            "voided_at": now,
        }
    else:
        assert state in VOIDABLE_UNPAID
        changes = {"state": DeclarationState.VOIDED.value, "statement_id": None, "voided_at": now}
    await conn.execute(_declarations.update().where(_declarations.c.id == declaration_id).values(**changes))
    return await get_declaration(conn, caller, declaration_id)
