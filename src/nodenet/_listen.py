"""
Listening on Twisted endpoint descriptions, for ``twistd nodenet``.

:func:`serverEndpoint` turns a ``--listen`` description into an endpoint
whose ``listen(factory)`` gives an ordinary Twisted listening port.  It
parses the description with Twisted's ``serverFromString`` against a
:class:`ListeningReactor`, a thin stand-in for the reactor that intercepts
the few calls endpoints make to bind (``listenTCP``, ``listenSSL``,
``listenUNIX``, ``adoptStreamPort``), so that:

- ``haproxy:`` puts nodenet's PROXY header reader (:mod:`nodenet._proxy`)
  in front of whatever the rest of the description builds, TLS included;
- a worker process (``adopt=fd``) adopts the descriptor its parent bound
  instead of binding again, whatever the description says; the layers
  above the socket (TLS, PROXY) are built from the description as usual;
- an adopted unix socket (systemd's, or a parent's) is left in place when
  the port stops: its owner removes it, not us;
- ``ssl:`` can listen in plain TCP and hand its TLS settings (Twisted's
  context factory) to ``secure``, so that nodenet starts TLS on each
  accepted socket itself (``Socket.setSecure``), after any PROXY header.
"""

from __future__ import annotations

import os
import socket as _stdsocket
import stat
from collections.abc import Callable
from typing import Any

from twisted.internet import tcp, unix
from twisted.internet.endpoints import serverFromString
from twisted.internet.interfaces import IListeningPort
from twisted.protocols.tls import TLSMemoryBIOFactory

from ._proxy import ProxyHeaderFactory

__all__ = ["ListeningReactor", "adoptListening", "describeAddress", "leanAccept", "serverEndpoint"]

_PROXY_PREFIX = "haproxy:"


_rawFamily = _stdsocket.SocketType.family.__get__
_rawType = _stdsocket.SocketType.type.__get__


class _ListeningSocket(_stdsocket.socket):
    """
    A listening socket whose ``accept()`` gives the same socket as the
    standard library's without turning the family and type into enums on
    the way: those two lookups cost about a fifth of Twisted's whole accept
    (counted: 65,500 instructions an accepted connection, 52,400 without).
    """

    __slots__ = ()

    def accept(self) -> tuple[_stdsocket.socket, Any]:
        fd, address = self._accept()  # type: ignore[attr-defined]
        accepted = _stdsocket.socket(_rawFamily(self), _rawType(self), self.proto, fd)
        if _stdsocket.getdefaulttimeout() is None and self.gettimeout():
            accepted.setblocking(True)  # as the standard library's accept()
        return accepted, address


def leanAccept(port: Any) -> None:
    """
    Let ``port`` (a Twisted listening port) accept through
    :class:`_ListeningSocket`, if it listens on a standard library socket.

    Twisted's ports accept with ``self.socket.accept()``; the socket keeps
    its identity, descriptor and state, only its ``accept()`` changes.
    """
    listening = getattr(port, "socket", None)
    if type(listening) is _stdsocket.socket:
        listening.__class__ = _ListeningSocket


class _SharedUNIXPort(unix.Port):
    """A unix port on an adopted socket: stopping it leaves the socket file alone."""

    def connectionLost(self, reason: Any) -> None:
        tcp.Port.connectionLost(self, reason)  # type: ignore[no-untyped-call]


def adoptListening(reactor: Any, fd: int, factory: Any) -> IListeningPort:
    """
    Listen with ``factory`` on a copy of the listening socket ``fd``.

    The family is read from the socket itself; ``fd`` stays open (the
    caller owns it).  A unix socket file keeps its path and its mode.
    """
    os.set_blocking(fd, False)
    probe = _stdsocket.socket(fileno=os.dup(fd))
    try:
        family = probe.family
        name = probe.getsockname() if family == _stdsocket.AF_UNIX else None
    finally:
        probe.close()
    if family != _stdsocket.AF_UNIX:
        port: IListeningPort = reactor.adoptStreamPort(fd, family, factory)
        return port
    shared = _SharedUNIXPort._fromListeningDescriptor(reactor, fd, factory)  # type: ignore[no-untyped-call]
    if isinstance(name, str) and name and not name.startswith("\0"):
        # Twisted chmods the path on start: keep the owner's mode.
        shared.mode = stat.S_IMODE(os.stat(name).st_mode)
    shared.startListening()
    return shared  # type: ignore[no-any-return]


