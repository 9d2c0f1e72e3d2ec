"""School loaders: a school as seen in one cohort."""

from __future__ import annotations

import uuid

from gateway.domain import schools
from gateway.domain.schools import SchoolRow
from gateway.graphql.loaders.base import LookupLoader


class SchoolByIdAndCohortLoader(LookupLoader[tuple[uuid.UUID, uuid.UUID], SchoolRow | None]):
    """Keyed by ``(school_id, cohort_id)``."""

    lookup = staticmethod(schools.schools_by_id_and_cohort)
