"""
The server's accept path: the accepted socket that is its connection's
protocol, and the fast path of ``Socket.on``, give the same state and
events as the general code.
"""

from __future__ import annotations

import gc
import json
import math
import shutil
import subprocess
import weakref
from typing import Any

from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

import nodenet as net
from nodenet._protocol import NodeProtocol
from nodenet._socket import Socket
from nodenet.errors import NodeError
from nodenet.events import EventEmitter

from .test_events import _captureWarnings

_MISSING = object()

#: Attributes that name the connection itself, not its state.
_IDENTITY = {"_handle", "_transport", "_events"}


def _stateNames() -> list[str]:
    """Every attribute of a socket's state: its slots and the class defaults."""
    names = set(EventEmitter.__slots__) | set(Socket.__slots__)
    names |= {name for name in vars(Socket) if name.startswith("_") and not callable(vars(Socket)[name])}
    names -= {"__dict__", "__weakref__", "__slots__", "__module__", "__doc__", "__annotations__"}
    return sorted(name for name in names - _IDENTITY if not isinstance(vars(Socket).get(name), property))


def _state(socket: Socket) -> dict[str, Any]:
    return {name: getattr(socket, name, _MISSING) for name in _stateNames()}


def _handle(server: net.Server) -> NodeProtocol:
    """A connection's protocol as Twisted hands it over (connectionMade not yet run)."""
    handle = NodeProtocol(None, server)
    handle.connected = True
    handle.transport = StringTransport()
    return handle


class _Port:
    """Stands for a listening port: the server is listening."""

    def stopListening(self) -> None:
        pass


def _listening(**options: Any) -> net.Server:
    """A server (on a Clock) that takes connections, without a real port."""
    server = net.createServer(options, reactor=Clock())
    server._port = _Port()
    return server


class AcceptedSocketStateTests(SynchronousTestCase):
    """
    A plain server's accepted socket (a ``ServerSocket``, its connection's
    protocol itself) is in the state ``Socket(...)`` then ``_accepted``
    through a ``NodeProtocol`` make.
    """

    def check(self, **options: Any) -> None:
        server = _listening(**options)
        connections: list[Any] = []
        server.on("connection", connections.append)
        fast = server._factory().buildProtocol(None)
        fast.makeConnection(StringTransport())
        general = Socket(
            {"allowHalfOpen": server.allowHalfOpen, "highWaterMark": server.highWaterMark},
            reactor=server._reactor,
        )
        handle = _handle(server)
        general._accepted(handle, handle.transport, server, server.pauseOnConnect)
        self.assertEqual(
            (_state(fast), fast._events, fast._handle is fast, connections),
            (_state(general), general._events, general._handle.socket is general, [fast]),
        )

    def test_defaults(self) -> None:
        """A server with no options."""
        self.check()

    def test_options(self) -> None:
        """A server with every option that bears on its sockets."""
        self.check(
            allowHalfOpen=True,
            pauseOnConnect=True,
            noDelay=True,
            keepAlive=True,
            keepAliveInitialDelay=3000,
            highWaterMark=1024,
        )

    def test_noDictForPlainSockets(self) -> None:
        """An accepted socket has no per-instance dict until a program adds its own attribute."""
        server = _listening()
        server.on("connection", lambda socket: socket.setNoDelay(True).on("data", print))
        socket = server._factory().buildProtocol(None)
        socket.makeConnection(StringTransport())
        before = type(socket).__dictoffset__ != 0 and "__dict__" in dir(socket) and bool(vars(socket))
        socket.custom = 1
        self.assertEqual((before, vars(socket)), (False, {"custom": 1}))


