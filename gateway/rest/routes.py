"""The REST route table: every path of the Lead provider API 3.0.0.

Resources that moved in the newer guidance answer both on their published
``/ecf`` path (the ECF1 document's shape) and on the path without it (the newer
service's document); a handler that renders the two differently takes the shape
as an argument (``functools.partial``).
"""

from __future__ import annotations

from functools import partial

from starlette.routing import BaseRoute, Route

from gateway.rest.endpoints import (
    declaration_actions,
    declarations,
    delivery_partners,
    openapi,
    participant_actions,
    participants,
    partnership_actions,
    partnerships,
    schools,
    statements,
    transfers,
    unfunded_mentors,
)
from gateway.rest.serializers.participants import ecf_participant, participant
from gateway.rest.serializers.partnerships import ecf_partnership, partnership
from gateway.rest.serializers.transfers import ecf_participant_transfers, participant_transfers

V3 = "/api/v3"


def rest_routes() -> list[BaseRoute]:
    return [
        Route(f"{V3}/openapi.json", openapi.document_endpoint(), methods=["GET"]),
        Route(f"{V3}/delivery-partners", delivery_partners.index, methods=["GET"]),
        Route(f"{V3}/delivery-partners/{{id}}", delivery_partners.show, methods=["GET"]),
        *_school_routes(),
        *_partnership_routes(),
        *_partnership_action_routes(),
        *_participant_routes(),
        *_participant_action_routes(),
        *_unfunded_mentor_routes(),
        Route(f"{V3}/participant-declarations", declarations.index, methods=["GET"]),
        Route(f"{V3}/participant-declarations/{{id}}", declarations.show, methods=["GET"]),
        Route(f"{V3}/participant-declarations", declaration_actions.create, methods=["POST"]),
        Route(f"{V3}/participant-declarations/{{id}}/void", declaration_actions.void, methods=["PUT"]),
        Route(f"{V3}/statements", statements.index, methods=["GET"]),
        Route(f"{V3}/statements/{{id}}", statements.show, methods=["GET"]),
    ]


def _school_routes() -> list[BaseRoute]:
    return [
        route
        for base in (f"{V3}/schools/ecf", f"{V3}/schools")
        for route in (
            Route(base, schools.index, methods=["GET"]),
            Route(f"{base}/{{id}}", schools.show, methods=["GET"]),
        )
    ]


def _partnership_routes() -> list[BaseRoute]:
    return [
        route
        for base, shape in ((f"{V3}/partnerships/ecf", ecf_partnership), (f"{V3}/partnerships", partnership))
        for route in (
            Route(base, partial(partnerships.index, serializer=shape), methods=["GET"]),
            Route(f"{base}/{{id}}", partnerships.show(shape), methods=["GET"]),
        )
    ]


def _partnership_action_routes() -> list[BaseRoute]:
    return [
        route
        for base, shape in ((f"{V3}/partnerships/ecf", ecf_partnership), (f"{V3}/partnerships", partnership))
        for route in (
            Route(base, partial(partnership_actions.create, serializer=shape), methods=["POST"]),
            Route(f"{base}/{{id}}", partial(partnership_actions.update, serializer=shape), methods=["PUT"]),
        )
    ]


def _participant_routes() -> list[BaseRoute]:
    # The /ecf paths come first and each literal segment ("transfers") before the {id} it would otherwise fill:
    # /participants/ecf/transfers is not participant "transfers", and /participants/ecf is not participant "ecf".
    return [
        route
        for base, shape, transfers_shape in (
            (f"{V3}/participants/ecf", ecf_participant, ecf_participant_transfers),
            (f"{V3}/participants", participant, participant_transfers),
        )
        for route in (
            Route(f"{base}/transfers", partial(transfers.index, serializer=transfers_shape), methods=["GET"]),
            Route(base, partial(participants.index, serializer=shape), methods=["GET"]),
            Route(f"{base}/{{id}}/transfers", transfers.show(transfers_shape), methods=["GET"]),
            Route(f"{base}/{{id}}", participants.show(shape), methods=["GET"]),
        )
    ]


def _unfunded_mentor_routes() -> list[BaseRoute]:
    return [
        route
        for base in (f"{V3}/unfunded-mentors/ecf", f"{V3}/unfunded-mentors")
        for route in (
            Route(base, unfunded_mentors.index, methods=["GET"]),
            Route(f"{base}/{{id}}", unfunded_mentors.show, methods=["GET"]),
        )
    ]


def _participant_action_routes() -> list[BaseRoute]:
    actions = {
        "withdraw": participant_actions.withdraw,
        "defer": participant_actions.defer,
        "resume": participant_actions.resume,
        "change-schedule": participant_actions.change_schedule,
    }
    return [
        Route(f"{base}/{{id}}/{action}", partial(handler, serializer=shape), methods=["PUT"])
        for base, shape in ((f"{V3}/participants/ecf", ecf_participant), (f"{V3}/participants", participant))
        for action, handler in actions.items()
    ]
