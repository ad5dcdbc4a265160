"""
``twistd nodenet`` in process: options, ``--app`` resolution, the built-in
apps, the PROXY protocol reader, the listening layer and the statistics line.

The processes themselves are in ``test_tap_twistd``.
"""

from __future__ import annotations

import os
import shutil
import socket as stdsocket
import tempfile
from typing import Any

from twisted.application.service import IServiceMaker
from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.ssl import CertificateOptions
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock, StringTransport
from twisted.logger import Logger
from twisted.protocols.tls import TLSMemoryBIOFactory
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

import nodenet as net
from nodenet import _proxy, _service, apps, tap
from nodenet._listen import ListeningReactor, adoptListening, describeAddress, serverEndpoint
from nodenet._proxy import ProxyHeaderFactory, parseProxyHeader
from nodenet.testing import flush, socketPair

from . import tap_apps


def parse(*args: str) -> tap.Options:
    """Parse a ``twistd nodenet`` command line."""
    options = tap.Options()
    options.parseOptions(list(args))
    return options


class OptionsTests(SynchronousTestCase):
    """The command line."""

    def test_defaults(self) -> None:
        """Without options: the echo app on 127.0.0.1:8124, a 5 s shutdown, no workers."""
        options = parse()
        self.assertEqual(
            (["tcp:8124:interface=127.0.0.1"], "echo", None, None, 5000, None, None),
            (
                options["listen"],
                options["app"],
                options["workers"],
                options["max-connections"],
                options["shutdown-timeout"],
                options["timeout"],
                options["keep-alive"],
            ),
        )
        self.assertEqual(("listener", apps.echo), (options.app.kind, options.app.target))
        self.assertEqual({}, _service.serverOptions(options))

    def test_everyServerOption(self) -> None:
        """Each flag becomes the matching net.Server option."""
        options = parse(
            "--allow-half-open", "--pause-on-connect", "--no-delay", "--keep-alive=1500",
            "--max-connections", "7", "--timeout", "250", "-l", "tcp:0", "--listen", "unix:/tmp/x.sock",
        )
        self.assertEqual(
            {
                "allowHalfOpen": True,
                "pauseOnConnect": True,
                "noDelay": True,
                "keepAlive": True,
                "keepAliveInitialDelay": 1500.0,
                "maxConnections": 7,
            },
            _service.serverOptions(options),
        )
        self.assertEqual((["tcp:0", "unix:/tmp/x.sock"], 250), (options["listen"], options["timeout"]))

    def test_keepAliveWithoutDelay(self) -> None:
        """``--keep-alive`` alone enables keep-alive with no initial delay."""
        self.assertEqual(
            {"keepAlive": True, "keepAliveInitialDelay": 0.0}, _service.serverOptions(parse("--keep-alive"))
        )

    def test_badNumbers(self) -> None:
        """Numbers are checked: no negative milliseconds, no zero connection limit."""
        for args in (
            ["--keep-alive=soon"],
            ["--keep-alive=-1"],
            ["--max-connections", "0"],
            ["--timeout", "-5"],
            ["--workers", "many"],
        ):
            self.assertRaises(usage.UsageError, parse, *args)

    def test_workersZeroMeansEveryCore(self) -> None:
        """``--workers 0`` is one worker per core."""
        self.assertEqual(tap.cpuCount(), parse("--workers", "0")["workers"])
        self.assertEqual(3, parse("--workers", "3")["workers"])

    def test_argvKeptForWorkers(self) -> None:
        """The arguments are kept as given, for the workers to parse again."""
        args = ["--keep-alive=10", "--workers", "2", "--app", "hello"]
        self.assertEqual(args, parse(*args).argv)

    def test_badListenDescription(self) -> None:
        """A description Twisted cannot parse is a usage error naming it."""
        error = self.assertRaises(usage.UsageError, parse, "--listen", "tcp:notaport")
        self.assertIn("--listen tcp:notaport:", str(error))

    def test_oneServerObjectListensOnce(self) -> None:
        """A net.Server object cannot serve two descriptions."""
        error = self.assertRaises(
            usage.UsageError, parse, "--app", "tests.tap_apps:instance", "-l", "tcp:0", "-l", "tcp:0"
        )
        self.assertIn("listens once", str(error))

    def test_plugin(self) -> None:
        """The plugin file declares one service maker, for tap ``nodenet``."""
        path = os.path.join(os.path.dirname(__file__), "..", "twisted", "plugins", "nodenet_plugin.py")
        namespace: dict[str, Any] = {}
        with open(path) as f:
            exec(compile(f.read(), path, "exec"), namespace)
        makers = [v for v in namespace.values() if IServiceMaker.providedBy(v)]
        self.assertEqual(["nodenet"], [m.tapname for m in makers])
        self.assertIs(tap.Options, makers[0].options)
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(path), "__init__.py")))
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(path), "..", "__init__.py")))