class ServerSocketTests(SynchronousTestCase):
    """The accepted socket as its connection's Twisted protocol."""

    def accept(self, server: net.Server) -> tuple[Any, StringTransport]:
        """One connection, as Twisted's port makes it."""
        transport = StringTransport()
        socket = server._factory().buildProtocol(None)
        socket.makeConnection(transport)
        return socket, transport

    def test_isTheProtocol(self) -> None:
        """
        The socket of ``'connection'`` is a ``net.Socket`` and the
        transport's producer; Twisted's calls reach its events.
        """
        server = _listening()
        trace: list[Any] = []

        def onConnection(socket: Any) -> None:
            socket.setEncoding("utf8")
            for name in ("data", "end", "close"):
                socket.on(name, lambda *a, name=name: trace.append((name, *a)))

        server.on("connection", onConnection)
        socket, transport = self.accept(server)
        producing = (transport.producer is socket, transport.streaming)
        socket.dataReceived(b"hi")
        socket.readConnectionLost()
        server._reactor.advance(0)
        socket.connectionLost(Failure(ConnectionDone()))
        server._reactor.advance(0)

        self.assertEqual((isinstance(socket, net.Socket), producing), (True, (True, True)))
        self.assertEqual(trace, [("data", "hi"), ("end",), ("close", False)])
        self.assertEqual(
            (socket.readyState, socket.destroyed, server._connections), ("closed", True, 0)
        )

    def test_freedOnceClosed(self) -> None:
        """A closed socket does not refer to itself: it is freed without the cycle collector."""
        server = _listening()
        socket, transport = self.accept(server)
        socket.connectionLost(Failure(ConnectionDone()))
        server._reactor.advance(0)
        ref = weakref.ref(socket)
        gc.disable()
        self.addCleanup(gc.enable)
        del socket, transport  # as Twisted lets go of a closed connection
        self.assertIsNone(ref())

    def test_dropped(self) -> None:
        """
        Over ``maxConnections``: ``'drop'``, the transport is closed and no
        longer produced for, and no ``'connection'``; Twisted's later calls
        do nothing.
        """
        server = _listening()
        server.maxConnections = 1
        trace: list[Any] = []
        server.on("connection", lambda s: trace.append("connection"))
        server.on("drop", lambda *a: trace.append(("drop", *a)))
        self.accept(server)
        socket, transport = self.accept(server)
        socket.connectionLost(Failure(ConnectionDone()))
        server._reactor.advance(0)

        self.assertEqual(
            (trace, transport.disconnecting, transport.producer),
            (
                [
                    "connection",
                    (
                        "drop",
                        {
                            "localAddress": "10.0.0.1",
                            "localPort": 12345,
                            "localFamily": "IPv4",
                            "remoteAddress": "192.168.1.1",
                            "remotePort": 54321,
                            "remoteFamily": "IPv4",
                        },
                    ),
                ],
                True,
                None,
            ),
        )
        self.assertEqual((server._connections, socket.server), (1, None))

    def test_serverClosed(self) -> None:
        """A connection accepted once the server closed is hung up on, unseen."""
        server = _listening()
        server._port = None
        trace: list[Any] = []
        server.on("connection", lambda s: trace.append("connection"))
        socket, transport = self.accept(server)
        socket.connectionLost(Failure(ConnectionDone()))
        server._reactor.advance(0)
        self.assertEqual((trace, transport.disconnecting, server._connections), ([], True, 0))

    def test_warningNamesSocket(self) -> None:
        """Node's ``MaxListenersExceededWarning`` names the public class, ``Socket``."""
        server = _listening()
        socket, _ = self.accept(server)
        socket.setMaxListeners(1)
        warnings = _captureWarnings(self)
        socket.on("x", print)
        socket.on("x", print)
        self.assertEqual(
            warnings,
            [
                "Possible EventEmitter memory leak detected. 2 x listeners added to [Socket]. "
                "MaxListeners is 1. Use emitter.setMaxListeners() to increase limit"
            ],
        )


class ListenerFastPathTests(SynchronousTestCase):
    """``Socket.on`` behaves as ``EventEmitter.on`` with Node's socket rules."""

    def test_firstDataListenerStartsFlow(self) -> None:
        """A first ``'data'`` listener makes the socket flow; one for another event does not."""
        a, b = Socket(reactor=Clock()), Socket(reactor=Clock())
        a.on("end", print)
        b.on("data", print)
        self.assertEqual((a.readableFlowing, b.readableFlowing), (None, True))

    def test_pausedStaysPaused(self) -> None:
        """A ``'data'`` listener added after ``pause()`` does not resume the socket."""
        socket = Socket(reactor=Clock())
        socket.pause()
        socket.on("data", print)
        self.assertEqual(socket.readableFlowing, False)

    def test_newListenerSeesEveryAddition(self) -> None:
        """With a ``'newListener'`` listener, each addition is announced before it is stored."""
        socket = Socket(reactor=Clock())
        trace: list[Any] = []
        socket.on("newListener", lambda event, listener: trace.append((event, socket.listenerCount(event))))
        socket.on("data", print)
        socket.addListener("end", print)
        socket.on("data", repr)
        self.assertEqual(
            (trace, socket.listeners("data"), socket.readableFlowing),
            ([("data", 0), ("end", 0), ("data", 1)], [print, repr], True),
        )

    def test_notCallable(self) -> None:
        """A listener that is not a function is refused, as by ``EventEmitter.on``."""
        socket = Socket(reactor=Clock())
        with self.assertRaises(TypeError) as caught:
            socket.on("data", "nope")  # type: ignore[arg-type]
        self.assertEqual(
            (getattr(caught.exception, "code", None), socket.listenerCount("data")),
            ("ERR_INVALID_ARG_TYPE", 0),
        )

    def test_returnsSelfAndOrder(self) -> None:
        """``on`` returns the socket, and listeners run in the order they were added."""
        socket = Socket(reactor=Clock())
        trace: list[str] = []
        result = socket.on("x", lambda: trace.append("first")).on("x", lambda: trace.append("second"))
        socket.emit("x")
        self.assertEqual((result is socket, trace), (True, ["first", "second"]))


