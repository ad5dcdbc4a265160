"""
``twistd nodenet`` as real processes: the plugin, every way to listen, the
apps, workers, graceful stop, HAProxy in front, systemd socket activation.

Each test starts ``twistd -n --pidfile= --logfile=- nodenet ...`` with this
checkout's ``src`` and plugin directory on the path, waits for its log to
say where it listens (``tcp:0`` gets a free port), and talks to it with
nodenet or ``node`` clients.  Every process is killed at the end of its
test if it is still there; every wait is bounded.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import signal
import socket as stdsocket
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from twisted.internet import defer, protocol, reactor
from twisted.internet.error import ProcessDone, ProcessExitedAlready
from twisted.trial.unittest import TestCase

import nodenet as net

from .ports import holdDefaultPort

ROOT = Path(__file__).resolve().parent.parent
TWISTD = "from twisted.scripts.twistd import run; run()"
WAIT = 15.0
NODE = shutil.which("node")
HAPROXY = shutil.which("haproxy")

_LISTENING = re.compile(rb"listening on (\S+) \((.*?)\)")


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")] if p)
    env.update(extra or {})
    return env


class Process(protocol.ProcessProtocol):
    """A child process: its output so far, waits on output patterns, its end."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.output = b""
        self.ended: defer.Deferred[Any] = defer.Deferred()
        self._waits: list[tuple[re.Pattern[bytes], int, defer.Deferred[list[re.Match[bytes]]]]] = []

    @property
    def pid(self) -> int:
        transport: Any = self.transport
        return int(transport.pid)

    def outReceived(self, data: bytes) -> None:
        self.output += data
        self._check()

    errReceived = outReceived

    def _check(self) -> None:
        for wait in list(self._waits):
            pattern, count, d = wait
            found = list(pattern.finditer(self.output))
            if len(found) >= count:
                self._waits.remove(wait)
                d.callback(found[:count])

    def waitFor(self, pattern: bytes, count: int = 1) -> defer.Deferred[list[re.Match[bytes]]]:
        """Fire with the first ``count`` matches of ``pattern`` in the output."""
        d: defer.Deferred[list[re.Match[bytes]]] = defer.Deferred()
        self._waits.append((re.compile(pattern), count, d))
        self._check()
        return self._bounded(d, f"{pattern!r} x{count}")

    def _bounded(self, d: defer.Deferred[Any], what: str) -> defer.Deferred[Any]:
        def timedOut(failure: Any) -> Any:
            if failure.check(defer.TimeoutError):
                raise AssertionError(f"{self.name}: no {what} within {WAIT} s; output:\n{self.output.decode(errors='replace')}")
            return failure

        return d.addTimeout(WAIT, reactor).addErrback(timedOut)

    def exited(self) -> defer.Deferred[Any]:
        """Fire with the exit status (0, a code, or ``-signal``), bounded."""
        d: defer.Deferred[Any] = defer.Deferred()

        def fire(status: Any) -> Any:
            if not d.called:
                d.callback(status)
            return status

        self.ended.addCallback(fire)
        return self._bounded(d, "exit")

    def processEnded(self, reason: Any) -> None:
        value = reason.value
        status = 0 if isinstance(value, ProcessDone) else (-value.signal if value.signal else value.exitCode)
        for _, _, d in self._waits:
            d.errback(AssertionError(f"{self.name} ended ({status}); output:\n{self.output.decode(errors='replace')}"))
        self._waits = []
        self.ended.callback(status)

    def signal(self, name: str) -> None:
        """Send a signal, if still running."""
        if not self.ended.called:
            transport: Any = self.transport
            try:
                transport.signalProcess(name)
            except ProcessExitedAlready:
                pass  # it ended; processEnded is on its way


def spawn(test: TestCase, argv: list[str], name: str, env: dict[str, str] | None = None, childFDs: Any = None) -> Process:
    """Start a process; it is killed at the end of the test if still running."""
    proc = Process(name)
    reactor.spawnProcess(  # type: ignore[attr-defined]
        proc, argv[0], argv, env=env or _env(), path=os.getcwd(), childFDs=childFDs
    )

    def cleanup() -> defer.Deferred[Any]:
        if not proc.ended.called:
            proc.signal("KILL")
        return proc.ended

    test.addCleanup(cleanup)
    return proc


