"""
Test your nodenet code under trial, without a network.

:func:`socketPair` gives two connected :class:`~nodenet.Socket` objects whose
bytes travel through memory, driven by a ``task.Clock``: nothing moves until
the clock is advanced (``clock.advance(0)`` delivers what was written, and
:func:`flush` keeps advancing until nothing is left to do).  Unlike
Twisted's ``iosim``, the memory transport honours half-close (a FIN travels
after the data written before it), pausing (a paused side receives nothing,
and its peer's writes stay queued, as the kernel would hold them), and
backpressure (a writer whose queue passes the transport's buffer size is
paused, and told when it is empty again).

:class:`EventLog` records ``(event, args)`` traces of any emitter, so a test
compares whole traces::

    clock = Clock()
    client, server = socketPair(clock)
    log = EventLog(server, ["data", "end", "close"])
    client.end(b"hi")
    flush(clock)
    assert log.events == [("data", (b"hi",)), ("end", ()), ("close", (False,))]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionAborted, ConnectionDone, ConnectionLost
from twisted.internet.interfaces import ITCPTransport
from twisted.internet.task import Clock
from twisted.python.failure import Failure
from zope.interface import implementer

from ._protocol import NodeProtocol
from ._socket import Socket
from .events import EventEmitter

__all__ = [
    "MemoryTransport",
    "socketPair",
    "EventLog",
    "flush",
    "SOCKET_EVENTS",
    "SERVER_EVENTS",
]

#: Every event a socket can emit.
SOCKET_EVENTS = (
    "lookup",
    "connectionAttempt",
    "connectionAttemptFailed",
    "connectionAttemptTimeout",
    "connect",
    "ready",
    "secure",
    "data",
    "end",
    "finish",
    "timeout",
    "drain",
    "error",
    "close",
)

#: Every event a server can emit.
SERVER_EVENTS = ("listening", "connection", "drop", "error", "close")

_DEFAULT_EVENTS = SOCKET_EVENTS + ("listening", "connection", "drop")


@implementer(ITCPTransport)
class MemoryTransport:
    """
    One end of an in-memory TCP connection, with Twisted's transport API.

    Writes queue here and are delivered to the peer's protocol when the
    clock runs; a registered streaming producer is paused while the queue
    holds more than :attr:`bufferSize` bytes.
    """

    #: Queue size in bytes past which a registered streaming producer is
    #: paused (Twisted's posix transports use 64 KiB).
    bufferSize = 65536
    #: The most one delivery hands to the peer's ``dataReceived`` (Twisted
    #: reads up to 64 KiB at a time).
    readSize = 65536

    def __init__(self, clock: Clock, host: IPv4Address, peer: IPv4Address) -> None:
        #: The clock whose calls deliver what is written (run it, or use
        #: :func:`flush`).
        self.clock = clock
        #: Our address: what ``getHost()`` returns.
        self.host = host
        #: The peer's address: what ``getPeer()`` returns.
        self.peerAddress = peer
        #: The Twisted protocol this end delivers the peer's data to.
        self.protocol: Any = None
        #: The transport of the other end (``None`` until the pair is joined).
        self.other: MemoryTransport | None = None
        #: Chunks written here and not yet delivered to the other end.
        self.outgoing: deque[bytes] = deque()
        #: Bytes written here and not yet delivered to the other end.
        self.queued = 0
        #: The producer given to ``registerProducer()``, or ``None``.
        self.producer: Any = None
        #: Whether :attr:`producer` is a streaming (push) producer.
        self.streamingProducer = False
        #: Whether :attr:`producer` is paused because the queue passed
        #: :attr:`bufferSize`; it is resumed once the queue is delivered.
        self.producerPaused = False
        #: Whether data is delivered to our protocol: false after
        #: ``pauseProducing()``, until ``resumeProducing()``.
        self.reading = True
        #: True until the connection is lost (closed, aborted or reset).
        self.connected = True
        #: ``loseConnection()`` was called: the connection closes once the
        #: queue is delivered.
        self.disconnecting = False
        #: ``loseWriteConnection()`` was called: our FIN follows the queue.
        self.writeClosing = False
        #: Our FIN was delivered to the other end.
        self.writeClosed = False
        #: The peer's FIN was delivered to us.
        self.readClosed = False
        #: The peer's FIN arrived while we were not reading: it is delivered
        #: when reading resumes.
        self.finPending = False
        #: The flag ``setTcpNoDelay()`` recorded.
        self.noDelay = False
        #: The flag ``setTcpKeepAlive()`` recorded.
        self.keepAlive = False
        self._scheduled: Any = None
        #: Always false: TLS is never started on a memory transport (Twisted's
        #: TCP transports set this flag after ``startTLS()``).
        self.TLS = False

    # addresses and options

    def getHost(self) -> IPv4Address:
        """Our address."""
        return self.host

    def getPeer(self) -> IPv4Address:
        """The peer's address."""
        return self.peerAddress

    def getHandle(self) -> None:
        """There is no real socket: ``None``."""
        return None

    def getTcpNoDelay(self) -> bool:
        """Whether ``setTcpNoDelay(True)`` was called."""
        return self.noDelay

    def setTcpNoDelay(self, enabled: bool) -> None:
        """Record the no-delay flag (nothing to apply in memory)."""
        self.noDelay = bool(enabled)

    def getTcpKeepAlive(self) -> bool:
        """Whether ``setTcpKeepAlive(True)`` was called."""
        return self.keepAlive

    def setTcpKeepAlive(self, enabled: bool) -> None:
        """Record the keep-alive flag (nothing to apply in memory)."""
        self.keepAlive = bool(enabled)

    def nodenetQueuedBytes(self) -> int:
        """Bytes written and not yet delivered to the peer."""
        return self.queued

    def nodenetDiscardQueued(self) -> None:
        """Drop what was written and not yet delivered (as a closed descriptor would)."""
        self.outgoing.clear()
        self.queued = 0

    # writing

    def write(self, data: bytes) -> None:
        """Queue ``data`` for the peer; pause a streaming producer past ``bufferSize``."""
        if not self.connected or self.writeClosing or self.writeClosed:
            if self.other is not None and not self.other.connected and data:
                self._lost(ConnectionLost())
            return
        if not data:
            return
        self.outgoing.append(bytes(data))
        self.queued += len(data)
        if self.producer is not None and self.streamingProducer and self.queued > self.bufferSize:
            self.producerPaused = True
            self.producer.pauseProducing()
        self._schedule()

    def writeSequence(self, data: Iterable[bytes]) -> None:
        """Queue several chunks at once."""
        self.write(b"".join(data))

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """Register the producer told when our queue fills and empties."""
        if self.producer is not None:
            raise RuntimeError("Cannot register producer, because producer already registered.")
        self.producer = producer
        self.streamingProducer = streaming
        if not self.connected:
            producer.stopProducing()

    def unregisterProducer(self) -> None:
        """Forget the producer (a pending close may now proceed)."""
        self.producer = None
        self._schedule()

    # reading (we are the producer of our protocol's data)

    def pauseProducing(self) -> None:
        """Stop delivering data to our protocol (the peer's writes queue up)."""
        self.reading = False

    def resumeProducing(self) -> None:
        """Deliver data again, including a FIN that waited."""
        if self.connected and not self.disconnecting:
            self.reading = True
            if self.other is not None:
                self.other._schedule()
            self.clock.callLater(0, self._schedulePendingFin)

    def stopProducing(self) -> None:
        """Close the connection."""
        self.loseConnection()

    # closing

    def loseWriteConnection(self) -> None:
        """Send our FIN once the queue is delivered."""
        if self.connected:
            self.writeClosing = True
            self._schedule()

    def loseConnection(self) -> None:
        """Close once the queue is delivered; the peer sees a FIN."""
        if not self.connected or self.disconnecting:
            return
        self.disconnecting = True
        self.reading = False
        self._schedule()

    def abortConnection(self) -> None:
        """Close now, discarding the queue; the peer sees a reset."""
        if not self.connected:
            return
        self.outgoing.clear()
        self.queued = 0
        other = self.other
        self._lost(ConnectionAborted())
        if other is not None and other.connected:
            other.outgoing.clear()
            other.queued = 0
            other._lost(ConnectionLost())

    # the pump

    def _schedule(self) -> None:
        if self._scheduled is None and self.connected:
            self._scheduled = self.clock.callLater(0, self._pump)

    def _pump(self) -> None:
        self._scheduled = None
        other = self.other
        if not self.connected or other is None:
            return
        if self.outgoing and other.connected and other.reading and not other.readClosed:
            data = b"".join(self.outgoing)
            self.outgoing.clear()
            offset = 0
            # Deliver in reads of at most readSize bytes, as a socket would,
            # stopping as soon as the peer stops reading.
            while offset < len(data) and other.connected and other.reading:
                chunk = data[offset : offset + self.readSize]
                offset += len(chunk)
                self.queued = len(data) - offset
                other.protocol.dataReceived(chunk)
                if not self.connected:
                    return
            if offset < len(data):
                self.outgoing.appendleft(data[offset:])
                self.queued = len(data) - offset
                return
        elif self.outgoing and not other.connected:
            self.outgoing.clear()
            self.queued = 0
            self._lost(ConnectionLost())
            return
        if self.outgoing:
            return
        if self.producer is not None and self.producerPaused:
            self.producerPaused = False
            self.producer.resumeProducing()
            if self.outgoing:
                return
        if self.producer is not None:
            return
        if (self.writeClosing or self.disconnecting) and not self.writeClosed:
            self.writeClosed = True
            other._receiveFin()
            if self.writeClosing and not self.disconnecting and self.connected:
                self.protocol.writeConnectionLost()
        if self.disconnecting and self.connected:
            self._lost(ConnectionDone())

    def _receiveFin(self) -> None:
        if not self.connected or self.readClosed:
            return
        if not self.reading:
            self.finPending = True
            return
        self.readClosed = True
        self.protocol.readConnectionLost()

    def _schedulePendingFin(self) -> None:
        if self.finPending and self.reading and self.connected:
            self.finPending = False
            self.readClosed = True
            self.protocol.readConnectionLost()

    def _lost(self, reason: Exception) -> None:
        if not self.connected:
            return
        self.connected = False
        self.reading = False
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        producer, self.producer = self.producer, None
        if producer is not None:
            producer.stopProducing()
        self.protocol.connectionLost(Failure(reason))  # type: ignore[no-untyped-call]
        other = self.other
        if other is not None and other.connected and not other.readClosed:
            # our close reaches the peer as a FIN after what we sent
            other._schedule()
            self.clock.callLater(0, other._peerGone)

    def _peerGone(self) -> None:
        if self.connected:
            self._receiveFin()


