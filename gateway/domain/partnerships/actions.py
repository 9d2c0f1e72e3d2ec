"""Creating and updating partnerships (domain.md section 4).

Each action loads what its checks read, runs them in the published order
(one message per attribute, the first that applies), then writes. Values come
as the client sent them: a blank one is missing, a malformed one is unknown.
The unique constraint on (school, lead provider, cohort) is the backstop
against two concurrent creates: the loser gets the published 422.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.tables import (
    DeliveryPartner,
    Partnership,
    ProviderRelationship,
    School,
    SchoolCohort,
    TrainingPeriod,
    table_of,
)
from gateway.domain.callers import Caller
from gateway.domain.cohorts import CohortRow, cohort_year, cohorts_by_year
from gateway.domain.errors import NotFound, ValidationFailed
from gateway.domain.participants.changes import participants_on_partnership_changed
from gateway.domain.partnerships.queries import PartnershipRow, get_partnership
from gateway.domain.validation import Validation, as_uuid, given
from gateway.vocabulary import TrainingProgramme

_partnerships = table_of(Partnership)
_schools = table_of(School)
_school_cohorts = table_of(SchoolCohort)
_delivery_partners = table_of(DeliveryPartner)
_relationships = table_of(ProviderRelationship)
_periods = table_of(TrainingPeriod)

COHORT_MISSING = "Enter a '#/cohort'."
COHORT_UNKNOWN = "The '#/cohort' you have entered is invalid. Check cohort details and try again."
COHORT_IN_FUTURE = "You cannot create a partnership for a future cohort."
COHORT_CLOSED = "You cannot create this partnership as the cohort is closed."
SCHOOL_MISSING = "Enter a '#/school_id'."
SCHOOL_UNKNOWN = (
    "The '#/school_id' you have entered is invalid. Check school details and try again. "
    "Contact the DfE for support if you are unable to find the '#/school_id'."
)
SCHOOL_INELIGIBLE = (
    "The school you have entered is currently ineligible for DfE funding. Contact the school for more information."
)
ALREADY_PARTNERED = "You are already in a confirmed partnership with this school for the entered cohort."
SCHOOL_LED_ONLY = "This school has only registered school-led participants. Contact the school for more information."
DELIVERY_PARTNER_MISSING = "Enter a '#/delivery_partner_id'."
DELIVERY_PARTNER_UNKNOWN = (
    "The '#/delivery_partner_id' you have entered is invalid. Check delivery partner details and try again."
)
NO_RELATIONSHIP = (
    "The entered delivery partner is not recognised to be working in partnership with you for the given cohort. "
    "Contact the DfE for more information."
)
SAME_DELIVERY_PARTNER = (
    "We are unable to process this request. You are already confirmed to be in partnership with the entered "
    "delivery partner. Contact the DfE for support."
)


@dataclass(frozen=True, slots=True)
class _SchoolFacts:
    eligible: bool
    partnered_by_caller: bool
    has_provider_led: bool
    has_school_led: bool

    @property
    def school_led_only(self) -> bool:
        return self.has_school_led and not self.has_provider_led


async def _exists(conn: AsyncConnection, *conditions) -> bool:
    return bool((await conn.execute(select(exists().where(*conditions)))).scalar())


async def _school_facts(
    conn: AsyncConnection, lead_provider_id: uuid.UUID, school_id: uuid.UUID, cohort_id: uuid.UUID
) -> _SchoolFacts:
    def period_with(programme: TrainingProgramme):
        return exists().where(
            _periods.c.school_id == school_id,
            _periods.c.cohort_id == cohort_id,
            _periods.c.training_programme == programme.value,
        )

    row = (
        await conn.execute(
            select(
                exists().where(
                    _school_cohorts.c.school_id == school_id,
                    _school_cohorts.c.cohort_id == cohort_id,
                    _school_cohorts.c.eligible_for_funding.is_(True),
                ),
                exists().where(
                    _partnerships.c.school_id == school_id,
                    _partnerships.c.cohort_id == cohort_id,
                    _partnerships.c.lead_provider_id == lead_provider_id,
                ),
                period_with(TrainingProgramme.PROVIDER_LED),
                period_with(TrainingProgramme.SCHOOL_LED),
            )
        )
    ).one()
    return _SchoolFacts(*(bool(value) for value in row))


async def _relationship_exists(
    conn: AsyncConnection, lead_provider_id: uuid.UUID, delivery_partner_id: uuid.UUID, cohort_id: uuid.UUID
) -> bool:
    return await _exists(
        conn,
        _relationships.c.lead_provider_id == lead_provider_id,
        _relationships.c.delivery_partner_id == delivery_partner_id,
        _relationships.c.cohort_id == cohort_id,
    )


async def create_partnership(
    conn: AsyncConnection,
    caller: Caller,
    *,
    cohort: str | None,
    school_id: str | None,
    delivery_partner_id: str | None,
) -> PartnershipRow:
    lead_provider_id = caller.require_lead_provider()
    cohort_text, school_text, partner_text = given(cohort), given(school_id), given(delivery_partner_id)

    year = cohort_year(cohort_text)
    found_cohort: CohortRow | None = (
        (await cohorts_by_year(conn, caller, [year])).get(year) if year is not None else None
    )
    school_uuid, partner_uuid = as_uuid(school_text), as_uuid(partner_text)
    school_exists = school_uuid is not None and await _exists(conn, _schools.c.id == school_uuid)
    partner_exists = partner_uuid is not None and await _exists(conn, _delivery_partners.c.id == partner_uuid)
    school = None
    relationship = False
    if found_cohort is not None and school_exists:
        school = await _school_facts(conn, lead_provider_id, school_uuid, found_cohort.id)  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
    if found_cohort is not None and partner_exists:
        relationship = await _relationship_exists(conn, lead_provider_id, partner_uuid, found_cohort.id)  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did

    today = clock.today()
    checks = Validation()
    checks.check("cohort", lambda: cohort_text is None, COHORT_MISSING)
    checks.check("cohort", lambda: found_cohort is None, COHORT_UNKNOWN)
    checks.check("cohort", lambda: found_cohort.starts_on > today, COHORT_IN_FUTURE)  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
    checks.check("cohort", lambda: not found_cohort.registration_open, COHORT_CLOSED)  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
    checks.check("school_id", lambda: school_text is None, SCHOOL_MISSING)
    checks.check("school_id", lambda: not school_exists, SCHOOL_UNKNOWN)
    # The school's facts are per cohort: without a known cohort there is nothing more to check.
    if school is not None:
        checks.check("school_id", lambda: not school.eligible, SCHOOL_INELIGIBLE)
        checks.check("school_id", lambda: school.partnered_by_caller, ALREADY_PARTNERED)
        checks.check("school_id", lambda: school.school_led_only, SCHOOL_LED_ONLY)
    checks.check("delivery_partner_id", lambda: partner_text is None, DELIVERY_PARTNER_MISSING)
    checks.check("delivery_partner_id", lambda: not partner_exists, DELIVERY_PARTNER_UNKNOWN)
    if found_cohort is not None:
        checks.check("delivery_partner_id", lambda: not relationship, NO_RELATIONSHIP)
    checks.raise_if_failed()

    partnership_id = uuid.uuid4()
    try:
        await conn.execute(
            insert(_partnerships).values(
                id=partnership_id,
                school_id=school_uuid,
                lead_provider_id=lead_provider_id,
                delivery_partner_id=partner_uuid,
                cohort_id=found_cohort.id,  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
            )
        )
    except IntegrityError:
        # A concurrent create for the same school, provider and cohort committed first.
        raise ValidationFailed.single("school_id", ALREADY_PARTNERED) from None
    await conn.execute(
        update(_periods)
        .where(
            _periods.c.school_id == school_uuid,
            _periods.c.cohort_id == found_cohort.id,  # type: ignore[arg-type, union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
            _periods.c.expression_of_interest_lead_provider_id == lead_provider_id,
            _periods.c.partnership_id.is_(None),
        )
        .values(partnership_id=partnership_id)
    )
    await participants_on_partnership_changed(conn, partnership_id)
    # The school is now in partnership, and of interest to this provider, in the cohort.
    await conn.execute(update(_schools).where(_schools.c.id == school_uuid).values(updated_at=clock.now()))
    return await get_partnership(conn, caller, partnership_id)


async def update_partnership(
    conn: AsyncConnection, caller: Caller, partnership_id: uuid.UUID, *, delivery_partner_id: str | None
) -> PartnershipRow:
    """Give the caller's partnership another delivery partner; ``NotFound`` for another provider's."""
    lead_provider_id = caller.require_lead_provider()
    current = (
        await conn.execute(
            select(_partnerships.c.school_id, _partnerships.c.cohort_id, _partnerships.c.delivery_partner_id)
            .where(_partnerships.c.id == partnership_id, _partnerships.c.lead_provider_id == lead_provider_id)
            .with_for_update()
        )
    ).first()
    if current is None:
        raise NotFound()
    partner_text = given(delivery_partner_id)
    partner_uuid = as_uuid(partner_text)
    partner_exists = partner_uuid is not None and await _exists(conn, _delivery_partners.c.id == partner_uuid)
    relationship = partner_exists and await _relationship_exists(
        conn,
        lead_provider_id,
        partner_uuid,  # type: ignore[arg-type]  # partner_exists: the id parsed
        current.cohort_id,
    )
    already_with_partner = partner_exists and await _exists(
        conn,
        _partnerships.c.school_id == current.school_id,
        _partnerships.c.cohort_id == current.cohort_id,
        _partnerships.c.lead_provider_id == lead_provider_id,
        _partnerships.c.delivery_partner_id == partner_uuid,
    )

    checks = Validation()
    checks.check("delivery_partner_id", lambda: partner_text is None, DELIVERY_PARTNER_MISSING)
    checks.check("delivery_partner_id", lambda: not partner_exists, DELIVERY_PARTNER_UNKNOWN)
    checks.check("delivery_partner_id", lambda: not relationship, NO_RELATIONSHIP)
    checks.check("delivery_partner_id", lambda: already_with_partner, SAME_DELIVERY_PARTNER)
    checks.raise_if_failed()

    await conn.execute(
        update(_partnerships).where(_partnerships.c.id == partnership_id).values(delivery_partner_id=partner_uuid)
    )
    # Every enrolment on the partnership now names the new delivery partner.
    await participants_on_partnership_changed(conn, partnership_id)
    return await get_partnership(conn, caller, partnership_id)