def twistd(test: TestCase, *args: str, env: dict[str, str] | None = None, childFDs: Any = None) -> Process:
    """Start ``twistd -n nodenet ARGS``."""
    argv = [sys.executable, "-c", TWISTD, "-n", "--pidfile=", "--logfile=-", "nodenet", *args]
    return spawn(test, argv, "twistd " + " ".join(args), env=env, childFDs=childFDs)


@defer.inlineCallbacks
def listeningOn(proc: Process, count: int = 1) -> Any:
    """The addresses the process logs it listens on (ports or paths)."""
    found = yield proc.waitFor(_LISTENING.pattern, count)
    result = []
    for match in found:
        where = match.group(1).decode()
        host, sep, port = where.rpartition(":")
        result.append(int(port) if sep and port.isdigit() else where)
    return result


def converse(where: Any, send: list[bytes], end: bool = True) -> defer.Deferred[bytes]:
    """Connect with nodenet, send, end, and collect everything until close."""
    received: list[bytes] = []
    done: defer.Deferred[bytes] = defer.Deferred()
    client = net.connect(where) if isinstance(where, str) else net.connect(where, "127.0.0.1")

    def onConnect() -> None:
        for chunk in send:
            client.write(chunk)
        if end:
            client.end()

    client.on("connect", onConnect)
    client.on("data", received.append)
    client.on("error", lambda err: done.called or done.errback(err))
    client.on("close", lambda *a: done.called or done.callback(b"".join(received)))
    return done.addTimeout(WAIT, reactor)


_NODE_CLIENT = r"""
const net = require('net'), tls = require('tls');
const [kind, port, send, endAfter] = JSON.parse(process.argv[1]);
const events = [];
let received = '';
const c = kind === 'tls'
  ? tls.connect({port, host: '127.0.0.1', rejectUnauthorized: false})
  : net.connect(port, '127.0.0.1');
c.on(kind === 'tls' ? 'secureConnect' : 'connect', () => {
  events.push(['connect']);
  if (send !== null && endAfter) c.write(send);
  else if (send !== null) c.end(send);
});
c.on('data', d => {
  events.push(['data', d.toString()]);
  received += d.toString();
  if (endAfter && received.endsWith(endAfter)) c.end();
});
c.on('end', () => events.push(['end']));
c.on('error', e => events.push(['error', e.code]));
c.on('close', h => { events.push(['close', h]); console.log(JSON.stringify(events)); });
"""


@defer.inlineCallbacks
def nodeClient(test: TestCase, port: int, send: str | None, kind: str = "tcp", endAfter: str | None = None) -> Any:
    """
    Run a ``node`` client that sends ``send`` and ends (or ends once it
    received ``endAfter``); its events, consecutive data merged.
    """
    proc = spawn(test, [NODE or "node", "-e", _NODE_CLIENT, json.dumps([kind, port, send, endAfter])], "node client")
    status = yield proc.exited()
    test.assertEqual(0, status, proc.output)
    events: list[list[Any]] = []
    for event in json.loads(proc.output.decode().strip().splitlines()[-1]):
        if event[0] == "data" and events and events[-1][0] == "data":
            events[-1][1] += event[1]
        else:
            events.append(event)
    return events