class ResolveAppTests(SynchronousTestCase):
    """``--app``: what it accepts, and the message when it cannot."""

    def test_kinds(self) -> None:
        """Built-ins and listeners are listeners; servers are used; factories are called."""
        resolved = [
            (a.kind, a.target)
            for a in map(
                _service.resolveApp,
                ["hello", "discard", "tests.tap_apps:whoami", "tests.tap_apps:instance",
                 "tests.tap_apps:makeServer", "nodenet:Server"],
            )
        ]
        self.assertEqual(
            [
                ("listener", apps.hello),
                ("listener", apps.discard),
                ("listener", tap_apps.whoami),
                ("server", tap_apps.instance),
                ("factory", tap_apps.makeServer),
                ("factory", net.Server),
            ],
            resolved,
        )

    def test_dottedName(self) -> None:
        """NAME may go through attributes."""
        self.assertIs(apps.echo, _service.resolveApp("nodenet:apps.echo").target)

    def test_errors(self) -> None:
        """Each wrong ``--app`` is a usage error with a readable reason."""
        cases = {
            "echoo": "--app takes MODULE:NAME or one of echo, hello, discard, not 'echoo'",
            "tests.tap_apps:": "--app takes MODULE:NAME",
            "no_such_module_at_all:app": "--app no_such_module_at_all:app: no module named 'no_such_module_at_all'",
            "tests.no_such_module:app": "no module named 'tests.no_such_module'",
            "tests.tap_apps:missing": "--app tests.tap_apps:missing: tests.tap_apps has no attribute 'missing'",
            "tests.tap_apps:notCallable": "--app tests.tap_apps:notCallable is 42: not a connection listener",
            "shutil:copyfile": "takes 2 arguments",
        }
        for spec, message in cases.items():
            error = self.assertRaises(usage.UsageError, _service.resolveApp, spec)
            self.assertIn(message, str(error), spec)

    def test_factoryMustReturnAServer(self) -> None:
        """A factory returning something else fails when the server is made."""
        app = _service.resolveApp("tests.tap_apps:broken")
        error = self.assertRaises(TypeError, app.makeServer, {}, Clock())
        self.assertIn("returned 42, not a net.Server", str(error))

    def test_optionsApplyToEveryKind(self) -> None:
        """Command-line server options reach servers made from every kind of app."""
        options = {"allowHalfOpen": True, "noDelay": True, "maxConnections": 3}
        for spec in ("echo", "tests.tap_apps:makeServer"):
            server = _service.resolveApp(spec).makeServer(options, Clock())
            self.assertEqual(
                (True, True, 3, False), (server.allowHalfOpen, server.noDelay, server.maxConnections, server.keepAlive)
            )


