"""
The services behind ``twistd nodenet``: apps, listening, graceful stop, stats.

- :func:`resolveApp` turns ``--app`` into an :class:`App` at start-up, so
  that a wrong ``MODULE:NAME`` is a usage error, not a traceback later.
- :class:`ServerService` listens one ``net.Server`` on one endpoint (in
  ``privilegedStartService``, so ``--uid`` may drop privileges after a bind
  to port 80) and stops it gracefully: no more accepting, then up to the
  shutdown timeout for the open connections, then ``destroy()`` for the rest.
- :class:`StatsService` logs one line a minute: connections open, accepted
  and dropped.
- :class:`StopSignals` takes over SIGTERM and SIGINT from the reactor: the
  first one stops gracefully (and the process exits 0), a second one stops
  waiting for open connections.
- :func:`buildService` puts them together for one process (or one worker).
"""

from __future__ import annotations

import importlib
import inspect
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twisted.application.service import MultiService, Service
from twisted.internet import defer, task
from twisted.internet.address import UNIXAddress
from twisted.logger import Logger
from twisted.python import usage
from twisted.python.failure import Failure

from . import apps
from ._listen import describeAddress, serverEndpoint
from ._server import Server
from ._socket import Socket

if TYPE_CHECKING:
    from .tap import Options

__all__ = [
    "App",
    "BUILTIN_APPS",
    "STATS_INTERVAL",
    "ServerService",
    "StatsService",
    "StopSignals",
    "buildService",
    "resolveApp",
    "serverOptions",
]

_log = Logger(namespace="nodenet")

#: Seconds between two statistics lines.
STATS_INTERVAL = 60.0

#: ``--app`` names that need no module.
BUILTIN_APPS: dict[str, Callable[[Socket], object]] = {
    "echo": apps.echo,
    "hello": apps.hello,
    "discard": apps.discard,
}


# ----------------------------------------------------------------------
# apps


class App:
    """
    A resolved ``--app``: how to make the ``net.Server`` for one ``--listen``.

    ``kind`` is ``'listener'`` (``f(socket)``), ``'server'`` (a
    ``net.Server`` object) or ``'factory'`` (a callable returning one).
    """

    def __init__(self, spec: str, kind: str, target: Any) -> None:
        self.spec = spec
        self.kind = kind
        self.target = target

    def makeServer(self, options: dict[str, Any], reactor: Any) -> Server:
        """A server for one listening endpoint, with the command line's options."""
        if self.kind == "listener":
            server = Server(self.target, reactor=reactor)
        elif self.kind == "factory":
            server = self.target()
        else:
            server = self.target
        if not isinstance(server, Server):
            raise TypeError(f"--app {self.spec} returned {server!r}, not a net.Server")
        for name, value in options.items():
            setattr(server, name, value)
        return server


def _required(target: Any) -> int | None:
    """How many positional arguments ``target`` needs (``None``: unknown)."""
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(
        1
        for p in signature.parameters.values()
        if p.kind in kinds and p.default is inspect.Parameter.empty
    )