def portIsFree(port: int) -> bool:
    """Whether 127.0.0.1:port can be bound now."""
    with stdsocket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class PluginTests(TestCase):
    """The plugin is found and its options are twistd's."""

    @defer.inlineCallbacks
    def test_twistdHelpListsNodenet(self) -> Any:
        """``twistd --help`` lists nodenet; ``twistd nodenet --help`` shows its options."""
        listing = spawn(self, [sys.executable, "-c", TWISTD, "--help"], "twistd --help")
        options = spawn(self, [sys.executable, "-c", TWISTD, "nodenet", "--help"], "twistd nodenet --help")
        self.assertEqual([0, 0], (yield defer.gatherResults([listing.exited(), options.exited()])))
        self.assertRegex(listing.output.decode(), r"\n\s+nodenet\s+Serve a nodenet")
        for option in (b"--listen", b"--app", b"--workers", b"--max-connections", b"--timeout",
                       b"--shutdown-timeout", b"--keep-alive", b"--no-delay", b"--allow-half-open",
                       b"--pause-on-connect"):
            self.assertIn(option, options.output)

    @defer.inlineCallbacks
    def test_wrongAppIsAUsageError(self) -> Any:
        """A wrong ``--app`` or ``--listen`` stops twistd at start-up with a one-line reason."""
        cases = {
            "tests.tap_apps:nothing": b"has no attribute 'nothing'",
            "no_such_module_here:app": b"no module named 'no_such_module_here'",
            "tests.tap_apps:notCallable": b"not a connection listener",
            "echo_without_colon": b"--app takes MODULE:NAME",
        }
        procs = {app: twistd(self, "--app", app) for app in cases}
        badListen = twistd(self, "--listen", "nosuchtype:1234")
        busy = stdsocket.socket()
        self.addCleanup(busy.close)
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        inUse = twistd(self, "--listen", f"tcp:{busy.getsockname()[1]}:interface=127.0.0.1")
        statuses = yield defer.gatherResults([p.exited() for p in [*procs.values(), badListen, inUse]])
        self.assertEqual([1] * (len(cases) + 2), statuses)
        for app, message in cases.items():
            self.assertIn(message, procs[app].output)
            self.assertNotIn(b"Traceback", procs[app].output)
        self.assertIn(b"--listen nosuchtype:1234: Unknown endpoint type", badListen.output)
        self.assertIn(b"CannotListenError: Couldn't listen on 127.0.0.1:", inUse.output)
        self.assertIn(b"Address already in use", inUse.output)


