"""CSV exports streamed as the domain yields their rows: the first bytes leave before the last row is read, and
memory holds one page of rows and one chunk of text, however long the export.

Cells are written as the JSON list renders the same record (so both agree to the character): text as it is,
``true``/``false``, timestamps with a ``Z``, and an absent value as ``""`` (the live service writes every value
with ``to_s``, and Ruby's CSV quotes an empty string).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import StreamingResponse

from gateway.responses import dumps

MEDIA_TYPE = "text/csv"
CHUNK_CHARACTERS = 64 * 1024
_NEEDS_QUOTES = frozenset(',"\r\n')


def cell(value: Any) -> str:
    if value is None or value == "":
        return '""'
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    else:  # dates, timestamps and ids exactly as the JSON list spells them
        text = dumps(value).decode().strip('"')
    if _NEEDS_QUOTES.intersection(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def line(values: Iterable[Any]) -> str:
    return ",".join(cell(v) for v in values) + "\n"


def flat(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A serialised resource as one CSV record: its id and type beside its attributes."""
    return {"id": resource["id"], "type": resource["type"], **resource["attributes"]}


async def _lines(
    columns: Sequence[str],
    connect: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
    rows: Callable[[AsyncConnection], AsyncIterator[Any]],
    record: Callable[[Any], Mapping[str, Any]],
) -> AsyncIterator[str]:
    yield ",".join(columns) + "\n"
    chunk: list[str] = []
    size = 0
    async with connect() as conn:
        async for row in rows(conn):
            values = record(row)
            text = line(values.get(c) for c in columns)
            chunk.append(text)
            size += len(text)
            if size >= CHUNK_CHARACTERS:
                yield "".join(chunk)
                chunk, size = [], 0
    if chunk:
        yield "".join(chunk)


def csv_response(
    columns: Sequence[str],
    connect: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
    rows: Callable[[AsyncConnection], AsyncIterator[Any]],
    record: Callable[[Any], Mapping[str, Any]],
) -> StreamingResponse:
    """A header row of ``columns``, then one line per row that ``rows`` yields over a connection opened when the body
    starts (the handler has returned by then), each rendered by ``record`` (published column -> value)."""
    return StreamingResponse(_lines(columns, connect, rows, record), media_type=MEDIA_TYPE)