class AppTests(SynchronousTestCase):
    """The built-in apps, over an in-memory socket pair."""

    def converse(self, app: Any, send: list[bytes], end: bool = True, timeout: int = 0) -> tuple[bytes, bool]:
        """Run ``app`` on the server side; what the client got, and whether it was ended."""
        clock = Clock()
        client, server = socketPair(clock)
        if timeout:
            server.setTimeout(timeout)
        app(server)
        received: list[bytes] = []
        ended: list[bool] = []
        client.on("data", received.append)
        client.on("end", lambda: ended.append(True))
        for chunk in send:
            client.write(chunk)
        if end:
            client.end()
        flush(clock)
        if timeout:
            clock.advance(timeout / 1000)
            flush(clock)
        return b"".join(received), bool(ended)

    def test_echo(self) -> None:
        """echo: hello, the bytes back (not decoded), goodbye on end."""
        self.assertEqual(
            (b"hello\r\n\xff\x00ping\r\ngoodbye\r\n", True), self.converse(apps.echo, [b"\xff\x00", b"ping\r\n"])
        )

    def test_hello(self) -> None:
        """hello: Hello World!, then the socket piped to itself."""
        self.assertEqual((b"Hello World!\r\nabc", True), self.converse(apps.hello, [b"abc"]))

    def test_discard(self) -> None:
        """discard: nothing back; ends when the client ends."""
        self.assertEqual((b"", True), self.converse(apps.discard, [b"x" * 100000]))

    def test_idleSocketsEnd(self) -> None:
        """Every built-in app ends a socket once its idle timeout fires."""
        for app, greeting in ((apps.echo, b"hello\r\n"), (apps.hello, b"Hello World!\r\n"), (apps.discard, b"")):
            self.assertEqual((greeting, True), self.converse(app, [], end=False, timeout=500))
            self.assertEqual((greeting, False), self.converse(app, [], end=False))


class ParseProxyHeaderTests(SynchronousTestCase):
    """PROXY protocol headers, v1 and v2."""

    def test_v1(self) -> None:
        """Version 1 lines, for IPv4, IPv6 and UNKNOWN, keep what follows them."""
        self.assertEqual(
            (IPv4Address("TCP", "203.0.113.7", 40000), IPv4Address("TCP", "198.51.100.1", 443), b"GET"),
            parseProxyHeader(b"PROXY TCP4 203.0.113.7 198.51.100.1 40000 443\r\nGET"),
        )
        self.assertEqual(
            (IPv6Address("TCP", "2001:db8::1", 1), IPv6Address("TCP", "::1", 2), b""),
            parseProxyHeader(b"PROXY TCP6 2001:db8::1 ::1 1 2\r\n"),
        )
        self.assertEqual((None, None, b"x"), parseProxyHeader(b"PROXY UNKNOWN whatever\r\nx"))

    def test_v2(self) -> None:
        """Version 2 blocks for IPv4, IPv6, unix and LOCAL; TLVs are skipped."""
        sig = b"\r\n\r\n\x00\r\nQUIT\n"
        v4 = stdsocket.inet_aton("10.0.0.1") + stdsocket.inet_aton("10.0.0.2") + (1234).to_bytes(2, "big")
        v4 += (80).to_bytes(2, "big") + b"\x03\x00\x01\x00"
        self.assertEqual(
            (IPv4Address("TCP", "10.0.0.1", 1234), IPv4Address("TCP", "10.0.0.2", 80), b"rest"),
            parseProxyHeader(sig + b"\x21\x11" + len(v4).to_bytes(2, "big") + v4 + b"rest"),
        )
        v6 = stdsocket.inet_pton(stdsocket.AF_INET6, "2001:db8::5") + stdsocket.inet_pton(stdsocket.AF_INET6, "::1")
        v6 += (5).to_bytes(2, "big") + (6).to_bytes(2, "big")
        self.assertEqual(
            (IPv6Address("TCP", "2001:db8::5", 5), IPv6Address("TCP", "::1", 6), b""),
            parseProxyHeader(sig + b"\x21\x21" + len(v6).to_bytes(2, "big") + v6),
        )
        unix = b"/a".ljust(108, b"\0") + b"/b".ljust(108, b"\0")
        self.assertEqual(
            (UNIXAddress(b"/a"), UNIXAddress(b"/b"), b""),
            parseProxyHeader(sig + b"\x21\x31" + len(unix).to_bytes(2, "big") + unix),
        )
        self.assertEqual((None, None, b"z"), parseProxyHeader(sig + b"\x20\x00\x00\x00z"))

    def test_incomplete(self) -> None:
        """Every proper beginning of a header asks for more."""
        for header in (
            b"PROXY TCP4 203.0.113.7 198.51.100.1 40000 443\r\n",
            b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" + bytes(12),
        ):
            for size in range(len(header)):
                self.assertIsNone(parseProxyHeader(header[:size]), (header, size))

    def test_invalid(self) -> None:
        """Anything else is refused."""
        for data in (
            b"GET / HTTP/1.1\r\n",
            b"PROXY TCP4 1.2.3 4.5.6.7 1 2\r\n",
            b"PROXY TCP4 1.2.3.4 4.5.6.7 1 99999\r\n",
            b"PROXY TCP4 1.2.3.4 4.5.6.7 01 2\r\n",
            b"PROXY TCP5 1.2.3.4 4.5.6.7 1 2\r\n",
            b"PROXY " + b"1" * 120,
            b"\r\n\r\n\x00\r\nQUIT\n\x31\x11\x00\x00",
            b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x04abcd",
        ):
            self.assertRaises(ValueError, parseProxyHeader, data)


