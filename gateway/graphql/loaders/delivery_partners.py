"""Delivery partner loaders."""

from __future__ import annotations

import uuid

from gateway.domain import delivery_partners
from gateway.domain.delivery_partners import DeliveryPartnerRow
from gateway.graphql.loaders.base import LookupLoader


class DeliveryPartnerByIdLoader(LookupLoader[uuid.UUID, DeliveryPartnerRow | None]):
    lookup = staticmethod(delivery_partners.delivery_partners_by_id)