class ListeningReactor:
    """
    The reactor, as seen by endpoint parsers: binds (or adopts) for them.

    Every attribute but the listening calls is the real reactor's.
    """

    def __init__(
        self,
        reactor: Any,
        *,
        adopt: int | None = None,
        proxyHeader: bool = False,
        secure: Callable[[Any], object] | None = None,
    ) -> None:
        self._reactor = reactor
        self._adopt = adopt
        self._proxyHeader = proxyHeader
        self._secure = secure

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reactor, name)

    def _listen(self, bind: Any, factory: Any) -> IListeningPort:
        if self._proxyHeader:
            factory = ProxyHeaderFactory(factory, self._reactor)
        if self._adopt is not None:
            return adoptListening(self._reactor, self._adopt, factory)
        port: IListeningPort = bind(factory)
        return port

    def listenTCP(self, port: int, factory: Any, backlog: int = 50, interface: str = "") -> IListeningPort:
        """``reactor.listenTCP``, or the adopted socket."""
        return self._listen(lambda f: self._reactor.listenTCP(port, f, backlog, interface), factory)

    def listenSSL(
        self, port: int, factory: Any, contextFactory: Any, backlog: int = 50, interface: str = ""
    ) -> IListeningPort:
        """
        ``reactor.listenSSL``: TLS over :meth:`listenTCP`.

        With ``secure``, the port is plain TCP and ``secure(contextFactory)``
        is told how each accepted socket is to start TLS.
        """
        if self._secure is not None:
            self._secure(contextFactory)
            return self.listenTCP(port, factory, backlog, interface)
        return self.listenTCP(port, TLSMemoryBIOFactory(contextFactory, False, factory), backlog, interface)

    def listenUNIX(
        self, address: str, factory: Any, backlog: int = 50, mode: int = 0o666, wantPID: int = 0
    ) -> IListeningPort:
        """``reactor.listenUNIX``, or the adopted socket."""
        return self._listen(
            lambda f: self._reactor.listenUNIX(address, f, backlog, mode, wantPID), factory
        )

    def adoptStreamPort(self, fd: int, family: int, factory: Any) -> IListeningPort:
        """Adopt ``fd`` (or the worker's own descriptor), leaving unix paths alone."""
        return self._listen(lambda f: adoptListening(self._reactor, fd, f), factory)


def serverEndpoint(
    reactor: Any,
    description: str,
    *,
    adopt: int | None = None,
    secure: Callable[[Any], object] | None = None,
) -> Any:
    """
    The endpoint (an ``IStreamServerEndpoint``) for a ``--listen`` description.

    ``haproxy:`` prefixes use :mod:`nodenet._proxy`; with ``adopt`` every
    bind becomes an adoption of that descriptor (a ``systemd:`` socket's
    index is then meaningless, the parent already adopted it); ``secure``
    see :class:`ListeningReactor`.
    """
    proxied = False
    while description.startswith(_PROXY_PREFIX):
        description = description[len(_PROXY_PREFIX) :]
        proxied = True
    if adopt is not None and description.startswith("systemd:"):
        description = "tcp:0"
    listening = ListeningReactor(reactor, adopt=adopt, proxyHeader=proxied, secure=secure)
    return serverFromString(listening, description)  # type: ignore[no-untyped-call]


def describeAddress(address: Any) -> str:
    """``127.0.0.1:8124``, ``[::1]:8124`` or a unix path, for log lines."""
    host = getattr(address, "host", None)
    port = getattr(address, "port", None)
    if host is not None and port is not None:
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    name = getattr(address, "name", None)
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    return str(name) if name is not None else str(address)