class ServeTests(TestCase):
    """Serving, over each kind of endpoint."""

    timeout = 60

    @defer.inlineCallbacks
    def test_defaultEchoServer(self) -> Any:
        """With no options: the echo server on 127.0.0.1:8124, for node and nodenet clients."""
        holdDefaultPort(self)
        if not portIsFree(8124):
            raise self.skipTest("port 8124 is busy on this machine")
        proc = twistd(self)
        (port,) = yield listeningOn(proc)
        self.assertEqual(8124, port)
        self.assertIn(b"(tcp:8124:interface=127.0.0.1)", proc.output)
        answers = [converse(8124, [b"ping\r\n"])]
        if NODE:
            answers.append(nodeClient(self, 8124, "from node\r\n"))
        results = yield defer.gatherResults(answers)
        self.assertEqual(b"hello\r\nping\r\ngoodbye\r\n", results[0])
        if NODE:
            self.assertEqual(
                [["connect"], ["data", "hello\r\nfrom node\r\ngoodbye\r\n"], ["end"], ["close", False]],
                results[1],
            )
        proc.signal("TERM")
        self.assertEqual(0, (yield proc.exited()))

    @defer.inlineCallbacks
    def test_tcpTcp6AndUnixWithIdleTimeout(self) -> Any:
        """``--listen`` three times (tcp:, tcp6:, unix: with a mode); ``--timeout`` ends idle sockets."""
        # a short absolute path: AF_UNIX paths are limited to 107 bytes
        directory = tempfile.mkdtemp(prefix="nn", dir="/tmp")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "s.sock")
        proc = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--listen", f"unix:{path}:mode=600",
                      "--listen", "tcp6:0:interface=\\:\\:1", "--timeout", "300")
        port, where, port6 = yield listeningOn(proc, 3)
        self.assertEqual(path, where)
        self.assertIn(b"listening on [::1]:%d" % port6, proc.output)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        self.assertEqual(str(proc.pid), os.readlink(path + ".lock"))
        overTcp, overUnix, overTcp6 = yield defer.gatherResults(
            [converse(port, [b"tcp\r\n"]), converse(path, [b"unix\r\n"]), _converse6(port6, b"tcp6\r\n")]
        )
        self.assertEqual(
            (b"hello\r\ntcp\r\ngoodbye\r\n", b"hello\r\nunix\r\ngoodbye\r\n", b"hello\r\ntcp6\r\ngoodbye\r\n"),
            (overTcp, overUnix, overTcp6),
        )
        started = time.monotonic()
        idle = yield converse(port, [], end=False)
        self.assertEqual(b"hello\r\n", idle)
        self.assertGreater(time.monotonic() - started, 0.25)
        proc.signal("TERM")
        self.assertEqual(0, (yield proc.exited()))
        self.assertFalse(os.path.lexists(path))
        self.assertFalse(os.path.lexists(path + ".lock"))

    @defer.inlineCallbacks
    def test_appKinds(self) -> Any:
        """``--app`` with a net.Server object, a factory, and listeners: options reach them; errors are logged."""
        instance = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--app", "tests.tap_apps:instance")
        factory = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--app", "tests.tap_apps:makeServer")
        crashy = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--app", "tests.tap_apps:crashy")
        flags = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--app", "tests.tap_apps:serverOptions",
                       "--allow-half-open", "--pause-on-connect", "--no-delay", "--keep-alive=1500",
                       "--max-connections", "9")
        ports = yield defer.gatherResults([listeningOn(p) for p in (instance, factory, crashy, flags)])
        answers = yield defer.gatherResults([converse(ports[i][0], []) for i in (0, 1, 3)])
        self.assertEqual([b"instance\r\n", b"factory\r\n", b"(True, True, True, True, 1500.0, 9)\r\n"], answers)
        failed = yield converse(ports[2][0], [b"boom"], end=False)
        self.assertEqual(b"", failed)
        yield crashy.waitFor(rb"RuntimeError: the app failed on purpose")
        self.assertIn(b"Traceback", crashy.output)
        self.assertEqual(b"still here", (yield converse(ports[2][0], [b"still here"])))
        for proc, name in ((instance, "TERM"), (factory, "INT"), (crashy, "TERM"), (flags, "TERM")):
            proc.signal(name)
        statuses = yield defer.gatherResults([p.exited() for p in (instance, factory, crashy, flags)])
        self.assertEqual([0, 0, 0, 0], statuses)
        self.assertIn(b"Received SIGINT, stopping gracefully", factory.output)

    @defer.inlineCallbacks
    def test_tls(self) -> Any:
        """``ssl:`` with a generated certificate serves the echo app over TLS."""
        if NODE is None:
            raise self.skipTest("node is not installed")
        key, cert = _certificate(Path(self.mktemp()))
        proc = twistd(self, "--listen", f"ssl:0:interface=127.0.0.1:privateKey={key}:certKey={cert}")
        (port,) = yield listeningOn(proc)
        events = yield nodeClient(self, port, "over tls\r\n", kind="tls", endAfter="over tls\r\n")
        self.assertEqual([["connect"], ["data", "hello\r\nover tls\r\n"], ["end"], ["close", False]], events)
        proc.signal("TERM")
        self.assertEqual(0, (yield proc.exited()))

    @defer.inlineCallbacks
    def test_tlsSecureEvent(self) -> Any:
        """Over ``ssl:``, each socket emits 'secure' once the handshake is done."""
        if NODE is None:
            raise self.skipTest("node is not installed")
        key, cert = _certificate(Path(self.mktemp()))
        proc = twistd(self, "--listen", f"ssl:0:interface=127.0.0.1:privateKey={key}:certKey={cert}",
                      "--app", "tests.tap_apps:secure")
        (port,) = yield listeningOn(proc)
        events = yield nodeClient(self, port, "", kind="tls")
        self.assertEqual([["connect"], ["data", "secure\r\n"], ["end"], ["close", False]], events)
        proc.signal("TERM")
        self.assertEqual(0, (yield proc.exited()))

    @defer.inlineCallbacks
    def test_maxConnectionsDrops(self) -> Any:
        """Past ``--max-connections`` a client is accepted and closed at once: Node's drop."""
        if NODE is None:
            raise self.skipTest("node is not installed")
        proc = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--max-connections", "1")
        (port,) = yield listeningOn(proc)
        holder = net.connect(port, "127.0.0.1")
        greeted: defer.Deferred[Any] = defer.Deferred()
        holder.once("data", greeted.callback)
        closed: defer.Deferred[Any] = defer.Deferred()
        holder.on("close", closed.callback)
        self.assertEqual(b"hello\r\n", (yield greeted.addTimeout(WAIT, reactor)))
        events = yield nodeClient(self, port, None)
        self.assertEqual([["connect"], ["end"], ["close", False]], events)
        holder.end()
        yield closed.addTimeout(WAIT, reactor)
        self.assertEqual(b"hello\r\nagain\r\ngoodbye\r\n", (yield converse(port, [b"again\r\n"])))
        proc.signal("TERM")
        self.assertEqual(0, (yield proc.exited()))


