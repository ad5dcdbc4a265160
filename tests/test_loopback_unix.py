"""
Integration tests of nodenet over the real kernel: unix-domain sockets.

Expected traces, messages and fields are Node v20's, measured by running the
same scenarios under ``node``.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket as stdsocket
import stat
import tempfile
from typing import Any

from twisted.internet.defer import DeferredList

import nodenet as net

from .test_loopback import LoopbackTestCase, connectionCount, errorFields, nextEvent


class UnixSocketTests(LoopbackTestCase):
    """Servers and clients on unix-domain socket paths."""

    def setUp(self) -> None:
        super().setUp()
        # Short paths: a unix socket path has a small length limit.
        self.directory = tempfile.mkdtemp(prefix="nn", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.directory, True)

    def path(self, name: str = "s.sock") -> str:
        """A path inside this test's directory."""
        return os.path.join(self.directory, name)

    async def test_listenAndConnectByPath(self) -> None:
        """
        ``listen(path)`` creates the socket file at once; ``address()`` is the
        path (also after close); the file is removed by ``close()``; clients
        connect by path, and neither end has IP addresses.
        """
        path = self.path()
        server, serverTrace, accepted = self.server()
        server.on("connection", lambda s: s.end("hi"))
        result = server.listen(path)
        now = (
            result is server,
            server.listening,
            server.address(),
            stat.S_ISSOCK(os.stat(path).st_mode),
            serverTrace.names(),
        )
        await net.once(server, "listening")
        client, clientTrace = self.connect(path)
        addresses: list[Any] = []

        def record(sock: Any) -> None:
            addresses.append(
                (sock.remoteAddress, sock.remotePort, sock.remoteFamily, sock.localAddress,
                 sock.localPort, sock.address())
            )

        client.on("connect", lambda: record(client))
        sockTrace = await accepted.get(0)
        record(sockTrace.emitter)
        await DeferredList([clientTrace.closed(), sockTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(now, (True, True, path, True, []))
        self.assertEqual(server.address(), path)
        self.assertFalse(os.path.exists(path))
        self.assertEqual(addresses, [(None, None, None, None, None, {})] * 2)
        self.assertEqual(
            clientTrace.events,
            [
                ("connectionAttempt", (path, None, None)),
                ("connect", ()),
                ("ready", ()),
                ("data", (b"hi",)),
                ("end", ()),
                ("finish", ()),
                ("close", (False,)),
            ],
        )
        self.assertEqual(sockTrace.events, [("finish", ()), ("end", ()), ("close", (False,))])
        self.assertEqual((client.bytesRead, client.bytesWritten), (2, 0))

    async def test_staleSocketFile(self) -> None:
        """
        A leftover socket file makes ``listen(path)`` emit (later, not
        raise) ``'error'`` EADDRINUSE with ``port == -1``; the file stays.
        """
        path = self.path()
        leftover = stdsocket.socket(stdsocket.AF_UNIX, stdsocket.SOCK_STREAM)
        leftover.bind(path)
        leftover.close()
        server, trace, _ = self.server()
        server.listen(path)
        now = (server.listening, trace.names())
        (err,) = await nextEvent(server, "error")
        await connectionCount(server)

        self.assertEqual(now, (False, []))
        self.assertEqual(trace.names(), ["error"])
        self.assertEqual((server.listening, server.address()), (False, path))
        self.assertTrue(os.path.exists(path))
        self.assertEqual(
            errorFields(err),
            {
                "message": f"listen EADDRINUSE: address already in use {path}",
                "code": "EADDRINUSE",
                "errno": errno.EADDRINUSE,
                "syscall": "listen",
                "address": path,
                "port": -1,
            },
        )

    async def test_connectMissingPath(self) -> None:
        """
        Connecting to a path with no socket: ``connectionAttempt`` and
        ``connectionAttemptFailed`` with C{None} port and family, then
        ``'error'`` ``connect ENOENT <path>`` and ``close(True)``.
        """
        path = self.path("missing.sock")
        client, trace = self.connect(path)
        await trace.closed()

        err = trace.events[2][1][0] if len(trace.events) > 2 else None
        self.assertEqual(
            trace.events,
            [
                ("connectionAttempt", (path, None, None)),
                ("connectionAttemptFailed", (path, None, None, err)),
                ("error", (err,)),
                ("close", (True,)),
            ],
        )
        self.assertEqual(
            trace.states,
            [
                ("connectionAttempt", "opening"),
                ("connectionAttemptFailed", "open"),
                ("error", "closed"),
                ("close", "closed"),
            ],
        )
        self.assertIsInstance(err, FileNotFoundError)
        self.assertEqual(
            errorFields(err),
            {
                "message": f"connect ENOENT {path}",
                "code": "ENOENT",
                "errno": errno.ENOENT,
                "syscall": "connect",
                "address": path,
                "port": None,
            },
        )

    async def test_connectToRegularFile(self) -> None:
        """Connecting to a path that is a regular file: ``connect ECONNREFUSED <path>``."""
        path = self.path("plain")
        with open(path, "w") as f:
            f.write("not a socket")
        client, trace = self.connect(path)
        await trace.closed()

        self.assertEqual(
            trace.names(), ["connectionAttempt", "connectionAttemptFailed", "error", "close"]
        )
        err = trace.events[2][1][0]
        self.assertEqual(
            errorFields(err),
            {
                "message": f"connect ECONNREFUSED {path}",
                "code": "ECONNREFUSED",
                "errno": errno.ECONNREFUSED,
                "syscall": "connect",
                "address": path,
                "port": None,
            },
        )

    async def test_resetAndDestroyRaisesOnUnixSocket(self) -> None:
        """
        ``resetAndDestroy()`` on a unix-socket connection raises
        ``ERR_INVALID_HANDLE_TYPE`` (a ``TypeError``) and leaves it open.
        """
        path = self.path()
        server, _, accepted = await self.listening(path)
        client, clientTrace = await self.connected(path)
        with self.assertRaises(TypeError) as caught:
            client.resetAndDestroy()
        state = (client.readyState, client.destroyed)
        client.end()
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(
            (caught.exception.code, str(caught.exception)),  # type: ignore[attr-defined]
            ("ERR_INVALID_HANDLE_TYPE", "This handle type cannot be sent"),
        )
        self.assertEqual(state, ("open", False))

    async def test_abstractNamespace(self) -> None:
        """
        A path starting with NUL is a Linux abstract socket: no file is
        created, ``address()`` is the name (also after close), clients connect.
        """
        name = "\0" + os.path.basename(self.directory)
        server, _, accepted = await self.listening(name)
        server.on("connection", lambda s: s.end("hi"))
        address = server.address()
        client, clientTrace = self.connect(name)
        sockTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), sockTrace.closed()])
        await self.closeServer(server)

        self.assertEqual((address, server.address()), (name, name))
        self.assertEqual(os.listdir(self.directory), [])
        self.assertEqual(clientTrace.data(), b"hi")

    async def test_socketFileMode(self) -> None:
        """
        The socket file gets the mode ``bind()`` gives it (``0o777`` less
        the umask), as in Node; nodenet must not open it to the world.
        """
        umask = os.umask(0o022)
        os.umask(umask)
        path = self.path()
        server, _, _ = await self.listening(path)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        await self.closeServer(server)
        self.assertEqual(oct(mode), oct(0o777 & ~umask))

    async def test_listenInMissingDirectory(self) -> None:
        """
        A path in a directory that does not exist: ``'error'``
        ``listen EACCES: permission denied <path>`` (libuv reports ENOENT
        from a pipe bind as EACCES), ``port == -1``.
        """
        path = self.path("nodir/s.sock")
        server, trace, _ = self.server()
        server.listen(path)
        (err,) = await nextEvent(server, "error")
        await connectionCount(server)

        self.assertEqual(trace.names(), ["error"])
        self.assertEqual(
            errorFields(err),
            {
                "message": f"listen EACCES: permission denied {path}",
                "code": "EACCES",
                "errno": errno.EACCES,
                "syscall": "listen",
                "address": path,
                "port": -1,
            },
        )

    async def test_dropOnUnixServer(self) -> None:
        """
        Over ``maxConnections`` on a unix server, ``'drop'`` is emitted with
        no argument (there are no addresses), and the client is closed.
        """
        path = self.path()
        server, serverTrace, accepted = await self.listening(path)
        server.maxConnections = 1
        first, firstTrace = await self.connected(path)
        kept = await accepted.get(0)
        rejected, rejectedTrace = self.connect(path)
        await rejectedTrace.closed()
        first.end()
        await DeferredList([firstTrace.closed(), kept.closed()])
        await self.closeServer(server)

        self.assertEqual(
            serverTrace.events[1:], [("connection", (kept.emitter,)), ("drop", ()), ("close", ())]
        )
        self.assertEqual(
            rejectedTrace.names(),
            ["connectionAttempt", "connect", "ready", "end", "finish", "close"],
        )

    async def test_listenAgainOnSamePath(self) -> None:
        """After ``close()`` removed the socket file, the same path can be listened on again."""
        path = self.path()
        first, _, _ = await self.listening(path)
        await self.closeServer(first)
        second, _, accepted = await self.listening({"path": path})
        second.on("connection", lambda s: s.end("again"))
        client, clientTrace = self.connect({"path": path})
        sockTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), sockTrace.closed()])
        await self.closeServer(second)
        self.assertEqual(clientTrace.data(), b"again")
