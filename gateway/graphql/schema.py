"""The schema: every resource's root fields merged into one Query (and one Mutation)."""

from __future__ import annotations

from strawberry import Schema
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from gateway.graphql.errors import ErrorCodes
from gateway.graphql.look_ahead import LookAheadExecutionContext
from gateway.graphql.mutations.declarations import DeclarationMutation
from gateway.graphql.mutations.finance import FinanceMutation
from gateway.graphql.mutations.participants import ParticipantMutation
from gateway.graphql.mutations.partnerships import PartnershipMutation
from gateway.graphql.scalars import SCALAR_OVERRIDES
from gateway.graphql.types.cohorts import CohortQuery
from gateway.graphql.types.declarations import DeclarationQuery
from gateway.graphql.types.delivery_partners import DeliveryPartnerQuery
from gateway.graphql.types.lead_providers import LeadProviderQuery
from gateway.graphql.types.participants import ParticipantQuery
from gateway.graphql.types.partnerships import PartnershipQuery
from gateway.graphql.types.schools import SchoolQuery
from gateway.graphql.types.statements import StatementQuery
from gateway.graphql.types.transfers import ParticipantTransfersQuery
from gateway.graphql.types.unfunded_mentors import UnfundedMentorQuery

Query = merge_types(
    "Query",
    (
        CohortQuery,
        DeliveryPartnerQuery,
        ParticipantQuery,
        ParticipantTransfersQuery,
        UnfundedMentorQuery,
        SchoolQuery,
        PartnershipQuery,
        DeclarationQuery,
        StatementQuery,
        LeadProviderQuery,
    ),
)

Mutation = merge_types(
    "Mutation",
    (
        PartnershipMutation,
        ParticipantMutation,
        DeclarationMutation,
        FinanceMutation,
    ),
)


class GatewaySchema(Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # Expected errors (NOT_FOUND, BAD_USER_INPUT...) are answers, not incidents; ErrorCodes logs the unexpected ones.
        return None


schema = GatewaySchema(
    query=Query,
    mutation=Mutation,
    scalar_overrides=SCALAR_OVERRIDES,  # type: ignore[arg-type]  # Strawberry takes any class as the key it overrides
    # Relation levels are loaded once per root field before graphql-core walks the rows (gateway.graphql.look_ahead).
    execution_context_class=LookAheadExecutionContext,
    extensions=[
        # Measured: small queries spend most of their time parsing and validating; both are cached per document.
        ParserCache(maxsize=1024),  # type: ignore[list-item]  # an instance, as Strawberry documents for these two
        ValidationCache(maxsize=1024),  # type: ignore[list-item]  # as above
        ErrorCodes,
    ],
)
