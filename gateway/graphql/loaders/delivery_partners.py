"""Delivery partner loaders: partners by id, and the cohorts of their relationships, read only when selected."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from aiodataloader import DataLoader

from gateway.domain import delivery_partners
from gateway.domain.cohorts import CohortRow
from gateway.domain.delivery_partners import DeliveryPartnerRow
from gateway.graphql.loaders.base import LookupLoader

if TYPE_CHECKING:
    from gateway.graphql.loaders import Loaders

CohortsKey = tuple[uuid.UUID, uuid.UUID | None]
"""``DeliveryPartnerRow.cohorts_key``."""


class DeliveryPartnerByIdLoader(LookupLoader[uuid.UUID, DeliveryPartnerRow | None]):
    # The partner's cohorts are a relation of their own (CohortYearsByDeliveryPartnerLoader), read only when selected.
    lookup = staticmethod(partial(delivery_partners.delivery_partners_by_id, with_cohorts=False))


class CohortYearsByDeliveryPartnerLoader(LookupLoader[CohortsKey, list[str]]):
    lookup = staticmethod(delivery_partners.cohort_years_by_delivery_partner)
    default = list


class CohortsByDeliveryPartnerLoader(DataLoader):
    """The cohort rows of a partner's years: through the request's year and cohort loaders, so selecting both
    ``cohort`` and ``cohorts`` reads the years once."""

    def __init__(self, loaders: Loaders) -> None:
        super().__init__()
        self.loaders = loaders

    async def batch_load_fn(self, keys: Sequence[CohortsKey]) -> list[list[CohortRow]]:
        years_per_key = await self.loaders.delivery_partner_cohort_years.load_many(keys)
        years = list(dict.fromkeys(int(year) for found in years_per_key for year in found))
        cohorts = dict(zip(years, await self.loaders.cohort_by_year.load_many(years), strict=True)) if years else {}
        return [[c for c in (cohorts[int(year)] for year in found) if c is not None] for found in years_per_key]
