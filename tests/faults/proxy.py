"""A TCP proxy between the gateway and PostgreSQL that tests can cut, freeze and slow (Toxiproxy's idea).

It runs its own event loop in a thread, so it keeps forwarding whatever the test's loop is doing (awaiting
a request, or blocked waiting for a subprocess), and it serves in-process apps and `gateway serve`
subprocesses alike. It listens on 127.0.0.1 only; the shared PostgreSQL server is never touched.

- ``cut()``: every open connection is dropped and new ones are refused, as when PostgreSQL stops;
- ``freeze()``: connections stay open and new ones are accepted, but no byte goes through in either
  direction, as when PostgreSQL's processes are stopped (SIGSTOP) or the network partitions;
- ``slow(seconds)``: every chunk waits that long before it is passed on;
- ``restore()``: back to forwarding; bytes held by a freeze go on their way, as after SIGCONT.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.engine import make_url

CONTROL_SECONDS = 5
CHUNK = 65536


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._flowing: asyncio.Event | None = None
        self._delay = 0.0
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections_accepted = 0

    @classmethod
    def in_front_of(cls, database_url: str) -> FaultProxy:
        url = make_url(database_url)
        return cls(url.host or "127.0.0.1", url.port or 5432)

    def url_through(self, database_url: str) -> str:
        """``database_url`` with its host and port replaced by the proxy's."""
        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    # Control, from any thread.

    def start(self) -> FaultProxy:
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self._call(self._close_all(stop_listening=True))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(CONTROL_SECONDS)

    def cut(self) -> None:
        self._call(self._close_all(stop_listening=True))

    def freeze(self) -> None:
        self._call(self._set_flowing(False))

    def slow(self, seconds: float) -> None:
        self._delay = seconds

    def restore(self) -> None:
        self._delay = 0.0
        self._call(self._restore())

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _call(self, work: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(CONTROL_SECONDS)

    # The proxy's own loop.

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        await self._listen()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _restore(self) -> None:
        if self._server is None:
            await self._listen()
        await self._set_flowing(True)

    async def _set_flowing(self, flowing: bool) -> None:
        assert self._flowing is not None
        if flowing:
            self._flowing.set()
        else:
            self._flowing.clear()

    async def _close_all(self, *, stop_listening: bool) -> None:
        if stop_listening and self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections_accepted += 1
        self._writers.add(client_writer)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.transport.abort()
            self._writers.discard(client_writer)
            return
        self._writers.add(upstream_writer)
        await asyncio.gather(
            self._pump(client_reader, upstream_writer, client_writer),
            self._pump(upstream_reader, client_writer, upstream_writer),
            return_exceptions=True,
        )

    async def _pump(
        self, source: asyncio.StreamReader, target: asyncio.StreamWriter, source_writer: asyncio.StreamWriter
    ) -> None:
        assert self._flowing is not None
        try:
            while chunk := await source.read(CHUNK):
                await self._flowing.wait()
                if self._delay:
                    await asyncio.sleep(self._delay)
                if target.transport.is_closing():
                    break
                target.write(chunk)
                await target.drain()
        finally:
            # One side gone: the other goes too, as with a real connection.
            for writer in (target, source_writer):
                writer.transport.abort()
                self._writers.discard(writer)
