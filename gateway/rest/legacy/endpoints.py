"""The v1 and v2 handlers, built per version: parse, call the same domain functions as v3, render that version.

Write actions run the v3 domain actions in one transaction (so rules, messages and idempotency are shared) and
answer the registration the action was about, read back in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection, write_transaction
from gateway.domain.batches import each_row
from gateway.domain.declarations import queries as declaration_queries
from gateway.domain.declarations.queries import DeclarationFilters
from gateway.domain.paging import sort_values
from gateway.domain.participants.registrations import (
    RegistrationFilters,
    each_registration,
    get_registration,
    list_registrations,
)
from gateway.domain.validation import given
from gateway.rest import bodies, rendering
from gateway.rest.csv_export import csv_response, flat
from gateway.rest.endpoints import declaration_actions as declaration_actions_endpoint
from gateway.rest.legacy.errors import Endpoint, legacy_errors
from gateway.rest.legacy.serializers import registration
from gateway.rest.params import ListQuery, path_id
from gateway.rest.rendering import Serializer
from gateway.vocabulary import ROLE_FOR_COURSE

PARTICIPANT_CSV_COLUMNS = (
    "id", "type", "email", "full_name", "mentor_id", "school_urn", "participant_type", "cohort", "status",
    "teacher_reference_number", "teacher_reference_number_validated", "eligible_for_funding", "pupil_premium_uplift",
    "sparsity_uplift", "training_status", "training_record_id", "schedule_identifier", "updated_at",
)  # fmt: skip


@dataclass(frozen=True)
class Version:
    """What differs between v1 and v2 beyond their paths."""

    declaration: Serializer
    declaration_csv_columns: Sequence[str]


def _unpaged(params: QueryParams) -> QueryParams:
    """An export's query: its filters, no page (an export is the whole list)."""
    return QueryParams([(k, v) for k, v in params.multi_items() if not k.startswith("page")])


def _registration_filters(query: ListQuery) -> RegistrationFilters:
    return RegistrationFilters(cohort_years=query.cohort_years(), updated_since=query.updated_since())


def _declaration_filters(query: ListQuery) -> DeclarationFilters:
    return DeclarationFilters(participant_ids=query.ids("participant_id"), updated_since=query.updated_since())


# Participants


@legacy_errors
async def participants_index(request: Request) -> Response:
    query = ListQuery(request.query_params)
    async with read_connection() as conn:
        rows = await list_registrations(
            conn, rendering.request_caller(request), filters=_registration_filters(query), page=query.page
        )
    return rendering.many(rows, registration)


@legacy_errors
async def participants_csv(request: Request) -> Response:
    filters = _registration_filters(ListQuery(_unpaged(request.query_params)))
    caller = rendering.request_caller(request)
    return csv_response(
        PARTICIPANT_CSV_COLUMNS,
        read_connection,
        lambda conn: each_registration(conn, caller, filters=filters),
        lambda row: flat(registration(row)),
    )


@legacy_errors
async def participant_show(request: Request) -> Response:
    participant_id = path_id(request.path_params["id"])
    async with read_connection() as conn:
        row = await get_registration(conn, rendering.request_caller(request), participant_id)
    return rendering.one(row, registration)


def participant_action(act: Callable[..., Awaitable[Any]], *attributes: str) -> Endpoint:
    """An endpoint running ``act`` (a v3 domain action) with the named body attributes, answering the registration
    of the course it acted on."""

    @legacy_errors
    async def endpoint(request: Request) -> Response:
        participant_id = path_id(request.path_params["id"])
        body = await bodies.attributes(request)
        values = {name: bodies.text(body, name) for name in attributes}
        caller = rendering.request_caller(request)
        async with write_transaction() as conn:
            await act(conn, caller, participant_id, **values)
            role = ROLE_FOR_COURSE.get(given(values["course_identifier"]))  # type: ignore[call-overload]  # vocabulary members are StrEnums: they compare and hash as their text
            row = await get_registration(conn, caller, participant_id, participant_type=role)
        return rendering.one(row, registration)

    return endpoint


# Declarations


def declarations_index(version: Version) -> Endpoint:
    @legacy_errors
    async def endpoint(request: Request) -> Response:
        query = ListQuery(request.query_params)
        async with read_connection() as conn:
            rows = await declaration_queries.list_declarations(
                conn, rendering.request_caller(request), filters=_declaration_filters(query), page=query.page
            )
        return rendering.many(rows, version.declaration)

    return endpoint


def declarations_csv(version: Version) -> Endpoint:
    @legacy_errors
    async def endpoint(request: Request) -> Response:
        filters = _declaration_filters(ListQuery(_unpaged(request.query_params)))
        caller = rendering.request_caller(request)

        def rows(conn):
            return each_row(
                lambda page: declaration_queries.list_declarations(conn, caller, filters=filters, page=page),
                lambda row: sort_values(row, declaration_queries.DEFAULT_ORDER),
            )

        return csv_response(
            version.declaration_csv_columns, read_connection, rows, lambda row: flat(version.declaration(row))
        )

    return endpoint


def declaration_show(version: Version) -> Endpoint:
    @legacy_errors
    async def endpoint(request: Request) -> Response:
        declaration_id = path_id(request.path_params["id"])
        async with read_connection() as conn:
            row = await declaration_queries.get_declaration(conn, rendering.request_caller(request), declaration_id)
        return rendering.one(row, version.declaration)

    return endpoint


def declaration_create(version: Version) -> Endpoint:
    # The v3 action endpoint itself, in the version's shape: one body parser, one transaction, one domain action.
    return legacy_errors(partial(declaration_actions_endpoint.create, serializer=version.declaration))


def declaration_void(version: Version) -> Endpoint:
    return legacy_errors(partial(declaration_actions_endpoint.void, serializer=version.declaration))
