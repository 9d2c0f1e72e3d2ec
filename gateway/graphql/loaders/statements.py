"""Statement loaders: by id, and a lead provider's statements."""

from __future__ import annotations

import uuid

from gateway.domain import statements
from gateway.domain.statements import StatementRow
from gateway.graphql.loaders.base import LookupLoader


class StatementByIdLoader(LookupLoader[uuid.UUID, StatementRow | None]):
    lookup = staticmethod(statements.statements_by_id)


class StatementsByLeadProviderLoader(LookupLoader[uuid.UUID, list[StatementRow]]):
    lookup = staticmethod(statements.statements_by_lead_provider)
    default = list
