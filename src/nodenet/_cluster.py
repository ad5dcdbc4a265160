"""
Worker processes for ``twistd nodenet --workers N``, as Node's ``cluster``.

The parent binds every ``--listen`` description itself (so ``systemd:``,
``unix:`` locks, privileged ports and certificate errors are handled once,
at start-up), stops accepting on those ports, and starts N workers with
the listening descriptors as their file descriptors 3, 4, ...; each worker
parses the same command line and adopts them (:mod:`nodenet._listen`), so
the kernel spreads connections over the workers.

- A worker writes its log events as JSON lines on its stdout; the parent
  republishes them in its own log, marked with the worker's number and pid.
- A worker that dies is started again (after a pause that grows while
  workers keep dying young).
- Stopping the parent passes the signal it got on to every worker, closes
  its own ports, and waits for the workers to finish their graceful stop; a
  worker still alive after the shutdown timeout (plus a margin) is killed.
  The signal travels as a line on the worker's stdin (``stop 15``, and
  ``hurry 15`` for a further one), not as a signal: when SIGTERM reaches the
  whole process group (systemd's default ``KillMode``, or Ctrl-C in a
  terminal) a worker must not count the parent's copy as a second signal.
  A worker whose parent is gone (its stdin closes) stops by itself.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

from twisted.application.service import Service
from twisted.internet import defer
from twisted.internet.error import ProcessDone
from twisted.internet.protocol import Factory, ProcessProtocol
from twisted.logger import Logger, eventFromJSON, globalLogBeginner, jsonFileLogObserver
from twisted.python.failure import Failure

from ._listen import describeAddress, serverEndpoint
from ._service import credentialsFrom

if TYPE_CHECKING:
    from ._service import StopSignals
    from .tap import Options

__all__ = ["ClusterService", "WORKER_FD_START", "workerMain"]

_log = Logger(namespace="nodenet")

#: The first descriptor number of the inherited listening sockets.
WORKER_FD_START = 3
#: Extra time (ms) a worker gets past the shutdown timeout before SIGKILL.
_KILL_MARGIN = 5000
#: A worker that lived less than this (seconds) died young.
_YOUNG = 10.0
_MAX_RESTART_DELAY = 30.0

_BOOTSTRAP = (
    "import sys, json; config = json.loads(sys.argv[1]); sys.path[:] = config['path']; "
    "from nodenet._cluster import workerMain; workerMain(config)"
)


class _NoAccept(Factory):
    """The parent's ports never accept: the workers do."""

    noisy = False

    def buildProtocol(self, addr: Any) -> None:
        return None


class _Worker(ProcessProtocol):
    """One worker process, seen from the parent."""

    def __init__(self, cluster: ClusterService, number: int) -> None:
        self.cluster = cluster
        self.number = number
        self.pid: int | None = None
        self.started = time.monotonic()
        self.ended: defer.Deferred[None] = defer.Deferred()
        self._out = b""
        self._err = b""

    def connectionMade(self) -> None:
        transport: Any = self.transport
        self.pid = transport.pid
        _log.info("Started worker {number} (pid {pid})", number=self.number, pid=self.pid)

    def _system(self) -> str:
        return f"worker {self.number}, pid {self.pid}"

    def outReceived(self, data: bytes) -> None:
        self._out += data
        *lines, self._out = self._out.split(b"\n")
        for line in lines:
            self._relay(line)

    def errReceived(self, data: bytes) -> None:
        self._err += data
        *lines, self._err = self._err.split(b"\n")
        for line in lines:
            self._relayText(line)

    def _relay(self, line: bytes) -> None:
        text = line.decode("utf-8", "replace").lstrip("\x1e")
        if not text.strip():
            return
        try:
            event = eventFromJSON(text)
        except ValueError:
            self._relayText(line)
            return
        event["log_system"] = self._system()
        observer: Any = _log.observer
        observer(event)

    def _relayText(self, line: bytes) -> None:
        text = line.decode("utf-8", "replace").rstrip()
        if text:
            _log.warn("{worker}: {line}", worker=self._system(), line=text, log_system=self._system())

    def processEnded(self, reason: Failure) -> None:
        for rest, relay in ((self._out, self._relay), (self._err, self._relayText)):
            if rest:
                relay(rest)
        self._out = self._err = b""
        self.cluster._workerEnded(self, reason)
        self.ended.callback(None)

    def tell(self, command: str, number: int) -> None:
        """Pass ``stop`` or ``hurry`` (for signal ``number``) on, over the worker's stdin."""
        transport: Any = self.transport
        if transport is not None and transport.pid is not None:
            transport.write(f"{command} {int(number)}\n".encode())

    def kill(self) -> None:
        """SIGKILL, if the process is still there."""
        transport: Any = self.transport
        if transport is not None and transport.pid is not None:
            transport.signalProcess("KILL")


