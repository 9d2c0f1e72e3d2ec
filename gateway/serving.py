"""`gateway serve` with uvicorn: one process, or a supervisor and its workers, stopping gracefully.

On SIGTERM uvicorn's workers stop accepting, finish the requests in flight and exit. Its supervisor,
though, keeps the listening socket open until they have: a connection made meanwhile waits in the backlog,
unserved, and is reset when the supervisor exits. Closing the supervisor's socket before it signals the
workers makes such a connection refused at once, so a client or load balancer goes elsewhere.
"""

from __future__ import annotations

from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "gateway.app:create_app"


class _Supervisor(Multiprocess):
    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def serve(*, host: str, port: int, workers: int, log_config: dict[str, Any] | None = None) -> None:
    # access_log off: gateway.access_log writes the access lines, with the fields uvicorn's lack.
    options: dict[str, Any] = {"factory": True, "host": host, "port": port, "log_level": "info", "access_log": False}
    if log_config is not None:
        options["log_config"] = log_config
    if workers <= 1:
        uvicorn.run(APP, **options)
        return
    config = uvicorn.Config(APP, workers=workers, **options)
    _Supervisor(config, sockets=[config.bind_socket()]).run()
