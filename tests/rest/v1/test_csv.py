"""GET /api/v1|v2/participants/ecf.csv and /participant-declarations.csv: the JSON list as CSV, whole, streamed."""

from __future__ import annotations

import asyncio
import csv
import io
import tracemalloc

import pytest

from gateway.app import create_app
from gateway.domain import batches
from gateway.rest import csv_export
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES
from tests.rest.support import headers_for
from tests.rest.v1.legacy import VERSIONS, list_all, path
from tests.support import UNREACHED_RATE_LIMIT, StatementCounter

PARTICIPANTS = "/participants/ecf"
DECLARATIONS = "/participant-declarations"


def as_cell(value) -> str:
    """What a JSON value reads as once written to CSV and read back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rows_of(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def as_csv_rows(records: list[dict], columns: list[str]) -> list[dict[str, str]]:
    flat = [{"id": r["id"], "type": r["type"], **r["attributes"]} for r in records]
    return [{c: as_cell(record.get(c)) for c in columns} for record in flat]


@pytest.mark.parametrize("version", VERSIONS)
class TestExports:
    @pytest.mark.parametrize("tail", [PARTICIPANTS, DECLARATIONS])
    @pytest.mark.parametrize("name", LEAD_PROVIDER_NAMES)
    async def test_an_export_is_the_whole_json_list_one_row_per_record(self, readonly_db, client, version, tail, name):
        headers = await headers_for(readonly_db, name)
        response = await client.get(path(version, f"{tail}.csv"), headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        columns, rows = rows_of(response.text)
        listed = await list_all(client, path(version, tail), headers)
        assert len(rows) == len(listed)
        assert rows == as_csv_rows(listed, columns)

    async def test_the_participant_filters_apply(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, AMBITION)
        for filters in ({"filter[cohort]": "2024"}, {"filter[updated_since]": "2025-01-01T00:00:00Z"}):
            response = await client.get(path(version, f"{PARTICIPANTS}.csv"), params=filters, headers=headers)
            columns, rows = rows_of(response.text)
            listed = await list_all(client, path(version, PARTICIPANTS), headers, **filters)
            assert 0 < len(rows) < len(await list_all(client, path(version, PARTICIPANTS), headers))
            assert rows == as_csv_rows(listed, columns)

    async def test_the_declaration_filters_apply(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, AMBITION)
        whole = await list_all(client, path(version, DECLARATIONS), headers)
        filters = {"filter[participant_id]": whole[0]["attributes"]["participant_id"]}
        response = await client.get(path(version, f"{DECLARATIONS}.csv"), params=filters, headers=headers)
        columns, rows = rows_of(response.text)
        listed = await list_all(client, path(version, DECLARATIONS), headers, **filters)
        assert 0 < len(rows) < len(whole)
        assert rows == as_csv_rows(listed, columns)

    async def test_pages_do_not_apply_to_an_export(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, AMBITION)
        paged = await client.get(path(version, f"{PARTICIPANTS}.csv"), params={"page[per_page]": "1"}, headers=headers)
        whole = await client.get(path(version, f"{PARTICIPANTS}.csv"), headers=headers)
        assert paged.text == whole.text

    async def test_an_empty_export_is_its_header(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, AMBITION)
        response = await client.get(
            path(version, f"{DECLARATIONS}.csv"), params={"filter[updated_since]": "2999-01-01"}, headers=headers
        )
        assert response.status_code == 200
        assert response.text.count("\n") == 1


async def _export(url: str, headers: dict[str, str], *, app=None, on_chunk=None) -> tuple[int, list[bytes]]:
    """Run the app on one GET, as a server would, handing each body chunk to ``on_chunk`` as it is sent."""
    app = app or create_app(rate_limit=UNREACHED_RATE_LIMIT)
    raw_path, _, query = url.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("gateway.test", 80),
        "client": ("127.0.0.1", 1234),
    }
    status = 0
    chunks: list[bytes] = []

    requested = False
    never = asyncio.Event()

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await never.wait()  # the client stays connected until the response ends

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and message.get("body"):
            if on_chunk is not None:
                on_chunk(message["body"])
            else:
                chunks.append(message["body"])

    await app(scope, receive, send)
    return status, chunks


class TestStreaming:
    @pytest.mark.parametrize("tail", [PARTICIPANTS, DECLARATIONS])
    async def test_rows_leave_before_the_last_page_is_read(self, readonly_db, client, monkeypatch, tail):
        monkeypatch.setattr(batches, "BATCH_SIZE", 50)  # small pages and chunks: the sandbox spans several
        monkeypatch.setattr(csv_export, "CHUNK_CHARACTERS", 1000)
        headers = await headers_for(readonly_db, AMBITION)
        seen_at_first_row: list[int] = []
        with StatementCounter(readonly_db.engine) as counter:

            def on_chunk(body: bytes) -> None:
                if not seen_at_first_row and body.count(b"\n") > 1:  # a chunk of rows, not only the header
                    seen_at_first_row.append(counter.count)

            status, _ = await _export(path("v1", f"{tail}.csv"), headers, on_chunk=on_chunk)
        assert status == 200
        assert seen_at_first_row, "no row was sent"
        # Pages are read one statement each: the first rows left while later pages were still unread.
        assert counter.count > 3, "the export should span several pages"
        assert seen_at_first_row[0] < counter.count

    async def test_memory_stays_flat_however_long_the_export(self, readonly_db, monkeypatch):
        monkeypatch.setattr(batches, "BATCH_SIZE", 100)
        app = create_app(rate_limit=UNREACHED_RATE_LIMIT)
        analyst = await headers_for(readonly_db, None)  # every declaration of the sandbox
        whole = path("v1", f"{DECLARATIONS}.csv")
        _, chunks = await _export(whole, analyst, app=app)
        _, rows = rows_of(b"".join(chunks).decode())
        stamps = sorted(r["updated_at"] for r in rows)
        a_third = f"{whole}?filter[updated_since]={stamps[2 * len(stamps) // 3]}"

        async def measured(url: str) -> tuple[int, int]:
            total = 0

            def count(body: bytes) -> None:
                nonlocal total
                total += len(body)

            await _export(url, analyst, app=app)  # warm: compiled statements and caches are not the export's
            tracemalloc.start()
            try:
                status, _ = await _export(url, analyst, app=app, on_chunk=count)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert status == 200
            return total, peak

        small_body, small_peak = await measured(a_third)
        large_body, large_peak = await measured(whole)
        print(f"\nexport of {small_body:,} bytes: peak {small_peak:,}; of {large_body:,} bytes: peak {large_peak:,}")
        assert large_body > 2.5 * small_body
        # Three times the rows, about the same memory: a page of rows and a chunk of text at a time, however many.
        assert large_peak < 1.25 * small_peak, (small_peak, large_peak)
