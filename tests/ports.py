"""
Port 8124, Node's documentation's port and nodenet's default: the tests that
need that very port take turns on it, across trial's ``-j`` worker processes.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from typing import Any

__all__ = ["DEFAULT_PORT", "holdDefaultPort"]

DEFAULT_PORT = 8124


def holdDefaultPort(test: Any) -> None:
    """
    Wait until no other test process uses port 8124, then keep it for this
    test (released at its cleanup).  A file lock, so that two workers never
    start a server on it at once.
    """
    path = os.path.join(tempfile.gettempdir(), f"nodenet-tests-port-{DEFAULT_PORT}.lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)

    def release() -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    test.addCleanup(release)
