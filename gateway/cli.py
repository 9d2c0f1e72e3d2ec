"""The `gateway` command: serve, migrate, seed, tokens, export-schema, finance, bench.

Standard output carries only what a command was asked for (a new token, a token list, the schema), so
it can be piped; everything said to the operator goes to standard error (log lines, the first start's
token block).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TypeVar

from gateway.config import get_settings
from gateway.db.engine import build_engine, get_engine, set_engine, write_transaction
from gateway.db.migrate import is_empty, upgrade_to_head
from gateway.domain import tokens
from gateway.domain.errors import DomainError
from gateway.vocabulary import Role

T = TypeVar("T")

METRICS_DIRECTORY_ENV = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus-client's multiprocess directory (gateway.metrics); set here before that client is imported."""

MORE_TOKENS = (
    "Make a token at any time:  gateway tokens create --lead-provider NAME_OR_ID   (or --role analyst)\n"
    "See or revoke tokens:      gateway tokens list   /   gateway tokens revoke DIGEST"
)


def _version() -> str:
    try:
        return version("gateway")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"gateway {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate (and on a new sandbox database, seed), then serve HTTP")
    settings = get_settings()
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.add_argument("--workers", type=int, default=1)

    commands.add_parser("migrate", help="upgrade the database schema to the latest migration")

    seed = commands.add_parser("seed", help="write the deterministic sandbox data set")
    seed.add_argument(
        "--scale", type=int, default=1, help="1: about 1,100 participants; 100: about 100,000 and 500,000 declarations"
    )
    seed.add_argument("--reset", action="store_true", help="empty every table first")

    token = commands.add_parser("tokens", help="API tokens").add_subparsers(dest="tokens_command", required=True)
    create = token.add_parser("create", help="print a new token once, alone on standard output")
    who = create.add_mutually_exclusive_group(required=True)
    who.add_argument("--lead-provider", metavar="NAME_OR_ID")
    who.add_argument("--role", choices=[Role.ANALYST.value, Role.ADMIN.value])
    create.add_argument("--description", help="who or what the token is for (shown by `gateway tokens list`)")
    token.add_parser("list", help="every token's digest, role, lead provider and description (never the token)")
    revoke = token.add_parser("revoke", help="delete a token: it authenticates nothing after this")
    revoke.add_argument("digest", help="the digest `gateway tokens list` shows (at least its first 8 digits)")

    export = commands.add_parser("export-schema", help="print the GraphQL schema as SDL")
    export.add_argument("--output", "-o", help="write to this file instead of standard output")

    finance = commands.add_parser("finance", help="DfE finance jobs").add_subparsers(
        dest="finance_command", required=True
    )
    finance.add_parser("close-statements", help="mark statements whose cut-off has passed payable (daily job)")

    bench = commands.add_parser("bench", help="print read-path timings against the floor (hand-written SQL + orjson)")
    bench.add_argument("--participants", type=int, default=1000)
    bench.add_argument("--rounds", type=int, default=20)
    bench.add_argument(
        "--scales",
        type=lambda text: [int(n) for n in text.split(",")],
        help="the sync page at these seed scales, e.g. 5,100 (SQLite files, or a {scale} in DATABASE_URL)",
    )
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


async def _migrate() -> bool:
    """Upgrade to head; True when the database was new."""
    engine = get_engine()
    was_empty = await is_empty(engine)
    await upgrade_to_head(engine)
    return was_empty


async def _seed(scale: int, reset: bool) -> None:
    from gateway.sandbox.seed import seed_sandbox

    await _migrate()
    print(await seed_sandbox(get_engine(), scale=scale, reset=reset, progress=True), file=sys.stderr)


async def _create_token(lead_provider: str | None, role: str | None, description: str | None = None) -> str:
    async with write_transaction() as conn:
        if lead_provider is not None:
            lp_id = await tokens.find_lead_provider_id(conn, lead_provider)
            return await tokens.create_token(
                conn, role=Role.LEAD_PROVIDER, lead_provider_id=lp_id, description=description
            )
        return await tokens.create_token(conn, role=Role(role), description=description)  # type: ignore[arg-type]  # argparse: --role is given whenever --lead-provider is not


async def _list_tokens() -> list[tokens.TokenSummary]:
    async with write_transaction() as conn:
        return await tokens.list_tokens(conn)


async def _revoke_token(digest: str) -> tokens.TokenSummary:
    async with write_transaction() as conn:
        return await tokens.revoke_token(conn, digest)


def _token_table(found: list[tokens.TokenSummary]) -> str:
    rows = [("digest", "role", "lead provider", "created", "description")] + [
        (
            t.digest[:16],
            t.role.value,
            t.lead_provider_name or "-",
            t.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            t.description or "-",
        )
        for t in found
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)), row[4]]) for row in rows
    )


