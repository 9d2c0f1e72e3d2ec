"""The v1 ``participant-declaration`` record: v2's with the two flags v1 published before ``state`` (both deprecated
in its document; ECF1 ``app/serializers/api/v1/participant_declaration_serializer.rb``)."""

from __future__ import annotations

from typing import Any

from gateway.domain.declarations.queries import DeclarationRow
from gateway.rest.v2 import serializers as v2
from gateway.vocabulary import DeclarationState

ELIGIBLE_FOR_PAYMENT = (DeclarationState.ELIGIBLE, DeclarationState.PAYABLE)


def declaration(row: DeclarationRow) -> dict[str, Any]:
    rendered = v2.declaration(row)
    rendered["attributes"].update(
        eligible_for_payment=row.state in ELIGIBLE_FOR_PAYMENT, voided=row.state == DeclarationState.VOIDED
    )
    return rendered
