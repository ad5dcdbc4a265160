"""
Synchronous argument errors: the same calls as tests/node/validation.js.

The expected (name, code, message) of every call is node v20's output,
committed as tests/node/validation-expected.jsonl; a further test reruns
node (when present) to prove that file is node's current answer.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

import nodenet as net
from nodenet.errors import NodeError, NodeRangeError, NodeTypeError

HERE = Path(__file__).parent / "node"
VALUES: dict[str, Any] = {
    "-1": -1,
    "65536": 65536,
    "NaN": math.nan,
    "Infinity": math.inf,
    "1.5": 1.5,
    "2**32": 2**32,
    "''": "",
    "' '": " ",
    "'abc'": "abc",
    "'1e3'": "1e3",
    "'0x10'": "0x10",
    "true": True,
    "null": None,
    "[]": [],
    "{}": {},
}


def _calls(clock: MemoryReactorClock) -> list[tuple[str, Callable[[], Any]]]:
    calls: list[tuple[str, Callable[[], Any]]] = []
    for label, v in VALUES.items():
        calls += [
            (f"connect({{port:{label}}})", lambda v=v: net.connect({"port": v, "host": "127.0.0.1"}, reactor=clock)),
            (f"connect({label})", lambda v=v: net.connect(v, "127.0.0.1", reactor=clock)),
            (f"listen({{port:{label}}})", lambda v=v: net.createServer(reactor=clock).listen({"port": v, "host": "127.0.0.1"})),
        ]
    calls += [
        ("connect()", lambda: net.connect(reactor=clock)),
        ("connect({})", lambda: net.connect({}, reactor=clock)),
        ("localAddress", lambda: net.connect({"port": 80, "localAddress": "notanip"}, reactor=clock)),
        ("localPort", lambda: net.connect({"port": 80, "localPort": "x"}, reactor=clock)),
        ("lookup", lambda: net.connect({"port": 80, "host": "localhost", "lookup": "notfn"}, reactor=clock)),
        ("path42", lambda: net.connect({"path": 42}, reactor=clock)),
        ("host42", lambda: net.connect({"port": 80, "host": 42}, reactor=clock)),
        ("autoSelect", lambda: net.connect({"port": 80, "autoSelectFamily": "yes"}, reactor=clock)),
        ("timeout-1", lambda: net.connect({"port": 80, "timeout": -1}, reactor=clock)),
        ("objectMode", lambda: net.Socket({"objectMode": True}, reactor=clock)),
        ("listen({})", lambda: net.createServer(reactor=clock).listen({})),
        ("listen({host})", lambda: net.createServer(reactor=clock).listen({"host": "localhost"})),
        ("listen(true)", lambda: net.createServer(reactor=clock).listen(True)),
        ("listen({path:-1})", lambda: net.createServer(reactor=clock).listen({"path": -1})),
        ("createServer(str)", lambda: net.createServer("str", reactor=clock)),
        ("createServer(42)", lambda: net.createServer(42, reactor=clock)),
        ("getConnections()", lambda: net.createServer(reactor=clock).getConnections()),
        ("listen(4294967295)", lambda: net.createServer(reactor=clock).listen(4294967295, "0.0.0.0")),
    ]
    return calls


_KINDS = {"TypeError": NodeTypeError, "RangeError": NodeRangeError, "Error": NodeError}


class ValidationTests(SynchronousTestCase):
    """Every call raises exactly what node raises, synchronously."""

    def test_sameErrorsAsNode(self) -> None:
        """Name, code and message of each synchronous error equal node's."""
        expected = {}
        for line in (HERE / "validation-expected.jsonl").read_text().splitlines():
            row = json.loads(line)
            expected[row[0]] = row[1:]
        clock = MemoryReactorClock()
        skipped: set[str] = set()
        results = {}
        for label, call in _calls(clock):
            try:
                result = call()
            except NodeError as e:
                results[label] = [e.name, e.code, str(e)]
                self.assertIsInstance(e, _KINDS[e.name])
            else:
                results[label] = ["ok"]
                if isinstance(result, net.Socket):
                    result.on("error", lambda e: None)
                    result.destroy()
                elif isinstance(result, net.Server):
                    result.close()
        clock.advance(0)
        self.maxDiff = None
        self.assertEqual({k: v for k, v in expected.items() if k not in skipped}, results)

    def test_expectationsAreNodes(self) -> None:
        """The committed expectations are what node prints today."""
        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed: cannot rerun the oracle")
        out = subprocess.run(
            [node, str(HERE / "validation.js")], capture_output=True, text=True, timeout=30, check=True
        ).stdout
        self.assertEqual((HERE / "validation-expected.jsonl").read_text(), out)