class _Recorder(Protocol):
    """Records what the real protocol sees."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def connectionMade(self) -> None:
        transport: Any = self.transport
        self.events.append(("connected", transport.getPeer(), transport.getHost()))

    def dataReceived(self, data: bytes) -> None:
        self.events.append(("data", data))


class ProxyHeaderFactoryTests(SynchronousTestCase):
    """The header reader in front of a factory."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.recorder = _Recorder()
        inner = Factory.forProtocol(lambda: self.recorder)
        self.factory = ProxyHeaderFactory(inner, self.clock)
        self.transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 5555))
        self.reader: Any = self.factory.buildProtocol(None)  # type: ignore[arg-type]
        self.transport.protocol = self.reader  # type: ignore[attr-defined]
        self.reader.makeConnection(self.transport)

    def test_handsOverAfterTheHeader(self) -> None:
        """The real protocol connects after the header, sees its addresses, then the data."""
        self.reader.dataReceived(b"PROXY TCP4 203.0.113.7 198.51.")
        self.assertEqual([], self.recorder.events)
        self.reader.dataReceived(b"100.1 40000 443\r\nfirst")
        self.assertEqual(
            [
                ("connected", IPv4Address("TCP", "203.0.113.7", 40000), IPv4Address("TCP", "198.51.100.1", 443)),
                ("data", b"first"),
            ],
            self.recorder.events,
        )
        self.assertIs(self.recorder, self.transport.protocol)  # type: ignore[attr-defined]
        self.assertEqual([], self.clock.getDelayedCalls())

    def test_localKeepsTheRealAddresses(self) -> None:
        """A header without addresses (a health check) leaves the connection's own."""
        self.reader.dataReceived(b"PROXY UNKNOWN\r\n")
        self.assertEqual(
            [("connected", IPv4Address("TCP", "127.0.0.1", 5555), self.transport.getHost())], self.recorder.events
        )

    def test_notAHeader(self) -> None:
        """Anything but a header closes the connection; the real protocol never sees it."""
        self.reader.dataReceived(b"GET / HTTP/1.0\r\n")
        self.assertEqual(([], True), (self.recorder.events, self.transport.disconnecting))
        self.assertEqual([], self.clock.getDelayedCalls())

    def test_headerTimeout(self) -> None:
        """A connection that sends no header in time is closed."""
        self.clock.advance(_proxy.HEADER_TIMEOUT)
        self.assertEqual(([], True), (self.recorder.events, self.transport.disconnecting))

    def test_logPrefix(self) -> None:
        """Logs name the wrapped factory, marked as proxied."""
        self.assertEqual("Factory (PROXY)", self.factory.logPrefix())


