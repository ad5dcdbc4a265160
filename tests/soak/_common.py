"""What the soak scenarios share: child processes that speak JSON lines, and verdict lines."""

from __future__ import annotations

import json
from typing import Any

from twisted.internet import protocol
from twisted.internet.defer import Deferred

__all__ = ["JsonLinesProcess", "verdict"]


class JsonLinesProcess(protocol.ProcessProtocol):
    """
    A child process that writes one JSON object a line: each goes to
    :meth:`lineReceived` (which keeps it in ``lines``), its stderr is kept
    for error messages, and ``ended`` fires with its exit code.
    """

    def __init__(self) -> None:
        self.buffer = b""
        self.lines: list[dict[str, Any]] = []
        self.stderr = b""
        self.ended: Deferred[int] = Deferred()

    def outReceived(self, data: bytes) -> None:
        self.buffer += data
        while b"\n" in self.buffer:
            raw, self.buffer = self.buffer.split(b"\n", 1)
            self.lineReceived(json.loads(raw))

    def lineReceived(self, line: dict[str, Any]) -> None:
        """One line from the child."""
        self.lines.append(line)

    def errReceived(self, data: bytes) -> None:
        self.stderr += data

    def processEnded(self, reason: Any) -> None:
        code = getattr(reason.value, "exitCode", None)
        self.ended.callback(code if code is not None else -1)


def verdict(label: str, summary: str, problems: list[str], most: int | None = None) -> bool:
    """
    Print ``PASS label summary`` (or ``FAIL``) and then each problem (the
    first ``most`` of them); whether the scenario passed.
    """
    print(f"{'FAIL' if problems else 'PASS'} {label} {summary}", flush=True)
    for problem in problems[:most]:
        print("   ", problem, flush=True)
    return not problems
