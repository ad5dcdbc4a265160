"""
Node's ``tls`` module: ``connect``, ``createServer``, ``TLSSocket``, ``Server``.

``from nodenet import tls`` reads like ``const tls = require('tls')``::

    from nodenet import tls

    def onSecure(socket):
        socket.end(f"hello {socket.getPeerCertificate()['subject']['CN']}\\n")

    server = tls.createServer({"key": key, "cert": cert}, onSecure)

A :class:`TLSSocket` is a :class:`nodenet.Socket` whose connection is
encrypted with Twisted's TLS (``startTLS`` on the TCP connection).  It adds
Node's ``'secureConnect'`` (client) event, ``authorized``,
``authorizationError``, ``encrypted``, ``alpnProtocol``, ``servername`` and
``getPeerCertificate()``/``getProtocol()``/``getCipher()``; a
:class:`Server` adds ``'secureConnection'`` and ``'tlsClientError'``.

Certificates are verified as Node verifies them: the handshake never fails
on a bad certificate; a client with ``rejectUnauthorized`` (the default)
destroys itself with Node's error (``DEPTH_ZERO_SELF_SIGNED_CERT``,
``UNABLE_TO_VERIFY_LEAF_SIGNATURE``, ``CERT_HAS_EXPIRED``,
``ERR_TLS_CERT_ALTNAME_INVALID``...) once the handshake is done, and a
server with ``requestCert`` and ``rejectUnauthorized`` drops a client whose
certificate does not verify.  Without ``ca`` the system's trust store is
used.  TLS has no half-close, so ``allowHalfOpen`` does not apply (see the
TLS guide).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from OpenSSL import SSL

from . import _tls
from ._args import mergeOptions, normalizeArgs, validateFunction
from ._server import Server as _NetServer
from ._serversocket import ServerSocket
from ._socket import Socket
from ._tls import (
    DEFAULT_CIPHERS,
    DEFAULT_ECDH_CURVE,
    DEFAULT_MAX_VERSION,
    DEFAULT_MIN_VERSION,
    SecureContext,
    checkServerIdentity,
    createSecureContext,
)
from .errors import NodeError, invalidArgType

__all__ = [
    "CLIENT_RENEG_LIMIT",
    "CLIENT_RENEG_WINDOW",
    "DEFAULT_CIPHERS",
    "DEFAULT_ECDH_CURVE",
    "DEFAULT_MAX_VERSION",
    "DEFAULT_MIN_VERSION",
    "SecureContext",
    "Server",
    "TLSSocket",
    "checkServerIdentity",
    "connect",
    "createSecureContext",
    "createServer",
    "getCiphers",
]

#: Node's ``tls.CLIENT_RENEG_LIMIT`` (renegotiation is not offered).
CLIENT_RENEG_LIMIT = 3
#: Node's ``tls.CLIENT_RENEG_WINDOW`` in seconds.
CLIENT_RENEG_WINDOW = 600

_Callback = Callable[..., object]

_DISCONNECTED = "Client network socket disconnected before secure TLS connection was established"

_NET_SERVER_OPTIONS = (
    "allowHalfOpen",
    "pauseOnConnect",
    "noDelay",
    "keepAlive",
    "keepAliveInitialDelay",
    "highWaterMark",
)
_CONNECT_OPTIONS = (
    "port",
    "host",
    "path",
    "family",
    "localAddress",
    "localPort",
    "lookup",
    "hints",
    "autoSelectFamily",
    "autoSelectFamilyAttemptTimeout",
)  # as Node's tls.connect(): noDelay and keepAlive are not applied


class TLSSocket(Socket):
    """
    Node's ``tls.TLSSocket``: ``TLSSocket([socket][, options], *, reactor=None)``.

    Made by :func:`connect` (a client) and by a :class:`Server` (the server
    side of each connection).  Given a connected ``socket`` it upgrades that
    connection, taking it over (``isServer`` picks the side).  Options:
    ``isServer``, ``server``, ``secureContext`` (else the options of
    :func:`createSecureContext`), ``requestCert``, ``rejectUnauthorized``,
    ``ALPNProtocols``, ``servername``.  Events, besides a socket's:
    ``secureConnect`` (clients from :func:`connect`), ``secure``.
    """

    def __init__(
        self,
        socket: Socket | None = None,
        options: dict[str, Any] | None = None,
        *,
        reactor: Any = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(socket, dict) and options is None:
            socket, options = None, socket
        if options is not None and not isinstance(options, dict):
            raise invalidArgType("options", "object", options)
        opts = mergeOptions(options, kwargs)
        if reactor is None and socket is not None:
            reactor = socket._reactor
        allowHalfOpen = opts.get("allowHalfOpen")
        if allowHalfOpen is None and socket is not None:
            allowHalfOpen = socket.allowHalfOpen
        base: dict[str, Any] = {"allowHalfOpen": bool(allowHalfOpen)}
        if opts.get("highWaterMark"):
            base["highWaterMark"] = opts["highWaterMark"]
        super().__init__(base, reactor=reactor)
        #: Always ``True``: tells a TLS socket from a plain one.
        self.encrypted = True
        #: Whether the peer's certificate verified (and, for a client, named the host).
        self.authorized = False
        #: Why it did not (``'DEPTH_ZERO_SELF_SIGNED_CERT'``...), else ``None``.
        self.authorizationError: str | None = None
        #: The ALPN protocol agreed on, ``False`` for none, ``None`` before the handshake.
        self.alpnProtocol: str | bool | None = None
        #: The SNI name, ``False`` for none, ``None`` before the handshake.
        self.servername: str | bool | None = None
        self._tlsOptions = opts
        self._isServerSide = bool(opts.get("isServer"))
        self._secureContext: SecureContext = (
            opts.get("secureContext") or opts.get("credentials") or createSecureContext(opts)
        )
        self._controlReleased = False
        self._tlsErrorEmitted = False
        self._handshakeTimer: Any = None
        self._connectOpts: dict[str, Any] | None = None
        self._hadError = False
        self._tls = self._newSession()
        if self._isServerSide:
            # As Node: the server's own 'secure' listener comes first, and
            # errors before the handshake is done are the server's 'tlsClientError'.
            self.on("secure", self._onServerSecure)
            self.on("error", self._onTlsError)
            self.on("close", self._onCloseBeforeSecure)
        if socket is not None:
            self._takeOver(socket)

    # ------------------------------------------------------------------
    # setting up

    def _newSession(self) -> _tls.TLSSession:
        opts = self._tlsOptions
        secure = self._secureContext
        alpn = _tls.alpnList(opts.get("ALPNProtocols"))
        if self._isServerSide:
            server = opts.get("server")
            if isinstance(server, Server):
                context = server._contextFor(secure)
            else:
                context = _serverContext(secure, alpn, None)
            return _tls.TLSSession(
                context,
                isServer=True,
                requestCert=bool(opts.get("requestCert")),
                rejectUnauthorized=bool(opts.get("rejectUnauthorized")),
                trust=secure.trust(),
                own=secure.ownCertificate(),
            )
        return _tls.TLSSession(
            secure.context,
            isServer=False,
            requestCert=True,
            rejectUnauthorized=bool(opts.get("rejectUnauthorized", True)),
            servername=opts.get("servername"),
            alpn=alpn,
            trust=secure.trust(),
            own=secure.ownCertificate(),
        )

    def _takeOver(self, raw: Socket) -> None:
        """Upgrade ``raw``'s live connection: this socket drives it from now on."""
        handle, transport = raw._handle, raw._transport
        if handle is None or transport is None or raw._destroyed:
            raise NodeError("The socket to upgrade is not connected", "ERR_SOCKET_CLOSED")
        if isinstance(raw, ServerSocket) and handle is raw:
            handle = raw._handOver(self)  # the accepted socket was its own protocol
        buffered = list(raw._readBuffer or ())
        raw._cancelTimers()
        raw._readBuffer = None
        raw._readableLength = 0
        raw._flushPending()
        if raw._gatheredLength:
            raw._flushGathered()
        raw._handle = None
        raw._transport = None
        raw._direct = False
        raw._updateActive()
        self._handle = handle
        self._transport = transport
        self._hadHandle = True
        self._isUnix = raw._isUnix
        self._peer = raw._peer
        self._connectOptions = raw._connectOptions
        self.server = None
        handle.attach(self)
        self.once("close", lambda *a: raw.destroy())
        if raw._readPaused:
            transport.resumeProducing()
        self._startTls()
        tls = self._tls
        for chunk in buffered:
            if tls is not None and tls.protocol is not None and not self._destroyed:
                tls.protocol.dataReceived(chunk)

    def connect(self, *args: Any, **kwargs: Any) -> TLSSocket:
        """Connect as :meth:`nodenet.Socket.connect`; TLS starts once connected."""
        super().connect(*args, **kwargs)
        if self._tls is None or self._tls.started:
            self._tls = self._newSession()
        return self

    def _onTlsStarted(self) -> None:
        timeout = self._tlsOptions.get("handshakeTimeout")
        if self._isServerSide and timeout and timeout > 0:
            self._handshakeTimer = self._reactor.callLater(
                timeout / 1000.0, self._onHandshakeTimeout
            )

    def _cancelHandshakeTimer(self) -> None:
        timer, self._handshakeTimer = self._handshakeTimer, None
        if timer is not None and timer.active():
            timer.cancel()

    def _cancelTimers(self) -> None:
        super()._cancelTimers()
        self._cancelHandshakeTimer()

    def _onHandshakeTimeout(self) -> None:
        self._handshakeTimer = None
        if self._destroyed or self._controlReleased:
            return
        self._onTlsError(NodeError("TLS handshake timeout", "ERR_TLS_HANDSHAKE_TIMEOUT"))
        # Node v20 leaves such a connection open; it must not stay forever.
        if not self._destroyed:
            self.destroy()
        self._sched.drainTicks()

    # ------------------------------------------------------------------
    # the handshake

    def _onSecure(self) -> None:
        tls = self._tls
        assert tls is not None
        self.alpnProtocol = tls.negotiatedALPN()
        self.servername = tls.sniName()
        self._cancelHandshakeTimer()
        self.emit("secure")

    def _onServerSecure(self) -> None:
        """The server side's own ``'secure'`` listener: verify, then ``'secureConnection'``."""
        tls = self._tls
        assert tls is not None
        if tls.requestCert:
            err = tls.verifyError() if tls.chain else _tls.verifyError(2)
            if err is not None:
                self.authorizationError = err.code
                if tls.rejectUnauthorized:
                    self.destroy()
            else:
                self.authorized = True
        if not self._destroyed and self._releaseControl():
            server = self._tlsOptions.get("server")
            if server is not None:
                server.emit("secureConnection", self)

    def _onConnectSecure(self) -> None:
        """:func:`connect`'s own ``'secure'`` listener: verify, then ``'secureConnect'``."""
        options = self._connectOpts or {}
        tls = self._tls
        assert tls is not None
        self.removeListener("end", self._onConnectEnd)
        err: Any = tls.verifyError()
        if err is None:
            hostname = options.get("servername") or options.get("host") or "localhost"
            err = options["checkServerIdentity"](hostname, self.getPeerCertificate(True))
        if err:
            self.authorized = False
            self.authorizationError = getattr(err, "code", None) or getattr(err, "message", str(err))
            if options.get("rejectUnauthorized"):
                self.destroy(err)
                return
        else:
            self.authorized = True
        self.emit("secureConnect")

    def _releaseControl(self) -> bool:
        if self._controlReleased:
            return False
        self._controlReleased = True
        self.removeListener("error", self._onTlsError)
        return True

    def _onTlsError(self, err: BaseException) -> None:
        """Before the handshake is done, a server socket's error is the server's."""
        if not self._controlReleased and not self._tlsErrorEmitted:
            self._tlsErrorEmitted = True
            server = self._tlsOptions.get("server")
            if server is not None:
                server.emit("tlsClientError", err, self)

    def _onCloseBeforeSecure(self, hadError: bool = False) -> None:
        if hadError:
            return
        if not self._controlReleased and not self._tlsErrorEmitted:
            self._tlsErrorEmitted = True
            server = self._tlsOptions.get("server")
            if server is not None:
                server.emit("tlsClientError", _tls.connReset("socket hang up"), self)

    def _onConnectEnd(self) -> None:
        """The server went away during the handshake: Node's ECONNRESET."""
        if self._hadError:
            return
        self._hadError = True
        options = self._connectOpts or {}
        err = _tls.connReset(_DISCONNECTED)
        err.path = options.get("path")  # type: ignore[attr-defined]
        err.host = options.get("host")  # type: ignore[attr-defined]
        err.port = options.get("port")
        err.localAddress = options.get("localAddress")
        self.destroy(err)

    def destroy(self, error: BaseException | None = None) -> TLSSocket:
        """As :meth:`nodenet.Socket.destroy`."""
        if error is not None:
            self._hadError = True
        super().destroy(error)
        return self

    # ------------------------------------------------------------------
    # what Node's TLSSocket reports

    def getCertificate(self) -> dict[str, Any] | None:
        """Our own certificate as Node's object (``{}`` without one, ``None`` once destroyed)."""
        if self._tls is None or self._destroyed:
            return None
        return self._tls.ownCertificate()

    def getProtocol(self) -> str | None:
        """The TLS version, ``'TLSv1.3'`` or ``'TLSv1.2'``; ``None`` without a connection."""
        if self._tls is None or self._destroyed:
            return None
        return self._tls.protocolName()

    def getCipher(self) -> dict[str, Any] | None:
        """``{'name', 'standardName', 'version'}`` of the cipher agreed on."""
        if self._tls is None or self._destroyed:
            return None
        return self._tls.cipher()

    def isSessionReused(self) -> bool:
        """Always ``False``: sessions are not resumed."""
        return False

    def getSession(self) -> None:
        """``None``: sessions are not resumed."""
        return None

    def getTLSTicket(self) -> None:
        """``None``: sessions are not resumed."""
        return None

    def setServername(self, name: Any) -> None:
        """The SNI name a client sends (call before the handshake starts)."""
        if not isinstance(name, str):
            raise invalidArgType("name", "string", name)
        if self._isServerSide:
            raise NodeError(
                "Cannot issue SNI from a TLS server-side socket", "ERR_TLS_SNI_FROM_SERVER"
            )
        if self._tls is not None:
            self._tls.servername = name

    def getFinished(self) -> bytes | None:
        """Our latest TLS Finished message (``None`` before the handshake)."""
        connection = self._tls.connection if self._tls is not None else None
        return connection.get_finished() if connection is not None else None

    def getPeerFinished(self) -> bytes | None:
        """The peer's latest TLS Finished message (``None`` before the handshake)."""
        connection = self._tls.connection if self._tls is not None else None
        return connection.get_peer_finished() if connection is not None else None

    def exportKeyingMaterial(self, length: int, label: str, context: bytes | None = None) -> bytes:
        """Keying material exported from the session (RFC 5705)."""
        connection = self._tls.connection if self._tls is not None else None
        if connection is None or not self._tls or not self._tls.handshakeDone:
            raise NodeError("TLS socket connection must be securely established", "ERR_TLS_INVALID_STATE")
        return bytes(connection.export_keying_material(label.encode("latin-1"), length, context))

    def disableRenegotiation(self) -> None:
        """Renegotiation is never offered; kept for Node's API."""

    def __repr__(self) -> str:
        return f"<TLSSocket readyState={self.readyState!r} authorized={self.authorized}>"


