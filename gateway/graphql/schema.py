"""The schema: every resource's root fields merged into one Query (and one Mutation)."""

from __future__ import annotations

from functools import partial

from strawberry import Schema
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from gateway.graphql.errors import ErrorCodes
from gateway.graphql.look_ahead import LookAheadExecutionContext
from gateway.graphql.mutations.declarations import DeclarationMutation
from gateway.graphql.mutations.finance import FinanceMutation
from gateway.graphql.mutations.participants import ParticipantMutation
from gateway.graphql.mutations.partnerships import PartnershipMutation
from gateway.graphql.scalars import SCALAR_MAP
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
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    # Relation levels are loaded once per root field before graphql-core walks the rows (gateway.graphql.look_ahead).
    execution_context_class=LookAheadExecutionContext,
    extensions=[
        # Measured: small queries spend most of their time parsing and validating; both are cached per document.
        # Factories, as Strawberry asks: a fresh extension per request, over the caches they share. Partials, not
        # lambdas, so that the compiled path sees which extensions they make (gateway.graphql.compiled.executor).
        partial(ParserCache, maxsize=1024),
        partial(ValidationCache, maxsize=1024),
        ErrorCodes,
    ],
)
