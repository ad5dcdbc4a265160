"""
``net.Server``: Node's listening server over Twisted ports.

``listen()`` accepts every form Node accepts and binds through the reactor
(``listenTCP``, ``listenUNIX``, ``adoptStreamPort``); ``'listening'`` is
always emitted asynchronously and listen failures are ``'error'`` events with
Node's fields.  The connection count is Node's: a socket stops counting the
moment it is destroyed, and a closed server emits ``'close'`` once the count
reaches zero (and Twisted has let go of the port).
"""

from __future__ import annotations

import errno as _errno
import os
import socket as _stdsocket
from collections.abc import Callable
from typing import Any

from twisted.internet import defer
from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.internet.error import CannotListenError

from . import _loop
from ._args import (
    guessHandleType,
    isFraction,
    isNumber,
    isPipeName,
    jsNumber,
    jsString,
    jsTruthy,
    keepAliveSeconds,
    mergeOptions,
    normalizeArgs,
    toInt32,
    toNumber,
    validateFunction,
    validateNumber,
    validatePort,
    validateString,
)
from ._isip import isIP
from ._listen import leanAccept
from ._protocol import NodeProtocol, ServerFactory
from ._serversocket import ServerSocketFactory
from ._socket import Socket, _defaultLookup
from ._tick import getReactor, schedulerFor
from .errors import (
    UNSET,
    NodeSystemError,
    NodeTypeError,
    codeForErrno,
    invalidArgType,
    invalidArgValue,
    listenError,
    makeError,
)
from .events import EventEmitter

__all__ = ["Server"]

_DEFAULT_BACKLOG = 511
_Callback = Callable[..., object]


def _backlog(option: Any, fromArgs: float | None) -> int:
    """
    The backlog ``listen()`` passes to the kernel: as Node, ``options.backlog``
    when truthy, else the one from the arguments, else 511; libuv reads it
    as an ``int32``.
    """
    backlog = option if jsTruthy(option) else fromArgs
    return toInt32(jsNumber(backlog)) if jsTruthy(backlog) else _DEFAULT_BACKLOG


def _listenErrno(exc: BaseException) -> int | None:
    if isinstance(exc, CannotListenError):
        inner = exc.socketError
        if isinstance(inner, OSError):
            return inner.errno
        return _errno.EADDRINUSE
    if isinstance(exc, OSError):
        return exc.errno
    return None


