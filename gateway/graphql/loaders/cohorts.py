"""Cohort loaders."""

from __future__ import annotations

import uuid

from gateway.domain import cohorts
from gateway.domain.cohorts import CohortRow
from gateway.graphql.loaders.base import LookupLoader


class CohortByIdLoader(LookupLoader[uuid.UUID, CohortRow | None]):
    lookup = staticmethod(cohorts.cohorts_by_id)


class CohortByYearLoader(LookupLoader[int, CohortRow | None]):
    lookup = staticmethod(cohorts.cohorts_by_year)