def resolveApp(spec: str) -> App:
    """
    Resolve ``--app``: a built-in name, or ``MODULE:NAME``.

    NAME may be dotted (``module:object.attribute``).  A function of one
    argument is a connection listener; a ``net.Server`` is served as it is;
    a ``net.Server`` subclass or a callable of no arguments is called once
    per ``--listen`` and must return a ``net.Server``.  Raises
    :class:`usage.UsageError` with a readable message otherwise.
    """
    if spec in BUILTIN_APPS:
        return App(spec, "listener", BUILTIN_APPS[spec])
    moduleName, sep, name = spec.partition(":")
    if not sep or not moduleName or not name:
        raise usage.UsageError(
            f"--app takes MODULE:NAME or one of {', '.join(BUILTIN_APPS)}, not {spec!r}"
        )
    try:
        module = importlib.import_module(moduleName)
    except ModuleNotFoundError as e:
        missing = e.name or ""
        if moduleName == missing or moduleName.startswith(missing + "."):
            raise usage.UsageError(f"--app {spec}: no module named {missing!r}") from None
        raise
    target: Any = module
    for part in name.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise usage.UsageError(
                f"--app {spec}: {target.__name__ if target is module else repr(target)}"
                f" has no attribute {part!r}"
            ) from None
    if isinstance(target, Server):
        return App(spec, "server", target)
    if isinstance(target, type) and issubclass(target, Server):
        return App(spec, "factory", target)
    if not callable(target):
        raise usage.UsageError(
            f"--app {spec} is {target!r}: not a connection listener, a net.Server, "
            "or a callable returning a net.Server"
        )
    required = _required(target)
    if required is None or required == 1:
        return App(spec, "listener", target)
    if required == 0:
        return App(spec, "factory", target)
    raise usage.UsageError(
        f"--app {spec} takes {required} arguments: a connection listener takes one "
        "(the socket), a server factory none"
    )


def serverOptions(options: Options) -> dict[str, Any]:
    """The ``net.Server`` options the command line sets explicitly."""
    result: dict[str, Any] = {}
    if options["allow-half-open"]:
        result["allowHalfOpen"] = True
    if options["pause-on-connect"]:
        result["pauseOnConnect"] = True
    if options["no-delay"]:
        result["noDelay"] = True
    if options["keep-alive"] is not None:
        result["keepAlive"] = True
        result["keepAliveInitialDelay"] = float(options["keep-alive"])
    if options["max-connections"] is not None:
        result["maxConnections"] = options["max-connections"]
    return result


# ----------------------------------------------------------------------
# statistics


class StatsService(Service):
    """Logs connections open, accepted and dropped, once per interval."""

    def __init__(self, reactor: Any, interval: float = STATS_INTERVAL) -> None:
        self.reactor = reactor
        self.interval = interval
        self.servers: list[Server] = []
        self.accepted = 0
        self.dropped = 0
        self._loop: task.LoopingCall | None = None

    def watch(self, server: Server) -> None:
        """Count ``server``'s connections and drops."""
        self.servers.append(server)
        server.on("connection", self._onConnection)
        server.on("drop", self._onDrop)

    def _onConnection(self, socket: Socket) -> None:
        self.accepted += 1

    def _onDrop(self, *args: Any) -> None:
        self.dropped += 1

    def report(self) -> None:
        """Log the line and start counting afresh."""
        accepted, dropped, self.accepted, self.dropped = self.accepted, self.dropped, 0, 0
        _log.info(
            "Connections: {open} open, {accepted} accepted, {dropped} dropped in the last {interval:g} s",
            open=sum(s.connections for s in self.servers),
            accepted=accepted,
            dropped=dropped,
            interval=self.interval,
        )

    def startService(self) -> None:
        """Start the periodic line."""
        super().startService()  # type: ignore[no-untyped-call]
        loop = self._loop = task.LoopingCall(self.report)
        loop.clock = self.reactor
        loop.start(self.interval, now=False)

    def stopService(self) -> None:
        """Stop the periodic line."""
        super().stopService()  # type: ignore[no-untyped-call]
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._loop = None


# ----------------------------------------------------------------------
# one server on one endpoint