def _tokens_command(args: argparse.Namespace) -> int:
    try:
        if args.tokens_command == "create":
            print(_run(_create_token(args.lead_provider, args.role, args.description)))
        elif args.tokens_command == "list":
            found = _run(_list_tokens())
            print(_token_table(found) if found else "no tokens", file=sys.stdout if found else sys.stderr)
        else:
            revoked = _run(_revoke_token(args.digest))
            whose = revoked.lead_provider_name or revoked.role.value
            print(f"revoked token {revoked.digest[:16]} ({whose})", file=sys.stderr)
    except DomainError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


async def _prepare_to_serve() -> None:
    was_empty = await _migrate()
    if not (was_empty and get_settings().is_sandbox):
        print(f"No tokens printed: they are shown only when they are made.\n{MORE_TOKENS}", file=sys.stderr, flush=True)
        return
    from gateway.sandbox.seed import sandbox_tokens, seed_sandbox

    await seed_sandbox(get_engine(), scale=1, reset=False, progress=False)
    issued = await sandbox_tokens(get_engine())
    rule = "=" * 100
    lines = [
        rule,
        "Sandbox data seeded. Tokens (shown once: the database keeps only their digests):",
        *(f"  {label}: {token}" for label, token in issued),
        MORE_TOKENS,
        rule,
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)


@contextmanager
def _metrics_directory() -> Iterator[None]:
    """An empty directory where every worker writes its metrics (prometheus-client's multiprocess mode).

    An operator's own ``PROMETHEUS_MULTIPROC_DIR`` is emptied of an earlier run's values (they would
    be added to this run's) and kept; otherwise a new directory lives as long as the server.
    """
    if "prometheus_client" in sys.modules:
        # It picks single- or multi-process mode once, at import: imported before the directory is set,
        # a worker would keep its values to itself and every scrape would miss the others'.
        raise RuntimeError("prometheus_client was imported before gateway serve set PROMETHEUS_MULTIPROC_DIR")
    given = os.environ.get(METRICS_DIRECTORY_ENV)
    if given:
        os.makedirs(given, exist_ok=True)
        for entry in os.listdir(given):
            if entry.endswith(".db"):
                os.remove(os.path.join(given, entry))
        yield
        return
    directory = tempfile.mkdtemp(prefix="gateway-metrics-")
    os.environ[METRICS_DIRECTORY_ENV] = directory
    # uvicorn ends by raising the SIGTERM it caught again, once its own handlers are gone: without a handler
    # of ours the process would die there, before removing the directory.
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(directory, ignore_errors=True)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _serve(args: argparse.Namespace) -> None:
    from gateway.logging import logging_config
    from gateway.serving import serve

    settings = get_settings()
    with _metrics_directory() if settings.metrics else nullcontext():
        _run(_prepare_to_serve())
        # Every worker applies the logging config: uvicorn's lines and ours, one format on standard error.
        serve(host=args.host, port=args.port, workers=args.workers, log_config=logging_config(settings.log_format))


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run one command's database work in its own event loop, then close the engine's connections.

    They belong to that loop: ``serve`` goes on to start uvicorn's loop, where the app must open its own
    (asyncpg connections cannot cross event loops: the first requests answered 500 on PostgreSQL).
    """

    async def run() -> T:
        # Without the request timeouts: a large seed's statements run for minutes.
        set_engine(build_engine(get_settings().database_url))
        try:
            return await work
        finally:
            await get_engine().dispose()
            set_engine(None)

    return asyncio.run(run())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from gateway.logging import configure

    configure(get_settings().log_format)
    if args.command == "migrate":
        _run(_migrate())
        print("database at the latest migration", file=sys.stderr)
    elif args.command == "seed":
        _run(_seed(args.scale, args.reset))
    elif args.command == "tokens":
        return _tokens_command(args)
    elif args.command == "serve":
        _serve(args)
    elif args.command == "export-schema":
        from gateway.graphql.schema import schema

        sdl = schema.as_str() + "\n"
        if args.output:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(sdl)
        else:
            sys.stdout.write(sdl)
    elif args.command == "finance":
        from gateway.domain.finance import close_statements

        async def _close() -> int:
            async with write_transaction() as conn:
                return await close_statements(conn)

        print(f"{_run(_close())} statements marked payable", file=sys.stderr)
    elif args.command == "bench":
        from gateway.bench import run_bench

        asyncio.run(
            run_bench(participants=args.participants, rounds=args.rounds, scales=args.scales, as_json=args.json)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
