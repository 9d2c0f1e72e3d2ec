"""School loaders: a school as seen in one cohort, and its cohort flags, read only when a selected field needs them."""

from __future__ import annotations

import uuid

from gateway.domain import schools
from gateway.domain.schools import FlagsKey, SchoolCohortFlags, SchoolRow
from gateway.graphql.loaders.base import LookupLoader


class SchoolByIdAndCohortLoader(LookupLoader[tuple[uuid.UUID, uuid.UUID], SchoolRow | None]):
    """Keyed by ``(school_id, cohort_id)``. The flags are a relation of their own (SchoolCohortFlagsLoader)."""

    lookup = staticmethod(schools.schools_by_id_and_cohort)


class SchoolCohortFlagsLoader(LookupLoader[FlagsKey, SchoolCohortFlags | None]):
    """Keyed by ``SchoolRow.flags_key``."""

    lookup = staticmethod(schools.school_cohort_flags)
