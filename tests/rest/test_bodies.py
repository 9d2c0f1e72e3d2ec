"""The body limit of the REST actions, on its boundary: 1,048,576 bytes are read, one byte more is a 413.

The limit is checked twice, on a declared ``Content-Length`` before reading and on the bytes as they stream in
(a chunked body declares no length), so each boundary is tried both ways.
"""

from __future__ import annotations

import pytest

from tests.rest.support import BAD_BODY, headers_for

PARTNERSHIPS = "/api/v3/partnerships/ecf"
ONE_MIB = 1_048_576
TOO_LARGE = {"errors": [{"title": "Payload too large", "detail": "The request body must not exceed 1 MB"}]}
# The action's own answer to a body it read: no cohort, school or delivery partner given.
READ_AND_REFUSED = {
    "errors": [
        {"title": "cohort", "detail": "Enter a '#/cohort'."},
        {"title": "school_id", "detail": "Enter a '#/school_id'."},
        {"title": "delivery_partner_id", "detail": "Enter a '#/delivery_partner_id'."},
    ]
}


def _body_of(size: int) -> bytes:
    """A create-partnership document of exactly ``size`` bytes, its padding an attribute the action ignores."""
    head, tail = b'{"data": {"type": "ecf-partnership", "attributes": {"padding": "', b'"}}}'
    body = head + b"x" * (size - len(head) - len(tail)) + tail
    assert len(body) == size
    return body


async def _chunks(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def _post(client, db, body: bytes, *, declared: bool):
    headers = await headers_for(db, "Ambition Institute")
    if declared:
        return await client.post(PARTNERSHIPS, content=body, headers=headers)
    # An async iterable goes out chunked, with no Content-Length: only the streamed count can stop it.
    return await client.post(PARTNERSHIPS, content=_chunks(body), headers=headers)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
class TestBodyLimit:
    async def test_exactly_one_mebibyte_is_read(self, readonly_db, client, declared):
        response = await _post(client, readonly_db, _body_of(ONE_MIB), declared=declared)
        assert (response.status_code, response.json()) == (422, READ_AND_REFUSED)

    async def test_one_byte_more_is_refused_with_a_413(self, readonly_db, client, declared):
        response = await _post(client, readonly_db, _body_of(ONE_MIB + 1), declared=declared)
        assert (response.status_code, response.json()) == (413, TOO_LARGE)

    async def test_the_request_says_how_it_was_sent(self, readonly_db, client, declared):
        # Guards the two ways above: httpx declares a length for bytes and none for a stream.
        request = client.build_request("POST", PARTNERSHIPS, content=b"{}" if declared else _chunks(b"{}"))
        assert ("content-length" in request.headers) is declared


class TestDeclaredLength:
    """The declared length alone decides before a byte is read: a client announcing too much is stopped at once."""

    async def _declaring(self, client, db, length: int):
        headers = [*(await headers_for(db, "Ambition Institute")).items(), ("Content-Length", str(length))]
        return await client.post(PARTNERSHIPS, content=b"{}", headers=headers)

    async def test_a_declared_mebibyte_is_read(self, readonly_db, client):
        response = await self._declaring(client, readonly_db, ONE_MIB)
        assert (response.status_code, response.json()) == (400, BAD_BODY)

    async def test_a_declared_byte_more_is_refused_unread(self, readonly_db, client):
        response = await self._declaring(client, readonly_db, ONE_MIB + 1)
        assert (response.status_code, response.json()) == (413, TOO_LARGE)
