"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.db.engine import read_connection

READINESS_SECONDS = 1.5
"""A probe is answered within two seconds, whatever the database does (a frozen one never answers)."""


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(_request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(READINESS_SECONDS):
            async with read_connection() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database means "not ready", with the reason
        reason = "no answer in time" if isinstance(exc, TimeoutError) else type(exc).__name__
        return JSONResponse(
            {"status": "unavailable", "reason": f"database unreachable: {reason}"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ok"})
