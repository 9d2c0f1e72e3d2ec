"""The request's DataLoaders, one typed attribute each, built on first use.

One module per relation family, each loader named ``<Target>By<Key>Loader``;
loaders call domain query functions and hold no SQL of their own.
"""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.callers import Caller
from gateway.graphql.loaders.cohorts import CohortByIdLoader, CohortByYearLoader
from gateway.graphql.loaders.declarations import (
    DeclarationByIdLoader,
    DeclarationsByParticipantLoader,
    DeclarationsByStatementLoader,
)
from gateway.graphql.loaders.delivery_partners import (
    CohortsByDeliveryPartnerLoader,
    CohortYearsByDeliveryPartnerLoader,
    DeliveryPartnerByIdLoader,
)
from gateway.graphql.loaders.lead_providers import LeadProviderByIdLoader
from gateway.graphql.loaders.participants import (
    MenteesByMentorLoader,
    ParticipantByIdLoader,
    ParticipantIdChangesByParticipantLoader,
    ParticipantsByPartnershipLoader,
    TransfersByParticipantLoader,
    UnfundedMentorByIdLoader,
)
from gateway.graphql.loaders.partnerships import (
    PartnershipByIdLoader,
    PartnershipsByDeliveryPartnerLoader,
    PartnershipsBySchoolAndCohortLoader,
)
from gateway.graphql.loaders.schedules import MilestonesByScheduleLoader, ScheduleByIdLoader
from gateway.graphql.loaders.schools import SchoolByIdAndCohortLoader, SchoolCohortFlagsLoader
from gateway.graphql.loaders.statements import StatementByIdLoader, StatementsByLeadProviderLoader


class Loaders:
    def __init__(self, conn: AsyncConnection, caller: Caller) -> None:
        self.conn = conn
        self.caller = caller

    @cached_property
    def delivery_partner_by_id(self) -> DeliveryPartnerByIdLoader:
        return DeliveryPartnerByIdLoader(self.conn, self.caller)

    @cached_property
    def delivery_partner_cohort_years(self) -> CohortYearsByDeliveryPartnerLoader:
        return CohortYearsByDeliveryPartnerLoader(self.conn, self.caller)

    @cached_property
    def delivery_partner_cohorts(self) -> CohortsByDeliveryPartnerLoader:
        return CohortsByDeliveryPartnerLoader(self)

    @cached_property
    def cohort_by_id(self) -> CohortByIdLoader:
        return CohortByIdLoader(self.conn, self.caller)

    @cached_property
    def cohort_by_year(self) -> CohortByYearLoader:
        return CohortByYearLoader(self.conn, self.caller)

    @cached_property
    def declaration_by_id(self) -> DeclarationByIdLoader:
        return DeclarationByIdLoader(self.conn, self.caller)

    @cached_property
    def declarations_by_participant(self) -> DeclarationsByParticipantLoader:
        return DeclarationsByParticipantLoader(self.conn, self.caller)

    @cached_property
    def declarations_by_statement(self) -> DeclarationsByStatementLoader:
        return DeclarationsByStatementLoader(self.conn, self.caller)

    @cached_property
    def statement_by_id(self) -> StatementByIdLoader:
        return StatementByIdLoader(self.conn, self.caller)

    @cached_property
    def statements_by_lead_provider(self) -> StatementsByLeadProviderLoader:
        return StatementsByLeadProviderLoader(self.conn, self.caller)

    @cached_property
    def lead_provider_by_id(self) -> LeadProviderByIdLoader:
        return LeadProviderByIdLoader(self.conn, self.caller)

    @cached_property
    def school_by_id_and_cohort(self) -> SchoolByIdAndCohortLoader:
        return SchoolByIdAndCohortLoader(self.conn, self.caller)

    @cached_property
    def school_cohort_flags(self) -> SchoolCohortFlagsLoader:
        return SchoolCohortFlagsLoader(self.conn, self.caller)

    @cached_property
    def partnership_by_id(self) -> PartnershipByIdLoader:
        return PartnershipByIdLoader(self.conn, self.caller)

    @cached_property
    def partnerships_by_school_and_cohort(self) -> PartnershipsBySchoolAndCohortLoader:
        return PartnershipsBySchoolAndCohortLoader(self.conn, self.caller)

    @cached_property
    def partnerships_by_delivery_partner(self) -> PartnershipsByDeliveryPartnerLoader:
        return PartnershipsByDeliveryPartnerLoader(self.conn, self.caller)

    @cached_property
    def participant_by_id(self) -> ParticipantByIdLoader:
        return ParticipantByIdLoader(self.conn, self.caller)

    @cached_property
    def participant_id_changes_by_participant(self) -> ParticipantIdChangesByParticipantLoader:
        return ParticipantIdChangesByParticipantLoader(self.conn, self.caller)

    @cached_property
    def participants_by_partnership(self) -> ParticipantsByPartnershipLoader:
        return ParticipantsByPartnershipLoader(self.conn, self.caller)

    @cached_property
    def transfers_by_participant(self) -> TransfersByParticipantLoader:
        return TransfersByParticipantLoader(self.conn, self.caller)

    @cached_property
    def unfunded_mentor_by_id(self) -> UnfundedMentorByIdLoader:
        return UnfundedMentorByIdLoader(self.conn, self.caller)

    @cached_property
    def mentees_by_mentor(self) -> MenteesByMentorLoader:
        return MenteesByMentorLoader(self.conn, self.caller)

    @cached_property
    def schedule_by_id(self) -> ScheduleByIdLoader:
        return ScheduleByIdLoader(self.conn, self.caller)

    @cached_property
    def milestones_by_schedule(self) -> MilestonesByScheduleLoader:
        return MilestonesByScheduleLoader(self.conn, self.caller)
