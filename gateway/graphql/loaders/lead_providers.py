"""Lead provider loaders."""

from __future__ import annotations

import uuid

from gateway.domain import lead_providers
from gateway.domain.lead_providers import LeadProviderRow
from gateway.graphql.loaders.base import LookupLoader


class LeadProviderByIdLoader(LookupLoader[uuid.UUID, LeadProviderRow | None]):
    lookup = staticmethod(lead_providers.lead_providers_by_id)
