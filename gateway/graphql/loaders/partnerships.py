"""Partnership loaders: the caller's partnerships by id, by school and cohort, by delivery partner."""

from __future__ import annotations

import uuid

from gateway.domain.partnerships import queries as partnerships
from gateway.domain.partnerships.queries import PartnershipRow
from gateway.graphql.loaders.base import LookupLoader


class PartnershipByIdLoader(LookupLoader[uuid.UUID, PartnershipRow | None]):
    lookup = staticmethod(partnerships.partnerships_by_id)


class PartnershipsBySchoolAndCohortLoader(LookupLoader[tuple[uuid.UUID, uuid.UUID], list[PartnershipRow]]):
    """Keyed by ``(school_id, cohort_id)``."""

    lookup = staticmethod(partnerships.partnerships_by_school_and_cohort)
    default = list


class PartnershipsByDeliveryPartnerLoader(LookupLoader[uuid.UUID, list[PartnershipRow]]):
    lookup = staticmethod(partnerships.partnerships_by_delivery_partner)
    default = list