class ClusterService(Service):
    """The parent of ``--workers``: binds, starts and restarts workers, stops them."""

    def __init__(self, options: Options, reactor: Any) -> None:
        self.options = options
        self.reactor = reactor
        self.count: int = options["workers"]
        self.ports: list[Any] = []
        self.workers: dict[int, _Worker] = {}
        self.signals: StopSignals | None = None
        self._youngDeaths = 0
        self._restarts: dict[int, Any] = {}
        self._stopping: defer.Deferred[Any] | None = None

    # binding

    def privilegedStartService(self) -> None:
        """Bind every description now (before twistd drops privileges)."""
        super().privilegedStartService()  # type: ignore[no-untyped-call]
        for description in self.options["listen"]:
            self._bind(description)

    def _bind(self, description: str) -> None:
        results: list[Any] = []
        # TLS is the workers' business; converting the credentials here checks them at start-up.
        endpoint = serverEndpoint(self.reactor, description, secure=credentialsFrom)
        endpoint.listen(_NoAccept()).addBoth(results.append)
        if not results:
            raise RuntimeError(f"--listen {description} did not bind at once, which --workers needs")
        if isinstance(results[0], Failure):
            # twistd reports it and exits 1; Twisted's own frames add nothing.
            error: Any = results[0].value
            raise error.with_traceback(None)
        port = results[0]
        port.stopReading()
        self.ports.append(port)
        _log.info(
            "nodenet {app} listening on {address} ({description}) with {count} worker(s)",
            app=self.options["app"],
            address=describeAddress(port.getHost()),
            description=description,
            count=self.count,
        )

    # workers

    def startService(self) -> None:
        """Start the workers once the reactor runs."""
        super().startService()  # type: ignore[no-untyped-call]
        self.reactor.callWhenRunning(self._startAll)

    def _startAll(self) -> None:
        for number in range(1, self.count + 1):
            if number not in self.workers and self._stopping is None:
                self._spawn(number)

    def _spawn(self, number: int) -> None:
        self._restarts.pop(number, None)
        if self._stopping is not None:
            return
        parent = getattr(self.options, "parent", None)
        config = {
            "argv": self.options.argv,
            "reactor": parent.get("reactor") if parent is not None else None,
            "fds": [WORKER_FD_START + i for i in range(len(self.ports))],
            "number": number,
            "path": [os.path.abspath(p) if p else os.getcwd() for p in sys.path],
        }
        childFDs: dict[int, Any] = {0: "w", 1: "r", 2: "r"}
        for i, port in enumerate(self.ports):
            childFDs[WORKER_FD_START + i] = port.fileno()
        worker = _Worker(self, number)
        self.workers[number] = worker
        self.reactor.spawnProcess(
            worker,
            sys.executable,
            [sys.executable, "-c", _BOOTSTRAP, json.dumps(config)],
            env=dict(os.environ),
            childFDs=childFDs,
        )

    def _workerEnded(self, worker: _Worker, reason: Failure) -> None:
        if self.workers.get(worker.number) is worker:
            del self.workers[worker.number]
        value: Any = reason.value
        status = (
            "exit code 0"
            if isinstance(value, ProcessDone)
            else (f"signal {value.signal}" if value.signal is not None else f"exit code {value.exitCode}")
        )
        if self._stopping is not None:
            _log.info("Worker {number} (pid {pid}) ended ({status})", number=worker.number, pid=worker.pid, status=status)
            return
        lived = time.monotonic() - worker.started
        if lived < _YOUNG:
            self._youngDeaths += 1
        else:
            self._youngDeaths = 0
        delay = 0.0 if not self._youngDeaths else min(_MAX_RESTART_DELAY, 0.5 * 2 ** (self._youngDeaths - 1))
        _log.warn(
            "Worker {number} (pid {pid}) died ({status}); starting it again in {delay:g} s",
            number=worker.number,
            pid=worker.pid,
            status=status,
            delay=delay,
        )
        self._restarts[worker.number] = self.reactor.callLater(delay, self._spawn, worker.number)

    def tellAll(self, command: str, number: int) -> None:
        """Pass ``stop`` or ``hurry`` for signal ``number`` on to every worker."""
        for worker in list(self.workers.values()):
            worker.tell(command, number)

    def hurry(self, number: int) -> None:
        """A further signal: the workers stop waiting for open connections."""
        self.tellAll("hurry", number)

    def killAll(self) -> None:
        """SIGKILL every worker still running."""
        for worker in list(self.workers.values()):
            worker.kill()

    # stopping

    def stopService(self) -> defer.Deferred[Any]:
        """Signal the workers, close the ports, wait for the workers to end."""
        super().stopService()  # type: ignore[no-untyped-call]
        if self._stopping is None:
            self._stopping = self._stop()
        return self._stopping

    def _stop(self) -> defer.Deferred[Any]:
        for call in self._restarts.values():
            if call.active():
                call.cancel()
        self._restarts.clear()
        received = self.signals.received if self.signals is not None else None
        self.tellAll("stop", received or signal.SIGTERM)
        waits: list[defer.Deferred[Any]] = [w.ended for w in self.workers.values()]
        for port in self.ports:
            waits.append(defer.maybeDeferred(port.stopListening))
        self.ports = []
        margin = (self.options["shutdown-timeout"] + _KILL_MARGIN) / 1000.0
        killer = self.reactor.callLater(margin, self.killAll)
        done = defer.DeferredList(waits, consumeErrors=True)

        def finished(result: object) -> object:
            if killer.active():
                killer.cancel()
            return result

        return done.addBoth(finished)


