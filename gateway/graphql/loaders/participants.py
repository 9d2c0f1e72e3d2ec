"""Participant loaders: participants by id and by partnership, their transfers, unfunded mentors and their mentees.

Every lookup is scoped by the domain: a participant the caller may not see loads as ``None`` (or is left out).
"""

from __future__ import annotations

import uuid
from functools import partial

from gateway.domain.participants import queries, transfers, unfunded_mentors
from gateway.domain.participants.queries import ParticipantIdChangeRow, ParticipantRow
from gateway.domain.participants.transfers import TransferRow
from gateway.domain.participants.unfunded_mentors import UnfundedMentorRow
from gateway.graphql.loaders.base import LookupLoader


class ParticipantByIdLoader(LookupLoader[uuid.UUID, ParticipantRow | None]):
    # Id changes are a relation of their own (ParticipantIdChangesByParticipantLoader), read only when selected.
    lookup = staticmethod(partial(queries.participants_by_id, with_id_changes=False))


async def _id_changes(conn, caller, participant_ids):
    return await queries.participant_id_changes_by_participant(conn, participant_ids)


class ParticipantIdChangesByParticipantLoader(LookupLoader[uuid.UUID, list[ParticipantIdChangeRow]]):
    """Keyed by the id of a participant row the caller already sees (the domain scoped it)."""

    lookup = staticmethod(_id_changes)
    default = list


class ParticipantsByPartnershipLoader(LookupLoader[uuid.UUID, list[ParticipantRow]]):
    lookup = staticmethod(queries.participants_by_partnership)
    default = list


class TransfersByParticipantLoader(LookupLoader[uuid.UUID, list[TransferRow]]):
    lookup = staticmethod(transfers.transfers_by_participant)
    default = list


class UnfundedMentorByIdLoader(LookupLoader[uuid.UUID, UnfundedMentorRow | None]):
    lookup = staticmethod(unfunded_mentors.unfunded_mentors_by_id)


class MenteesByMentorLoader(LookupLoader[uuid.UUID, list[ParticipantRow]]):
    lookup = staticmethod(unfunded_mentors.mentees_by_mentor)
    default = list
