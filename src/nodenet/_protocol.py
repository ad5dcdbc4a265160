"""
The Twisted boundary: reactor callbacks in, transport calls out.

Theory of operation
-------------------
A :class:`NodeProtocol` sits between one Twisted transport and one
:class:`nodenet.Socket`.  It is everything Twisted sees of nodenet, but for
the sockets a plain server accepts, which are their own protocols and do
the same (:mod:`nodenet._serversocket`):

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
``handshakeCompleted``          TLS is up: ``'secure'`` (``'secureConnect'``...)
==============================  ==========================================

The protocol always provides :class:`IHalfCloseableProtocol`, because
without it a peer's FIN makes Twisted drop our queued outgoing data, and it
registers itself as the transport's streaming producer, because that is the
only notification Twisted gives when its write buffer empties.  It must be
unregistered before the transport is closed, or Twisted never closes it.

TLS is Twisted's ``startTLS`` on the same transport (:func:`startTls`): the
TLS layer becomes the transport's protocol and this one its application
protocol, so the same socket keeps its events.  The helpers that reach into
Twisted's buffers (:func:`queuedBytes`, :func:`closeNow`) then also count
and drop what the TLS layer holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twisted.internet import error
from twisted.internet.abstract import FileDescriptor
from twisted.internet.interfaces import IHalfCloseableProtocol, IHandshakeListener, IPushProducer
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
    "writesDirectly",
    "startTls",
    "holdDrain",
    "flushTls",
]


@implementer(IHalfCloseableProtocol, IPushProducer, IHandshakeListener)
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
            server = self.server
            if server is not None:
                server._onAccepted(self)
                # The socket's tick queue (nodenet.testing's acceptor has none).
                owner: Any = self.socket if self.socket is not None else server
                sched = owner._sched
                if sched._ticks:
                    sched.drainTicks()
            else:
                transport.loseConnection()
            return
        socket = self.socket
        self.dataReceived = socket._onData  # type: ignore[method-assign]
        socket._onConnected(self)
        if self.socket is None:
            del self.dataReceived  # refused by a destroyed socket: back to ignoring
        socket._sched.drainTicks()

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

    def handshakeCompleted(self) -> None:
        """The TLS handshake is done (called again on renegotiation)."""
        if self.socket is not None:
            self.socket._onHandshake(self)
            self._drainTicks()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        socket, self.socket = self.socket, None
        if socket is not None:
            socket._onHandleClosed(self, reason)
            socket._sched.drainTicks()

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
    After ``startTLS`` the TLS layer's own buffers count too: small writes
    it aggregates for one reactor turn, and writes held until the handshake
    is done.
    """
    try:
        queued = int(len(transport.dataBuffer) - transport.offset + transport._tempDataLen)
    except AttributeError:
        getter = getattr(transport, "nodenetQueuedBytes", None)
        return int(getter()) if getter is not None else 0
    if getattr(transport, "TLS", False):
        tls = getattr(transport, "protocol", None)
        queued += sum(map(len, getattr(tls, "_appSendBuffer", None) or ()))
        aggregator = getattr(tls, "_aggregator", None)
        queued += sum(map(len, getattr(aggregator, "_buffer", None) or ()))
    return queued


def closeNow(transport: Any) -> None:
    """
    Close the transport as Node's ``destroy()`` closes a descriptor.

    What the kernel already took is still sent, then a FIN; what Twisted
    still holds is dropped, and the close does not wait for the socket to
    become writable (a peer that reads nothing must not keep it open).
    Other transports get a plain ``loseConnection()``.  Over TLS see
    :func:`_closeTlsNow`.
    """
    if getattr(transport, "TLS", False) and hasattr(transport, "_tempDataBuffer"):
        _closeTlsNow(transport)
        return
    if (
        isinstance(transport, FileDescriptor)
        and not getattr(transport, "TLS", False)
        and transport.connected
        and not getattr(transport, "disconnected", False)
    ):
        transport.dataBuffer = b""
        transport.offset = 0
        transport._tempDataBuffer = []
        transport._tempDataLen = 0
        # What loseConnection() does once the write side is already closed.
        transport.stopReading()  # type: ignore[no-untyped-call]
        transport.stopWriting()  # type: ignore[no-untyped-call]
        transport.connectionLost(Failure(error.ConnectionDone()))  # type: ignore[no-untyped-call]
        return
    discard = getattr(transport, "nodenetDiscardQueued", None)
    if discard is not None:
        discard()
    transport.loseConnection()


def _closeTlsNow(transport: Any) -> None:
    """
    ``destroy()`` over TLS: what was written is encrypted and offered to the
    kernel once (Node writes synchronously), then the connection is closed
    with a FIN and no close_notify, as Node's ``destroy()`` closes it.

    Nothing more is read or written, and the transport is told it is gone one
    reactor turn later, because this may run inside the TLS layer's own
    callbacks (a ``'data'`` or ``'secureConnect'`` listener), which must
    return before the TLS connection is torn down.
    """
    if not transport.connected or getattr(transport, "disconnected", False):
        return
    if getattr(transport, "_nodenetClosing", False):
        return
    transport._nodenetClosing = True
    tls = transport.protocol
    try:
        if getattr(tls, "_handshakeDone", False) and not getattr(tls, "_lostTLSConnection", True):
            aggregator = getattr(tls, "_aggregator", None)
            if aggregator is not None:
                aggregator.flush()
        tls._appSendBuffer = []
        tls._aborted = True
    except AttributeError:
        pass
    data = b"".join([bytes(transport.dataBuffer[transport.offset :])] + transport._tempDataBuffer)
    sock = getattr(transport, "socket", None)
    if data and sock is not None:
        try:
            sock.send(data)
        except OSError:
            pass
    transport.dataBuffer = b""
    transport.offset = 0
    transport._tempDataBuffer = []
    transport._tempDataLen = 0
    transport.stopReading()
    transport.stopWriting()
    transport._writeDisconnected = True
    transport.doRead = lambda *a, **k: None
    transport.doWrite = lambda *a, **k: None
    done = Failure(error.ConnectionDone())  # type: ignore[no-untyped-call]
    transport.reactor.callLater(0, transport.connectionLost, done)


def startTls(transport: Any, creator: Any, server: bool) -> Any:
    """
    Start TLS on a live ``transport`` with Twisted's ``startTLS``, as the
    server or the client side; returns the TLS protocol.

    ``creator.rawReason`` is set to the reason the connection under the TLS
    layer was lost (before the TLS layer turns an EOF without close_notify
    into a ``ConnectionLost``), so that a peer's reset can be told from a
    peer that just closed; ``creator.tlsClosed`` to whether the TLS layer had
    already closed cleanly (both close_notify alerts exchanged) by then, in
    which case a hang-up noticed while flushing (a unix socket peer's) loses
    nothing.
    """
    normal = bool(getattr(transport, "_tlsClientDefault", True)) != server
    transport.startTLS(creator, normal)
    tls = transport.protocol
    lost = tls.connectionLost

    def connectionLost(reason: Failure) -> None:
        if creator.rawReason is None:
            creator.rawReason = reason
            creator.tlsClosed = bool(getattr(tls, "_lostTLSConnection", False)) and (
                getattr(tls, "_reason", None) is None
            )
        lost(reason)

    tls.connectionLost = connectionLost
    return tls


def holdDrain(transport: Any) -> None:
    """
    Over TLS, make the TLS layer's producer wrapper pass Twisted's next
    ``resumeProducing`` on: it only forwards one it paused itself.
    """
    membrane = getattr(getattr(transport, "protocol", None), "_producer", None)
    if membrane is not None and hasattr(membrane, "_producerPaused"):
        membrane._producerPaused = True


def flushTls(transport: Any) -> None:
    """Encrypt what the TLS layer aggregates for a reactor turn now."""
    aggregator = getattr(getattr(transport, "protocol", None), "_aggregator", None)
    if aggregator is not None:
        aggregator.flush()


# Node writes synchronously, so an idle socket's write() returns True with
# nothing queued; a plain posix transport lets nodenet do the same, calling
# its writeSomeData while Twisted's own buffer is empty.  Whether a
# transport class allows that is asked once per class (every accepted
# connection asks).  Twisted's transports carry a TLS flag that startTLS
# switches on per instance, so a class with that flag is direct only while
# it is off.
_NOT_DIRECT, _DIRECT, _DIRECT_UNLESS_TLS = 0, 1, 2
_directByType: dict[type, int] = {}


def writesDirectly(transport: Any) -> bool:
    """
    Whether data may go straight to the kernel through ``transport``'s
    ``writeSomeData`` (not for TLS, nor for transports without it).
    """
    kind = type(transport)
    direct = _directByType.get(kind)
    if direct is None:
        # A wrapper (Twisted's TLSMemoryBIOProtocol under listenSSL) forwards
        # attribute lookups to the TCP transport below it: only a real posix
        # transport may be written to directly.
        if not isinstance(transport, FileDescriptor) or not hasattr(kind, "writeSomeData"):
            direct = _NOT_DIRECT
        else:
            direct = _DIRECT_UNLESS_TLS if hasattr(kind, "TLS") else _DIRECT
        _directByType[kind] = direct
    if direct == _DIRECT_UNLESS_TLS:
        return not transport.TLS
    return direct == _DIRECT


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
