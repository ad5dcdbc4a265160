"""
The example programs run as real processes and answer real clients.

Each example is started with ``python examples/X.py`` (through
``net.run``), waits until it says it is listening, and is then spoken to
over loopback by a nodenet client (or by the example client).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from twisted.internet import defer, protocol, reactor
from twisted.internet.error import ProcessDone, ProcessTerminated
from twisted.trial.unittest import TestCase

import nodenet as net

from .ports import freePort, holdDefaultPort

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


class _Process(protocol.ProcessProtocol):
    """Collects a child's output; fires when it prints a marker and when it ends."""

    def __init__(self, marker: bytes) -> None:
        self.marker = marker
        self.output = b""
        self.ready: defer.Deferred[None] = defer.Deferred()
        self.ended: defer.Deferred[Any] = defer.Deferred()

    def outReceived(self, data: bytes) -> None:
        self.output += data
        if self.marker in self.output and not self.ready.called:
            self.ready.callback(None)

    def errReceived(self, data: bytes) -> None:
        self.output += data

    def processEnded(self, reason: Any) -> None:
        if not self.ready.called:
            self.ready.errback(RuntimeError(f"exited early: {self.output!r}"))
        self.ended.callback(reason.value)


def spawn(test: TestCase, script: str, args: list[str], marker: bytes) -> _Process:
    """Start ``examples/script`` with ``args``; killed at the end of the test."""
    proc = _Process(marker)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    transport = reactor.spawnProcess(  # type: ignore[attr-defined]
        proc, sys.executable, [sys.executable, str(EXAMPLES / script), *args], env=env
    )

    def stop() -> defer.Deferred[Any]:
        if not proc.ended.called:
            transport.signalProcess("TERM")
        return proc.ended

    test.addCleanup(stop)
    return proc


def converse(port: Any, send: list[bytes], endAfter: bool = True) -> defer.Deferred[bytes]:
    """Connect with nodenet, send ``send``, end, and collect all data until close."""
    received: list[bytes] = []
    done: defer.Deferred[bytes] = defer.Deferred()
    client = net.connect(port) if isinstance(port, str) else net.connect(port, "127.0.0.1")

    def onConnect() -> None:
        for chunk in send:
            client.write(chunk)
        if endAfter:
            client.end()

    client.on("connect", onConnect)
    client.on("data", received.append)
    client.on("error", done.errback)
    client.on("close", lambda *a: done.called or done.callback(b"".join(received)))
    return done


class ExampleTests(TestCase):
    """Every example program, as a process."""

    timeout = 30

    @defer.inlineCallbacks
    def test_echoServer(self) -> Any:
        """echo_server.py greets, echoes, and says goodbye on the client's end."""
        holdDefaultPort(self)
        proc = spawn(self, "echo_server.py", [], b"listening")
        try:
            yield proc.ready
        except RuntimeError:
            self.skipTest("port 8124 is busy on this machine")
        data = yield converse(8124, [b"ping\r\n"])
        self.assertEqual(b"hello\r\nping\r\ngoodbye\r\n", data)

    @defer.inlineCallbacks
    def test_echoServerOtherPort(self) -> Any:
        """echo_server.py PORT serves on that port."""
        port = freePort()
        proc = spawn(self, "echo_server.py", [str(port)], b"listening")
        yield proc.ready
        data = yield converse(port, [b"a", b"b"])
        self.assertEqual(b"hello\r\nab" + b"goodbye\r\n", data)

    @defer.inlineCallbacks
    def test_echoServerUnix(self) -> Any:
        """echo_server.py PATH serves on a unix socket."""
        path = self.mktemp() + ".sock"
        proc = spawn(self, "echo_server.py", [path], b"listening")
        yield proc.ready
        data = yield converse(path, [b"over unix\r\n"])
        self.assertEqual(b"hello\r\nover unix\r\ngoodbye\r\n", data)

    @defer.inlineCallbacks
    def test_helloServerAndClient(self) -> Any:
        """hello_client.py prints hello_server.py's greeting and the echo of its line."""
        port = freePort()
        server = spawn(self, "hello_server.py", [str(port)], b"listening")
        yield server.ready
        client = spawn(self, "hello_client.py", [str(port)], b"[server ended]")
        yield client.ready
        reason = yield client.ended
        self.assertIsInstance(reason, ProcessDone)
        self.assertEqual(b"Hello World!\r\nping\r\n[server ended]\n", client.output)

    @defer.inlineCallbacks
    def test_bizServer(self) -> Any:
        """biz_server.py answers after its work, and survives a client that left early."""
        port = freePort()
        proc = spawn(self, "biz_server.py", [str(port), "50"], b"listening")
        yield proc.ready
        gone = net.connect(port, "127.0.0.1")
        gone.on("connect", lambda: (gone.write(b"never answered\n"), gone.destroy()))
        closed: defer.Deferred[Any] = defer.Deferred()
        gone.on("close", closed.callback)
        yield closed
        data = yield converse(port, [b"hello\n", b"world\n"])
        self.assertEqual(b"processed: HELLO\r\nprocessed: WORLD\r\n", data)
        self.assertNotIn(b"Traceback", proc.output)

    @defer.inlineCallbacks
    def test_echoServerStopsOnSignal(self) -> Any:
        """SIGTERM ends an example process."""
        path = self.mktemp() + ".sock"
        proc = spawn(self, "echo_server.py", [path], b"listening")
        yield proc.ready
        proc_transport_stop = proc.ended
        os.kill(self._pidOf(proc), 15)
        reason = yield proc_transport_stop
        self.assertIsInstance(reason, (ProcessDone, ProcessTerminated))

    def _pidOf(self, proc: _Process) -> int:
        transport: Any = proc.transport
        return int(transport.pid)
