"""
Integration tests of nodenet over the real kernel: connect and listen errors.

Expected traces, messages and fields are Node v20's, measured by running the
same scenarios under ``node``.  ``errno`` is Python's positive number (Node's
is its negation).
"""

from __future__ import annotations

import errno
from typing import Any

from twisted.internet.defer import DeferredList

import nodenet as net
from nodenet.errors import NodeError

from .test_loopback import HAS_IPV6, LoopbackTestCase, errorFields, nextEvent


class ConnectErrorTests(LoopbackTestCase):
    """Failed connections: refused ports, unknown hosts, and lookups."""

    async def assertRefused(self, host: str, family: int) -> None:
        """Connecting to a closed port on ``host`` gives Node's whole trace and error."""
        port = await self.closedPort(host)
        client, trace = self.connect(port, host)
        now = (client.readyState, client.pending, client.connecting, client.destroyed)
        await trace.closed()

        self.assertEqual(now, ("opening", True, True, False))
        self.assertEqual(
            trace.names(), ["connectionAttempt", "connectionAttemptFailed", "error", "close"]
        )
        attemptFailedErr = trace.events[1][1][3]
        err = trace.events[2][1][0]
        self.assertEqual(
            trace.events,
            [
                ("connectionAttempt", (host, port, family)),
                ("connectionAttemptFailed", (host, port, family, err)),
                ("error", (err,)),
                ("close", (True,)),
            ],
        )
        self.assertIs(attemptFailedErr, err)
        self.assertEqual(
            trace.states,
            [
                ("connectionAttempt", "opening"),
                ("connectionAttemptFailed", "open"),
                ("error", "closed"),
                ("close", "closed"),
            ],
        )
        self.assertIsInstance(err, ConnectionRefusedError)
        self.assertEqual(
            errorFields(err),
            {
                "message": f"connect ECONNREFUSED {host}:{port}",
                "code": "ECONNREFUSED",
                "errno": errno.ECONNREFUSED,
                "syscall": "connect",
                "address": host,
                "port": port,
            },
        )
        self.assertEqual(
            (client.destroyed, client.pending, client.connecting), (True, True, False)
        )

    async def test_refusedIPv4(self) -> None:
        """A refused connection to 127.0.0.1: ``connect ECONNREFUSED 127.0.0.1:P``."""
        await self.assertRefused("127.0.0.1", 4)

    async def test_refusedIPv6(self) -> None:
        """A refused connection to ::1: ``connect ECONNREFUSED ::1:P``."""
        if not HAS_IPV6:
            raise self.skipTest("no IPv6")
        await self.assertRefused("::1", 6)

    async def test_refusedWithQueuedWrites(self) -> None:
        """
        A refused connection with a queued ``write(data, cb)`` and
        ``end(cb)``: ``'error'``, ``close(True)``, then the write callback
        gets ``ERR_SOCKET_CLOSED_BEFORE_CONNECTION`` and the end callback the
        connect error itself.
        """
        ping = await self.pinger()
        port = await self.closedPort()
        client, trace = self.connect(port, "127.0.0.1")
        order: list[Any] = []
        client.on("error", lambda err: order.append(("error", err)))
        client.on("close", lambda hadError: order.append(("close", hadError)))
        wrote = client.write("abc", lambda *a: order.append(("write cb", a)))
        client.end(lambda *a: order.append(("end cb", a)))
        await trace.closed()
        await ping(2)

        self.assertTrue(wrote)
        self.assertEqual(
            trace.names(), ["connectionAttempt", "connectionAttemptFailed", "error", "close"]
        )
        self.assertEqual(
            trace.states,
            [
                ("connectionAttempt", "opening"),
                ("connectionAttemptFailed", "readOnly"),
                ("error", "closed"),
                ("close", "closed"),
            ],
        )
        err = order[0][1]
        self.assertEqual(err.code, "ECONNREFUSED")
        self.assertEqual([entry[0] for entry in order], ["error", "close", "write cb", "end cb"])
        self.assertEqual(order[1], ("close", True))
        (writeErr,) = order[2][1]
        self.assertEqual(
            (writeErr.code, str(writeErr)),
            (
                "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
                "Socket closed before the connection was established",
            ),
        )
        self.assertEqual(order[3], ("end cb", (err,)))

    async def test_reconnectAfterClose(self) -> None:
        """
        A socket whose connection was refused can ``connect()`` again: it
        returns the socket, starts over (``'opening'``, not destroyed,
        counters at 0) and goes through a normal connection.
        """
        ping = await self.pinger()
        port = await self.closedPort()
        client, trace = self.connect(port, "127.0.0.1")
        await trace.closed()
        server, _, accepted = await self.listening(port, "127.0.0.1")
        server.on("connection", lambda s: s.end("hello"))
        mark = len(trace.events)
        closed = nextEvent(client, "close")
        result = client.connect(port, "127.0.0.1")
        now = (result is client, client.readyState, client.destroyed, client.bytesRead,
               client.bytesWritten)
        serverTrace = await accepted.get(0)
        await nextEvent(serverTrace.emitter, "finish")
        await self.within(closed, ping)
        events = trace.events[mark:]
        state = (client.readableFlowing, client.readableLength)
        client.destroy()
        await DeferredList([trace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(now, (True, "opening", False, 0, 0))
        self.assertEqual(
            events,
            [
                ("connectionAttempt", ("127.0.0.1", port, 4)),
                ("connect", ()),
                ("ready", ()),
                ("data", (b"hello",)),
                ("end", ()),
                ("finish", ()),
                ("close", (False,)),
            ],
        )
        self.assertEqual((client.bytesRead, state), (5, (True, 0)))

    async def test_happyEyeballsFallsBack(self) -> None:
        """
        A host resolving to ``::1`` and ``127.0.0.1`` (custom ``lookup``)
        with a server on 127.0.0.1 only: one ``'lookup'`` per address, the
        ``::1`` attempt fails (readyState stays ``'opening'``), the
        127.0.0.1 attempt connects.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.end())
        port = server.address()["port"]
        lookups: list[Any] = []

        def lookup(host: str, options: dict[str, Any], callback: Any) -> None:
            lookups.append((host, options.get("hints"), options.get("all")))
            callback(None, [{"address": "::1", "family": 6}, {"address": "127.0.0.1", "family": 4}])

        client, trace = self.connect({"port": port, "host": "dual.test", "lookup": lookup})
        serverTrace = await accepted.get(0)
        await DeferredList([trace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(lookups, [("dual.test", 32, True)])
        names = trace.names()
        self.assertEqual(
            names,
            ["lookup", "lookup", "connectionAttempt", "connectionAttemptFailed",
             "connectionAttempt", "connect", "ready", "end", "finish", "close"],
        )
        err = trace.events[3][1][3]
        self.assertEqual(
            trace.events[:5],
            [
                ("lookup", (None, "::1", 6, "dual.test")),
                ("lookup", (None, "127.0.0.1", 4, "dual.test")),
                ("connectionAttempt", ("::1", port, 6)),
                ("connectionAttemptFailed", ("::1", port, 6, err)),
                ("connectionAttempt", ("127.0.0.1", port, 4)),
            ],
        )
        self.assertEqual(
            [state for _, state in trace.states[:5]], ["opening"] * 5
        )
        self.assertEqual(
            (str(err), err.code), (f"connect ECONNREFUSED ::1:{port}", "ECONNREFUSED")
        )
        self.assertEqual(
            client.autoSelectFamilyAttemptedAddresses, [f"::1:{port}", f"127.0.0.1:{port}"]
        )

    async def test_localAddressAndPort(self) -> None:
        """``localAddress``/``localPort`` options bind the client's end before connecting."""
        localPort = await self.closedPort()
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client, trace = await self.connected(
            {"port": port, "host": "127.0.0.1", "localAddress": "127.0.0.1",
             "localPort": localPort}
        )
        serverTrace = await accepted.get(0)
        seen = (client.localAddress, client.localPort, serverTrace.emitter.remotePort)
        client.end()
        await DeferredList([trace.closed(), serverTrace.closed()])
        await self.closeServer(server)
        self.assertEqual(seen, ("127.0.0.1", localPort, localPort))

    async def test_refusedWithLocalDetails(self) -> None:
        """
        A refused connection made with ``localAddress`` and ``localPort``:
        the message ends with `` - Local (127.0.0.1:LP)`` and the error
        carries both.
        """
        localPort = await self.closedPort()
        port = await self.closedPort()
        client, trace = self.connect(
            {"port": port, "host": "127.0.0.1", "localAddress": "127.0.0.1",
             "localPort": localPort}
        )
        await trace.closed()

        self.assertEqual(
            trace.names(), ["connectionAttempt", "connectionAttemptFailed", "error", "close"]
        )
        err = trace.events[2][1][0]
        self.assertIs(trace.events[1][1][3], err)
        self.assertEqual(
            dict(errorFields(err), localAddress=err.localAddress, localPort=err.localPort),
            {
                "message": f"connect ECONNREFUSED 127.0.0.1:{port} - Local (127.0.0.1:{localPort})",
                "code": "ECONNREFUSED",
                "errno": errno.ECONNREFUSED,
                "syscall": "connect",
                "address": "127.0.0.1",
                "port": port,
                "localAddress": "127.0.0.1",
                "localPort": localPort,
            },
        )

    async def test_bindErrorForNonLocalAddress(self) -> None:
        """
        ``localAddress`` that this host does not have: the bind fails before
        any attempt, so the trace is only ``'error'`` (``bind EADDRNOTAVAIL
        192.0.2.1``, syscall ``'bind'``) and ``close(True)``.
        """
        port = await self.closedPort()
        client, trace = self.connect(
            {"port": port, "host": "127.0.0.1", "localAddress": "192.0.2.1"}
        )
        await trace.closed()

        err = trace.events[-2][1][0] if len(trace.events) > 1 else None
        self.assertEqual(trace.events, [("error", (err,)), ("close", (True,))])
        self.assertEqual(trace.states, [("error", "closed"), ("close", "closed")])
        self.assertEqual(
            errorFields(err),  # type: ignore[arg-type]
            {
                "message": "bind EADDRNOTAVAIL 192.0.2.1",
                "code": "EADDRNOTAVAIL",
                "errno": errno.EADDRNOTAVAIL,
                "syscall": "bind",
                "address": "192.0.2.1",
                "port": None,
            },
        )

    async def test_unresolvableHost(self) -> None:
        """
        A ``.invalid`` host: ``'lookup'`` with the error, then ``'error'``
        ENOTFOUND (with ``hostname``) and ``close(True)``; no attempt at all.
        """
        host = "nonexistent.invalid"
        client, trace = self.connect({"port": 80, "host": host})
        await trace.closed()

        err = trace.events[0][1][0]
        self.assertEqual(
            trace.events,
            [("lookup", (err, None, None, host)), ("error", (err,)), ("close", (True,))],
        )
        self.assertEqual(
            trace.states, [("lookup", "opening"), ("error", "closed"), ("close", "closed")]
        )
        self.assertIsInstance(err, OSError)
        self.assertEqual(
            (str(err), err.code, err.syscall, err.hostname, err.address, err.port),
            (f"getaddrinfo ENOTFOUND {host}", "ENOTFOUND", "getaddrinfo", host, None, None),
        )
        self.assertTrue(client.destroyed)

    async def lookupTrace(self, *connectArgs: Any) -> tuple[int, list[Any], list[Any]]:
        """Connect with ``connectArgs(port)`` to a server that ends at once."""
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.end())
        port = server.address()["port"]
        args = [port if a is None else a for a in connectArgs]
        if isinstance(args[0], dict):
            args[0] = dict(args[0], port=port)
        client, trace = self.connect(*args)
        serverTrace = await accepted.get(0)
        await DeferredList([trace.closed(), serverTrace.closed()])
        await self.closeServer(server)
        return port, trace.events, trace.states

    async def test_localhostLookup(self) -> None:
        """
        ``host: 'localhost'`` emits ``'lookup'(None, '127.0.0.1', 4,
        'localhost')`` before the attempt.
        """
        port, events, states = await self.lookupTrace({"host": "localhost"})
        self.assertEqual(
            events,
            [
                ("lookup", (None, "127.0.0.1", 4, "localhost")),
                ("connectionAttempt", ("127.0.0.1", port, 4)),
                ("connect", ()),
                ("ready", ()),
                ("end", ()),
                ("finish", ()),
                ("close", (False,)),
            ],
        )
        self.assertEqual(
            states,
            [
                ("lookup", "opening"),
                ("connectionAttempt", "opening"),
                ("connect", "open"),
                ("ready", "open"),
                ("end", "writeOnly"),
                ("finish", "closed"),
                ("close", "closed"),
            ],
        )

    async def test_defaultHostIsLocalhost(self) -> None:
        """``connect(port)`` with no host looks up ``'localhost'``."""
        port, events, _ = await self.lookupTrace(None)
        self.assertEqual(
            events[:2],
            [
                ("lookup", (None, "127.0.0.1", 4, "localhost")),
                ("connectionAttempt", ("127.0.0.1", port, 4)),
            ],
        )


class ListenErrorTests(LoopbackTestCase):
    """Listen failures are asynchronous ``'error'`` events with Node's fields."""

    async def test_addressInUse(self) -> None:
        """
        A busy port on 127.0.0.1: ``'error'`` (not raised, not synchronous)
        ``listen EADDRINUSE: address already in use 127.0.0.1:P``, no
        ``'close'``; the listen callback stays registered and runs with a
        later successful ``listen()``.
        """
        busy, _, _ = await self.listening(0, "127.0.0.1")
        port = busy.address()["port"]
        server, trace, _ = self.server()
        calls: list[str] = []
        server.listen(port, "127.0.0.1", lambda: calls.append("first"))
        now = (server.listening, trace.names())
        (err,) = await nextEvent(server, "error")
        after = (server.listening, server.address())
        listening = net.once(server, "listening")
        server.listen(0, "127.0.0.1", lambda: calls.append("second"))
        await listening
        await self.closeServer(server)
        await self.closeServer(busy)

        self.assertEqual(now, (False, []))
        self.assertEqual(after, (False, None))
        self.assertEqual(trace.names(), ["error", "listening", "close"])
        self.assertEqual(calls, ["first", "second"])
        self.assertEqual(
            errorFields(err),
            {
                "message": f"listen EADDRINUSE: address already in use 127.0.0.1:{port}",
                "code": "EADDRINUSE",
                "errno": errno.EADDRINUSE,
                "syscall": "listen",
                "address": "127.0.0.1",
                "port": port,
            },
        )
        self.assertIsInstance(err, OSError)

    async def test_addressInUseDualStack(self) -> None:
        """A busy port with no host: the message shows ``:::P`` and ``address`` is ``'::'``."""
        busy, _, _ = await self.listening(0)
        port = busy.address()["port"]
        server, trace, _ = self.server()
        server.listen(port)
        now = (server.listening, trace.names())
        (err,) = await nextEvent(server, "error")
        await self.closeServer(busy)

        self.assertEqual(now, (False, []))
        self.assertEqual(trace.names(), ["error"])
        self.assertEqual(
            errorFields(err),
            {
                "message": f"listen EADDRINUSE: address already in use :::{port}",
                "code": "EADDRINUSE",
                "errno": errno.EADDRINUSE,
                "syscall": "listen",
                "address": "::",
                "port": port,
            },
        )

    async def test_addressNotAvailable(self) -> None:
        """
        Listening on an address this host does not have (192.0.2.1, a
        documentation network: bind fails locally, nothing is sent) gives
        ``listen EADDRNOTAVAIL: address not available 192.0.2.1`` with no port.
        """
        server, trace, _ = self.server()
        server.listen(0, "192.0.2.1")
        now = trace.names()
        (err,) = await nextEvent(server, "error")

        self.assertEqual(now, [])
        self.assertEqual((server.listening, server.address()), (False, None))
        self.assertEqual(
            errorFields(err),
            {
                "message": "listen EADDRNOTAVAIL: address not available 192.0.2.1",
                "code": "EADDRNOTAVAIL",
                "errno": errno.EADDRNOTAVAIL,
                "syscall": "listen",
                "address": "192.0.2.1",
                "port": None,
            },
        )

    async def test_listenTwiceRaises(self) -> None:
        """
        ``listen()`` on a listening server raises ``ERR_SERVER_ALREADY_LISTEN``
        synchronously and changes nothing; after ``close()`` it may listen again.
        """
        server, trace, _ = await self.listening(0, "127.0.0.1")
        address = server.address()
        with self.assertRaises(NodeError) as caught:
            server.listen(0)
        self.assertEqual(
            (caught.exception.code, str(caught.exception), server.address()),
            (
                "ERR_SERVER_ALREADY_LISTEN",
                "Listen method has been called more than once without closing.",
                address,
            ),
        )
        await self.closeServer(server)
        again = net.once(server, "listening")
        server.listen(0, "127.0.0.1")
        await again
        await self.closeServer(server)
        self.assertEqual(trace.names(), ["listening", "close", "listening", "close"])
