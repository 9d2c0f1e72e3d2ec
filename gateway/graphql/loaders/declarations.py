"""Declaration loaders: by id, and every visible declaration of a participant or on a statement."""

from __future__ import annotations

import uuid

from gateway.domain.declarations import queries
from gateway.domain.declarations.queries import DeclarationRow
from gateway.graphql.loaders.base import LookupLoader


class DeclarationByIdLoader(LookupLoader[uuid.UUID, DeclarationRow | None]):
    lookup = staticmethod(queries.declarations_by_id)


class DeclarationsByParticipantLoader(LookupLoader[uuid.UUID, list[DeclarationRow]]):
    lookup = staticmethod(queries.declarations_by_participant)
    default = list


class DeclarationsByStatementLoader(LookupLoader[uuid.UUID, list[DeclarationRow]]):
    lookup = staticmethod(queries.declarations_by_statement)
    default = list
