"""
The PROXY protocol (HAProxy's, versions 1 and 2), in front of any factory.

A load balancer that speaks the PROXY protocol opens each connection with
one header naming the original client and the address it connected to.
:class:`ProxyHeaderFactory` reads that header, then hands the *same*
transport to the wrapped factory's protocol, whose ``getPeer()`` and
``getHost()`` now answer with the header's addresses:

- the wrapped protocol is connected only once the header is complete, so a
  server's ``'connection'`` already sees the client's ``remoteAddress``;
- after the header there is no wrapper left in the data path, so
  half-close, flow control and nodenet's direct writes work as on a plain
  connection;
- a connection that sends something else, or nothing for
  :data:`HEADER_TIMEOUT` seconds, is closed without reaching the app.

Twisted's own ``haproxy:`` wrapper keeps a wrapper in the data path, which
hides half-close from the protocol; this module replaces it for nodenet.
"""

from __future__ import annotations

import socket as _stdsocket
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.internet.interfaces import IAddress
from twisted.internet.protocol import Factory, Protocol, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure

__all__ = ["HEADER_TIMEOUT", "ProxyHeaderFactory", "parseProxyHeader"]

#: Seconds a connection may take to send its PROXY header.
HEADER_TIMEOUT = 10.0

_V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
_V1_PREFIX = b"PROXY "
_V1_MAX = 107  # the longest version 1 line, CRLF included
_V2_MAX_BODY = 4096

_log = Logger()

#: ``(source, destination, rest)``: the client's and the proxied-to address
#: (``None`` for a header that carries none: a health check), and the bytes
#: that followed the header.
ParsedHeader = tuple[Any, Any, bytes]


def _port(text: str) -> int:
    if not text.isdigit() or (len(text) > 1 and text[0] == "0") or int(text) > 65535:
        raise ValueError(f"bad port {text!r}")
    return int(text)


def _parseV1(data: bytes) -> ParsedHeader | None:
    end = data.find(b"\r\n", 0, _V1_MAX)
    if end < 0:
        if len(data) >= _V1_MAX:
            raise ValueError("PROXY line too long")
        return None
    rest = data[end + 2 :]
    try:
        fields = data[:end].decode("ascii").split(" ")
    except UnicodeDecodeError:
        raise ValueError("PROXY line is not ASCII") from None
    if len(fields) >= 2 and fields[1] == "UNKNOWN":
        return None, None, rest
    if len(fields) != 6 or fields[1] not in ("TCP4", "TCP6"):
        raise ValueError(f"bad PROXY line {data[:end]!r}")
    family = _stdsocket.AF_INET if fields[1] == "TCP4" else _stdsocket.AF_INET6
    kind: Any = IPv4Address if family == _stdsocket.AF_INET else IPv6Address
    for host in fields[2:4]:
        try:
            _stdsocket.inet_pton(family, host)
        except OSError:
            raise ValueError(f"bad address {host!r}") from None
    source = kind("TCP", fields[2], _port(fields[4]))
    destination = kind("TCP", fields[3], _port(fields[5]))
    return source, destination, rest


def _parseV2(data: bytes) -> ParsedHeader | None:
    if len(data) < 16:
        return None
    version, command = data[12] >> 4, data[12] & 0x0F
    if version != 2 or command > 1:
        raise ValueError("bad PROXY v2 version or command")
    length = int.from_bytes(data[14:16], "big")
    if length > _V2_MAX_BODY:
        raise ValueError("PROXY v2 header too long")
    if len(data) < 16 + length:
        return None
    body, rest = data[16 : 16 + length], data[16 + length :]
    family = data[13] >> 4
    if command == 0:  # LOCAL: the proxy's own connection (a health check)
        return None, None, rest
    if family == 1 and length >= 12:
        src, dst = (_stdsocket.inet_ntop(_stdsocket.AF_INET, body[i : i + 4]) for i in (0, 4))
        ports = int.from_bytes(body[8:10], "big"), int.from_bytes(body[10:12], "big")
        return IPv4Address("TCP", src, ports[0]), IPv4Address("TCP", dst, ports[1]), rest
    if family == 2 and length >= 36:
        src, dst = (_stdsocket.inet_ntop(_stdsocket.AF_INET6, body[i : i + 16]) for i in (0, 16))
        ports = int.from_bytes(body[32:34], "big"), int.from_bytes(body[34:36], "big")
        return IPv6Address("TCP", src, ports[0]), IPv6Address("TCP", dst, ports[1]), rest
    if family == 3 and length >= 216:
        paths = [body[i : i + 108].split(b"\0", 1)[0] for i in (0, 108)]
        return UNIXAddress(paths[0]), UNIXAddress(paths[1]), rest
    if family == 0:
        return None, None, rest
    raise ValueError("bad PROXY v2 address block")