class ServerPropertiesTests(SynchronousTestCase):
    """A server's option properties read back as Node's do."""

    def test_keepAliveInitialDelayInSeconds(self) -> None:
        """``keepAliveInitialDelay`` holds whole seconds, as ``~~(ms / 1000)``, never negative."""
        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed: Node is the reference")
        delays = [2500, -2500, 999, 1e13, 0.5, 3000.7, -1, 0]
        script = (
            "const net = require('net');"
            f"console.log(JSON.stringify({json.dumps(delays)}.concat([NaN, Infinity])"
            ".map((d) => net.createServer({keepAliveInitialDelay: d}).keepAliveInitialDelay)))"
        )
        expected = json.loads(subprocess.run([node, "-e", script], capture_output=True, check=True).stdout)
        actual = [
            net.createServer({"keepAliveInitialDelay": d}, reactor=Clock()).keepAliveInitialDelay
            for d in [*delays, math.nan, math.inf]
        ]
        self.assertEqual(expected, actual)

    def test_highWaterMark(self) -> None:
        """
        ``highWaterMark`` reads back as Node's, and a value Node takes but
        then throws about at every accept (a fraction, NaN, Infinity:
        ``new Socket()`` refuses it, from the accept callback, which ends
        the process) raises that same error from ``createServer()``.
        """
        actual: list[dict[str, Any]] = []
        for v in _HWM_VALUES.values():
            try:
                server = net.createServer({"highWaterMark": v}, reactor=Clock())
            except NodeError as e:
                actual.append({"name": e.name, "code": e.code, "message": str(e)})
            else:
                actual.append({"highWaterMark": server.highWaterMark})
        self.assertEqual(_HWM_NODE, actual)
        # An int too large for a float (JavaScript has none) is whole: a limit.
        huge = 10**400
        self.assertEqual(
            (huge, huge),
            (net.createServer({"highWaterMark": huge}, reactor=Clock()).highWaterMark,
             Socket({"highWaterMark": huge}, reactor=Clock()).readableHighWaterMark),
        )

    def test_highWaterMarkIsNodes(self) -> None:
        """``_HWM_NODE`` is what node answers (createServer, then the socket its accept makes)."""
        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed: nothing to compare _HWM_NODE with")
        # Node's accept makes its socket as this does (lib/net.js, onconnection).
        script = (
            "const net = require('net');"
            "const fail = (e) => ({name: e.name, code: e.code, message: e.message});"
            f"console.log(JSON.stringify([{', '.join(_HWM_VALUES)}].map((v) => {{"
            "  let s; try { s = net.createServer({highWaterMark: v}); } catch (e) { return fail(e); }"
            "  const hwm = s.highWaterMark;"
            "  try { new net.Socket({readableHighWaterMark: hwm, writableHighWaterMark: hwm}); }"
            "  catch (e) { return fail(e); }"
            "  return {highWaterMark: hwm};"
            "})))"
        )
        answers = json.loads(subprocess.run([node, "-e", script], capture_output=True, check=True).stdout)
        self.assertEqual(_HWM_NODE, answers)


#: Server ``highWaterMark`` values, as JavaScript spells them and in Python.
_HWM_VALUES: dict[str, Any] = {
    "16384": 16384, "0": 0, "-1": -1, "-Infinity": -math.inf, "2**40": 2**40,
    "1.5": 1.5, "100000.7": 100000.7, "NaN": math.nan, "Infinity": math.inf,
    "true": True, "'1'": "1",
}


def _invalid(shown: str) -> dict[str, str]:
    return {
        "name": "TypeError", "code": "ERR_INVALID_ARG_VALUE",
        "message": f"The property 'options.readableHighWaterMark' is invalid. Received {shown}",
    }


def _wrongType(shown: str) -> dict[str, str]:
    return {
        "name": "TypeError", "code": "ERR_INVALID_ARG_TYPE",
        "message": f'The "options.highWaterMark" property must be of type number. Received {shown}',
    }


#: node v20's answer for each of ``_HWM_VALUES``: the server's
#: ``highWaterMark``, or the error of ``createServer()`` or of its first accept.
_HWM_NODE: list[dict[str, Any]] = [
    {"highWaterMark": 16384}, {"highWaterMark": 0}, {"highWaterMark": 16384},
    {"highWaterMark": 16384}, {"highWaterMark": 2**40},
    _invalid("1.5"), _invalid("100000.7"), _invalid("NaN"), _invalid("Infinity"),
    _wrongType("type boolean (true)"), _wrongType("type string ('1')"),
]