def _serverContext(
    secure: SecureContext,
    alpn: list[bytes] | None,
    onServername: Callable[[Any], None] | None,
) -> SSL.Context:
    """A server ``SSL.Context`` from ``secure`` with ALPN selection and SNI."""

    def configure(ctx: SSL.Context) -> None:
        if alpn:
            def select(connection: Any, offered: list[bytes]) -> bytes:
                for name in alpn:
                    if name in offered:
                        return name
                # As Node: a fatal no_application_protocol alert.
                raise SSL.Error([("SSL routines", "", "no application protocol")])

            ctx.set_alpn_select_callback(select)
        if onServername is not None:
            ctx.set_tlsext_servername_callback(onServername)

    if not alpn and onServername is None:
        return secure.serverContext()
    return secure._build(server=True, configure=configure)


class Server(_NetServer):
    """
    Node's ``tls.Server``: ``Server([options][, secureConnectionListener], *, reactor=None)``.

    Options: those of :func:`createSecureContext` (``key``, ``cert``, ``ca``,
    ``pfx``, ``passphrase``, ``ciphers``, ``minVersion``, ``maxVersion``),
    ``requestCert``, ``rejectUnauthorized`` (default ``True``),
    ``ALPNProtocols``, ``SNICallback``, ``handshakeTimeout`` (ms, default
    120000), and a net server's.  Events, besides a server's:
    ``secureConnection`` (the :class:`TLSSocket`, handshake done),
    ``tlsClientError`` (``err``, the socket: a connection that failed before
    its handshake completed; the server keeps serving).
    """

    def __init__(
        self,
        options: Any = None,
        secureConnectionListener: _Callback | None = None,
        *,
        reactor: Any = None,
        **kwargs: Any,
    ) -> None:
        if callable(options) and secureConnectionListener is None:
            options, secureConnectionListener = None, options
        if options is not None and not isinstance(options, dict):
            raise invalidArgType("options", "Object", options)
        opts = mergeOptions(options, kwargs)
        super().__init__(
            {k: opts[k] for k in _NET_SERVER_OPTIONS if k in opts}, reactor=reactor
        )
        #: Whether clients are asked for a certificate.
        self.requestCert = opts.get("requestCert") is True
        #: Whether clients whose certificate does not verify are dropped.
        self.rejectUnauthorized = opts.get("rejectUnauthorized") is not False
        #: The ``ALPNProtocols`` option: the protocols offered to clients, in
        #: order of preference, as a list of ``bytes`` (``[b'h2',
        #: b'http/1.1']``; Node keeps the wire format); ``None`` when not given.
        self.ALPNProtocols = _tls.alpnList(opts.get("ALPNProtocols"))
        timeout = opts.get("handshakeTimeout") or 120 * 1000
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise invalidArgType("options.handshakeTimeout", "number", opts.get("handshakeTimeout"))
        self._handshakeTimeout = timeout
        sni = opts.get("SNICallback")
        if sni is not None and not callable(sni):
            raise invalidArgType("options.SNICallback", "function", sni)
        self._SNICallback: _Callback | None = sni
        self._sniContexts: list[tuple[re.Pattern[str], SecureContext]] = []
        self._contexts: dict[int, tuple[SecureContext, SSL.Context]] = {}
        self._sharedCreds = SecureContext({})
        self.setSecureContext(opts)
        if secureConnectionListener is not None:
            self.on("secureConnection", secureConnectionListener)

    def setSecureContext(self, options: dict[str, Any]) -> None:
        """Replace the key, certificates and settings new connections use."""
        if not isinstance(options, dict):
            raise invalidArgType("options", "Object", options)
        self._sharedCreds = createSecureContext(options)
        self._contexts = {}

    def addContext(self, hostname: str, context: SecureContext | dict[str, Any]) -> None:
        """Use ``context`` for clients whose SNI name matches ``hostname`` (``*`` wildcards)."""
        if not hostname:
            raise NodeError(
                '"servername" is required parameter for Server.addContext',
                "ERR_TLS_REQUIRED_SERVER_NAME",
            )
        if not isinstance(context, SecureContext):
            context = createSecureContext(context)
        pattern = re.escape(hostname).replace(r"\*", "[^.]*")
        self._sniContexts.append((re.compile(f"^{pattern}$"), context))

    def _contextFor(self, secure: SecureContext) -> SSL.Context:
        """The ``SSL.Context`` for connections that use ``secure`` (built once)."""
        cached = self._contexts.get(id(secure))
        if cached is None or cached[0] is not secure:
            cached = (secure, _serverContext(secure, self.ALPNProtocols, self._onServername))
            self._contexts[id(secure)] = cached
        return cached[1]

    def _onServername(self, connection: Any) -> None:
        """OpenSSL saw the client's SNI name: let ``SNICallback`` pick a context."""
        name = connection.get_servername()
        if not name:
            return
        servername = name.decode("latin-1")
        answers: list[tuple[Any, Any]] = []

        def done(err: Any = None, context: Any = None) -> None:
            answers.append((err, context))

        if self._SNICallback is not None:
            self._SNICallback(servername, done)
        else:
            for pattern, context in self._sniContexts:
                if pattern.match(servername):
                    done(None, context)
                    break
        if not answers:
            return
        err, context = answers[0]
        socket = _socketOf(connection)
        if err is not None:
            if socket is not None:
                socket._sched.nextTick(socket.destroy, err)
            return
        if context is not None:
            if not isinstance(context, SecureContext):
                context = createSecureContext(context)
            connection.set_context(self._contextFor(context))

    def _newSocket(self) -> Socket:
        return TLSSocket(
            None,
            {
                "secureContext": self._sharedCreds,
                "isServer": True,
                "server": self,
                "requestCert": self.requestCert,
                "rejectUnauthorized": self.rejectUnauthorized,
                "handshakeTimeout": self._handshakeTimeout,
                "ALPNProtocols": self.ALPNProtocols,
                "allowHalfOpen": self.allowHalfOpen,
                "highWaterMark": self.highWaterMark,
            },
            reactor=self._reactor,
        )