def _converse6(port: int, data: bytes) -> defer.Deferred[bytes]:
    """Like :func:`converse`, over IPv6 loopback."""
    received: list[bytes] = []
    done: defer.Deferred[bytes] = defer.Deferred()
    client = net.connect(port, "::1", lambda: client.end(data))
    client.on("data", received.append)
    client.on("error", lambda err: done.called or done.errback(err))
    client.on("close", lambda *a: done.called or done.callback(b"".join(received)))
    return done.addTimeout(WAIT, reactor)


def _attempt(port: int) -> defer.Deferred[str]:
    """Connect to ``port``: the error code it ends with ('data' if it got any)."""
    done: defer.Deferred[str] = defer.Deferred()
    client = net.connect(port, "127.0.0.1")
    client.on("data", lambda data: done.called or done.callback("data"))
    client.on("error", lambda err: done.called or done.callback(err.code))
    client.on("close", lambda *a: done.called or done.callback("closed"))
    return done.addTimeout(WAIT, reactor)


class StopTests(TestCase):
    """SIGTERM: graceful, bounded, exit status 0."""

    timeout = 60

    @defer.inlineCallbacks
    def test_sigtermWithOpenConnections(self) -> Any:
        """After SIGTERM: no new connections, open ones finish, the idle one is closed at the timeout."""
        proc = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--shutdown-timeout", "1000")
        (port,) = yield listeningOn(proc)
        busy, idle = net.connect(port, "127.0.0.1"), net.connect(port, "127.0.0.1")
        received: dict[str, list[bytes]] = {"busy": [], "idle": []}
        closed: dict[str, defer.Deferred[Any]] = {}
        greeted = []
        for name, client in (("busy", busy), ("idle", idle)):
            d: defer.Deferred[Any] = defer.Deferred()
            client.once("data", d.callback)
            greeted.append(d)
            client.on("data", received[name].append)
            closed[name] = defer.Deferred()
            client.on("close", closed[name].callback)
        yield defer.gatherResults(greeted)
        started = time.monotonic()
        proc.signal("TERM")
        yield proc.waitFor(rb"waiting up to 1000 ms for 2 open connection")
        # The port is closed right after Twisted logs it: a connection in
        # between is reset, one after it is refused; none reaches the app.
        yield proc.waitFor(rb"\(TCP Port %d Closed\)" % port)
        codes = []
        while "ECONNREFUSED" not in codes and len(codes) < 20:
            late = yield _attempt(port)
            codes.append(late)
        self.assertEqual("ECONNREFUSED", codes[-1], codes)
        self.assertEqual(set(), set(codes) - {"ECONNREFUSED", "ECONNRESET"})
        busy.end(b"last words\r\n")
        yield closed["busy"].addTimeout(WAIT, reactor)
        self.assertEqual(b"hello\r\nlast words\r\ngoodbye\r\n", b"".join(received["busy"]))
        self.assertFalse(closed["idle"].called)
        status = yield proc.exited()
        elapsed = time.monotonic() - started
        self.assertEqual(0, status)
        yield closed["idle"].addTimeout(WAIT, reactor)
        self.assertEqual(b"hello\r\n", b"".join(received["idle"]))
        self.assertTrue(0.9 < elapsed < 5, elapsed)
        self.assertIn(b"Closing 1 connection(s) still open", proc.output)


