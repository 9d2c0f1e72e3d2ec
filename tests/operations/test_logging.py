"""Log lines as data: one JSON object per record, access lines with what an operator needs and no secret."""

from __future__ import annotations

import logging
import re
import sys

import orjson

from gateway.logging import JsonFormatter, TextFormatter, logging_config
from gateway.vocabulary import Role
from tests.operations.support import captured_logs
from tests.support import bearer, issue_token


def _access_lines(logs) -> list[dict]:
    return [line for line in logs.parsed() if line["logger"] == "gateway.access"]


class TestAccessLines:
    async def test_a_rest_request_is_one_line_with_its_caller_status_size_and_time(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, lead_provider="Ambition Institute")
        with captured_logs() as logs:
            response = await client.get(
                "/api/v3/participants",
                params={"filter[cohort]": "2024", "filter[participant_id]": "8d3f0b5e-0000-4000-8000-000000000001"},
                headers={**bearer(token), "X-Request-Id": "follow-me"},
            )
        [line] = _access_lines(logs)
        assert line["request_id"] == "follow-me"
        assert line["method"] == "GET"
        assert line["path"] == "/api/v3/participants?filter[cohort]=2024&filter[participant_id]=*"
        assert line["route"] == "/api/v3/participants"
        assert line["status"] == response.status_code == 200
        assert line["bytes"] == response.num_bytes_downloaded > 0
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
        assert (line["role"], line["lead_provider"]) == ("lead_provider", "Ambition Institute")
        assert line["level"] == "info" and line["time"].endswith("Z")

    async def test_no_line_carries_the_token_or_a_masked_value(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        with captured_logs() as logs:
            await client.get("/graphql", params={"query": "{ cohorts { year } }", "variables": '{"email": "a@b.c"}'},
                             headers=bearer(token))  # fmt: skip
            await client.get("/api/v3/delivery-partners", headers=bearer(token))
        assert len(_access_lines(logs)) == 2
        assert token not in logs.text
        assert "a@b.c" not in logs.text and "cohorts" not in logs.text
        assert _access_lines(logs)[0]["path"] == "/graphql?query=*&variables=*"
        assert _access_lines(logs)[1]["role"] == "analyst" and "lead_provider" not in _access_lines(logs)[1]

    async def test_a_graphql_line_names_the_operation_and_the_path_that_answered_it(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        documents = [
            ({"query": "query Years { cohorts { year } }"}, "Years", "compiled"),
            ({"query": "{ cohorts { year } }"}, None, "compiled"),
            ({"query": "query A { cohorts { year } } query B { __schema { queryType { name } } }",
              "operationName": "B"}, "B", "normal"),
        ]  # fmt: skip
        with captured_logs() as logs:
            for body, _, _ in documents:
                assert (await client.post("/graphql", json=body, headers=bearer(token))).status_code == 200
        assert [(line["graphql_operation"], line["graphql_execution_path"]) for line in _access_lines(logs)] == [
            (name, path) for _, name, path in documents
        ]

    async def test_an_unauthenticated_request_is_logged_without_a_caller(self, readonly_db, client):
        with captured_logs() as logs:
            await client.get("/api/v3/delivery-partners", headers={"Authorization": "Bearer not-a-token"})
        [line] = _access_lines(logs)
        assert line["status"] == 401 and "role" not in line
        assert "not-a-token" not in logs.text

    async def test_metrics_scrapes_are_counted_but_not_logged(self, readonly_db, client):
        with captured_logs() as logs:
            assert (await client.get("/metrics")).status_code == 200
        assert _access_lines(logs) == []


class TestFormats:
    def _record(self, **extra) -> logging.LogRecord:
        record = logging.makeLogRecord(
            {"name": "gateway.x", "levelname": "WARNING", "msg": "hello %s", "args": ("you",)}
        )
        record.__dict__.update(extra)
        return record

    def test_json_writes_one_object_per_line_even_for_an_exception(self):
        try:
            raise ValueError("multi\nline")
        except ValueError:
            record = logging.LogRecord("gateway.x", logging.ERROR, __file__, 1, "failed", (), exc_info=True)
            record.exc_info = sys.exc_info()
        text = JsonFormatter().format(record)
        assert "\n" not in text
        line = orjson.loads(text)
        assert line["message"] == "failed" and "ValueError: multi\nline" in line["exception"]

    def test_json_writes_the_fields_a_record_was_given(self):
        line = orjson.loads(JsonFormatter().format(self._record(status=201, route="/x")))
        assert (line["message"], line["level"], line["status"], line["route"]) == ("hello you", "warning", 201, "/x")

    def test_text_is_one_readable_line(self):
        text = TextFormatter().format(self._record(status=201))
        assert re.fullmatch(r"\S+Z WARNING gateway\.x hello you status=201", text), text

    def test_uvicorns_loggers_reach_the_gateways_handler(self):
        config = logging_config("json")
        assert config["root"]["handlers"] == ["stderr"]
        assert config["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            assert config["loggers"][name] == {"handlers": [], "level": "INFO", "propagate": True}