def _pair(clock: Clock) -> tuple[MemoryTransport, MemoryTransport]:
    a = IPv4Address("TCP", "127.0.0.1", 50000)
    b = IPv4Address("TCP", "127.0.0.1", 8124)
    client = MemoryTransport(clock, a, b)
    server = MemoryTransport(clock, b, a)
    client.other, server.other = server, client
    return client, server


class _Acceptor:
    """Plays the server's part for the accepted end of a pair."""

    def __init__(self, socket: Socket, pauseOnConnect: bool) -> None:
        self.socket = socket
        self.pauseOnConnect = pauseOnConnect

    def _onAccepted(self, handle: NodeProtocol) -> None:
        self.socket._accepted(handle, handle.transport, None, self.pauseOnConnect)


def socketPair(
    clock: Clock | None = None,
    *,
    clientOptions: dict[str, Any] | None = None,
    serverOptions: dict[str, Any] | None = None,
    bufferSize: int = 65536,
    readSize: int = 65536,
) -> tuple[Socket, Socket]:
    """
    Two connected sockets over memory: ``(client, server)``.

    The client emits ``'connect'`` and ``'ready'`` on the first
    ``clock.advance(0)``; the server-side socket is already open, as one
    handed to a ``'connection'`` listener.  ``clientOptions`` and
    ``serverOptions`` are ``Socket`` options (``allowHalfOpen``, ...);
    ``bufferSize`` is where a writer is paused, ``readSize`` the most one
    read delivers.
    """
    clock = clock if clock is not None else Clock()
    clientTransport, serverTransport = _pair(clock)
    clientTransport.bufferSize = serverTransport.bufferSize = bufferSize
    clientTransport.readSize = serverTransport.readSize = readSize
    serverOptions = dict(serverOptions or {})
    pauseOnConnect = bool(serverOptions.pop("pauseOnConnect", False))
    client = Socket(clientOptions, reactor=clock)
    server = Socket(serverOptions, reactor=clock)
    serverProtocol = NodeProtocol(None, _Acceptor(server, pauseOnConnect))  # type: ignore[arg-type]
    serverTransport.protocol = serverProtocol
    serverProtocol.makeConnection(serverTransport)  # type: ignore[no-untyped-call]
    clientProtocol = NodeProtocol(client)
    clientTransport.protocol = clientProtocol
    client._connecting = True
    client._hadHandle = True

    def connectClient() -> None:
        clientProtocol.makeConnection(clientTransport)  # type: ignore[no-untyped-call]

    clock.callLater(0, connectClient)
    return client, server


def flush(clock: Clock, limit: int = 10000) -> None:
    """Advance ``clock`` by zero until no zero-delay call is left."""
    for _ in range(limit):
        calls: list[Any] = list(clock.getDelayedCalls())
        pending = [c for c in calls if c.getTime() <= clock.seconds()]
        if not pending:
            return
        clock.advance(0)
    raise RuntimeError("flush(): the clock never settled")


class EventLog:
    """
    Records every ``(event, args)`` an emitter emits, in order.

    ``EventLog(emitter[, events])`` listens to ``events`` (by default every
    event of sockets and servers); ``log.events`` is the trace and
    ``log.names()`` the event names alone.
    """

    def __init__(self, emitter: EventEmitter, events: Iterable[str] | None = None) -> None:
        #: The trace: every ``(event, args)`` emitted, in order.
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        for name in events if events is not None else _DEFAULT_EVENTS:
            emitter.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Any:
        def record(*args: Any) -> None:
            self.events.append((name, args))

        record.__name__ = f"record_{name}"
        return record

    def names(self) -> list[str]:
        """The event names of the trace."""
        return [name for name, _ in self.events]
