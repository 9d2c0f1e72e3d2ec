"""The `gateway` command as an operator runs it: its version, token housekeeping, what a start says."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from gateway.db.engine import read_connection
from gateway.domain import tokens
from tests.support import issue_token

GATEWAY = os.path.join(os.path.dirname(sys.executable), "gateway")


def _gateway(*args: str, url: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "GATEWAY_ENV": "sandbox"}
    return subprocess.run([GATEWAY, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
async def private_sandbox(databases, sandbox_template):
    db = await databases.create(template=sandbox_template)
    yield db
    await db.engine.dispose()


def test_version_names_the_installed_package(tmp_path):
    done = subprocess.run([GATEWAY, "--version"], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0
    assert done.stdout.strip() == f"gateway {version('gateway')}"


class TestTokens:
    async def test_list_shows_digests_and_names_never_the_token(self, private_sandbox, tmp_path):
        token = await issue_token(private_sandbox.engine, lead_provider="Teach First")
        await private_sandbox.engine.dispose()
        done = _gateway("tokens", "list", url=private_sandbox.url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        [row] = [line for line in done.stdout.splitlines() if line.startswith(tokens.digest(token)[:16])]
        assert row.split()[1:4] == ["lead_provider", "Teach", "First"]
        assert done.stdout.splitlines()[0].split()[:2] == ["digest", "role"]
        assert token not in done.stdout + done.stderr

    async def test_revoke_by_digest_stops_the_token_authenticating(self, private_sandbox, tmp_path):
        token = await issue_token(private_sandbox.engine, lead_provider="Teach First")
        kept = await issue_token(private_sandbox.engine, lead_provider="Teach First")
        await private_sandbox.engine.dispose()
        done = _gateway("tokens", "revoke", tokens.digest(token)[:12], url=private_sandbox.url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip() == f"revoked token {tokens.digest(token)[:16]} (Teach First)"
        async with read_connection(private_sandbox.engine) as conn:
            assert await tokens.authenticate(conn, token) is None
            assert (await tokens.authenticate(conn, kept)).lead_provider_name == "Teach First"
        listed = _gateway("tokens", "list", url=private_sandbox.url, cwd=tmp_path).stdout
        assert tokens.digest(token)[:16] not in listed and tokens.digest(kept)[:16] in listed

    @pytest.mark.parametrize(
        ("digest", "says"),
        [
            ("abc", "at least 8 hex digits"),
            ("not-hex-at-all", "at least 8 hex digits"),
            ("0000000000000000", "No token with a digest starting 0000000000000000"),
        ],
    )
    async def test_revoke_refuses_what_names_no_single_token(self, private_sandbox, tmp_path, digest, says):
        await private_sandbox.engine.dispose()
        done = _gateway("tokens", "revoke", digest, url=private_sandbox.url, cwd=tmp_path)
        assert done.returncode == 2
        assert says in done.stderr

    async def test_create_prints_the_token_alone_on_standard_output(self, private_sandbox, tmp_path):
        await private_sandbox.engine.dispose()
        done = _gateway("tokens", "create", "--role", "analyst", "--description", "ops", url=private_sandbox.url,
                        cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
        [token] = done.stdout.split()
        async with read_connection(private_sandbox.engine) as conn:
            assert (await tokens.authenticate(conn, token)).role.value == "analyst"
            assert [t.description for t in await tokens.list_tokens(conn) if t.digest == tokens.digest(token)] == [
                "ops"
            ]


async def test_a_second_start_says_why_no_tokens_are_printed_and_how_to_make_one(private_sandbox, tmp_path):
    await private_sandbox.engine.dispose()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "DATABASE_URL": private_sandbox.url, "GATEWAY_ENV": "sandbox", "TMPDIR": str(temporary)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = await asyncio.create_subprocess_exec(
        GATEWAY, "serve", "--port", "0", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    said: list[str] = []
    try:
        async with asyncio.timeout(60):
            # Up to uvicorn's start: stopped from there, it re-raises SIGTERM once its own handlers are gone.
            while not any("Application startup complete" in line for line in said):
                line = (await server.stderr.readline()).decode()
                assert line, "".join(said)
                said.append(line)
    finally:
        server.terminate()
        await server.wait()
    assert "No tokens printed: they are shown only when they are made.\n" in said
    assert list(temporary.glob("gateway-metrics-*")) == [], "a stopped server leaves no metrics directory behind"
    assert any(line.startswith("Make a token at any time:  gateway tokens create --lead-provider") for line in said)
