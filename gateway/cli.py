"""The `gateway` command: serve, migrate, seed, tokens, export-schema, finance, bench."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from gateway.config import get_settings
from gateway.db.engine import get_engine, set_engine, write_transaction
from gateway.db.migrate import is_empty, upgrade_to_head
from gateway.domain import tokens
from gateway.domain.errors import NotFound
from gateway.vocabulary import Role

T = TypeVar("T")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__)
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


async def _create_token(lead_provider: str | None, role: str | None) -> str:
    async with write_transaction() as conn:
        if lead_provider is not None:
            lp_id = await tokens.find_lead_provider_id(conn, lead_provider)
            return await tokens.create_token(conn, role=Role.LEAD_PROVIDER, lead_provider_id=lp_id)
        return await tokens.create_token(conn, role=Role(role))


async def _prepare_to_serve() -> None:
    was_empty = await _migrate()
    if not (was_empty and get_settings().is_sandbox):
        return
    from gateway.sandbox.seed import seed_sandbox, sandbox_tokens

    await seed_sandbox(get_engine(), scale=1, reset=False, progress=False)
    print("Sandbox data seeded. Tokens (shown once):", flush=True)
    for label, token in await sandbox_tokens(get_engine()):
        print(f"  {label}: {token}", flush=True)


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run one command's database work in its own event loop, then close the engine's connections.

    They belong to that loop: ``serve`` goes on to start uvicorn's loop, where the app must open its own
    (asyncpg connections cannot cross event loops: the first requests answered 500 on PostgreSQL).
    """

    async def run() -> T:
        try:
            return await work
        finally:
            await get_engine().dispose()
            set_engine(None)

    return asyncio.run(run())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "migrate":
        _run(_migrate())
        print("database at the latest migration", file=sys.stderr)
    elif args.command == "seed":
        _run(_seed(args.scale, args.reset))
    elif args.command == "tokens":
        try:
            print(_run(_create_token(args.lead_provider, args.role)))
        except NotFound as exc:
            print(str(exc), file=sys.stderr)
            return 2
    elif args.command == "serve":
        import uvicorn

        _run(_prepare_to_serve())
        uvicorn.run(
            "gateway.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
        )
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