class ListeningTests(SynchronousTestCase):
    """Descriptions become ports on the reactor given, wrapped as asked."""

    def listen(self, description: str, adopt: int | None = None) -> tuple[MemoryReactorClock, Any]:
        reactor = MemoryReactorClock()
        inner = Factory.forProtocol(Protocol)
        results: list[Any] = []
        serverEndpoint(reactor, description, adopt=adopt).listen(inner).addBoth(results.append)
        return reactor, results[0]

    def test_tcp(self) -> None:
        """``tcp:`` reaches listenTCP with its port, backlog and interface."""
        reactor, _ = self.listen("tcp:8124:interface=127.0.0.1:backlog=7")
        port, factory, backlog, interface = reactor.tcpServers[0]
        self.assertEqual((8124, 7, "127.0.0.1"), (port, backlog, interface))
        self.assertIsInstance(factory, Factory)

    def test_haproxyWrapsTheFactory(self) -> None:
        """``haproxy:`` puts the header reader in front of the factory."""
        reactor, _ = self.listen("haproxy:tcp:8124")
        self.assertIsInstance(reactor.tcpServers[0][1], ProxyHeaderFactory)

    def test_ssl(self) -> None:
        """``listenSSL`` is Twisted's TLS over listenTCP; with ``haproxy:`` the header comes first."""
        listening = ListeningReactor(MemoryReactorClock(), proxyHeader=True)
        listening.listenSSL(443, Factory(), CertificateOptions(), 9, "::")
        port, factory, backlog, interface = listening._reactor.tcpServers[0]
        self.assertEqual((443, 9, "::"), (port, backlog, interface))
        self.assertIsInstance(factory, ProxyHeaderFactory)
        self.assertIsInstance(factory.wrappedFactory, TLSMemoryBIOFactory)

    def test_sslLeftToNodenet(self) -> None:
        """With ``secure``, ``ssl:`` listens in plain TCP and hands over its TLS settings."""
        told: list[Any] = []
        reactor = MemoryReactorClock()
        inner = Factory.forProtocol(Protocol)
        contextFactory = CertificateOptions()
        ListeningReactor(reactor, proxyHeader=True, secure=told.append).listenSSL(443, inner, contextFactory)
        port, factory, backlog, interface = reactor.tcpServers[0]
        self.assertEqual(([contextFactory], 443), (told, port))
        self.assertIsInstance(factory, ProxyHeaderFactory)
        self.assertIs(inner, factory.wrappedFactory)

    def test_adoptReplacesEveryBind(self) -> None:
        """A worker adopts its descriptor, whatever the description binds."""
        sock = stdsocket.socket()
        self.addCleanup(sock.close)
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        for description in ("tcp:8124", "unix:/nonexistent/x.sock", "systemd:domain=INET:index=5"):
            reactor, _ = self.listen(description, adopt=sock.fileno())
            self.assertEqual(([], []), (reactor.tcpServers, reactor.unixServers))
            self.assertEqual(1, len(reactor.adoptedPorts), description)
            self.assertEqual((sock.fileno(), stdsocket.AF_INET), reactor.adoptedPorts[0][:2])

    def test_adoptedUnixSocketStays(self) -> None:
        """An adopted unix socket keeps its path and mode when its port stops."""
        directory = tempfile.mkdtemp(prefix="nn", dir="/tmp")  # short: AF_UNIX limit
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "s.sock")
        sock = stdsocket.socket(stdsocket.AF_UNIX)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.listen(1)
        os.chmod(path, 0o640)
        reactor = MemoryReactorClock()
        port: Any = adoptListening(reactor, sock.fileno(), Factory.forProtocol(Protocol))
        self.assertEqual(UNIXAddress(path.encode()), UNIXAddress(port.getHost().name))
        port.stopListening()
        reactor.advance(0)
        self.assertEqual(0o640, os.stat(path).st_mode & 0o777)

    def test_describeAddress(self) -> None:
        """Log lines show host:port, [v6]:port, or the path."""
        self.assertEqual(
            ["127.0.0.1:80", "[::1]:81", "/run/x.sock"],
            [
                describeAddress(IPv4Address("TCP", "127.0.0.1", 80)),
                describeAddress(IPv6Address("TCP", "::1", 81)),
                describeAddress(UNIXAddress(b"/run/x.sock")),
            ],
        )


