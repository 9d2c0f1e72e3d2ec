"""Who is calling: a lead provider, a DfE analyst (reads everything) or DfE finance (admin)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gateway.domain.errors import Forbidden
from gateway.vocabulary import Role


@dataclass(frozen=True, slots=True)
class Caller:
    role: Role
    lead_provider_id: uuid.UUID | None = None
    lead_provider_name: str | None = None

    @property
    def is_lead_provider(self) -> bool:
        return self.role is Role.LEAD_PROVIDER

    @property
    def reads_everything(self) -> bool:
        """Analysts and DfE finance read every provider's data."""
        return self.role in (Role.ANALYST, Role.ADMIN)

    def provider_seen_as(self, named: uuid.UUID | None = None) -> uuid.UUID | None:
        """The one lead provider whose view the caller reads: its own; for a caller who reads everything, the
        provider it names (None: every provider's)."""
        return named if self.reads_everything else self.lead_provider_id

    def require_lead_provider(self) -> uuid.UUID:
        """Provider actions (partnerships, declarations, participant actions) need a provider token."""
        if self.lead_provider_id is None:
            raise Forbidden("This action is only available to lead providers")
        return self.lead_provider_id

    def require_admin(self) -> None:
        if self.role is not Role.ADMIN:
            raise Forbidden("This action is only available to DfE finance")
