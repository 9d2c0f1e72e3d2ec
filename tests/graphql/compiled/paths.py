"""Running one request through both execution paths and comparing the bytes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from gateway.graphql import endpoint
from gateway.graphql.compiled import CompiledExecutor

_REQUEST_ID = re.compile(rb"request id [0-9a-f]{32}")


@dataclass
class Answers:
    compiled: bytes
    normal: bytes
    outcome: str
    """What the compiled executor did: "compiled", or "fallback: <why>"."""

    @property
    def same(self) -> bool:
        # Masked internal errors quote each request's own id; nothing else may differ.
        return _REQUEST_ID.sub(b"request id -", self.compiled) == _REQUEST_ID.sub(b"request id -", self.normal)


class BothPaths:
    """Sends each request once through the compiled executor and once through Strawberry alone."""

    def __init__(self, client: httpx.AsyncClient, executor: CompiledExecutor) -> None:
        self.client = client
        self.executor = executor

    @contextmanager
    def only(self, *, compiled: bool) -> Iterator[None]:
        """Requests sent meanwhile take one path: the compiled executor's, or Strawberry's alone."""
        saved = endpoint._graphql.compiled
        endpoint._graphql.compiled = self.executor if compiled else None
        try:
            yield
        finally:
            endpoint._graphql.compiled = saved

    async def post(
        self,
        headers: dict[str, str],
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> Answers:
        body: dict[str, Any] = {"query": query, "variables": variables, "operationName": operation_name}
        return await self._both(lambda: self.client.post("/graphql", json=body, headers=headers))

    async def get(self, headers: dict[str, str], query: str, variables: dict[str, Any] | None = None) -> Answers:
        params = {"query": query, **({"variables": json.dumps(variables)} if variables else {})}
        return await self._both(
            lambda: self.client.get("/graphql", params=params, headers={**headers, "accept": "application/json"})
        )

    async def _both(self, send) -> Answers:
        with self.only(compiled=True):
            before = self.executor.outcomes.copy()
            compiled = await send()
            outcome = next(iter((self.executor.outcomes - before).keys()), "none")
        with self.only(compiled=False):
            normal = await send()
        assert compiled.status_code == normal.status_code
        return Answers(compiled=compiled.content, normal=normal.content, outcome=outcome)

    async def normal(
        self, headers: dict[str, str], query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        with self.only(compiled=False):
            response = await self.client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
        return response.json()
