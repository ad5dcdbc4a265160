"""
The Twisted boundary: reactor callbacks in, transport calls out.

Theory of operation
-------------------
A :class:`NodeProtocol` sits between one Twisted transport and one
:class:`nodenet.Socket`.  It is everything Twisted sees of nodenet:

==============================  ==========================================
Twisted calls                   nodenet does
==============================  ==========================================
``connectionMade``              client: ``'connect'``/``'ready'``; server:
                                a new socket and the server's ``'connection'``
``dataReceived(b)``             ``'data'`` (bound straight to the socket)
``readConnectionLost``          the peer's FIN: ``'end'`` (half-close aware)
``writeConnectionLost``         our FIN went out: ``'finish'``
``connectionLost(reason)``      ``'close'`` (and ``'error'`` for a reset)
``pauseProducing``              Twisted's write buffer is full: ``write()``
                                returns ``False`` from now on
``resumeProducing``             Twisted's write buffer is empty: ``'drain'``
==============================  ==========================================

The protocol always provides :class:`IHalfCloseableProtocol`, because
without it a peer's FIN makes Twisted drop our queued outgoing data, and it
registers itself as the transport's streaming producer, because that is the
only notification Twisted gives when its write buffer empties.  It must be
unregistered before the transport is closed, or Twisted never closes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twisted.internet import error
from twisted.internet.interfaces import IHalfCloseableProtocol, IPushProducer
from twisted.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from twisted.python.failure import Failure
from zope.interface import implementer

if TYPE_CHECKING:
    from ._server import Server
    from ._socket import Socket

__all__ = [
    "NodeProtocol",
    "ServerFactory",
    "ConnectAttemptFactory",
    "queuedBytes",
    "closeNow",
    "directWriter",
]


@implementer(IHalfCloseableProtocol, IPushProducer)
class NodeProtocol(Protocol):
    """One Twisted connection, driving one :class:`~nodenet.Socket`."""

    socket: Socket | None

    def __init__(self, socket: Socket | None = None, server: Server | None = None) -> None:
        self.socket = socket
        self.server = server

    def attach(self, socket: Socket) -> None:
        """Route this connection's events to ``socket``."""
        self.socket = socket
        self.dataReceived = socket._onData  # type: ignore[method-assign]

    def _drainTicks(self) -> None:
        """Node runs queued ticks when a callback returns: so do we."""
        owner: Any = self.socket if self.socket is not None else self.server
        if owner is not None:
            owner._sched.drainTicks()

    def connectionMade(self) -> None:
        transport: Any = self.transport
        transport.registerProducer(self, True)
        if self.socket is None:
            if self.server is not None:
                self.server._onAccepted(self)
                self._drainTicks()
            else:
                transport.loseConnection()
            return
        self.dataReceived = self.socket._onData  # type: ignore[method-assign]
        self.socket._onConnected(self)
        self._drainTicks()

    def dataReceived(self, data: bytes) -> None:
        """Data for a connection that no socket owns (a dropped one): ignored."""

    def readConnectionLost(self) -> None:
        if self.socket is not None:
            self.socket._onEof(self)
            self._drainTicks()
        else:
            transport: Any = self.transport
            transport.loseConnection()

    def writeConnectionLost(self) -> None:
        if self.socket is not None:
            self.socket._onWriteClosed(self)
            self._drainTicks()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        socket, self.socket = self.socket, None
        if socket is not None:
            socket._onHandleClosed(self, reason)
            socket._sched.drainTicks()
        if self.server is not None:
            self.server._onHandleGone(self)

    # IPushProducer: we are the transport's producer, so that Twisted tells
    # us when its write buffer fills up and when it is empty again.

    def pauseProducing(self) -> None:
        if self.socket is not None:
            self.socket._onTransportPaused()

    def resumeProducing(self) -> None:
        if self.socket is not None:
            self.socket._onTransportDrained()
            self._drainTicks()

    def stopProducing(self) -> None:
        """The transport is going away; ``connectionLost`` follows."""


def queuedBytes(transport: Any) -> int:
    """
    How many bytes the transport holds that the kernel has not taken yet.

    Twisted has no public API for it; every posix transport keeps these
    three attributes, other transports may offer ``nodenetQueuedBytes()``.
    """
    try:
        return int(len(transport.dataBuffer) - transport.offset + transport._tempDataLen)
    except AttributeError:
        getter = getattr(transport, "nodenetQueuedBytes", None)
        return int(getter()) if getter is not None else 0


def closeNow(transport: Any) -> None:
    """
    Close the transport as Node's ``destroy()`` closes a descriptor.

    What the kernel already took is still sent, then a FIN; what Twisted
    still holds is dropped, and the close does not wait for the socket to
    become writable (a peer that reads nothing must not keep it open).
    Other transports get a plain ``loseConnection()``.
    """
    if (
        hasattr(transport, "_tempDataBuffer")
        and not getattr(transport, "TLS", False)
        and transport.connected
        and not getattr(transport, "disconnected", False)
    ):
        transport.dataBuffer = b""
        transport.offset = 0
        transport._tempDataBuffer = []
        transport._tempDataLen = 0
        # What loseConnection() does once the write side is already closed.
        transport.stopReading()
        transport.stopWriting()
        transport.connectionLost(Failure(error.ConnectionDone()))  # type: ignore[no-untyped-call]
        return
    discard = getattr(transport, "nodenetDiscardQueued", None)
    if discard is not None:
        discard()
    transport.loseConnection()


def directWriter(transport: Any) -> Any:
    """
    The transport's ``writeSomeData`` when data may go straight to the kernel.

    Node writes synchronously, so an idle socket's ``write()`` returns
    ``True`` with nothing queued; a plain posix transport lets nodenet do
    the same while Twisted's own buffer is empty.  ``None`` for TLS and for
    transports without it.
    """
    if getattr(transport, "TLS", False) or not hasattr(transport, "_tempDataLen"):
        return None
    return getattr(transport, "writeSomeData", None)


class ServerFactory(Factory):
    """Builds a :class:`NodeProtocol` for each connection a server accepts."""

    noisy = False

    def __init__(self, server: Server) -> None:
        self.server = server

    def buildProtocol(self, addr: Any) -> NodeProtocol:
        return NodeProtocol(None, self.server)


class ConnectAttemptFactory(ClientFactory):
    """One outgoing connection attempt of a socket."""

    noisy = False

    def __init__(self, socket: Socket, attempt: int) -> None:
        self.socket = socket
        self.attempt = attempt

    def buildProtocol(self, addr: Any) -> NodeProtocol:
        if not self.socket._isCurrentAttempt(self.attempt):
            # An abandoned attempt that connected after all: hang up.
            return NodeProtocol(None)
        return NodeProtocol(self.socket)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        self.socket._onAttemptFailed(self.attempt, reason)
        self.socket._sched.drainTicks()
