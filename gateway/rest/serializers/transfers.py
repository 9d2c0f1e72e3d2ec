"""``participant-transfer`` resources: one per participant, with its transfers.

Two shapes: the ECF1 document's (``/participants/ecf/transfers``) gives a transfer's ``created_at`` as a
date-time, the newer service's (``/participants/transfers``) as a date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.domain.participants.transfers import ParticipantTransfersRow, TransferRow, TransferSide
from gateway.rest.rendering import resource


def participant_transfers(row: ParticipantTransfersRow) -> dict[str, Any]:
    return _participant_transfers(row, transfer)


def ecf_participant_transfers(row: ParticipantTransfersRow) -> dict[str, Any]:
    return _participant_transfers(row, ecf_transfer)


def _participant_transfers(
    row: ParticipantTransfersRow, transfer_shape: Callable[[TransferRow], dict[str, Any]]
) -> dict[str, Any]:
    return resource(
        "participant-transfer",
        row.id,
        {"updated_at": row.updated_at, "transfers": [transfer_shape(t) for t in row.transfers]},
    )


def transfer(row: TransferRow) -> dict[str, Any]:
    """The newer document's ``ParticipantTransfersTransfer``, attributes in its order."""
    return {
        "training_record_id": str(row.training_record_id),
        "transfer_type": row.transfer_type,
        "status": row.status,
        "created_at": row.created_at.date(),
        "leaving": _side(row.leaving),
        "joining": None if row.joining is None else _side(row.joining),
    }


def ecf_transfer(row: TransferRow) -> dict[str, Any]:
    return {
        "training_record_id": str(row.training_record_id),
        "transfer_type": row.transfer_type,
        "status": row.status,
        "leaving": _side(row.leaving),
        "joining": None if row.joining is None else _side(row.joining),
        "created_at": row.created_at,
    }


def _side(side: TransferSide) -> dict[str, Any]:
    return {"school_urn": side.school_urn, "provider": side.provider_name, "date": side.date}
