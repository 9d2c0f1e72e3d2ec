"""Fixtures of the compiled execution tests: an executor of their own, both paths, callers, sandbox ids."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.db.engine import read_connection
from gateway.domain.tokens import find_lead_provider_id
from gateway.graphql.compiled import CompiledExecutor
from gateway.graphql.schema import schema
from gateway.sandbox.cases import Case, case_id
from gateway.vocabulary import Role
from tests.graphql.compiled.corpus import AMBITION, ANALYST, TEACH_FIRST, Id
from tests.graphql.compiled.paths import BothPaths
from tests.support import bearer, issue_token


@pytest.fixture(autouse=True)
def _documents_past_the_limits(generous_limits):
    """The corpus reaches every relation at depth: far past the default limits, which are not under test here."""


@pytest.fixture
def executor() -> CompiledExecutor:
    return CompiledExecutor(schema)


@pytest.fixture
def paths(client, executor: CompiledExecutor) -> BothPaths:
    return BothPaths(client, executor)


@pytest.fixture(scope="session")
async def callers(shared_sandbox) -> dict[str, dict[str, str]]:
    engine = shared_sandbox.engine
    return {
        AMBITION: bearer(await issue_token(engine, lead_provider=AMBITION)),
        TEACH_FIRST: bearer(await issue_token(engine, lead_provider=TEACH_FIRST)),
        ANALYST: bearer(await issue_token(engine, role=Role.ANALYST)),
    }


@pytest.fixture(scope="session")
async def sandbox_ids(shared_sandbox) -> dict[str, str]:
    ids = {case.value: str(case_id(case)) for case in Case}
    async with read_connection(shared_sandbox.engine) as conn:
        for name in (AMBITION, TEACH_FIRST):
            ids[f"lead provider {name}"] = str(await find_lead_provider_id(conn, name))
    return ids


@pytest.fixture
def resolve(sandbox_ids):
    def fill(value: Any) -> Any:
        if isinstance(value, Id):
            return sandbox_ids[value.name]
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill
