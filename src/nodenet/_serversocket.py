"""
The sockets a plain :class:`~nodenet.Server` accepts, which are their
connections' Twisted protocols themselves.

Accepting is the one place where a connection's set-up cost is the whole
cost: a server taking thousands of connections a second pays for each
object made per connection, and for the garbage collector's visits to it.
A :class:`ServerSocket` is the accepted :class:`~nodenet.Socket` and the
protocol Twisted calls, in one object: no separate
:class:`~nodenet._protocol.NodeProtocol`, no data handler bound per
connection.  Each Twisted callback does what ``NodeProtocol``'s does for a
socket, with the socket as its own handle.

TLS servers (whose sockets are :class:`~nodenet.tls.TLSSocket`) and
:mod:`nodenet.testing` keep the ``NodeProtocol`` path.  A connection a
:class:`~nodenet.tls.TLSSocket` takes over (``new TLSSocket(accepted)``)
is handed on with :meth:`ServerSocket._handOver`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twisted.internet.interfaces import (
    IHalfCloseableProtocol,
    IHandshakeListener,
    IProtocol,
    IPushProducer,
)
from twisted.internet.protocol import connectionDone
from twisted.python.failure import Failure
from zope.interface import implementer

from ._protocol import NodeProtocol, ServerFactory
from ._socket import Socket

if TYPE_CHECKING:
    from ._server import Server

__all__ = ["ServerSocket", "ServerSocketFactory"]

#: What Twisted calls on a protocol and on a streaming producer once connected.
_CALLBACKS = (
    "dataReceived",
    "readConnectionLost",
    "writeConnectionLost",
    "handshakeCompleted",
    "connectionLost",
    "pauseProducing",
    "resumeProducing",
    "stopProducing",
)

#: The handle of a socket whose connection is gone (see connectionLost).
_GONE = NodeProtocol(None)


@implementer(IProtocol, IHalfCloseableProtocol, IPushProducer, IHandshakeListener)
class ServerSocket(Socket):
    """
    A :class:`~nodenet.Socket` accepted by a plain server, and the Twisted
    protocol (and streaming producer) of its connection.
    """

    __slots__ = ()
    #: What Node calls the class of an accepted socket (in warnings).
    _nodeClassName = "Socket"

    @classmethod
    def _forServer(cls, server: Server) -> ServerSocket:
        """
        A socket for ``server``'s next connection, from the server's options
        (as ``Socket(allowHalfOpen=..., highWaterMark=...)`` makes it,
        without parsing options).
        """
        self = cls.__new__(cls)
        self._init(server._reactor, server._sched, server.allowHalfOpen, server.highWaterMark)
        self.server = server
        return self

    def makeConnection(self, transport: Any) -> None:
        """
        The connection is up: served (``'connection'``), or hung up on if
        the server closed or is full (``'drop'``).
        """
        transport.registerProducer(self, True)
        server = self.server
        assert server is not None
        if server._admit(transport):
            self._accepted(self, transport, server, server.pauseOnConnect)
            server._serve(self)
        else:
            self.server = None  # never served: nothing below reaches it
        sched = self._sched
        if sched._ticks:
            sched.drainTicks()

    # The hot path: Twisted hands each chunk straight to the socket.
    dataReceived = Socket._onData

    def readConnectionLost(self) -> None:
        self._onEof(self)
        self._sched.drainTicks()

    def writeConnectionLost(self) -> None:
        self._onWriteClosed(self)
        self._sched.drainTicks()

    def handshakeCompleted(self) -> None:
        """The TLS handshake is done (``setSecure()`` on an accepted socket)."""
        self._onHandshake(self)
        self._sched.drainTicks()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._onHandleClosed(self, reason)
        if self._handle is self:
            # Still "had a handle", without the socket referring to itself:
            # a closed socket is freed as soon as nobody holds it.
            self._handle = _GONE
        self._sched.drainTicks()

    def pauseProducing(self) -> None:
        self._onTransportPaused()

    def resumeProducing(self) -> None:
        self._onTransportDrained()
        self._sched.drainTicks()

    def stopProducing(self) -> None:
        """The transport is going away; ``connectionLost`` follows."""

    def logPrefix(self) -> str:
        """How Twisted's log names this connection's protocol."""
        return "NodeProtocol"

    def _handOver(self, successor: Socket) -> NodeProtocol:
        """
        Let ``successor`` drive this connection from now on (a
        :class:`~nodenet.tls.TLSSocket` taking it over): Twisted's calls to
        this object, wherever Twisted holds it (as the transport's protocol,
        as its producer, under a TLS layer), go to a new
        :class:`NodeProtocol` of ``successor``, which is returned.
        """
        handle = NodeProtocol(successor)
        handle.transport = self._transport
        handle.connected = 1
        handle.attach(successor)
        for name in _CALLBACKS:
            setattr(self, name, getattr(handle, name))
        return handle


class ServerSocketFactory(ServerFactory):
    """Builds a :class:`ServerSocket` for each connection a plain server accepts."""

    def buildProtocol(self, addr: Any) -> ServerSocket:  # type: ignore[override]
        return ServerSocket._forServer(self.server)
