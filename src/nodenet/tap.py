"""
``twistd nodenet``: serve a nodenet app with Twisted's application runner.

::

    twistd -n nodenet                                   # the echo server on 127.0.0.1:8124
    twistd -n nodenet --listen tcp:9000 --app myapp:onConnection
    twistd -n nodenet --listen ssl:8443:privateKey=key.pem:certKey=cert.pem
    twistd -n nodenet --listen systemd:domain=INET:index=0 --workers 0

``--listen`` takes any Twisted server endpoint description (repeat it to
listen on several), plus ``haproxy:`` in front of any of them for the PROXY
protocol.  ``--app`` is a built-in app (``echo``, ``hello``, ``discard``)
or ``MODULE:NAME``.  See ``docs/deployment.md``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from twisted.application.service import MultiService
from twisted.python import usage

from ._service import BUILTIN_APPS, App, buildService, resolveApp

__all__ = ["DEFAULT_LISTEN", "Options", "cpuCount", "makeService"]

#: Where ``twistd nodenet`` listens without ``--listen``.
DEFAULT_LISTEN = "tcp:8124:interface=127.0.0.1"

_KEEP_ALIVE = "--keep-alive="


def _milliseconds(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"{value} is negative")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"{value} is not positive")
    return number


def cpuCount() -> int:
    """The cores this process may run on (``--workers 0``)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Options(usage.Options):
    """The command line of ``twistd nodenet``."""

    #: The usage line ``twistd nodenet --help`` shows.
    synopsis = "[nodenet options]"
    #: The description ``twistd nodenet --help`` shows.
    longdesc = (
        "Serve a nodenet (Node.js net API) app. Without options: the echo server on "
        f"{DEFAULT_LISTEN}. See docs/deployment.md for systemd, workers, HAProxy and TLS."
    )

    #: The options that take a value (``--app``/``-a``, ``--max-connections``,
    #: ``--timeout``, ``--workers``/``-w``, ``--shutdown-timeout``), as a
    #: :class:`twisted.python.usage.Options` table: long name, short name,
    #: default, help, and the function that checks and converts the value.
    optParameters = [
        [
            "app",
            "a",
            "echo",
            "The app: " + ", ".join(BUILTIN_APPS) + ", or MODULE:NAME, a connection "
            "listener f(socket), a net.Server, or a callable returning a net.Server.",
        ],
        [
            "max-connections",
            None,
            None,
            "Each server's maxConnections: connections beyond it are dropped.",
            _positive,
        ],
        [
            "timeout",
            None,
            None,
            "Idle timeout of each socket in ms (socket.setTimeout); the built-in apps end idle sockets.",
            _milliseconds,
        ],
        [
            "workers",
            "w",
            None,
            "Run N worker processes sharing the listening sockets (0: one per core).",
            _milliseconds,
        ],
        [
            "shutdown-timeout",
            None,
            5000,
            "On SIGTERM, how long (ms) to wait for open connections before destroying them.",
            _milliseconds,
        ],
    ]

    #: The flags (``--allow-half-open``, ``--pause-on-connect``,
    #: ``--no-delay``), as a :class:`twisted.python.usage.Options` table:
    #: long name, short name, help.  ``--listen``/``-l`` and
    #: ``--keep-alive[=MS]`` are methods: :meth:`opt_listen` and
    #: :meth:`opt_keep_alive`.
    optFlags = [
        ["allow-half-open", None, "Keep a socket writable after the client ends (allowHalfOpen)."],
        ["pause-on-connect", None, "Accept sockets paused (pauseOnConnect); the app resumes them."],
        ["no-delay", None, "Disable Nagle's algorithm on each socket (noDelay)."],
    ]

    #: Set by a worker process before parsing: descriptions are not checked
    #: here (the parent did; the worker adopts its descriptors).
    worker = False

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self["listen"] = []
        self["keep-alive"] = None
        #: The arguments as given (a worker parses the same ones).
        self.argv: list[str] = []
        #: The resolved ``--app``, after parsing.
        self.app: App

    def opt_listen(self, description: str) -> None:
        """Listen on a Twisted endpoint description (repeatable): tcp:, unix:, ssl:, systemd:, haproxy:..."""
        self["listen"].append(description)

    opt_l = opt_listen

    def opt_keep_alive(self) -> None:
        """Enable TCP keep-alive on each socket; --keep-alive=MS also sets the initial delay."""
        self["keep-alive"] = 0

    def parseOptions(self, options: Sequence[str] | None = None) -> None:
        """Parse, accepting ``--keep-alive=MS`` as well as ``--keep-alive``."""
        if options is None:
            import sys

            options = sys.argv[1:]
        self.argv = list(options)
        rest = []
        for arg in self.argv:
            if arg.startswith(_KEEP_ALIVE):
                value = arg[len(_KEEP_ALIVE) :]
                try:
                    self["keep-alive"] = _milliseconds(value)
                except ValueError:
                    raise usage.UsageError(f"--keep-alive={value}: not a number of milliseconds") from None
                continue
            rest.append(arg)
        super().parseOptions(rest)  # type: ignore[no-untyped-call]

    def postOptions(self) -> None:
        """Fill in the defaults and check the app and the descriptions now."""
        if not self["listen"]:
            self["listen"] = [DEFAULT_LISTEN]
        if self["workers"] == 0:
            self["workers"] = cpuCount()
        self.app = resolveApp(self["app"])
        if self.app.kind == "server" and len(self["listen"]) > 1:
            raise usage.UsageError(
                f"--app {self['app']} is one net.Server, which listens once; "
                "give a callable returning a net.Server to listen on several descriptions"
            )
        if not self.worker:
            self._checkDescriptions()

    def _checkDescriptions(self) -> None:
        from twisted.internet import reactor

        from ._listen import serverEndpoint

        for description in self["listen"]:
            try:
                serverEndpoint(reactor, description)
            except Exception as e:
                raise usage.UsageError(f"--listen {description}: {e}") from None


def makeService(options: Options) -> MultiService:
    """The ``twistd nodenet`` service, from parsed :class:`Options`."""
    from twisted.internet import reactor

    return buildService(options, reactor)