def _socketOf(connection: Any) -> TLSSocket | None:
    protocol = connection.get_app_data()
    handle = getattr(protocol, "wrappedProtocol", None)
    socket = getattr(handle, "socket", None)
    return socket if isinstance(socket, TLSSocket) else None


def createServer(
    options: Any = None,
    secureConnectionListener: _Callback | None = None,
    *,
    reactor: Any = None,
    **kwargs: Any,
) -> Server:
    """Node's ``tls.createServer([options][, secureConnectionListener])``."""
    return Server(options, secureConnectionListener, reactor=reactor, **kwargs)


def _normalizeConnectArgs(args: tuple[Any, ...]) -> tuple[dict[str, Any], _Callback | None]:
    options, cb = normalizeArgs(args)
    if len(args) > 1 and isinstance(args[1], dict):
        options.update(args[1])
    elif len(args) > 2 and isinstance(args[2], dict):
        options.update(args[2])
    return options, cb


def connect(*args: Any, reactor: Any = None, **kwargs: Any) -> TLSSocket:
    """
    Node's ``tls.connect()``: ``connect(options[, cb])``,
    ``connect(port[, host][, options][, cb])``, ``connect(path[, options][, cb])``
    or keyword options; ``cb`` becomes a ``'secureConnect'`` listener.

    Options: a socket's connect options, :func:`createSecureContext`'s,
    ``servername`` (SNI; Node sends none unless given), ``rejectUnauthorized``
    (default ``True``), ``checkServerIdentity``, ``ALPNProtocols``,
    ``secureContext``, ``socket`` (upgrade a connected socket), ``timeout``.
    """
    given, cb = _normalizeConnectArgs(args)
    given.update(kwargs)
    if cb is None and callable(given.get("callback")):
        cb = given.pop("callback")
    options: dict[str, Any] = {
        "rejectUnauthorized": _tls.rejectUnauthorizedDefault(),
        "ciphers": DEFAULT_CIPHERS,
        "checkServerIdentity": checkServerIdentity,
    }
    options.update({k: v for k, v in given.items() if v is not None or k not in options})
    validateFunction(options["checkServerIdentity"], "options.checkServerIdentity")
    servername = options.get("servername")
    if servername is not None and not isinstance(servername, str):
        raise invalidArgType("name", "string", servername)
    context = options.get("secureContext") or createSecureContext(options)
    raw = options.get("socket")
    socket = TLSSocket(
        None,
        {
            "secureContext": context,
            "isServer": False,
            "requestCert": True,
            "rejectUnauthorized": options["rejectUnauthorized"] is not False,
            "ALPNProtocols": options.get("ALPNProtocols"),
            "servername": servername or None,
            "allowHalfOpen": options.get("allowHalfOpen"),
            "highWaterMark": options.get("highWaterMark"),
        },
        reactor=reactor if reactor is not None else getattr(raw, "_reactor", None),
    )
    socket._connectOpts = options
    socket.on("end", socket._onConnectEnd)
    socket.once("secure", socket._onConnectSecure)
    if cb is not None:
        socket.once("secureConnect", cb)
    if raw is not None:
        socket._takeOver(raw)
    else:
        socket.connect({k: options[k] for k in _CONNECT_OPTIONS if k in options})
    timeout = options.get("timeout")
    if timeout:
        socket.setTimeout(timeout)
    return socket


def getCiphers() -> list[str]:
    """The names of the ciphers OpenSSL offers, lower-case, as Node lists them."""
    connection = SSL.Connection(SSL.Context(SSL.TLS_METHOD), None)
    return sorted({name.lower() for name in connection.get_cipher_list()})
