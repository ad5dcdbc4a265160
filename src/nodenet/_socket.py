"""
``net.Socket``: Node's duplex socket over a Twisted connection.

The state is Node's, kept as a few flags from which every public property
is derived exactly as ``lib/net.js`` derives it (``readyState`` is never
stored).  Rules, in the order they are applied:

1. Reading.  Bytes go straight to ``'data'`` while the socket is flowing and
   nothing is buffered; otherwise they are buffered (and Twisted is asked to
   stop reading once the buffer reaches the high-water mark, or at once when
   the program paused the socket).  ``'end'`` is emitted one tick after the
   peer's FIN once the buffer is empty and the socket is not paused.
2. Writing.  Data written while connecting or corked is queued here; after
   that it goes straight to the transport.  ``write()`` returns ``False``
   when this queue plus Twisted's own buffer reaches the high-water mark;
   ``'drain'`` follows when Twisted's buffer is empty again.
3. Half-close.  ``end()`` sends our FIN (``loseWriteConnection``) once the
   queue is flushed; ``'finish'`` follows when it went out.  With
   ``allowHalfOpen`` false, ``'end'`` is followed one tick later by our own
   ``end()``.  When both directions are done the socket destroys itself.
4. Destroying.  ``destroy([err])`` closes the transport (Twisted flushes what
   it already holds, for a bounded time), emits ``'error'`` one tick later
   and ``'close'`` once the transport is gone, in the close phase.
5. TLS.  ``setSecure()`` (and :mod:`nodenet.tls`) put a ``TLSSession`` on the
   socket; it starts on the live transport with Twisted's ``startTLS``
   (at once, or when the connection is up).  TLS has no half-close:
   ``end()`` is a TLS shutdown (close_notify) that waits for the peer's,
   with a fallback abort; the connection going away cleanly is both
   ``'end'`` and ``'finish'``; an end without close_notify is a clean end,
   as Node takes it.
"""

from __future__ import annotations

import socket as _stdsocket
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from twisted.internet import defer
from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.internet.protocol import Factory
from twisted.python.failure import Failure

from . import _loop
from ._args import (
    Options,
    connectHost,
    jsTruthy,
    keepAliveSeconds,
    mergeOptions,
    normalizeArgs,
    socketOptions,
    toInt32,
    validateConnectOptions,
    validateFunction,
    validateMsecs,
    validatePort,
    validateSocketOptions,
)
from ._encodings import StringDecoder, encode, normalizeEncoding
from ._isip import isIP
from ._protocol import (
    ConnectAttemptFactory,
    NodeProtocol,
    closeNow,
    flushTls,
    holdDrain,
    queuedBytes,
    startTls,
    writesDirectly,
)
from ._tick import Scheduler, getReactor, schedulerFor
from .errors import (
    UNSET,
    AggregateError,
    NodeError,
    NodeSystemError,
    connectError,
    dnsError,
    fromFailure,
    invalidArgType,
    makeError,
    streamError,
    systemError,
)
from .events import EventEmitter

if TYPE_CHECKING:
    from ._server import Server
    from ._tls import SecureContext, TLSSession

__all__ = ["Socket", "Stream", "defaultAutoSelectFamilyAttemptTimeout"]

#: Node v20's default for ``autoSelectFamilyAttemptTimeout`` (milliseconds).
defaultAutoSelectFamilyAttemptTimeout = 250
#: Node v20's default for ``autoSelectFamily``.
defaultAutoSelectFamily = True

_HWM = 16384
_CHUNK_TYPES = (bytes, bytearray, memoryview)
_Callback = Callable[..., object]
_S = TypeVar("_S", bound="Socket")
#: What a socket holds where a list or options are only needed now and then:
#: most sockets never need them, and an empty list costs 56 bytes each.
_NONE: tuple[()] = ()
_NO_OPTIONS: Mapping[str, Any] = MappingProxyType({})


def _family(address: Any) -> str | None:
    if isinstance(address, IPv6Address):
        return "IPv6"
    if isinstance(address, IPv4Address):
        return "IPv4"
    return None


def _defaultLookup(reactor: Any) -> Callable[..., None]:
    """``dns.lookup`` on the reactor's thread pool (or inline on a test clock)."""

    def lookup(host: str, options: dict[str, Any], callback: _Callback) -> None:
        family = options.get("family", 0)
        af = {4: _stdsocket.AF_INET, 6: _stdsocket.AF_INET6}.get(family, _stdsocket.AF_UNSPEC)
        flags = _stdsocket.AI_ADDRCONFIG if options.get("hints") else 0

        def resolve() -> list[tuple[str, int]]:
            seen: list[tuple[str, int]] = []
            for fam, _t, _p, _c, sa in _stdsocket.getaddrinfo(
                host, None, af, _stdsocket.SOCK_STREAM, 0, flags
            ):
                item = (str(sa[0]), 6 if fam == _stdsocket.AF_INET6 else 4)
                if item not in seen:
                    seen.append(item)
            return seen

        def done(result: list[tuple[str, int]]) -> None:
            if options.get("all"):
                callback(None, [{"address": a, "family": f} for a, f in result])
            else:
                callback(None, result[0][0], result[0][1])

        def failed(failure: Failure) -> None:
            exc = failure.value
            code = "ENOTFOUND"
            if isinstance(exc, _stdsocket.gaierror) and exc.errno == _stdsocket.EAI_AGAIN:
                code = "EAI_AGAIN"
            callback(dnsError(code, host))

        if hasattr(reactor, "getThreadPool"):
            from twisted.internet.threads import deferToThreadPool

            d = deferToThreadPool(reactor, reactor.getThreadPool(), resolve)
        else:
            d = defer.maybeDeferred(resolve)
        d.addCallbacks(done, failed)

    return lookup


def _bindProblem(bind: tuple[str, int], family: int) -> str | None:
    """Node binds before connecting: the code of a bind that would fail, if any."""
    af = _stdsocket.AF_INET6 if family == 6 else _stdsocket.AF_INET
    probe = _stdsocket.socket(af, _stdsocket.SOCK_STREAM)
    try:
        probe.setsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_REUSEADDR, 1)
        probe.bind(bind)
    except OSError as e:
        from .errors import codeForErrno

        return codeForErrno(e.errno)
    finally:
        probe.close()
    return None


