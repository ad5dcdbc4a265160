"""
Ports for tests that start servers in other processes.

Port 8124, Node's documentation's port and nodenet's default: the tests that
need that very port take turns on it, across trial's ``-j`` worker processes.
Others take a port the kernel just found free with :func:`freePort`.
"""

from __future__ import annotations

import fcntl
import os
import socket
import tempfile
from typing import Any

__all__ = ["DEFAULT_PORT", "freePort", "holdDefaultPort"]

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


def freePort() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