def parseProxyHeader(data: bytes) -> ParsedHeader | None:
    """
    Parse a PROXY protocol header (v1 or v2) at the start of ``data``.

    Returns ``None`` while ``data`` is a valid but incomplete beginning,
    ``(source, destination, rest)`` once the header is complete, and raises
    :class:`ValueError` for anything that is not a PROXY header.
    """
    if _V2_SIGNATURE.startswith(data[:12]):
        return None if len(data) < 12 else _parseV2(data)
    if _V1_PREFIX.startswith(data[:6]):
        return None if len(data) < 6 else _parseV1(data)
    raise ValueError("not a PROXY protocol header")


def _fixed(address: IAddress) -> Any:
    return lambda: address


class _ProxyHeaderProtocol(Protocol):
    """Reads one PROXY header, then gives the transport to the real protocol."""

    def __init__(self, factory: ProxyHeaderFactory) -> None:
        self._factory = factory
        self._buffer = b""
        self._timer: Any = None

    def connectionMade(self) -> None:
        self._timer = self._factory.reactor.callLater(HEADER_TIMEOUT, self._timedOut)

    def _timedOut(self) -> None:
        self._timer = None
        transport: Any = self.transport
        _log.info("No PROXY header from {peer} in time; closing", peer=transport.getPeer())
        transport.abortConnection()

    def _cancelTimer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()

    def dataReceived(self, data: bytes) -> None:
        self._buffer += data
        transport: Any = self.transport
        try:
            parsed = parseProxyHeader(self._buffer)
        except ValueError as e:
            self._cancelTimer()
            _log.info("Closing {peer}: {error}", peer=transport.getPeer(), error=str(e))
            transport.abortConnection()
            return
        if parsed is None:
            return
        self._cancelTimer()
        source, destination, rest = parsed
        self._buffer = b""
        if source is not None:
            transport.getPeer = _fixed(source)
        if destination is not None:
            transport.getHost = _fixed(destination)
        protocol = self._factory.wrappedFactory.buildProtocol(transport.getPeer())
        if protocol is None:
            transport.loseConnection()
            return
        # From here on the transport talks to the real protocol directly.
        transport.protocol = protocol
        protocol.makeConnection(transport)
        if rest and not getattr(transport, "disconnecting", False):
            protocol.dataReceived(rest)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._cancelTimer()


class ProxyHeaderFactory(Factory):
    """Wraps ``wrappedFactory``: each connection starts with a PROXY header."""

    noisy = False

    def __init__(self, wrappedFactory: Any, reactor: Any) -> None:
        self.wrappedFactory = wrappedFactory
        self.reactor = reactor

    def logPrefix(self) -> str:
        """The wrapped factory's log prefix, marked as proxied."""
        inner = getattr(self.wrappedFactory, "logPrefix", None)
        name = inner() if callable(inner) else type(self.wrappedFactory).__name__
        return f"{name} (PROXY)"

    def doStart(self) -> None:
        """Start the wrapped factory too."""
        self.wrappedFactory.doStart()
        super().doStart()  # type: ignore[no-untyped-call]

    def doStop(self) -> None:
        """Stop the wrapped factory too."""
        self.wrappedFactory.doStop()
        super().doStop()  # type: ignore[no-untyped-call]

    def buildProtocol(self, addr: IAddress | None) -> _ProxyHeaderProtocol:
        """A header reader for each new connection."""
        return _ProxyHeaderProtocol(self)