class WorkerTests(TestCase):
    """``--workers``: the parent binds, the workers serve, and it keeps them alive."""

    timeout = 90

    @defer.inlineCallbacks
    def test_workersShareAndRestart(self) -> Any:
        """Connections spread over two worker pids; a killed worker is replaced; SIGTERM stops all."""
        proc = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--workers", "2",
                      "--app", "tests.tap_apps:whoami")
        (port,) = yield listeningOn(proc)
        started = yield proc.waitFor(rb"Started worker (\d) \(pid (\d+)\)", 2)
        workers = {int(m.group(1)): int(m.group(2)) for m in started}
        yield proc.waitFor(rb"\[worker \d, pid \d+\] nodenet tests.tap_apps:whoami listening on", 2)
        seen = yield _pidsServing(port, set(workers.values()))
        self.assertEqual(set(workers.values()), seen)
        self.assertNotIn(proc.pid, seen)

        os.kill(workers[1], signal.SIGKILL)
        restarted = yield proc.waitFor(rb"Started worker 1 \(pid (\d+)\)", 2)
        newPid = int(restarted[1].group(1))
        self.assertNotEqual(workers[1], newPid)
        yield proc.waitFor(rb"\[worker 1, pid %d\] nodenet .* listening on" % newPid)
        self.assertEqual({newPid, workers[2]}, (yield _pidsServing(port, {newPid, workers[2]})))

        proc.signal("TERM")
        self.assertEqual(0, (yield proc.exited()))
        for pid in (newPid, workers[2]):
            self.assertFalse(_alive(pid), pid)
            self.assertIn(b"pid %d] Received SIGTERM from the parent, stopping gracefully" % pid, proc.output)
        self.assertIn(b"Worker 2 (pid %d) ended (exit code 0)" % workers[2], proc.output)


    @defer.inlineCallbacks
    def test_orphanedWorkerStops(self) -> Any:
        """A worker whose parent was killed stops by itself."""
        proc = twistd(self, "--listen", "tcp:0:interface=127.0.0.1", "--workers", "1")
        (started,) = yield proc.waitFor(rb"Started worker 1 \(pid (\d+)\)")
        worker = int(started.group(1))
        yield proc.waitFor(rb"\[worker 1, pid \d+\] nodenet echo listening on")
        proc.signal("KILL")
        yield proc.exited()
        deadline = time.monotonic() + WAIT
        while _alive(worker) and time.monotonic() < deadline:
            yield _later(0.05)
        self.assertFalse(_alive(worker))