# ----------------------------------------------------------------------
# the worker's side


class _ParentWatch:
    """
    Reads the worker's stdin: the parent's ``stop N`` and ``hurry N``.

    End of file means the parent is gone: the worker stops by itself.
    """

    def __init__(self, stopper: StopSignals) -> None:
        self.stopper = stopper
        self._buffer = b""

    def fileno(self) -> int:
        return 0

    def logPrefix(self) -> str:
        return "parent"

    def doRead(self) -> Any:
        try:
            data = os.read(0, 4096)
        except BlockingIOError:
            return None
        except OSError as e:
            return Failure(e)  # type: ignore[no-untyped-call]
        if not data:
            from twisted.internet.main import CONNECTION_DONE

            return CONNECTION_DONE
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            command, _, number = line.decode("ascii", "replace").partition(" ")
            signalNumber = int(number) if number.isdigit() else signal.SIGTERM
            if command == "stop":
                self.stopper.stop(signalNumber, " from the parent")
            elif command == "hurry":
                self.stopper.hurry(signalNumber, " from the parent")
        return None

    def connectionLost(self, reason: Failure) -> None:
        if self.stopper.received is None:  # not the reactor's own shutdown
            _log.info("The parent process is gone")
            self.stopper.stop(signal.SIGTERM, " (no parent)")


def _toParent(out: Any) -> Any:
    """
    A log observer writing JSON lines for the parent.

    An exception does not survive JSON: its traceback travels as text,
    appended to the message.
    """
    write = jsonFileLogObserver(out)

    def observe(event: dict[str, Any]) -> None:
        failure = event.get("log_failure")
        if failure is not None:
            event = dict(event)
            del event["log_failure"]
            event["nodenet_traceback"] = failure.getTraceback().rstrip("\n")
            event["log_format"] = (event.get("log_format") or "") + "\n{nodenet_traceback}"
        write(event)

    return observe


def workerMain(config: dict[str, Any]) -> None:
    """Run one worker: parse the parent's command line, adopt, serve, stop."""
    if config.get("reactor"):
        from twisted.application.reactors import installReactor

        installReactor(config["reactor"])  # the parent's --reactor
    from twisted.internet import reactor as globalReactor

    from ._service import StopSignals, buildService
    from .tap import Options

    reactor: Any = globalReactor

    globalLogBeginner.beginLoggingTo([_toParent(sys.stdout)], redirectStandardIO=True)
    options = Options()
    options.worker = True
    options.parseOptions(config["argv"])
    service = buildService(options, reactor, adopt=config["fds"])
    service.privilegedStartService()  # type: ignore[no-untyped-call]
    for fd in config["fds"]:
        os.close(fd)
    service.startService()  # type: ignore[no-untyped-call]
    reactor.addSystemEventTrigger("before", "shutdown", service.stopService)

    stopper = next(child for child in service if isinstance(child, StopSignals))
    os.set_blocking(0, False)
    reactor.callWhenRunning(reactor.addReader, _ParentWatch(stopper))
    reactor.run()