class StatsTests(SynchronousTestCase):
    """The per-minute line."""

    def test_reportEveryInterval(self) -> None:
        """Each interval logs connections open, accepted and dropped since the last line."""
        events: list[dict[str, Any]] = []
        self.patch(_service, "_log", Logger(namespace="nodenet", observer=events.append))
        clock = Clock()
        stats = _service.StatsService(clock)
        server = net.Server(reactor=clock)
        stats.watch(server)
        stats.startService()
        server.emit("connection", object())
        server.emit("connection", object())
        server.emit("drop", {})
        clock.advance(59)
        self.assertEqual([], events)
        clock.advance(1)
        server.emit("connection", object())
        clock.advance(60)
        stats.stopService()
        self.assertEqual([], clock.getDelayedCalls())
        self.assertEqual(
            [(0, 2, 1), (0, 1, 0)], [(e["open"], e["accepted"], e["dropped"]) for e in events]
        )
        from twisted.logger import formatEvent

        self.assertEqual(
            "Connections: 0 open, 2 accepted, 1 dropped in the last 60 s", formatEvent(events[0])
        )


class BuildServiceTests(SynchronousTestCase):
    """The service tree for one process."""

    def test_oneServerPerListen(self) -> None:
        """Each ``--listen`` gets its own server, listening at start-up and closed at stop."""
        options = parse("-l", "tcp:0", "-l", "tcp:1234:interface=127.0.0.1", "--max-connections", "5")
        reactor = MemoryReactorClock()
        top = _service.buildService(options, reactor, signals=False)
        children: list[Any] = list(top)
        self.assertEqual(
            ["ServerService", "ServerService", "StatsService"], [type(s).__name__ for s in children]
        )
        top.privilegedStartService()
        top.startService()
        self.assertEqual([(0, ""), (1234, "127.0.0.1")], [(p[0], p[3]) for p in reactor.tcpServers])
        servers = [s.server for s in children[:2]]
        self.assertIsNot(servers[0], servers[1])
        self.assertEqual([(True, 5), (True, 5)], [(s.listening, s.maxConnections) for s in servers])
        stopped = top.stopService()
        reactor.advance(0)
        self.successResultOf(stopped)
        self.assertEqual([False, False], [s.listening for s in servers])
        self.assertEqual([], reactor.getDelayedCalls())

    def test_workersMakeAParent(self) -> None:
        """With ``--workers`` the tree is the cluster's parent and its signal handling."""
        top = _service.buildService(parse("--workers", "2"), MemoryReactorClock())
        self.assertEqual(["ClusterService", "StopSignals"], [type(s).__name__ for s in top])


class _FakeReactor:
    """Just enough reactor for StopSignals."""

    running = True

    def __init__(self) -> None:
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


class StopSignalsTests(SynchronousTestCase):
    """SIGTERM and SIGINT."""

    def test_firstStopsThenHurries(self) -> None:
        """The first signal stops the reactor; each further one hurries the stop; stop() is once only."""
        reactor = _FakeReactor()
        again: list[int] = []
        stopper = _service.StopSignals(reactor, again.append)
        stopper.receive(15)
        stopper.stop(2)
        self.assertEqual((1, 15, []), (reactor.stops, stopper.received, again))
        stopper.receive(2)
        stopper.hurry(15)
        self.assertEqual((1, [2, 15]), (reactor.stops, again))


class PublicSurfaceTests(SynchronousTestCase):
    """``nodenet.tap`` and ``nodenet.apps``: what they export, documented."""

    def test_everyPublicNameDocumented(self) -> None:
        """Every name in ``__all__`` exists and has a docstring."""
        for module in (tap, apps):
            for name in module.__all__:
                obj = getattr(module, name)
                if callable(obj):
                    self.assertTrue(obj.__doc__, f"{module.__name__}.{name}")