class ServerService(Service):
    """Listens one ``net.Server`` on one endpoint description; stops it gracefully."""

    def __init__(
        self,
        server: Server,
        description: str,
        *,
        reactor: Any,
        appName: str,
        timeout: int | None = None,
        shutdownTimeout: int = 5000,
        adopt: int | None = None,
    ) -> None:
        self.server = server
        self.description = description
        self.reactor = reactor
        self.appName = appName
        self.timeout = timeout
        self.shutdownTimeout = shutdownTimeout
        self.adopt = adopt
        self.port: Any = None
        #: TLS credentials for each accepted socket (``ssl:``), or ``None``.
        self.credentials: Any = None
        self.sockets: set[Socket] = set()
        self._closing: defer.Deferred[None] | None = None
        self._deadline: Any = None
        server.prependListener("connection", self._onConnection)

    # connections

    def _onConnection(self, socket: Socket) -> None:
        if self.credentials is not None:
            socket.setSecure(self.credentials)  # before the app writes anything
        self.sockets.add(socket)
        socket.on("close", lambda *a: self.sockets.discard(socket))
        socket.on("error", lambda err: self._onSocketError(socket, err))
        if self.timeout:
            socket.setTimeout(self.timeout)

    def _onSocketError(self, socket: Socket, err: BaseException) -> None:
        peer = socket.remoteAddress
        where = f"{peer}:{socket.remotePort}" if peer else self.description
        _log.info("Connection from {peer}: {error}", peer=where, error=str(err))

    # listening

    def privilegedStartService(self) -> None:
        """Bind now, before twistd drops privileges."""
        super().privilegedStartService()  # type: ignore[no-untyped-call]
        self._listen()

    def startService(self) -> None:
        """Listen (unless already bound by ``privilegedStartService``)."""
        super().startService()  # type: ignore[no-untyped-call]
        if self.port is None and self._closing is None:
            self._listen()

    def _listen(self) -> None:
        if self.port is not None:
            return
        endpoint = serverEndpoint(self.reactor, self.description, adopt=self.adopt, secure=self._secure)
        failures: list[Failure] = []
        starting = True

        def failed(failure: Failure) -> None:
            if starting:
                failures.append(failure)
            else:
                _log.failure("Cannot listen on {description}", failure, description=self.description)

        endpoint.listen(self.server._factory()).addCallbacks(self._listening, failed)
        starting = False
        if failures:
            # twistd reports it and exits 1; Twisted's own frames add nothing.
            error: Any = failures[0].value
            raise error.with_traceback(None)

    def _secure(self, contextFactory: Any) -> None:
        self.credentials = credentialsFrom(contextFactory)

    def _listening(self, port: Any) -> None:
        self.port = port
        host = port.getHost()
        if isinstance(host, UNIXAddress):
            # What Server.listen(path) records, so that address() is the path.
            name = host.name.decode() if isinstance(host.name, bytes) else host.name
            self.server._pipeName = name
        self.server._started(port)
        _log.info(
            "nodenet {app} listening on {address} ({description})",
            app=self.appName,
            address=describeAddress(host),
            description=self.description,
        )

    # stopping

    def stopService(self) -> defer.Deferred[None]:
        """Stop accepting, wait for open connections, then destroy what is left."""
        super().stopService()  # type: ignore[no-untyped-call]
        if self._closing is None:
            self._closing = self._close()
        return self._closing

    def _close(self) -> defer.Deferred[None]:
        server = self.server
        closed: defer.Deferred[None] = defer.Deferred()

        def onClose(*args: object) -> None:
            if not closed.called:
                closed.callback(None)

        server.once("close", onClose)
        count = server.connections
        server.close()
        if self.port is not None and count:
            _log.info(
                "Stopped accepting on {description}; waiting up to {ms} ms for {count} open connection(s)",
                description=self.description,
                ms=self.shutdownTimeout,
                count=count,
            )
        self._deadline = self.reactor.callLater(self.shutdownTimeout / 1000.0, self.hurry)

        def done(result: object) -> None:
            deadline, self._deadline = self._deadline, None
            if deadline is not None and deadline.active():
                deadline.cancel()

        closed.addBoth(done)
        return closed

    def hurry(self) -> None:
        """Destroy the connections still open (the shutdown timeout is up)."""
        self._deadline = None
        left = [s for s in self.sockets if not s.destroyed]
        if left:
            _log.info(
                "Closing {count} connection(s) still open on {description}",
                count=len(left),
                description=self.description,
            )
        for socket in left:
            socket.destroy()


