"""schema.graphql at the repository root is the schema the code builds, to the byte."""

from __future__ import annotations

from pathlib import Path

from gateway.graphql.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_schema_graphql_matches_the_code():
    expected = schema.as_str() + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == expected, (
        "schema.graphql is out of date: run `gateway export-schema -o schema.graphql`"
    )