class Server(EventEmitter):
    """
    Node's ``net.Server``: ``Server([options][, connectionListener], *, reactor=None)``.

    Options: ``allowHalfOpen``, ``pauseOnConnect``, ``noDelay``,
    ``keepAlive``, ``keepAliveInitialDelay``, ``highWaterMark``.  Events:
    ``listening``, ``connection`` (with the new socket), ``drop``,
    ``error``, ``close``.
    """

    def __init__(
        self,
        options: Any = None,
        connectionListener: _Callback | None = None,
        *,
        reactor: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        # As Node: a function first is the listener (and a second argument is
        # ignored), a listener that is not a function is ignored, and an
        # array is an object with none of the options.
        if callable(options) and not isinstance(options, (dict, list)):
            options, connectionListener = None, options
        elif options is not None and not isinstance(options, (dict, list)):
            raise invalidArgType("options", "object", options)
        elif connectionListener is not None and not callable(connectionListener):
            connectionListener = None
        opts = mergeOptions(options, kwargs)
        delay = opts.get("keepAliveInitialDelay")
        if delay is not None:
            validateNumber(delay, "options.keepAliveInitialDelay")
        highWaterMark = opts.get("highWaterMark")
        if highWaterMark is not None:
            validateNumber(highWaterMark, "options.highWaterMark")
            if isFraction(highWaterMark) and not highWaterMark < 0:
                # Node takes a fraction, NaN or Infinity here and then throws
                # this at every accept, from its accept callback, which ends
                # the process: nodenet raises it here, where it was passed.
                raise invalidArgValue("options.readableHighWaterMark", highWaterMark)
        self._reactor = getReactor(reactor)
        self._sched = schedulerFor(self._reactor)
        #: The ``allowHalfOpen`` option, given to every accepted socket: when
        #: true a socket stays writable after the client ends its side (the
        #: program calls ``end()``); when false it ends its own side in reply,
        #: as in Node.  Like the server's other options it is read at each
        #: accept, so a change applies to the connections that follow.
        self.allowHalfOpen: bool = jsTruthy(opts.get("allowHalfOpen"))
        #: The ``pauseOnConnect`` option: accepted sockets start paused and
        #: emit no ``'data'`` until the program calls ``resume()``.
        self.pauseOnConnect: bool = jsTruthy(opts.get("pauseOnConnect"))
        #: The ``noDelay`` option: accepted sockets get ``setNoDelay(True)``
        #: (Nagle's algorithm off).
        self.noDelay: bool = jsTruthy(opts.get("noDelay"))
        #: The ``keepAlive`` option: accepted sockets get TCP keep-alive, as
        #: ``setKeepAlive(True, keepAliveInitialDelay)`` would set it.
        self.keepAlive: bool = jsTruthy(opts.get("keepAlive"))
        #: The ``keepAliveInitialDelay`` option (milliseconds) in whole
        #: seconds, as Node keeps it (``2500`` reads back as ``2``): how long
        #: an accepted socket is idle before the first keep-alive probe (0,
        #: also for a negative delay, keeps the system's default).
        self.keepAliveInitialDelay: int = (
            keepAliveSeconds(delay) if delay is not None else 0
        )
        #: The ``highWaterMark`` option, in bytes: the read and write buffer
        #: limits of accepted sockets (16384, Node's default, when not given
        #: or negative; 0 is a limit, as in Node).
        self.highWaterMark: int = (
            int(highWaterMark) if highWaterMark is not None and highWaterMark >= 0 else 16384
        )
        #: Node's ``maxConnections``: once this many connections are open, a
        #: new one is closed as it arrives and ``'drop'`` is emitted.
        #: ``None`` (Node's ``undefined``, the default) or 0 means no limit.
        self.maxConnections: int | None = None
        self._port: Any = None
        self._listenPending = False
        self._pipeName: str | None = None
        self._connections = 0
        self._sockets: set[Socket] = set()
        self._stopping: defer.Deferred[Any] | None = None
        self._closesOwed = 0
        self._refed = True
        self._listenAttempt = 0
        #: Whether accepted connections get plain sockets (a TLS server
        #: makes its own in _newSocket).
        self._plainSockets = type(self)._newSocket is Server._newSocket
        if connectionListener is not None:
            self.on("connection", connectionListener)

    # ------------------------------------------------------------------
    # state

    @property
    def listening(self) -> bool:
        """Whether the server is accepting connections."""
        return self._port is not None

    @property
    def connections(self) -> int:
        """The live connection count (Node 0.x's ``server.connections``)."""
        return self._connections

    def address(self) -> dict[str, Any] | str | None:
        """``{'address', 'family', 'port'}``, the unix path, or ``None``."""
        port = self._port
        if port is not None and self._pipeName is None:
            host = port.getHost()
            if isinstance(host, IPv6Address):
                return {"address": host.host, "family": "IPv6", "port": host.port}
            if isinstance(host, IPv4Address):
                return {"address": host.host, "family": "IPv4", "port": host.port}
        return self._pipeName

    def getConnections(self, cb: Any = UNSET) -> Server:
        """``cb(None, count)`` on the next tick."""
        validateFunction(cb, "callback")
        self._sched.nextTick(self._safeCall, cb, None, self._connections)
        return self

    def _safeCall(self, fn: _Callback, *args: Any) -> None:
        try:
            fn(*args)
        except BaseException as e:
            _loop.uncaught(e)

    def _safeEmit(self, event: str, *args: Any) -> None:
        try:
            self.emit(event, *args)
        except BaseException as e:
            _loop.uncaught(e)

    # ------------------------------------------------------------------
    # listen

    def listen(self, *args: Any, **kwargs: Any) -> Server:
        """
        Start listening, in any of Node's forms.

        ``listen([port[, host[, backlog]]][, cb])``, ``listen(path[, cb])``,
        ``listen(options[, cb])`` (``port``, ``host``, ``path``, ``backlog``,
        ``fd``, ``ipv6Only``, ``readableAll``, ``writableAll``),
        ``listen(handle[, cb])`` (a listening ``socket.socket``, another
        server, or ``{'fd': n}``), or keyword options.  ``cb`` becomes a
        ``'listening'`` listener.  Returns the server.
        """
        if args and not isinstance(
            args[0], (dict, list, tuple, str, int, float, type(None))
        ) and not callable(args[0]):
            handle: Any = args[0]
            rest = args[1:]
            options, cb = normalizeArgs(({"handle": handle},) + rest)
        else:
            options, cb = normalizeArgs(args)
            handle = None
        if kwargs:
            options.update(kwargs)
        if self._port is not None or self._listenPending:
            raise makeError("ERR_SERVER_ALREADY_LISTEN")
        if cb is not None:
            self.once("listening", cb)
        backlogArg = (toNumber(args[1]) if len(args) > 1 else None) or (
            toNumber(args[2]) if len(args) > 2 else None
        )
        shown: Any = list(args[0]) if args and isinstance(args[0], (list, tuple)) else None
        inner = options.get("_handle")
        if not jsTruthy(inner):
            inner = options.get("handle")
        if jsTruthy(inner):
            # Node listens with options._handle || options.handle || options.
            if isinstance(inner, dict):
                options, handle = dict(inner), None
            elif isinstance(inner, (list, tuple)):
                options, handle, shown = {}, None, list(inner)
            elif isinstance(inner, (str, int, float)):
                # Node's own TypeError, from its `'port' in options`.
                raise NodeTypeError(
                    f"Cannot use 'in' operator to search for 'port' in {jsString(inner)}"
                )
            elif callable(inner) and not isinstance(inner, Server):
                options, handle, shown = {}, None, inner  # a function: an object without a port
            else:
                handle = inner
        if handle is not None:
            self._listenOnHandle(handle, _backlog(options.get("backlog"), backlogArg))
            return self
        fd: Any = options.get("fd")
        if isNumber(fd) and fd >= 0:
            self._listenOnFd(fd, _backlog(options.get("backlog"), backlogArg))
            return self
        if (
            not args
            or callable(args[0])
            or ("port" in options and options["port"] is None)
        ):
            options["port"] = 0
        port = options.get("port")
        if isinstance(port, (int, float, str)) and not isinstance(port, bool):
            number = validatePort(port, "options.port")
            backlog = _backlog(options.get("backlog"), backlogArg)
            host: Any = options.get("host")
            if jsTruthy(host):
                validateString(host, "hostname")  # dns.lookup()'s check
                self._lookupAndListen(number, host, backlog, bool(options.get("ipv6Only")))
            else:
                self._bindTCP(None, number, backlog, bool(options.get("ipv6Only")))
            return self
        path = options.get("path")
        if path and isPipeName(path):
            backlog = _backlog(options.get("backlog"), backlogArg)
            readableAll = bool(options.get("readableAll"))
            writableAll = bool(options.get("writableAll"))
            if path.startswith("\0") and (readableAll or writableAll):
                raise invalidArgValue(
                    "options",
                    options,
                    "can not set readableAll or writableAllt to true when path is abstract unix socket",
                )
            self._bindUNIX(path, backlog, readableAll, writableAll)
            return self
        if shown is None:
            shown = options  # else a JavaScript array or function: an object without a port
        if "port" not in options and "path" not in options:
            raise invalidArgValue("options", shown, 'must have the property "port" or "path"')
        raise invalidArgValue("options", shown)

    def listenFD(self, fd: int, type: str | None = None) -> Server:
        """Node 0.x's ``listenFD(fd)``: listen on an inherited descriptor."""
        return self.listen({"fd": fd})

    def _factory(self) -> ServerFactory:
        """
        The Twisted factory of this server's connections: a plain server's
        sockets are their connections' protocols themselves (the accept
        path is hot); other servers' sockets are driven by a
        :class:`NodeProtocol`.
        """
        if self._plainSockets:
            return ServerSocketFactory(self)
        return ServerFactory(self)

    def _started(self, port: Any) -> None:
        """Serve on ``port`` (an ``IListeningPort``); ``'listening'`` follows."""
        self._port = port
        self._listenPending = False
        leanAccept(port)
        host = port.getHost()
        if isinstance(host, UNIXAddress) and self._pipeName is None:
            name = host.name
            self._pipeName = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
        self._updateActive()
        self._sched.nextTick(self._emitListening, port)

    def _emitListening(self, port: Any) -> None:
        if self._port is port:
            self._safeEmit("listening")

    def _failed(self, err: NodeSystemError) -> None:
        self._listenPending = False
        self._updateActive()
        self._sched.nextTick(self._safeEmit, "error", err)

    def _bindTCP(self, address: str | None, port: int, backlog: int, ipv6Only: bool) -> None:
        reactor = self._reactor
        factory = self._factory()
        shown = address or "::"
        try:
            if ipv6Only and (address is None or isIP(address) == 6):
                listening = self._listenV6Only(address or "::", port, backlog, factory)
            elif address is None:
                try:
                    listening = reactor.listenTCP(port, factory, backlog, interface="::")
                except CannotListenError as e:
                    if _listenErrno(e) not in (_errno.EAFNOSUPPORT, _errno.EADDRNOTAVAIL):
                        raise
                    shown = "0.0.0.0"
                    listening = reactor.listenTCP(port, factory, backlog, interface="0.0.0.0")
            else:
                listening = reactor.listenTCP(port, factory, backlog, interface=address)
        except (CannotListenError, OSError) as e:
            code = codeForErrno(_listenErrno(e))
            self._failed(listenError(code, shown, port))
            return
        self._started(listening)

    def _listenV6Only(self, address: str, port: int, backlog: int, factory: ServerFactory) -> Any:
        sock = _stdsocket.socket(_stdsocket.AF_INET6, _stdsocket.SOCK_STREAM)
        try:
            sock.setsockopt(_stdsocket.IPPROTO_IPV6, _stdsocket.IPV6_V6ONLY, 1)
            sock.setsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            sock.listen(backlog)
            sock.setblocking(False)
            return self._reactor.adoptStreamPort(sock.fileno(), _stdsocket.AF_INET6, factory)
        finally:
            sock.close()

    def _lookupAndListen(self, port: int, host: str, backlog: int, ipv6Only: bool) -> None:
        self._listenPending = True
        self._updateActive()
        attempt = self._listenAttempt = self._listenAttempt + 1

        def onLookup(err: BaseException | None, address: Any = None, family: Any = None) -> None:
            if attempt != self._listenAttempt or not self._listenPending:
                return
            if err is not None:
                self._listenPending = False
                self._updateActive()
                self._safeEmit("error", err)
                return
            self._bindTCP(address, port, backlog, ipv6Only)
            self._sched.drainTicks()

        if isIP(host):
            self._sched.nextTick(onLookup, None, host, isIP(host))
        else:
            _defaultLookup(self._reactor)(host, {"family": 0}, onLookup)

    def _bindUNIX(self, path: str, backlog: int, readableAll: bool, writableAll: bool) -> None:
        self._pipeName = path
        # Twisted chmods the socket file to ``mode`` after bind; give it what
        # bind itself creates (0o777 less the umask), plus Node's
        # readableAll/writableAll bits.
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o777 & ~umask
        if readableAll:
            mode |= 0o444
        if writableAll:
            mode |= 0o222
        try:
            listening = self._reactor.listenUNIX(path, self._factory(), backlog, mode=mode, wantPID=False)
        except (CannotListenError, OSError) as e:
            number = _listenErrno(e)
            # libuv reports a unix bind in a missing directory as EACCES.
            code = "EACCES" if number == _errno.ENOENT else codeForErrno(number)
            self._failed(listenError(code, path, -1))
            return
        self._started(listening)

    def _adoptDescriptor(self, fd: int, backlog: Any) -> None:
        """Listen on a copy of ``fd`` (bound; made listening if it is not yet)."""
        try:
            sock = _stdsocket.socket(fileno=os.dup(fd))
        except OSError as e:
            self._failed(listenError(codeForErrno(e.errno), None, None))
            return
        try:
            if sock.type != _stdsocket.SOCK_STREAM:
                raise OSError(_errno.EINVAL, "not a stream socket")
            family = sock.family
            if sock.getsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_ACCEPTCONN) == 0:
                sock.listen(int(backlog or _DEFAULT_BACKLOG))
            sock.setblocking(False)
            if family == _stdsocket.AF_UNIX:
                name = sock.getsockname()
                self._pipeName = name if isinstance(name, str) else name.decode("latin1")
            listening = self._reactor.adoptStreamPort(sock.fileno(), family, self._factory())
        except OSError as e:
            code = codeForErrno(e.errno)
            if e.errno == _errno.ENOTSOCK:
                code = "EINVAL"
            self._failed(listenError(code, None, None))
            return
        finally:
            sock.close()
        self._started(listening)

    def _listenOnFd(self, fd: float, backlog: Any) -> None:
        # As Node: a descriptor that is not an int32, or not a TCP or unix
        # socket (closed, a file...), is an asynchronous EINVAL.
        if (
            not float(fd).is_integer()
            or fd > 0x7FFFFFFF
            or guessHandleType(int(fd)) not in ("TCP", "PIPE")
        ):
            self._failed(listenError("EINVAL", None, None))
            return
        self._adoptDescriptor(int(fd), backlog)

    def _listenOnHandle(self, handle: Any, backlog: Any) -> None:
        if isinstance(handle, Server):
            port = handle._port
            if port is None:
                self._failed(listenError("EINVAL", None, None))
                return
            self._adoptDescriptor(port.fileno(), backlog)
            return
        fileno = getattr(handle, "fileno", None)
        if fileno is None:
            # As Node: an object that is no handle is read as options, and has no port.
            raise invalidArgValue("options", handle, 'must have the property "port" or "path"')
        self._listenOnFd(int(fileno()), backlog)

    # ------------------------------------------------------------------
    # connections

    def _admit(self, transport: Any) -> bool:
        """
        Whether a connection just accepted on ``transport`` is to be served:
        not once the server is closed, nor over ``maxConnections`` (then it
        is dropped, with ``'drop'``).
        """
        if self._port is None:
            transport.loseConnection()
            return False
        maxConnections = self.maxConnections
        if maxConnections and self._connections >= maxConnections:
            self._drop(transport)
            return False
        return True

    def _serve(self, socket: Socket) -> None:
        """Count a newly accepted ``socket`` and emit ``'connection'``."""
        self._connections += 1
        self._sockets.add(socket)
        # Socket._emitGathering, written out: every accepted connection
        # comes through, and the call would cost it a thousand instructions.
        socket._gathering = True
        try:
            self.emit("connection", socket)
        except BaseException as e:
            socket._listenerError(e)
        finally:
            socket._gathering = False
            if socket._gatheredLength or socket._flushCallbacks:
                socket._afterGather()

    def _onAccepted(self, handle: NodeProtocol) -> None:
        """
        A new connection through a :class:`NodeProtocol` (from its
        ``connectionMade``): a server whose sockets are not plain ones (a
        TLS server's) makes its socket in :meth:`_newSocket`.
        """
        transport: Any = handle.transport
        if self._admit(transport):
            socket = self._newSocket()
            socket._accepted(handle, transport, self, self.pauseOnConnect)
            self._serve(socket)

    def _newSocket(self) -> Socket:
        """The socket for a new connection (a TLS server makes a TLS socket)."""
        socket = Socket(reactor=self._reactor)
        socket.allowHalfOpen = self.allowHalfOpen
        socket._hwm = self.highWaterMark
        return socket

    def _drop(self, transport: Any) -> None:
        data: dict[str, Any] = {}
        host, peer = transport.getHost(), transport.getPeer()
        if isinstance(host, (IPv4Address, IPv6Address)):
            data = {
                "localAddress": host.host,
                "localPort": host.port,
                "localFamily": "IPv6" if isinstance(host, IPv6Address) else "IPv4",
                "remoteAddress": peer.host,
                "remotePort": peer.port,
                "remoteFamily": "IPv6" if isinstance(peer, IPv6Address) else "IPv4",
            }
        transport.unregisterProducer()
        transport.loseConnection()
        if data:
            self._safeEmit("drop", data)
        else:
            self._safeEmit("drop")  # a unix socket has no addresses to report

    def _socketGone(self, socket: Socket) -> None:
        """An accepted socket was destroyed: it no longer counts."""
        if socket in self._sockets:
            self._sockets.discard(socket)
            self._connections -= 1
            self._emitCloseIfDrained()

    # ------------------------------------------------------------------
    # close

    def close(self, cb: Any = None) -> Server:
        """
        Stop accepting now; ``'close'`` once every connection is gone.

        ``cb()`` at ``'close'``, or ``cb(ERR_SERVER_NOT_RUNNING)`` when the
        server was not listening.  Returns the server.
        """
        if callable(cb):
            if self._port is None:
                self.once("close", lambda *a: cb(makeError("ERR_SERVER_NOT_RUNNING")))
            else:
                self.once("close", cb)
        self._listenPending = False
        self._listenAttempt += 1
        port, self._port = self._port, None
        if port is not None:
            stopping = defer.maybeDeferred(port.stopListening)
            self._stopping = stopping

            def stopped(_: object) -> None:
                if self._stopping is stopping:
                    self._stopping = None
                owed, self._closesOwed = self._closesOwed, 0
                for _i in range(owed):
                    self._emitCloseIfDrained()
                self._sched.drainTicks()

            stopping.addBoth(stopped)
        self._updateActive()
        self._emitCloseIfDrained()
        return self

    def _emitCloseIfDrained(self) -> None:
        if self._port is not None or self._listenPending or self._connections:
            return
        if self._stopping is not None:
            # Twisted still holds the port: emit once it has let go.
            self._closesOwed += 1
            return
        self._sched.nextTick(self._safeEmit, "close")

    # ------------------------------------------------------------------
    # ref/unref

    def _updateActive(self) -> None:
        if _loop._current is not None:
            active = self._port is not None or self._listenPending
            _loop.setActive(self, self._refed and active)

    def ref(self) -> Server:
        """Let this server keep a ``net.run()`` program alive (the default)."""
        self._refed = True
        self._updateActive()
        return self

    def unref(self) -> Server:
        """Let a ``net.run()`` program end while this server still listens."""
        self._refed = False
        self._updateActive()
        return self

    def __repr__(self) -> str:
        return f"<Server listening={self.listening} address={self.address()!r}>"


def createServer(
    options: Any = None,
    connectionListener: _Callback | None = None,
    *,
    reactor: Any = None,
    **kwargs: Any,
) -> Server:
    """Node's ``net.createServer([options][, connectionListener])``."""
    return Server(options, connectionListener, reactor=reactor, **kwargs)