def credentialsFrom(contextFactory: Any) -> Any:
    """
    nodenet TLS credentials from the key and certificates of an ``ssl:``
    description (Twisted's ``CertificateOptions``).
    """
    from cryptography.hazmat.primitives import serialization

    from . import tls

    key = contextFactory.privateKey.to_cryptography_key().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = [contextFactory.certificate, *(contextFactory.extraCertChain or [])]
    cert = b"".join(c.to_cryptography().public_bytes(serialization.Encoding.PEM) for c in chain)
    return tls.createSecureContext({"key": key, "cert": cert})


# ----------------------------------------------------------------------
# signals


class StopSignals(Service):
    """
    SIGTERM and SIGINT stop the process gracefully, and it exits 0.

    The reactor's own handlers would make twistd end by the signal; these
    stop the reactor the same way but let it exit normally.  ``onAgain`` is
    called with the signal number for each further signal.
    """

    def __init__(self, reactor: Any, onAgain: Callable[[int], object]) -> None:
        self.reactor = reactor
        self.onAgain = onAgain
        #: The first signal received, or ``None``.
        self.received: int | None = None

    def startService(self) -> None:
        """Install the handlers once the reactor runs (after its own)."""
        super().startService()  # type: ignore[no-untyped-call]
        self.reactor.callWhenRunning(self._install)

    def _install(self) -> None:
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._handler)

    def _handler(self, number: int, frame: Any) -> None:
        self.reactor.callFromThread(self.receive, number)

    def receive(self, number: int, source: str = "") -> None:
        """Act on signal ``number``: stop the reactor, or hurry a stop under way."""
        if self.received is None:
            self.stop(number, source)
            return
        self.hurry(number, source)

    def stop(self, number: int, source: str = "") -> None:
        """Stop gracefully, as signal ``number`` asks (once; later calls do nothing)."""
        if self.received is not None:
            return
        self.received = number
        _log.info("Received {signal}{source}, stopping gracefully", signal=_name(number), source=source)
        if self.reactor.running:
            self.reactor.stop()

    def hurry(self, number: int, source: str = "") -> None:
        """Stop waiting for open connections."""
        _log.info(
            "Received {signal}{source} again, closing open connections now", signal=_name(number), source=source
        )
        self.onAgain(number)


def _name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# ----------------------------------------------------------------------
# putting it together


def buildService(
    options: Options,
    reactor: Any,
    *,
    adopt: list[int] | None = None,
    signals: bool = True,
) -> MultiService:
    """
    The service tree for one process: the parent of workers, or a server.

    ``adopt`` (a worker's inherited descriptors, one per ``--listen``)
    makes this a worker's tree; otherwise ``--workers`` decides.
    """
    top = MultiService()  # type: ignore[no-untyped-call]
    if options["workers"] is not None and adopt is None:
        from ._cluster import ClusterService

        cluster = ClusterService(options, reactor)
        cluster.setServiceParent(top)  # type: ignore[no-untyped-call]
        if signals:
            stopper = StopSignals(reactor, cluster.hurry)
            stopper.setServiceParent(top)  # type: ignore[no-untyped-call]
            cluster.signals = stopper
        return top
    app: App = options.app
    stats = StatsService(reactor)
    servers: list[ServerService] = []
    for index, description in enumerate(options["listen"]):
        server = app.makeServer(serverOptions(options), reactor)
        stats.watch(server)
        service = ServerService(
            server,
            description,
            reactor=reactor,
            appName=app.spec,
            timeout=options["timeout"],
            shutdownTimeout=options["shutdown-timeout"],
            adopt=adopt[index] if adopt is not None else None,
        )
        service.setServiceParent(top)  # type: ignore[no-untyped-call]
        servers.append(service)
    stats.setServiceParent(top)  # type: ignore[no-untyped-call]
    if signals:

        def hurry(number: int) -> None:
            for service in servers:
                service.hurry()

        StopSignals(reactor, hurry).setServiceParent(top)  # type: ignore[no-untyped-call]
    return top