def _interleave(addresses: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Node's family interleaving: alternate families, starting with the first."""
    if not addresses:
        return []
    first = addresses[0][1]
    same = [a for a in addresses if a[1] == first]
    other = [a for a in addresses if a[1] != first]
    result: list[tuple[str, int]] = []
    for i in range(max(len(same), len(other))):
        if i < len(same):
            result.append(same[i])
        if i < len(other):
            result.append(other[i])
    return result


# The class-level defaults of Socket that one connection may override and a
# reconnect puts back (see Socket._resetDefaults).
_PER_CONNECTION_DEFAULTS = (
    "_closeEmitted", "_endEmitted", "_endScheduled", "_errorEmitted", "_errored",
    "_finalCalled", "_finished", "_flowScheduled", "_lastActivity",
    "_connecting", "_finishCallbacks", "_attempt", "_attemptTimer", "_connector",
    "_connectErrors", "_sockname", "_attemptInfo", "_multi", "_connectOptions",
    "_pendingAfterClose", "_adopting", "_lookupPending", "_resetting",
)


#: The most that a socket's listeners' writes are gathered into before it
#: is sent (see Socket._emitGathering): a sender writing Node's usual 64 KiB
#: chunks back to back makes half the send() calls, and the kernel half the
#: short segments that end each one.
_GATHER_LIMIT = 128 * 1024


class Socket(EventEmitter):
    """
    Node's ``net.Socket`` (also ``net.Stream``): a duplex TCP or unix socket.

    ``Socket([options], *, reactor=None)`` with Node's options
    ``allowHalfOpen``, ``readable``, ``writable``, ``fd``, ``highWaterMark``,
    ``noDelay``, ``keepAlive``, ``keepAliveInitialDelay``; connect it with
    :meth:`connect`, or get connected ones from a server's ``'connection'``.
    Events: ``lookup``, ``connectionAttempt``, ``connectionAttemptFailed``,
    ``connectionAttemptTimeout``, ``connect``, ``ready``, ``secure``,
    ``data``, ``end``, ``finish``, ``timeout``, ``drain``, ``error``,
    ``close``.
    """

    __slots__ = (
        # The attributes every connection uses, so that a connection costs
        # no per-instance dict; "__dict__" keeps arbitrary attributes possible
        # (Node programs hang their own properties on sockets), and that
        # dict is only allocated when a program does so.  What only some
        # sockets need (connecting, piping, keep-alive...) is a class
        # attribute below until set: a smaller socket is cheaper to make.
        "__dict__",
        "_bytesRead", "_bytesWritten", "_corked", "_decoder",
        "_destroyed", "_direct", "_ending", "_eof",
        "_flowing", "_hadHandle", "_handle", "_hwm", "_isUnix", "_needDrain",
        "_pending", "_pendingLength", "_reactor",
        "_readBuffer", "_readPaused", "_readableLength",
        "_sched", "_timer", "_tls", "_transport",
        "_transportPaused", "allowHalfOpen", "server",
        "_gathered", "_gatheredLength", "_gathering", "_flushCallbacks",
        # Set by most servers' connection listeners (setNoDelay()):
        "_noDelay",
    )

    # Defaults of what only some sockets set (see __slots__); all immutable.
    # Options and settings, kept across a reconnect:
    _readableOpt = True
    _writableOpt = True
    _refed = True
    _timeoutMs: float | None = None
    _noDelay: bool | None  # a slot
    _peer: dict[str, Any] | None = None
    # The way out of a connection (set once it ends, errs or closes), and a
    # timeout's bookkeeping; _resetDefaults puts them back for a reconnect:
    _closeEmitted = False
    _endEmitted = False
    _endScheduled = False
    _errorEmitted = False
    _errored: BaseException | None = None
    _finalCalled = False
    _finished = False
    _flowScheduled = False
    _lastActivity = 0.0
    # Connecting (connect() sets them; _resetDefaults puts them back):
    _connecting = False
    _adopting = False
    _attempt = 0
    _attemptInfo: tuple[Any, Any, Any] = (None, None, None)
    _attemptTimeoutMs: float
    _attemptTimer: Any = None
    _attempted: list[str] | None = None
    _connectErrors: list[NodeSystemError] | tuple[()] = _NONE
    _connectOptions: Mapping[str, Any] = _NO_OPTIONS
    _connector: Any = None
    _lookupPending = False
    _multi: list[tuple[str, int]] | None = None
    _multiPort: int
    _sockname: Any = None
    # Now and then:
    _defaultEncoding = "utf8"
    _finishCallbacks: list[_Callback] | tuple[()] = _NONE
    _keepAlive: tuple[bool, float] | None = None
    _pendingAfterClose: list[_Callback] | tuple[()] = _NONE
    _pipes: list[tuple[Any, _Callback]] | tuple[()] = _NONE
    _resetting = False

    _reactor: Any

    #: The ``allowHalfOpen`` option: whether the socket stays writable
    #: after the peer ends its side (its FIN, ``'end'``).  When false, as
    #: by default, the socket ends its own side in reply.  A server's
    #: sockets get the server's option.
    allowHalfOpen: bool
    #: The :class:`~nodenet.Server` that accepted this socket; ``None``
    #: (Node's ``null``) for a socket the program made.
    server: Server | None

    def __init__(self, options: Options | None = None, *, reactor: Any = None, **kwargs: Any) -> None:
        if options is not None and type(options) is not dict:
            options = socketOptions(options)
        opts: Mapping[str, Any] = (
            mergeOptions(options, kwargs) if options or kwargs else _NO_OPTIONS
        )
        if opts:
            validateSocketOptions(opts)
        reactor = getReactor(reactor)
        self._init(
            reactor,
            schedulerFor(reactor),
            jsTruthy(opts.get("allowHalfOpen")),
            _HWM if (hwm := opts.get("highWaterMark")) is None else int(hwm),
            opts.get("readable", True) is not False,
            opts.get("writable", True) is not False,
        )
        # As Node, the constructor (not connect()) takes these; they are
        # applied once connected.
        if jsTruthy(opts.get("noDelay")):
            self._noDelay = True
        if jsTruthy(opts.get("keepAlive")):
            self._keepAlive = (True, keepAliveSeconds(opts.get("keepAliveInitialDelay", 0)) * 1000.0)
        fd = opts.get("fd")
        if fd is not None:
            self._adoptFd(fd)
        if not self._readableOpt:
            self._endEmitted = True

    def _init(
        self,
        reactor: Any,
        sched: Scheduler,
        allowHalfOpen: bool,
        hwm: int,
        readable: bool = True,
        writable: bool = True,
    ) -> None:
        """The state of a new socket, from its options once they are checked."""
        # EventEmitter.__init__'s three fields, set here: every accepted
        # connection comes through, and a call is dearer than the stores.
        self._events = {}
        self._maxListeners = None
        self._warned = None
        self._reactor = reactor
        self._sched = sched
        self.allowHalfOpen = allowHalfOpen
        if not readable:
            self._readableOpt = False
        if not writable:
            self._writableOpt = False
        self._hwm: int = hwm
        self.server = None
        self._decoder: StringDecoder | None = None
        self._noDelay = None
        self._reset()

    def _reset(self) -> None:
        """Fresh connection state (construction and reconnect)."""
        # The connection's protocol: a NodeProtocol, or this socket itself
        # (a ServerSocket); None before connecting.
        self._handle: Any = None
        self._transport: Any = None
        self._isUnix = False
        self._hadHandle = False
        self._destroyed = False
        self._bytesRead = 0
        self._bytesWritten = 0
        # read side
        self._flowing: bool | None = None
        # Created when data must be held: most sockets never need one.
        self._readBuffer: deque[Any] | None = None
        self._readableLength = 0
        self._readPaused = False
        self._eof = False
        # write side
        self._pending: list[tuple[bytes, _Callback | None]] | tuple[()] = _NONE
        self._pendingLength = 0
        self._corked = 0
        # Writes made by this socket's own 'data' listeners, sent with one
        # syscall once they return (see _onData).
        self._gathering = False
        self._gathered: bytes | list[bytes] | None = None
        self._gatheredLength = 0
        # write() callbacks waiting for Twisted to hand their data to the
        # kernel, each with whether it was Node's in-flight write (see
        # _awaitFlush).
        self._flushCallbacks: list[tuple[_Callback, bool]] | tuple[()] = _NONE
        self._ending = False
        self._needDrain = False
        self._transportPaused = False
        self._timer: Any = None
        #: Whether writes may go straight to the kernel (plain posix transports).
        self._direct = False
        self._tls: TLSSession | None = None

    def _resetDefaults(self) -> None:
        """Put back the class defaults a previous connection set (a reconnect)."""
        state = self.__dict__
        for name in _PER_CONNECTION_DEFAULTS:
            state.pop(name, None)

    # ------------------------------------------------------------------
    # derived state (as lib/net.js and lib/internal/streams derive it)

    @property
    def connecting(self) -> bool:
        """``True`` between ``connect()`` and ``'connect'``."""
        return self._connecting

    @property
    def _connecting_(self) -> bool:
        return self._connecting

    @property
    def pending(self) -> bool:
        """``True`` while there is no connection yet (or any more)."""
        return not self._hadHandle or self._connecting or self._destroyed

    @property
    def destroyed(self) -> bool:
        """``True`` once ``destroy()`` ran (by the program or by an error)."""
        return self._destroyed

    @property
    def readable(self) -> bool:
        """Whether ``'data'`` may still come."""
        return self._readableOpt and not self._destroyed and not self._endEmitted

    @property
    def writable(self) -> bool:
        """Whether ``write()`` may still be called."""
        return (
            self._writableOpt
            and not self._destroyed
            and not self._ending
            and self._errored is None
        )

    @property
    def readyState(self) -> str:
        """``'opening'``, ``'open'``, ``'readOnly'``, ``'writeOnly'`` or ``'closed'``."""
        if self._connecting:
            return "opening"
        readable = self.readable
        writable = self.writable
        if readable and writable:
            return "open"
        if readable:
            return "readOnly"
        if writable:
            return "writeOnly"
        return "closed"

    @property
    def bytesRead(self) -> int:
        """Bytes received from the peer."""
        return self._bytesRead

    @property
    def bytesWritten(self) -> int:
        """Bytes written: handed to the transport plus still queued here."""
        return self._bytesWritten + self._pendingLength

    @property
    def writableLength(self) -> int:
        """Bytes written but not yet taken by the kernel."""
        transport = self._transport
        queued = queuedBytes(transport) if transport is not None else 0
        return self._pendingLength + queued

    @property
    def bufferSize(self) -> int | None:
        """``writableLength`` while there is a handle, else ``None``."""
        if self._destroyed or (self._handle is None and not self._connecting):
            return None
        return self.writableLength

    @property
    def writableHighWaterMark(self) -> int:
        """The queue size at which ``write()`` starts returning ``False``."""
        return self._hwm

    @property
    def readableHighWaterMark(self) -> int:
        """The buffered-read size at which the socket stops reading."""
        return self._hwm

    @property
    def readableLength(self) -> int:
        """Bytes received but not yet delivered as ``'data'``."""
        return self._readableLength

    @property
    def readableFlowing(self) -> bool | None:
        """``None`` before anyone reads, ``True`` flowing, ``False`` paused."""
        return self._flowing

    @property
    def readableEnded(self) -> bool:
        """Whether ``'end'`` was emitted."""
        return self._endEmitted

    @property
    def readableEncoding(self) -> str | None:
        """The encoding set by ``setEncoding()``, or ``None``."""
        return self._decoder.encoding if self._decoder is not None else None

    @property
    def writableEnded(self) -> bool:
        """Whether ``end()`` was called."""
        return self._ending

    @property
    def writableFinished(self) -> bool:
        """Whether ``'finish'`` was emitted."""
        return self._finished

    @property
    def writableNeedDrain(self) -> bool:
        """Whether a ``'drain'`` is owed (``write()`` returned ``False``)."""
        return self._needDrain

    @property
    def writableCorked(self) -> int:
        """How many ``cork()`` calls are not yet matched by ``uncork()``."""
        return self._corked

    @property
    def errored(self) -> BaseException | None:
        """The error the socket was destroyed with, or ``None``."""
        return self._errored

    @property
    def timeout(self) -> float | None:
        """The idle timeout in milliseconds (``None`` until set)."""
        return self._timeoutMs

    # addresses

    @property
    def autoSelectFamilyAttemptedAddresses(self) -> list[str] | None:
        """
        The ``'ip:port'`` addresses a connect to a host name that resolved
        to several addresses tried (``autoSelectFamily``), in order; once
        connected, the last one is the peer's.  ``None`` (Node's
        ``undefined``) until such a connect, as in Node.
        """
        return self._attempted

    @autoSelectFamilyAttemptedAddresses.setter
    def autoSelectFamilyAttemptedAddresses(self, value: list[str] | None) -> None:
        self._attempted = value

    def _peerInfo(self) -> dict[str, Any]:
        if self._peer is None:
            if self._transport is None or self._connecting or self._isUnix:
                return {}
            try:
                peer = self._transport.getPeer()
            except Exception:
                return {}
            family = _family(peer)
            if family is None:
                return {}
            self._peer = {"address": peer.host, "port": peer.port, "family": family}
        return self._peer

    def _sockInfo(self) -> dict[str, Any]:
        if self._transport is None or self._connecting or self._isUnix or self._destroyed:
            return {}
        try:
            host = self._transport.getHost()
        except Exception:
            return {}
        family = _family(host)
        if family is None:
            return {}
        return {"address": host.host, "family": family, "port": host.port}

    @property
    def remoteAddress(self) -> str | None:
        """The peer's IP address (``'::ffff:127.0.0.1'`` on a dual-stack server)."""
        return self._peerInfo().get("address")

    @property
    def remotePort(self) -> int | None:
        """The peer's port."""
        return self._peerInfo().get("port")

    @property
    def remoteFamily(self) -> str | None:
        """``'IPv4'`` or ``'IPv6'``."""
        return self._peerInfo().get("family")

    @property
    def localAddress(self) -> str | None:
        """Our end's IP address."""
        return self._sockInfo().get("address")

    @property
    def localPort(self) -> int | None:
        """Our end's port."""
        return self._sockInfo().get("port")

    @property
    def localFamily(self) -> str | None:
        """Our end's family, ``'IPv4'`` or ``'IPv6'``."""
        return self._sockInfo().get("family")

    def address(self) -> dict[str, Any]:
        """``{'address', 'family', 'port'}`` of our end; ``{}`` when not connected."""
        return self._sockInfo()

    # ------------------------------------------------------------------
    # listeners: adding a 'data' listener starts the flow, as in Node

    def _addListener(self, event: Any, listener: Any, prepend: bool) -> Any:
        result = EventEmitter._addListener(self, event, listener, prepend)
        if event == "data" and self._flowing is not False:
            self.resume()
        return result

    def on(self: _S, event: Hashable, listener: Callable[..., Any]) -> _S:
        """Add ``listener`` at the end of ``event``'s listeners; returns ``self``."""
        events = self._events
        if (
            type(event) is str
            and event not in events
            and "newListener" not in events
            and callable(listener)
        ):
            # The common case, a first listener and nobody watching for new
            # ones (what every connection's set-up does), without the
            # general path's calls: the same outcome as _addListener's.
            events[event] = listener
            if event == "data" and self._flowing is not False:
                self.resume()
            return self
        return EventEmitter.on(self, event, listener)

    addListener = on

    # ------------------------------------------------------------------
    # errors escaping listeners

    def _listenerError(self, exc: BaseException) -> None:
        """A listener raised inside a reactor callback: report, destroy this socket."""
        _loop.uncaught(exc)
        if not self._destroyed:
            self._errorEmitted = True
            self.destroy()

    def _listenerFailed(self, failure: Failure) -> None:
        self._listenerError(failure.value if failure.value is not None else Exception(failure))

    def _safeEmit(self, event: str, *args: Any) -> None:
        try:
            self.emit(event, *args)
        except BaseException as e:
            self._listenerError(e)

    def _safeCall(self, fn: _Callback, *args: Any) -> None:
        try:
            fn(*args)
        except BaseException as e:
            self._listenerError(e)

    # ------------------------------------------------------------------
    # connecting

    def connect(self, *args: Any, **kwargs: Any) -> Socket:
        """
        Connect: ``connect(port[, host][, cb])``, ``connect(path[, cb])``,
        ``connect(options[, cb])`` or keyword options.

        ``cb`` is added as a ``'connect'`` listener.  A closed socket may be
        connected again.  Returns the socket.
        """
        options, cb = normalizeArgs(args)
        options.update(kwargs)
        if cb is None and callable(options.get("callback")):
            cb = options.pop("callback")
        if cb is not None:
            self.once("connect", cb)
        if options.get("port", UNSET) is UNSET and options.get("path") is None:
            raise makeError("ERR_MISSING_ARGS", "options", "port", "path")
        if self._destroyed or self._closeEmitted or self._hadHandle:
            flowing = self._flowing
            self._reset()
            self._resetDefaults()
            self._flowing = flowing  # Node keeps the flowing state across a reconnect
            self._peer = None
        # As Node: the socket is connecting before the options are checked, so
        # a connect() that throws leaves it 'opening' (destroy() closes it).
        # Like Node's socket.connect(), this ignores a 'timeout' option (only
        # net.connect() applies it).
        self._connecting = True
        self._hadHandle = True
        self._attempt += 1
        validateConnectOptions(options)
        self._connectOptions = options
        self._updateActive()
        path = options.get("path")
        if jsTruthy(path):
            self._isUnix = True
            self._attempt += 1
            self._safeEmit("connectionAttempt", path, None, None)
            self._connector = self._reactor.connectUNIX(
                path, ConnectAttemptFactory(self, self._attempt), timeout=None
            )
            self._attemptInfo = (path, None, None)
            return self
        port = validatePort(options["port"]) if "port" in options else 0
        host = connectHost(options)
        family = isIP(host)
        if family:
            self._sched.nextTick(self._connectSingle, host, port, family)
        else:
            self._lookupAndConnect(host, port, options)
        return self

    def _lookupAndConnect(self, host: str, port: int, options: Options) -> None:
        family: Any = options.get("family") or 0
        if family == "IPv4" or family == "IPv6":
            family = 4 if family == "IPv4" else 6
        autoSelect = options.get("autoSelectFamily")
        if autoSelect is None:
            autoSelect = defaultAutoSelectFamily
        dnsOptions: dict[str, Any] = {"family": family}
        if jsTruthy(options.get("hints")):
            dnsOptions["hints"] = options["hints"]
        elif family not in (4, 6):
            dnsOptions["hints"] = int(_stdsocket.AI_ADDRCONFIG)
        if autoSelect and family not in (4, 6) and not jsTruthy(options.get("localAddress")):
            dnsOptions["all"] = True
        lookup = options.get("lookup") or _defaultLookup(self._reactor)
        attempt = self._attempt = self._attempt + 1
        self._lookupPending = True

        def onLookup(err: BaseException | None, address: Any = None, fam: Any = None) -> None:
            self._lookupPending = False
            if attempt != self._attempt or not self._connecting:
                return
            if err is not None:
                self._safeEmit("lookup", err, None, None, host)
                if not self._destroyed:
                    self.destroy(err)
                return
            if isinstance(address, list):
                addresses = [(a["address"], int(a["family"])) for a in address]
            else:
                addresses = [(address, int(fam or isIP(address)))]
            if not addresses:
                err = dnsError("ENOTFOUND", host)
                self._safeEmit("lookup", err, None, None, host)
                if not self._destroyed:
                    self.destroy(err)
                return
            if len(addresses) == 1 or not dnsOptions.get("all"):
                ip, fam = addresses[0]
                self._safeEmit("lookup", None, ip, fam, host)
                if self._connecting and not self._destroyed:
                    self._connectSingle(ip, port, fam)
                return
            for ip, fam in addresses:
                self._safeEmit("lookup", None, ip, fam, host)
            if self._connecting and not self._destroyed:
                self._connectMultiple(_interleave(addresses), port, options)

        def onLookupDone(*args: Any) -> None:
            onLookup(*args)
            self._sched.drainTicks()

        lookup(host, dnsOptions, onLookupDone)

    def _isCurrentAttempt(self, attempt: int) -> bool:
        return attempt == self._attempt and self._connecting and not self._destroyed

    def _startAttempt(self, ip: str, port: int, family: int) -> None:
        self._attempt += 1
        self._attemptInfo = (ip, port, family)
        opts = self._connectOptions
        bind = None
        localAddress: Any = opts.get("localAddress")
        localPort: Any = opts.get("localPort")
        if jsTruthy(localAddress) or jsTruthy(localPort):
            bind = (localAddress if jsTruthy(localAddress) else ("::" if family == 6 else "0.0.0.0"),
                    toInt32(localPort) if jsTruthy(localPort) else 0)
            failure = _bindProblem(bind, family)
            if failure is not None:
                self.destroy(connectError(failure, "bind", bind[0], bind[1]))
                return
        self._safeEmit("connectionAttempt", ip, port, family)
        if not self._isCurrentAttempt(self._attempt):
            return
        self._connector = self._reactor.connectTCP(
            ip, port, ConnectAttemptFactory(self, self._attempt), timeout=None, bindAddress=bind
        )

    def _connectSingle(self, ip: str, port: int, family: int) -> None:
        if not self._connecting or self._destroyed:
            return
        self._multi = None
        self._startAttempt(ip, port, family)

    def _connectMultiple(self, addresses: list[tuple[str, int]], port: int, options: Options) -> None:
        self._multi = addresses[1:]
        self._multiPort = port
        self._connectErrors = []
        timeout = options.get("autoSelectFamilyAttemptTimeout") or defaultAutoSelectFamilyAttemptTimeout
        self._attemptTimeoutMs = max(10, int(timeout))
        self._attempted = []
        ip, fam = addresses[0]
        self._startMultiAttempt(ip, fam)

    def _startMultiAttempt(self, ip: str, family: int) -> None:
        attempted = self._attempted
        if attempted is not None:
            attempted.append(f"{ip}:{self._multiPort}")
        self._startAttempt(ip, self._multiPort, family)
        if self._multi and self._isCurrentAttempt(self._attempt):
            self._attemptTimer = self._reactor.callLater(
                self._attemptTimeoutMs / 1000.0, self._onAttemptTimeout, self._attempt
            )

    def _onAttemptTimeout(self, attempt: int) -> None:
        self._attemptTimer = None
        if not self._isCurrentAttempt(attempt):
            return
        ip, port, family = self._attemptInfo
        connector, self._connector = self._connector, None
        self._attempt += 1  # the abandoned attempt's failure is ignored
        if connector is not None:
            connector.stopConnecting()
        self._safeEmit("connectionAttemptTimeout", ip, port, family)
        self._nextMultiAttempt()
        self._sched.drainTicks()

    def _nextMultiAttempt(self) -> None:
        if not self._connecting or self._destroyed:
            return
        assert self._multi is not None
        if self._multi:
            ip, fam = self._multi.pop(0)
            self._startMultiAttempt(ip, fam)
            return
        errors = list(self._connectErrors)
        if not errors:
            err: NodeSystemError = makeError("ERR_SOCKET_CONNECTION_TIMEOUT")  # type: ignore[assignment]
        elif len(errors) == 1:
            err = errors[0]
        else:
            err = AggregateError(list(errors))
        self.destroy(err)

    def _onAttemptFailed(self, attempt: int, reason: Failure) -> None:
        if attempt != self._attempt or self._destroyed or not self._connecting:
            return
        self._connector = None
        if self._attemptTimer is not None:
            self._attemptTimer.cancel()
            self._attemptTimer = None
        ip, port, family = self._attemptInfo
        opts = self._connectOptions
        err = fromFailure(reason, "connect", ip, port)
        if err is None or err.code == "UNKNOWN":
            err = connectError("ECONNREFUSED", "connect", ip, port)
        if port is None:
            err.port = None
            err.message = f"connect {err.code} {ip}"
            err.args = (err.message,)
        if jsTruthy(opts.get("localAddress")) and jsTruthy(opts.get("localPort")):
            err = connectError(
                err.code or "ECONNREFUSED", "connect", ip, port,
                opts.get("localAddress"), opts.get("localPort"),
            )
        multi = getattr(self, "_multi", None)
        if multi is None or (not multi and not self._connectErrors):
            self._connecting = False
            self._safeEmit("connectionAttemptFailed", ip, port, family, err)
            if not self._destroyed:
                self.destroy(err)
            return
        errors = self._connectErrors
        if isinstance(errors, list):
            errors.append(err)
        else:
            self._connectErrors = [err]
        # readyState stays 'opening' through the attempts, as in Node.
        self._safeEmit("connectionAttemptFailed", ip, port, family, err)
        self._nextMultiAttempt()

    def _adoptFd(self, fd: Any) -> None:
        """``new Socket({fd})``: wrap an already connected descriptor."""
        fd = int(fd)  # validateSocketOptions() checked it
        dup = _stdsocket.socket(fileno=_stdsocket.dup(fd))
        try:
            family = dup.family
            dup.setblocking(False)
            proto = NodeProtocol(self)
            self._hadHandle = True
            self._isUnix = family == _stdsocket.AF_UNIX
            self._adopting = True
            # Twisted dups the descriptor again; ours is closed below.
            self._reactor.adoptStreamConnection(
                dup.fileno(), family, Factory.forProtocol(lambda: proto)
            )
        finally:
            dup.close()

    def _onConnected(self, handle: NodeProtocol) -> None:
        """The transport is up (client connect, or an adopted descriptor)."""
        if self._destroyed:
            # Destroyed while the connection was being made: hang up.
            handle.socket = None
            transport: Any = handle.transport
            transport.loseConnection()
            return
        adopted = getattr(self, "_adopting", False)
        self._adopting = False
        if self._attemptTimer is not None:
            self._attemptTimer.cancel()
            self._attemptTimer = None
        self._handle = handle
        self._transport = handle.transport
        self._direct = writesDirectly(handle.transport)
        self._connecting = False
        self._connector = None
        self._hadHandle = True
        self._applySocketOptions()
        if self._tls is not None:
            self._startTls()
        if self._flowing is False or self._readPaused:
            self._readPaused = True
            self._transport.pauseProducing()
        if self._timer is not None:
            self._activity()
        self._updateActive()
        if adopted:
            return
        try:
            self._emitGathering("connect")
            self._flushPending()
            if self._ending and not self._destroyed:
                self._final()
            if not self._destroyed:
                self.emit("ready")
        except BaseException as e:
            self._listenerError(e)

    def _accepted(
        self, handle: Any, transport: Any, server: Server | None, pauseOnConnect: bool
    ) -> None:
        """
        Wire a socket a server just accepted to ``transport``, whose protocol
        is ``handle``: a :class:`NodeProtocol`, or the socket itself (a
        :class:`~nodenet._serversocket.ServerSocket`).
        """
        self.server = server
        self._handle = handle
        self._transport = transport
        self._direct = writesDirectly(transport)
        self._hadHandle = True
        if server is not None:
            # The server knows; asking the transport costs a syscall and an address object.
            self._isUnix = server._pipeName is not None
            # The server's noDelay and keepAlive options, as Node's onconnection applies them.
            if server.noDelay:
                self._noDelay = True
            if server.keepAlive:
                self._keepAlive = (True, server.keepAliveInitialDelay * 1000.0)
        else:
            self._isUnix = isinstance(transport.getHost(), UNIXAddress)
        if handle is not self:
            handle.attach(self)
        if pauseOnConnect:
            self._flowing = False
            self._readPaused = True
            transport.pauseProducing()
        if self._noDelay is not None or self._keepAlive is not None:
            self._applySocketOptions()
        if self._tls is not None:
            self._startTls()
        loop = _loop._current
        if loop is not None:
            if pauseOnConnect or self._destroyed:
                loop.setActive(self, self._refed and self._isActive())
            else:
                loop.setActive(self, True)  # new, ref'd and reading: _isActive()'s answer

    def _applySocketOptions(self) -> None:
        if self._isUnix:
            return
        transport = self._transport
        if self._noDelay is not None and hasattr(transport, "setTcpNoDelay"):
            transport.setTcpNoDelay(self._noDelay)
        if self._keepAlive is not None:
            self._applyKeepAlive(*self._keepAlive)

    def _applyKeepAlive(self, enable: bool, delayMs: float) -> None:
        transport = self._transport
        if not hasattr(transport, "setTcpKeepAlive"):
            return
        transport.setTcpKeepAlive(bool(enable))
        seconds = int(delayMs // 1000)
        if enable and seconds > 0 and hasattr(_stdsocket, "TCP_KEEPIDLE"):
            try:
                # After startTLS getHandle() is the TLS connection, not the socket.
                handle = getattr(transport, "socket", None) or transport.getHandle()
                # As Node's libuv: the first probe after the delay, then one
                # a second, and the peer is given up after ten unanswered.
                handle.setsockopt(_stdsocket.IPPROTO_TCP, _stdsocket.TCP_KEEPIDLE, seconds)
                handle.setsockopt(_stdsocket.IPPROTO_TCP, _stdsocket.TCP_KEEPINTVL, 1)
                handle.setsockopt(_stdsocket.IPPROTO_TCP, _stdsocket.TCP_KEEPCNT, 10)
            except (AttributeError, OSError):
                pass

    # ------------------------------------------------------------------
    # reading

    def _onData(self, data: bytes) -> None:
        """Bytes from the transport (the hot path: keep it lean)."""
        self._bytesRead += len(data)
        if self._timer is not None:
            self._activity()
        try:
            if self._flowing and not self._readBuffer:
                decoder = self._decoder
                # What the listeners write to this socket is gathered and
                # sent with one syscall when they return: a reply made of
                # many writes costs one send.  write() behaves as if each
                # write went to the kernel at once (as Node's does).
                self._gathering = True
                try:
                    if decoder is None:
                        self.emit("data", data)
                    else:
                        text = decoder.write(data)
                        if text:
                            self.emit("data", text)
                finally:
                    self._gathering = False
                    if self._gatheredLength or self._flushCallbacks:
                        self._afterGather()
            elif not self._endEmitted and not self._destroyed:
                # Held (paused, or nobody reads yet): as Node, keep reading
                # until the high-water mark, then let the kernel hold the peer.
                buffer = self._readBuffer
                if buffer is None:
                    buffer = self._readBuffer = deque()
                buffer.append(data)
                self._readableLength += len(data)
                if not self._readPaused and self._readableLength >= self._hwm:
                    self._readPaused = True
                    self._transport.pauseProducing()
                if self._flowing:
                    self._scheduleFlow()
        except BaseException as e:
            self._listenerError(e)
        if self._sched._ticks:
            self._sched.drainTicks()

    def _emitGathering(self, event: str) -> None:
        """
        ``emit(event)``, gathering what the listeners write to this socket
        and sending it in one syscall when they return, as ``_onData`` does
        for ``'data'``: for ``'connect'`` and ``'drain'`` (and the server's
        ``'connection'``), where programs write their greeting or their next
        chunks.  Nothing else runs before it is sent, so the peer cannot
        tell.  (``Server._serve`` writes it out for ``'connection'``.)
        """
        outer = not self._gathering
        self._gathering = True
        try:
            self.emit(event)
        finally:
            if outer:
                self._gathering = False
                if self._gatheredLength or self._flushCallbacks:
                    self._afterGather()

    def _scheduleFlow(self) -> None:
        if not self._flowScheduled:
            self._flowScheduled = True
            self._sched.nextTick(self._flow)

    def _flow(self) -> None:
        """Deliver buffered data while flowing, then a pending ``'end'``."""
        self._flowScheduled = False
        try:
            buffer = self._readBuffer
            while self._flowing and buffer and not self._destroyed:
                chunk = buffer.popleft()
                self._readableLength -= len(chunk)
                decoder = self._decoder
                if decoder is not None:
                    chunk = decoder.write(chunk)
                    if not chunk:
                        continue
                self.emit("data", chunk)
        except BaseException as e:
            self._listenerError(e)
            return
        if self._flowing and not self._readBuffer and self._readPaused and not self._destroyed:
            if self._transport is not None and not self._eof:
                self._readPaused = False
                self._transport.resumeProducing()
        self._maybeEnd()

    def _maybeEnd(self) -> None:
        if (
            self._eof
            and not self._endEmitted
            and not self._endScheduled
            and not self._readBuffer
            and self._flowing is not False
            and not self._destroyed
        ):
            self._endScheduled = True
            self._sched.nextTick(self._endReadable)

    def _onEof(self, handle: object) -> None:
        """The peer's FIN."""
        if handle is not self._handle or self._eof:
            return
        self._eof = True
        if self._timer is not None:
            self._activity()
        self._maybeEnd()

    def _endReadable(self) -> None:
        self._endScheduled = False
        if self._endEmitted or self._destroyed or self._readBuffer or self._flowing is False:
            return
        try:
            decoder = self._decoder
            if decoder is not None:
                rest = decoder.end()
                if rest:
                    self.emit("data", rest)
            self._endEmitted = True
            self.emit("end")
        except BaseException as e:
            self._listenerError(e)
            return
        self._updateActive()
        if self._destroyed:
            return
        if self._finished or not self._writableOpt:
            self.destroy()
        elif self._tls is not None and self._tls.closed:
            self._sched.nextTick(self._tlsAutoEnd)
        elif not self.allowHalfOpen:
            self._sched.nextTick(self._autoEnd)

    def _autoEnd(self) -> None:
        if not self._destroyed and not self._ending:
            self._safeCall(self.end)

    def pause(self) -> Socket:
        """
        Stop ``'data'``; what still arrives is held.

        As in Node, the socket reads on until it holds ``readableHighWaterMark``
        bytes and then stops reading from the kernel, so the peer is held
        back by TCP's own flow control.
        """
        self._flowing = False
        self._updateActive()
        return self

    def resume(self) -> Socket:
        """Start (or restart) ``'data'``: held data first, then reading again."""
        wasReading = self._flowing is not False and not self._readPaused
        self._flowing = True
        if not self._destroyed:
            if self._readBuffer or self._eof:
                self._scheduleFlow()
            if not self._readBuffer and self._readPaused and self._transport is not None:
                self._readPaused = False
                if not self._eof:
                    self._transport.resumeProducing()
        if not wasReading:
            self._updateActive()  # nothing else resume() changes bears on it
        return self

    def isPaused(self) -> bool:
        """Whether ``pause()`` is in effect."""
        return self._flowing is False

    def setEncoding(self, encoding: Any = UNSET) -> Socket:
        """Deliver ``'data'`` as ``str`` decoded with ``encoding`` (default ``'utf8'``)."""
        if encoding is UNSET or encoding is None or encoding == "":
            name: str | None = "utf8"  # as Node's StringDecoder: null and '' mean utf8
        else:
            name = normalizeEncoding(encoding)
        if name is None:
            raise makeError("ERR_UNKNOWN_ENCODING", encoding)
        self._decoder = StringDecoder(name)
        return self

    def setDefaultEncoding(self, encoding: Any) -> Socket:
        """The encoding of later ``write(str)`` calls that name none."""
        name = normalizeEncoding(encoding)  # '' and non-strings are no encoding here
        if name is None:
            raise makeError("ERR_UNKNOWN_ENCODING", encoding)
        self._defaultEncoding = name
        return self

    # ------------------------------------------------------------------
    # writing

    def _toBytes(self, data: Any, encoding: Any) -> bytes:
        if isinstance(data, str):
            if encoding is UNSET or encoding is None or encoding == "":
                name: str | None = self._defaultEncoding
            else:
                name = normalizeEncoding(encoding)
                if name is None:
                    raise makeError("ERR_UNKNOWN_ENCODING", encoding)
            if name == "utf8":
                try:
                    return data.encode("utf-8")
                except UnicodeEncodeError:
                    pass
            return encode(data, name)  # type: ignore[arg-type]
        if isinstance(data, _CHUNK_TYPES):
            return bytes(data)
        if data is None:
            raise makeError("ERR_STREAM_NULL_VALUES")
        raise invalidArgType(
            "chunk", ["string", "Buffer", "TypedArray", "DataView"], data
        )

    def _writeArgs(self, data: Any, encoding: Any, cb: Any) -> tuple[bytes, _Callback | None]:
        """
        ``write(data, encoding, cb)`` read as Node's ``Writable.write`` reads
        it: a function in place of the encoding is the callback, a callback
        that is not a function is ignored, a falsy encoding is the default,
        any other must be an encoding's name (or ``'buffer'``, for bytes).
        """
        if callable(encoding):
            cb, encoding = encoding, UNSET
        elif cb is not None and not callable(cb):
            cb = None
        if data is None:
            raise makeError("ERR_STREAM_NULL_VALUES")
        if not jsTruthy(encoding):
            encoding = UNSET
        elif encoding != "buffer" and normalizeEncoding(encoding) is None:
            raise makeError("ERR_UNKNOWN_ENCODING", encoding)
        if type(data) is not bytes:
            data = self._toBytes(data, encoding)
        return data, cb

    def write(self, data: Any, encoding: Any = UNSET, cb: _Callback | None = None) -> bool:
        """
        Send ``data`` (``bytes``-like, or ``str`` in ``encoding``, default utf8).

        Returns ``False`` when the queue reached the high-water mark: wait for
        ``'drain'``.  ``cb(None)`` is called once the kernel took the data,
        ``cb(err)`` if it never will.  Also ``write(data, cb)``.
        """
        if encoding is not UNSET or cb is not None:
            data, cb = self._writeArgs(data, encoding, cb)
        elif type(data) is not bytes:
            data = self._toBytes(data, UNSET)
        transport = self._transport
        if (
            transport is None
            or self._ending
            or self._destroyed
            or self._corked
            or self._pending
        ):
            return self._writeSlow(data, cb)
        held = False
        if data:
            held = self._send(data)
            self._bytesWritten += len(data)
        if cb is not None:
            if held or self._flushCallbacks:
                self._awaitFlush(cb, transport)
            elif self._gathering:
                # Node calls back a write the kernel took at once in the next
                # tick queued after it: keep that place for this one.
                self._sched.nextTick(self._gatheredWritten, cb)
            else:
                self._sched.nextTick(cb, None)
        if self._timer is not None:
            self._activity()
        if self._transportPaused or self._needDrain:
            self._needDrain = True
            return False
        if held and queuedBytes(transport) >= self._hwm:
            self._owedDrain(transport)
            return False
        return True

    def _gatheredWritten(self, cb: _Callback) -> None:
        """
        The callback of a write a listener made while its writes were
        gathered, in Node's order: by now what was gathered went to the
        kernel, unless the kernel took only part of it, and then the
        callback waits for the rest.
        """
        transport = self._transport
        if self._flushCallbacks or (transport is not None and queuedBytes(transport)):
            self._awaitFlush(cb, transport)
        else:
            cb(None)

    def _awaitFlush(self, cb: _Callback, transport: Any) -> None:
        """
        Call ``cb(None)`` once Twisted handed what is written so far to the
        kernel, as Node calls a write's callback once libuv wrote it (so a
        callback that destroys the socket loses nothing).  The first waiting
        callback stands for Node's in-flight write, the others for writes
        Node would still hold in the stream: a ``destroy()`` meanwhile gives
        them ``None`` and ``ERR_STREAM_DESTROYED``, as Node does.
        """
        waiting = self._flushCallbacks
        if isinstance(waiting, list):
            waiting.append((cb, False))
            return
        self._flushCallbacks = [(cb, True)]
        if not self._gathering:
            self._noticeFlush(transport)

    def _noticeFlush(self, transport: Any) -> None:
        """Have Twisted call ``_onTransportDrained`` once its buffer is empty."""
        if hasattr(transport, "producerPaused"):
            transport.producerPaused = True
        if self._tls is not None:
            holdDrain(transport)

    def _afterGather(self) -> None:
        """The 'data' listeners returned: send what they wrote; release or keep their callbacks."""
        if self._gatheredLength:
            self._flushGathered()
        if self._flushCallbacks:
            transport = self._transport
            if transport is not None and queuedBytes(transport):
                self._noticeFlush(transport)
            else:
                waiting, self._flushCallbacks = self._flushCallbacks, _NONE
                for cb, _ in waiting:
                    self._sched.nextTick(self._safeCall, cb, None)

    def _callFlushCallbacks(self, error: BaseException | None = None) -> None:
        """
        Call the waiting write callbacks now: with ``None`` when their data
        went out, else (the socket was destroyed first) the in-flight one
        with ``None`` and the rest with ``error``, as Node does.
        """
        waiting, self._flushCallbacks = self._flushCallbacks, _NONE
        for cb, inFlight in waiting:
            self._safeCall(cb, None if inFlight else error)

    def _owedDrain(self, transport: Any) -> None:
        """Twisted holds a full queue: ask it to tell us when it is empty."""
        self._needDrain = True
        if hasattr(transport, "producerPaused"):
            transport.producerPaused = True
        if self._tls is not None:
            holdDrain(transport)
        self._updateActive()

    def _writeSlow(self, data: bytes, cb: _Callback | None) -> bool:
        err: NodeError | None = None
        if self._ending:
            if self._endEmitted and not self.allowHalfOpen:
                err = systemError(
                    "EPIPE", "This socket has been ended by the other party", withErrno=False
                )
            else:
                err = makeError("ERR_STREAM_WRITE_AFTER_END")
        elif self._destroyed:
            err = makeError("ERR_STREAM_DESTROYED", "write")
        elif self._tls is not None and self._tls.closed:
            # The TLS peer closed and Twisted closed the connection with it
            # (TLS has no half-close): what is written now goes nowhere.
            if cb is not None:
                self._sched.nextTick(self._safeCall, cb, None)
            return True
        elif self._handle is None and not self._connecting:
            err = makeError("ERR_SOCKET_CLOSED")
        if err is not None:
            if cb is not None:
                self._sched.nextTick(self._safeCall, cb, err)
            if self._destroyed:
                return False
            if err.code == "ERR_SOCKET_CLOSED" and not self._ending:
                # Node's writable side errors now and destroys on the next tick.
                if self._errored is None:
                    self._errored = err
                    self._sched.nextTick(self._destroyErrored)
                return False
            self.destroy(err)
            return False
        # queued: while connecting, while corked, or behind queued data
        pending = self._pending
        if isinstance(pending, list):
            pending.append((data, cb))
        else:
            self._pending = [(data, cb)]
        self._pendingLength += len(data)
        if self._timer is not None:
            self._activity()
        if self._pendingLength >= self._hwm or self._needDrain:
            self._needDrain = True
            self._updateActive()
            return False
        return True

    def _destroyErrored(self) -> None:
        error = self._errored
        self._errored = None
        self.destroy(error)

    def _flushPending(self) -> None:
        """Hand everything queued to the transport (connect, uncork)."""
        pending = self._pending
        if not pending or self._transport is None or self._destroyed:
            return
        self._pending = _NONE
        length, self._pendingLength = self._pendingLength, 0
        held = self._send(b"".join(chunk for chunk, _ in pending)) if length else False
        self._bytesWritten += length
        transport = self._transport
        for _, cb in pending:
            if cb is not None:
                if held or self._flushCallbacks:
                    self._awaitFlush(cb, transport)
                else:
                    self._sched.nextTick(self._safeCall, cb, None)
        if self._needDrain and not self._transportPaused:
            if queuedBytes(self._transport) >= self._hwm or self._ending:
                self._owedDrain(self._transport)
            else:
                self._needDrain = False
                self._sched.nextTick(self._emitDrain)

    def _send(self, data: bytes) -> bool:
        """
        Hand ``data`` to the kernel now if nothing is queued ahead of it (as
        Node writes synchronously); Twisted keeps what the kernel did not take.

        Returns whether Twisted holds data afterwards.
        """
        transport = self._transport
        if self._direct and not queuedBytes(transport):
            if self._gathering:
                gathered = self._gathered
                if gathered is None:
                    self._gathered = data
                elif type(gathered) is bytes:
                    self._gathered = [gathered, data]
                else:
                    gathered.append(data)  # type: ignore[union-attr]
                self._gatheredLength += len(data)
                if self._gatheredLength < _GATHER_LIMIT:
                    return False
                return self._flushGathered()
            sent = transport.writeSomeData(data)
            if type(sent) is int:
                if sent == len(data):
                    return False
                data = data[sent:]
            else:
                # The kernel refused the write: the connection is gone, and
                # no write still waiting, this one included, reaches it.
                self._flushCallbacks = [(cb, False) for cb, _ in self._flushCallbacks]
                self._sched.nextTick(self._writeFailed)
                return True
        transport.write(data)
        tls = self._tls
        if tls is not None and tls.handshakeDone:
            # Encrypt now, as Node does, rather than a reactor turn later:
            # the peer's close_notify may be processed before that turn.
            flushTls(transport)
        return True

    def _writeFailed(self) -> None:
        """
        Destroy with Node's write error: ``write EPIPE`` once the peer's FIN
        was seen (Node's report for a write into a half-open connection the
        peer then reset), else ``write ECONNRESET``.  Twisted drops the
        errno, and a send() after a reset says ECONNRESET only once.
        """
        if not self._destroyed:
            self.destroy(streamError("EPIPE" if self._eof else "ECONNRESET", "write"))

    def _flushGathered(self) -> bool:
        """Send what was gathered (see ``_onData``); whether Twisted holds some of it."""
        gathered = self._gathered
        data = gathered if type(gathered) is bytes else b"".join(gathered)  # type: ignore[arg-type]
        self._gathered = None
        self._gatheredLength = 0
        transport = self._transport
        if transport is None:
            return False
        # Gathering only starts while Twisted holds nothing: straight to the kernel.
        sent = transport.writeSomeData(data)
        if type(sent) is int:
            if sent == len(data):
                return False
            data = data[sent:]
        transport.write(data)
        return True

    def _emitDrain(self) -> None:
        if not self._needDrain and not self._destroyed:
            self._safeCall(self._emitGathering, "drain")

    def _onTransportPaused(self) -> None:
        tls = self._tls
        if tls is None:
            self._transportPaused = True
            self._needDrain = True
        elif tls.handshakeDone:
            # Over TLS a pause can come outside write() (what was written
            # during the handshake goes out once it is done): the next
            # write() returns False, and only then is a 'drain' owed.
            self._transportPaused = True
        # During the handshake the TLS layer holds every write: write()
        # returns False only once the high-water mark is reached, as Node's.

    def _onTransportDrained(self) -> None:
        self._transportPaused = False
        if self._destroyed or not (self._needDrain or self._flushCallbacks):
            return
        transport = self._transport
        if self._tls is not None and transport is not None and queuedBytes(transport):
            # The TLS layer still holds data: 'drain' once it is gone too.
            if self._needDrain:
                self._owedDrain(transport)
            else:
                self._noticeFlush(transport)
            return
        waiting = self._flushCallbacks
        self._flushCallbacks = _NONE
        if self._needDrain:
            self._needDrain = False
            self._updateActive()
            self._safeCall(self._emitGathering, "drain")
        # As Node's afterWrite: 'drain' first, then the callbacks of the
        # writes that completed.
        for cb, _ in waiting:
            self._safeCall(cb, None)

    def cork(self) -> None:
        """Queue writes until ``uncork()``."""
        self._corked += 1

    def uncork(self) -> None:
        """Undo one ``cork()``; the last one sends what was queued."""
        if self._corked:
            self._corked -= 1
            if not self._corked and not self._connecting:
                self._flushPending()
                if self._ending and not self._finalCalled and not self._destroyed:
                    self._final()

    def end(self, data: Any = UNSET, encoding: Any = UNSET, cb: _Callback | None = None) -> Socket:
        """
        Send ``data`` (optional), then our FIN: ``end([data][, encoding][, cb])``.

        ``cb(None)`` runs at ``'finish'``.  Returns the socket.
        """
        if callable(data) and not isinstance(data, (str, bytes)):
            cb, data, encoding = data, UNSET, UNSET
        elif callable(encoding):
            cb, encoding = encoding, UNSET
        if data is not UNSET and data is not None:
            self.write(data, encoding)
        elif data is None and not callable(encoding):
            pass
        if cb is not None and callable(cb):  # Node ignores a callback that is not a function
            if self._finished:
                self._sched.nextTick(self._safeCall, cb, makeError("ERR_STREAM_ALREADY_FINISHED", "end"))
            elif self._destroyed:
                self._sched.nextTick(self._safeCall, cb, self._errored or makeError("ERR_STREAM_DESTROYED", "end"))
            else:
                callbacks = self._finishCallbacks
                if isinstance(callbacks, list):
                    callbacks.append(cb)
                else:
                    self._finishCallbacks = [cb]
        if self._ending or self._destroyed:
            return self
        self._ending = True
        if self._corked:
            # As Node's end(): uncork fully, which sends what was queued and then our FIN.
            self._corked = 1
            self.uncork()
        elif self._transport is not None and not self._connecting:
            self._final()
        self._updateActive()
        return self

    def _final(self) -> None:
        """Node's ``_final``: flush, then send our FIN."""
        if self._finalCalled:
            return
        tls = self._tls
        if tls is not None and tls.started and not tls.handshakeDone:
            return  # ended during the handshake: the TLS shutdown follows it
        self._finalCalled = True
        self._flushPending()
        if self._gatheredLength:
            self._flushGathered()
        transport = self._transport
        self._needDrain = False
        transport.unregisterProducer()
        self._sched.hold += 1
        try:
            if self._eof and self._direct and not queuedBytes(transport):
                # Nothing left to send after the peer's FIN: close now, as
                # libuv completes such a shutdown without waiting a turn.
                closeNow(transport)
            elif tls is not None and tls.started:
                transport.loseConnection()  # close_notify, then wait for the peer's
                self._tlsEnded(tls)
            elif self._eof or self._isTls():
                transport.loseConnection()
            else:
                transport.loseWriteConnection()
        finally:
            self._sched.hold -= 1

    def _isTls(self) -> bool:
        return bool(getattr(self._transport, "TLS", False))

    def _onWriteClosed(self, handle: object) -> None:
        """Our FIN went out."""
        if handle is self._handle:
            self._finish()

    def _finish(self) -> None:
        if self._finished or self._destroyed:
            return
        self._finished = True
        if self._flushCallbacks:
            self._callFlushCallbacks()
        callbacks, self._finishCallbacks = self._finishCallbacks, _NONE
        try:
            for cb in callbacks:
                cb(None)
            self.emit("finish")
        except BaseException as e:
            self._listenerError(e)
            return
        if self._endEmitted or not self._readableOpt:
            self.destroy()

    def destroySoon(self) -> None:
        """End the socket if writable, then destroy it once finished."""
        if self.writable:
            self.end()
        if self._finished:
            self.destroy()
        else:
            self.once("finish", lambda *a: self.destroy())

    # ------------------------------------------------------------------
    # destroying and closing

    def destroy(self, error: BaseException | None = None) -> Socket:
        """
        Close the socket now; ``'error'(error)`` (if given) then ``'close'``.

        Further calls do nothing.  Returns the socket.
        """
        if self._destroyed:
            return self
        self._destroyed = True
        self._connecting = False
        if error is not None:
            self._errored = error
        self._cancelTimers()
        server = self.server
        if server is not None:
            server._socketGone(self)
        handle, transport = self._handle, self._transport
        pendingCallbacks = [cb for _, cb in self._pending if cb is not None]
        self._pending = _NONE
        self._pendingLength = 0
        if error is not None and not self._errorEmitted:
            self._errorEmitted = True
            self._sched.nextTick(self._safeEmit, "error", error)
        if pendingCallbacks:
            self._pendingAfterClose = pendingCallbacks
        self._updateActive()
        if handle is not None and transport is not None:
            if self._gatheredLength:
                self._flushGathered()  # what write() took is as good as sent
            try:
                transport.unregisterProducer()
            except Exception:
                pass
            # As Node's close(): what the kernel took is sent, what it did not
            # is dropped, then our FIN; 'close' follows when the transport is gone.
            self._sched.hold += 1
            try:
                if self._resetting:
                    transport.abortConnection()
                else:
                    closeNow(transport)
            finally:
                self._sched.hold -= 1
            return self
        if self._connector is not None:
            connector, self._connector = self._connector, None
            self._attempt += 1
            connector.stopConnecting()
        self._sched.onClose(self._emitClose)
        return self

    def resetAndDestroy(self) -> Socket:
        """Close with a TCP RST instead of a FIN; the peer sees ``ECONNRESET``."""
        if self._transport is not None and not self._destroyed:
            if self._isUnix or self._tls is not None:
                raise makeError("ERR_INVALID_HANDLE_TYPE")
            self._resetting = True
            self.destroy()
        elif self._connecting and not self._destroyed:
            self.destroy()
        else:
            self.destroy(makeError("ERR_SOCKET_CLOSED"))
        return self

    def _onHandleClosed(self, handle: object, reason: Failure) -> None:
        """The transport is gone (Twisted's ``connectionLost``)."""
        if handle is not self._handle:
            return
        transport, self._transport = self._transport, None
        if self._tls is not None and self._tls.started:
            self._tlsClosed(self._tls, reason)
            return
        if not self._destroyed:
            err = fromFailure(reason, "read")
            if (
                err is not None
                and err.code == "ECONNRESET"
                and self._eof
                and self._finalCalled
                and not queuedBytes(transport)
            ):
                # Closing after the peer's FIN with nothing left to send: a
                # hang-up seen now (a unix socket peer that closed) loses nothing.
                err = None
            if err is not None and getattr(self._reactor, "_stopped", False):
                # The reactor is shutting down and drops every connection, as
                # a Node process ends: nobody is left to handle an 'error'.
                err = None
            if err is None:
                self._sched.nextTick(self._closedCleanly)
            else:
                self.destroy(err)
        self._sched.onClose(self._emitClose)

    def _closedCleanly(self) -> None:
        """The transport closed without error: ``'finish'`` if owed, then destroy."""
        if self._finalCalled:
            self._finish()
        if not self._destroyed:
            if not self._endEmitted and self._readableOpt and not self._eof:
                # the peer went away without a FIN we saw (e.g. while paused)
                self._eof = True
            self.destroy()

    def _emitClose(self) -> None:
        # Node passes no argument when the socket never had a handle; nodenet
        # always passes hadError (the one documented divergence).
        if self._closeEmitted:
            return
        self._closeEmitted = True
        self._updateActive()
        if self._flushCallbacks:
            self._callFlushCallbacks(self._errored or makeError("ERR_STREAM_DESTROYED", "write"))
        self._safeEmit("close", self._errored is not None)
        callbacks = getattr(self, "_pendingAfterClose", None)
        if callbacks:
            self._pendingAfterClose = _NONE
            closedEarly = makeError("ERR_SOCKET_CLOSED_BEFORE_CONNECTION")
            for cb in callbacks:
                self._safeCall(cb, closedEarly)
        finishCallbacks, self._finishCallbacks = self._finishCallbacks, _NONE
        for cb in finishCallbacks:
            self._safeCall(cb, self._errored or makeError("ERR_STREAM_PREMATURE_CLOSE"))

    # ------------------------------------------------------------------
    # timeouts and socket options

    def setTimeout(self, msecs: Any, callback: _Callback | None = None) -> Socket:
        """
        Emit ``'timeout'`` after ``msecs`` ms without activity (0 disables).

        One-shot, re-armed by any read or write; it never closes the socket.
        """
        if self._destroyed:
            return self
        self._timeoutMs = msecs  # Node sets the property before checking it
        ms = validateMsecs(msecs)
        if callback is not None:
            validateFunction(callback, "callback")
        if ms == 0:
            self._cancelIdleTimer()
            if callback is not None:
                self.removeListener("timeout", callback)
            return self
        if callback is not None:
            self.once("timeout", callback)
        self._cancelIdleTimer()
        self._lastActivity = self._reactor.seconds()
        self._timer = self._reactor.callLater(min(ms, 2147483647) / 1000.0, self._onIdle)
        return self

    def _activity(self) -> None:
        """Reads and writes re-arm the idle timer, also after it fired."""
        self._lastActivity = self._reactor.seconds()
        if self._timer is _Fired and self._timeoutMs and not self._destroyed:
            self._timer = self._reactor.callLater(
                min(float(self._timeoutMs), 2147483647) / 1000.0, self._onIdle
            )

    def _cancelIdleTimer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()

    def _onIdle(self) -> None:
        ms = self._timeoutMs
        if ms is None or self._destroyed:
            self._timer = None
            return
        delay = min(float(ms), 2147483647) / 1000.0
        idle = self._reactor.seconds() - self._lastActivity
        if idle + 1e-9 < delay:
            self._timer = self._reactor.callLater(delay - idle, self._onIdle)
            return
        # One-shot: re-armed by the next activity.
        self._timer = _Fired
        self._safeEmit("timeout")
        self._sched.drainTicks()

    def _cancelTimers(self) -> None:
        self._cancelIdleTimer()
        if self._attemptTimer is not None:
            self._attemptTimer.cancel()
            self._attemptTimer = None
        if self._tls is not None:
            self._tls.cancelCloseTimer()

    def setNoDelay(self, noDelay: bool = True) -> Socket:
        """Disable (default) or enable Nagle's algorithm."""
        enable = noDelay if noDelay.__class__ is bool else jsTruthy(noDelay)
        transport = self._transport
        if transport is None:
            self._noDelay = enable  # applied on connecting
        elif enable is not (self._noDelay is True) and not self._isUnix:
            # As Node: a connected socket's option is set only when it
            # changes (it starts off), and only a TCP socket has one.
            setTcpNoDelay = getattr(transport, "setTcpNoDelay", None)
            if setTcpNoDelay is not None:
                self._noDelay = enable
                setTcpNoDelay(enable)
        return self

    def setKeepAlive(self, enable: bool = False, initialDelay: float = 0) -> Socket:
        """TCP keep-alive; ``initialDelay`` ms becomes ``TCP_KEEPIDLE`` (whole seconds)."""
        self._keepAlive = (jsTruthy(enable), keepAliveSeconds(initialDelay) * 1000.0)
        if self._transport is not None and not self._isUnix:
            self._applyKeepAlive(*self._keepAlive)
        return self

    # ------------------------------------------------------------------
    # TLS (the legacy API of Node 0.2-0.4; nodenet.tls builds on it)

    def setSecure(self, credentials: SecureContext | dict[str, Any] | None = None) -> Socket:
        """
        Upgrade the connection to TLS (Node 0.x's ``stream.setSecure([credentials])``).

        ``credentials`` come from :func:`nodenet.createCredentials` (or are
        its options as a dict).  A socket a :class:`Server` accepted is the
        TLS server, any other the client.  What was written before is sent
        in clear first; what is written after is encrypted.  ``'secure'`` is
        emitted once the handshake is done.  When the credentials hold CA
        certificates the peer is asked for its certificate, but a bad or
        missing one does not fail the handshake: see :meth:`verifyPeer`.
        Called while connecting, TLS starts as soon as the connection is up.
        Returns the socket.
        """
        from . import _tls

        if credentials is None:
            credentials = _tls.SecureContext({})
        elif isinstance(credentials, dict):
            credentials = _tls.createSecureContext(credentials)
        elif not isinstance(credentials, _tls.SecureContext):
            raise invalidArgType("credentials", "SecureContext", credentials)
        if self._tls is not None or self._destroyed:
            return self
        transport = self._transport
        if transport is not None and not hasattr(transport, "startTLS"):
            raise NodeError(
                "TLS needs a transport that provides ITLSTransport", "ERR_INVALID_HANDLE_TYPE"
            )
        isServer = self.server is not None
        trust = credentials.trust()
        context = credentials.serverContext() if isServer else credentials.context
        self._tls = _tls.TLSSession(
            context,
            isServer=isServer,
            requestCert=bool(trust),
            trust=trust,
            own=credentials.ownCertificate(),
        )
        if transport is not None and not self._connecting:
            self._flushPending()  # written before the upgrade: sent in clear
            self._startTls()
        return self

    def verifyPeer(self) -> bool:
        """
        Whether the peer's certificate verified against the CA certificates
        of the credentials given to :meth:`setSecure` (and, on the client
        side, names the host connected to).  ``False`` before the handshake,
        without CA certificates, or without a peer certificate.
        """
        tls = self._tls
        if tls is None or not tls.handshakeDone or not tls.chain or not tls.trust:
            return False
        if tls.verifyErrors:
            return False
        if tls.isServer:
            return True
        host = self._connectOptions.get("host") or (
            "localhost" if self._connectOptions.get("port") is not None else None
        )
        if host is None:
            return True
        from service_identity import CertificateError, VerificationError
        from service_identity.cryptography import (
            verify_certificate_hostname,
            verify_certificate_ip_address,
        )

        try:
            if isIP(host):
                verify_certificate_ip_address(tls.chain[0], host)
            else:
                verify_certificate_hostname(tls.chain[0], host)
        except (VerificationError, CertificateError, ValueError):
            return False
        return True

    def getPeerCertificate(self, detailed: bool = False) -> dict[str, Any] | None:
        """
        The peer's certificate as Node's object (``subject``, ``issuer``,
        ``valid_from``, ``fingerprint``, ``raw``...): ``{}`` before the
        handshake or when the peer sent none, ``None`` without TLS or once the
        socket is destroyed.  ``detailed`` adds ``issuerCertificate`` links.
        """
        tls = self._tls
        if tls is None or self._destroyed:
            return None
        return tls.peerCertificate(bool(detailed))

    def _startTls(self) -> None:
        """Start the pending TLS session on the live transport."""
        tls = self._tls
        transport = self._transport
        if tls is None or tls.started or transport is None:
            return
        tls.started = True
        if self._gatheredLength:
            self._flushGathered()  # what was written before TLS goes out in the clear
        self._direct = False  # plain bytes must never bypass TLS from now on
        tls.protocol = startTls(transport, tls, tls.isServer)
        self._onTlsStarted()

    def _onTlsStarted(self) -> None:
        """TLS started on the transport (a hook for :mod:`nodenet.tls`)."""

    def _onHandshake(self, handle: object) -> None:
        """The TLS handshake completed (only the first notification counts)."""
        tls = self._tls
        if handle is not self._handle or tls is None or tls.handshakeDone or self._destroyed:
            return
        tls.onHandshake()
        try:
            self._onSecure()
        except BaseException as e:
            self._listenerError(e)
        if (
            self._ending
            and not self._finalCalled
            and not self._destroyed
            and not self._corked
            and self._transport is not None
        ):
            self._final()

    def _onSecure(self) -> None:
        """The handshake is done: the legacy ``'secure'``."""
        self.emit("secure")

    def _tlsEnded(self, tls: TLSSession) -> None:
        """Our close_notify is on its way: ``'finish'``, and a bound on the wait."""
        from . import _tls

        tls.closeTimer = self._reactor.callLater(_tls.closeNotifyTimeout, self._tlsCloseTimedOut)
        if not getattr(tls.protocol, "_appSendBuffer", None):
            self._sched.nextTick(self._finish)

    def _tlsCloseTimedOut(self) -> None:
        """The peer never answered our close_notify: abort."""
        tls = self._tls
        if tls is None:
            return
        tls.closeTimer = None
        transport = self._transport
        if transport is not None and not self._destroyed:
            tls.aborted = True
            transport.abortConnection()

    def _tlsCloseError(self, tls: TLSSession, reason: Failure) -> NodeError | None:
        """The error a TLS connection went away with, or ``None`` for a clean close."""
        from OpenSSL import SSL
        from twisted.internet import error as terror

        from . import _tls

        exc = reason.value
        if isinstance(exc, SSL.Error):
            return _tls.errorFromSSL(exc)
        if isinstance(exc, (terror.ConnectionDone, terror.ConnectionAborted)):
            return None
        if isinstance(exc, terror.ConnectionLost):
            raw = tls.rawReason.value if tls.rawReason is not None else None
            if raw is None or isinstance(raw, (terror.ConnectionDone, terror.ConnectionAborted)):
                # The peer closed without close_notify: Node takes it as an end.
                return None
            if tls.tlsClosed:
                return None  # both close_notify alerts were exchanged before
            return streamError("ECONNRESET", "read")
        return fromFailure(reason, "read")

    def _tlsClosed(self, tls: TLSSession, reason: Failure) -> None:
        """The TLS connection is gone (the transport's ``connectionLost``)."""
        tls.cancelCloseTimer()
        tls.closed = True
        if self._destroyed:
            self._sched.onClose(self._emitClose)
            return
        err = self._tlsCloseError(tls, reason)
        if err is not None and getattr(self._reactor, "_stopped", False):
            err = None  # the reactor drops every connection while shutting down
        if err is not None:
            if not tls.handshakeDone or getattr(err, "library", None) is None:
                self.destroy(err)
                return
            # A TLS alert after the handshake (a server that wanted our
            # certificate): Node reports it, then sees the connection end.
            self._sched.nextTick(self._safeEmit, "error", err)
        if tls.aborted:
            self.destroy()
            return
        # A clean close ends both directions (TLS has no half-close): 'end'
        # once what was read is delivered, then 'finish' and 'close'.
        self._eof = True
        self._sched.nextTick(self._tlsClosedCleanly)

    def _tlsClosedCleanly(self) -> None:
        if self._destroyed:
            return
        if self._finalCalled:
            self._finish()
        if self._destroyed:
            return
        if self._endEmitted:
            self.destroy()
            return
        self._maybeEnd()

    def _tlsAutoEnd(self) -> None:
        """After ``'end'`` of a closed TLS connection: ``'finish'``, then close."""
        if self._destroyed:
            return
        self._ending = True
        self._finalCalled = True
        self._finish()
        if not self._destroyed:
            self.destroy()

    # ------------------------------------------------------------------
    # ref/unref (they matter under net.run())

    def _isActive(self) -> bool:
        if self._destroyed or self._closeEmitted:
            return False
        if self._connecting:
            return True
        if self._transport is None:
            return False
        reading = not self._readPaused and not self._eof and self._flowing is not False
        return reading or self._needDrain or bool(self._pending)

    def _updateActive(self) -> None:
        if _loop._current is not None:
            _loop.setActive(self, self._refed and self._isActive())

    def ref(self) -> Socket:
        """Let this socket keep a ``net.run()`` program alive (the default)."""
        self._refed = True
        self._updateActive()
        return self

    def unref(self) -> Socket:
        """Let a ``net.run()`` program end even while this socket is active."""
        self._refed = False
        self._updateActive()
        return self

    # ------------------------------------------------------------------
    # piping and async iteration

    def pipe(self, destination: Any, options: dict[str, Any] | None = None) -> Any:
        """
        Send everything read to ``destination``, with backpressure.

        Pauses this socket while ``destination.write()`` returns ``False``
        until its ``'drain'``; ends it on ``'end'`` unless
        ``{'end': False}``.  Returns ``destination``.
        """
        endAtEnd = True if options is None else options.get("end", True) is not False

        def ondata(chunk: Any) -> None:
            if destination.write(chunk) is False:
                self.pause()

        def ondrain() -> None:
            if self._flowing is False:
                self.resume()

        def onend() -> None:
            if endAtEnd:
                destination.end()

        def cleanup(*_: Any) -> None:
            self.removeListener("data", ondata)
            destination.removeListener("drain", ondrain)
            self.removeListener("end", onend)
            self.removeListener("close", cleanup)
            self._pipes = [p for p in self._pipes if p[1] is not cleanup]

        destination.on("drain", ondrain)
        self.on("data", ondata)
        self.on("end", onend)
        self.on("close", cleanup)
        self._pipes = [*self._pipes, (destination, cleanup)]
        destination.emit("pipe", self)
        return destination

    def unpipe(self, destination: Any = None) -> Socket:
        """Stop a ``pipe()`` to ``destination`` (every pipe when none is given)."""
        for dest, cleanup in list(self._pipes):
            if destination is None or dest is destination:
                cleanup()
                dest.emit("unpipe", self)
        return self

    def __aiter__(self) -> AsyncIterator[Any]:
        """``async for chunk in socket``: the incoming data, with backpressure."""
        return _SocketIterator(self)

    def __repr__(self) -> str:
        return f"<Socket readyState={self.readyState!r}>"


class _FiredTimer:
    """Stands for an idle timer that fired and waits for activity to re-arm."""

    def active(self) -> bool:
        return False

    def cancel(self) -> None:
        pass


_Fired = _FiredTimer()


class _SocketIterator:
    """Node's readable async iterator over a socket's ``'data'``."""

    def __init__(self, socket: Socket) -> None:
        self.socket = socket
        self.chunks: deque[Any] = deque()
        self.done = False
        self.error: BaseException | None = None
        self.waiting: defer.Deferred[None] | None = None
        socket.on("data", self._onData)
        socket.on("end", self._onEnd)
        socket.on("error", self._onError)
        socket.on("close", self._onClose)

    def _wake(self) -> None:
        waiting, self.waiting = self.waiting, None
        if waiting is not None:
            waiting.callback(None)

    def _onData(self, chunk: Any) -> None:
        self.chunks.append(chunk)
        self.socket.pause()
        self._wake()

    def _onEnd(self) -> None:
        self.done = True
        self._wake()

    def _onError(self, err: BaseException) -> None:
        self.error = err
        self._wake()

    def _onClose(self, *args: Any) -> None:
        self.done = True
        self._wake()

    def __aiter__(self) -> _SocketIterator:
        return self

    async def __anext__(self) -> Any:
        while True:
            if self.chunks:
                chunk = self.chunks.popleft()
                if not self.chunks and not self.done:
                    self.socket.resume()
                return chunk
            if self.error is not None:
                error, self.error = self.error, None
                self.done = True
                raise error
            if self.done:
                # Node's readable iterator destroys the stream when it is done.
                self._detach()
                self.socket.destroy()
                raise StopAsyncIteration
            if self.socket.isPaused():
                self.socket.resume()
            self.waiting = defer.Deferred()
            await self.waiting

    def _detach(self) -> None:
        s = self.socket
        s.removeListener("data", self._onData)
        s.removeListener("end", self._onEnd)
        s.removeListener("error", self._onError)
        s.removeListener("close", self._onClose)

    async def aclose(self) -> None:
        """Leaving the loop early destroys the socket, as in Node."""
        self._detach()
        if not self.done:
            self.socket.destroy()


#: Node's legacy name for :class:`Socket`.
Stream = Socket