@defer.inlineCallbacks
def _pidsServing(port: int, expected: set[int], attempts: int = 60) -> Any:
    """Connect (a few at a time) until every expected pid has answered."""
    seen: set[int] = set()
    for _ in range(attempts // 4):
        answers = yield defer.gatherResults([converse(port, []) for _ in range(4)])
        seen.update(int(answer.split()[0]) for answer in answers)
        if expected <= seen:
            break
    return seen


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class HAProxyTests(TestCase):
    """A real HAProxy in front of two instances, with PROXY v1 and v2."""

    timeout = 60

    @defer.inlineCallbacks
    def test_haproxyInFront(self) -> Any:
        """Both instances serve, and the app sees the client's own address and port."""
        if HAPROXY is None:
            raise self.skipTest("haproxy is not installed (apt-get install haproxy)")
        first = twistd(self, "--listen", "haproxy:tcp:0:interface=127.0.0.1", "--app", "tests.tap_apps:whoami")
        second = twistd(self, "--listen", "haproxy:tcp:0:interface=127.0.0.1", "--app", "tests.tap_apps:whoami")
        ports = yield defer.gatherResults([listeningOn(first), listeningOn(second)])
        front = _freePort()
        config = Path(self.mktemp())
        config.write_text(
            "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
            f"frontend front\n  bind 127.0.0.1:{front}\n  default_backend nodes\n"
            "backend nodes\n  balance roundrobin\n"
            f"  server v1 127.0.0.1:{ports[0][0]} send-proxy\n"
            f"  server v2 127.0.0.1:{ports[1][0]} send-proxy-v2\n"
        )
        proxy = spawn(self, [HAPROXY, "-db", "-f", str(config)], "haproxy")
        yield _untilListening(front, proxy)
        answers = []
        for _ in range(4):
            answers.append((yield _whoami(front)))
        pids = {pid for pid, _, _ in answers}
        self.assertEqual({first.pid, second.pid}, pids)
        for _, seen, own in answers:
            self.assertEqual(own, seen)
        for proc in (first, second, proxy):
            proc.signal("TERM")
        statuses = yield defer.gatherResults([first.exited(), second.exited()])
        self.assertEqual([0, 0], statuses)


def _whoami(port: int) -> defer.Deferred[tuple[int, tuple[str, int], tuple[str, int]]]:
    """Ask through ``port``: (pid, address the app saw, our own address)."""
    received: list[bytes] = []
    done: defer.Deferred[Any] = defer.Deferred()
    client = net.connect(port, "127.0.0.1")
    own: list[tuple[str, int]] = []
    client.on("connect", lambda: own.append((client.localAddress, client.localPort)))
    client.on("data", received.append)
    client.on("error", lambda err: done.called or done.errback(err))

    def onClose(*args: Any) -> None:
        pid, address, remotePort = b"".join(received).split()
        done.callback((int(pid), (address.decode(), int(remotePort)), own[0]))

    client.on("close", onClose)
    return done.addTimeout(WAIT, reactor)


def _freePort() -> int:
    with stdsocket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@defer.inlineCallbacks
def _untilListening(port: int, proc: Process) -> Any:
    """Wait until something accepts on ``port`` (a process without a log line for it)."""
    deadline = time.monotonic() + WAIT
    while True:
        with stdsocket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.ended.called or time.monotonic() > deadline:
            raise AssertionError(f"{proc.name} does not listen: {proc.output.decode(errors='replace')}")
        yield _later(0.05)


def _later(seconds: float) -> defer.Deferred[None]:
    from twisted.internet import task

    return task.deferLater(reactor, seconds, lambda: None)


class SystemdTests(TestCase):
    """``systemd:`` socket activation, simulated: LISTEN_FDS, LISTEN_PID and descriptors 3, 4."""

    timeout = 60

    @defer.inlineCallbacks
    def test_socketActivation(self) -> Any:
        """The inherited TCP and unix sockets are served; the unix path outlives the process."""
        tcpSocket = stdsocket.socket()
        tcpSocket.bind(("127.0.0.1", 0))
        tcpSocket.listen(16)
        # a short absolute path: AF_UNIX paths are limited to 107 bytes
        directory = tempfile.mkdtemp(prefix="nn", dir="/tmp")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "s.sock")
        unixSocket = stdsocket.socket(stdsocket.AF_UNIX)
        unixSocket.bind(path)
        unixSocket.listen(16)
        self.addCleanup(tcpSocket.close)
        self.addCleanup(unixSocket.close)
        os.chmod(path, 0o660)
        port = tcpSocket.getsockname()[1]
        # LISTEN_PID must be the pid of twistd itself: a shell sets it, then execs.
        shell = 'LISTEN_PID=$$ LISTEN_FDS=2 LISTEN_FDNAMES=web:local exec "$@"'
        argv = ["/bin/sh", "-c", shell, "sh", sys.executable, "-c", TWISTD, "-n", "--pidfile=", "--logfile=-",
                "nodenet", "--listen", "systemd:domain=INET:name=web", "--listen", "systemd:domain=UNIX:index=1"]
        proc = spawn(self, argv, "twistd (socket-activated)",
                     childFDs={0: "w", 1: "r", 2: "r", 3: tcpSocket.fileno(), 4: unixSocket.fileno()})
        found = yield listeningOn(proc, 2)
        self.assertEqual([port, path], found)
        answers = yield defer.gatherResults([converse(port, [b"tcp\r\n"]), converse(path, [b"unix\r\n"])])
        self.assertEqual([b"hello\r\ntcp\r\ngoodbye\r\n", b"hello\r\nunix\r\ngoodbye\r\n"], answers)
        proc.signal("TERM")
        self.assertEqual(0, (yield proc.exited()))
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
        self.assertEqual(0o660, stat.S_IMODE(os.stat(path).st_mode))


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A fresh self-signed certificate for localhost: (key file, certificate file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    keyFile, certFile = directory / "key.pem", directory / "cert.pem"
    keyFile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    certFile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return keyFile, certFile
