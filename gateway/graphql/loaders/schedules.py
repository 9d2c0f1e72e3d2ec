"""Schedule loaders: schedules by id and each schedule's milestones."""

from __future__ import annotations

import uuid

from gateway.domain.participants import schedules
from gateway.domain.participants.schedules import MilestoneRow, ScheduleRow
from gateway.graphql.loaders.base import LookupLoader


class ScheduleByIdLoader(LookupLoader[uuid.UUID, ScheduleRow | None]):
    lookup = staticmethod(schedules.schedules_by_id)


class MilestonesByScheduleLoader(LookupLoader[uuid.UUID, list[MilestoneRow]]):
    lookup = staticmethod(schedules.milestones_by_schedule)
    default = list
