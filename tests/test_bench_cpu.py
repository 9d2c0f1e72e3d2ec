"""The bench's CPU figures (gateway.bench.runner._cpu_seconds): the process's, and its event loop thread's."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from gateway.bench.runner import _cpu_seconds

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="read from Linux /proc")


def test_a_side_threads_cpu_counts_for_the_process_and_not_for_its_main_thread():
    pid = os.getpid()
    process_before, main_before = _cpu_seconds(pid), _cpu_seconds(pid, pid)

    def spin() -> None:  # what aiosqlite's threads do on SQLite: the database's work, beside the event loop
        deadline = time.thread_time() + 0.3
        while time.thread_time() < deadline:
            pass

    side = threading.Thread(target=spin)
    side.start()
    side.join()

    assert _cpu_seconds(pid) - process_before >= 0.25
    assert _cpu_seconds(pid, pid) - main_before < 0.1


def test_a_process_that_is_gone_has_no_figure():
    assert _cpu_seconds(2**22 + 12345) is None
    assert _cpu_seconds(os.getpid(), 2**22 + 12345) is None
