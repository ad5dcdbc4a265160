"""
Raw Twisted: ``Protocol``/``Factory`` on the default reactor, producer-aware.

Senders register themselves as streaming producers and write until the
transport pauses them; echo servers register too, and stop reading while
the transport's buffer is full.
"""

from __future__ import annotations

import socket
from typing import Any

from twisted.internet import reactor as _reactor
from twisted.internet.interfaces import IPushProducer
from twisted.internet.protocol import ClientFactory, Factory, Protocol
from zope.interface import implementer

from ._common import Accepts, PingCount, Pipelined, now, ready, result, waitGo

reactor: Any = _reactor


@implementer(IPushProducer)
class Echo(Protocol):
    """Echoes what it receives; stops reading while its output is held up."""

    def connectionMade(self) -> None:
        self.transport.setTcpNoDelay(True)  # type: ignore[union-attr]
        self.transport.registerProducer(self, True)  # type: ignore[union-attr]
        self.factory.accepted()  # type: ignore[attr-defined]

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)  # type: ignore[union-attr]

    def pauseProducing(self) -> None:
        self.transport.pauseProducing()  # type: ignore[union-attr]

    def resumeProducing(self) -> None:
        self.transport.resumeProducing()  # type: ignore[union-attr]

    def stopProducing(self) -> None:
        pass


class EchoFactory(Factory):
    protocol = Echo
    noisy = False

    def __init__(self, count: int = 0, settle: float = 0.0) -> None:
        self.accepts = Accepts(reactor.callLater, count, settle)

    def accepted(self) -> None:
        self.accepts.accepted()


@implementer(IPushProducer)
class BulkSender(Protocol):
    """Sends ``total`` bytes in ``chunk``-byte writes as fast as the transport takes them."""

    def connectionMade(self) -> None:
        params = self.factory.params  # type: ignore[attr-defined]
        self.chunk = b"x" * params["chunk"]
        self.remaining = params["total"] // params["chunk"]
        self.paused = False
        self.done = False
        self.transport.setTcpNoDelay(True)  # type: ignore[union-attr]
        self.transport.registerProducer(self, True)  # type: ignore[union-attr]
        self.produce()

    def produce(self) -> None:
        write = self.transport.write  # type: ignore[union-attr]
        chunk = self.chunk
        while self.remaining and not self.paused:
            self.remaining -= 1
            write(chunk)
        if not self.remaining and not self.done:
            self.done = True
            self.transport.unregisterProducer()  # type: ignore[union-attr]
            self.transport.loseConnection()  # type: ignore[union-attr]

    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        if not self.done:
            self.produce()

    def stopProducing(self) -> None:
        self.remaining = 0


class BulkReceiver(Protocol):
    def connectionMade(self) -> None:
        self.transport.setTcpNoDelay(True)  # type: ignore[union-attr]
        self.total = self.factory.params["total"]  # type: ignore[attr-defined]
        self.received = 0
        self.t0 = now()

    def dataReceived(self, data: bytes) -> None:
        self.received += len(data)
        if self.received >= self.total:
            elapsed = now() - self.t0
            result(mbps=self.received / elapsed / 1e6)
            self.transport.loseConnection()  # type: ignore[union-attr]
            reactor.stop()


class PingClient(Protocol):
    def connectionMade(self) -> None:
        self.transport.setTcpNoDelay(True)  # type: ignore[union-attr]
        self.ping = PingCount(self.factory.params)  # type: ignore[attr-defined]
        self.transport.write(self.ping.message)  # type: ignore[union-attr]

    def dataReceived(self, data: bytes) -> None:
        ping = self.ping
        if not ping.echoed(len(data)):
            return
        if ping.done:
            self.transport.loseConnection()  # type: ignore[union-attr]
            reactor.stop()
            return
        self.transport.write(ping.message)  # type: ignore[union-attr]


@implementer(IPushProducer)
class PipelinedClient(Protocol):
    """Keeps up to ``window`` messages unanswered until ``messages`` were echoed."""

    def connectionMade(self) -> None:
        self.transport.setTcpNoDelay(True)  # type: ignore[union-attr]
        self.transport.registerProducer(self, True)  # type: ignore[union-attr]
        self.run: PipelinedRun = self.factory.run  # type: ignore[attr-defined]
        self.sent = 0
        self.received = 0
        self.paused = False
        self.run.connected(self)

    def pump(self) -> None:
        run = self.run
        limit = run.limit(self.received)
        write = self.transport.write  # type: ignore[union-attr]
        message = run.message
        while self.sent < limit and not self.paused:
            self.sent += 1
            write(message)

    def dataReceived(self, data: bytes) -> None:
        self.received += len(data)
        if self.received >= self.run.total:
            self.run.finished(self)
        else:
            self.pump()

    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        self.pump()

    def stopProducing(self) -> None:
        pass


class PipelinedRun(Pipelined):
    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.up: list[PipelinedClient] = []
        self.done = 0
        self.t0 = 0.0

    def connected(self, client: PipelinedClient) -> None:
        self.up.append(client)
        if len(self.up) == self.connections:
            self.t0 = now()
            for c in self.up:
                c.pump()

    def finished(self, client: PipelinedClient) -> None:
        self.done += 1
        if self.done == self.connections:
            self.report(now() - self.t0)
            for c in self.up:
                c.transport.unregisterProducer()  # type: ignore[union-attr]
                c.transport.loseConnection()  # type: ignore[union-attr]
            reactor.stop()


def _clientFactory(protocol: type[Protocol], **attrs: Any) -> ClientFactory:
    factory = ClientFactory()
    factory.protocol = protocol
    factory.noisy = False
    for name, value in attrs.items():
        setattr(factory, name, value)
    return factory


def server(workload: str, params: dict[str, Any]) -> None:
    """Serve ``workload`` on the inherited listening descriptor."""
    fd = params["fd"]
    if workload == "bulk":
        factory: Factory = Factory.forProtocol(BulkSender)
        factory.params = params  # type: ignore[attr-defined]
        factory.noisy = False
    elif workload == "connections":
        factory = EchoFactory(params["count"], params["settle"])
    else:
        factory = EchoFactory()

    def start() -> None:
        if workload == "connections":
            factory.accepts.start()  # type: ignore[attr-defined]
            reactor.adoptStreamPort(fd, socket.AF_INET, factory)
        else:
            reactor.adoptStreamPort(fd, socket.AF_INET, factory)
            ready()

    reactor.callWhenRunning(start)
    reactor.run()


def client(workload: str, params: dict[str, Any]) -> None:
    """Run the client side of ``workload`` against ``params['port']``."""
    port = params["port"]
    ready()
    waitGo()
    if workload == "bulk":
        reactor.connectTCP("127.0.0.1", port, _clientFactory(BulkReceiver, params=params))
    elif workload.startswith("pingpong"):
        reactor.connectTCP("127.0.0.1", port, _clientFactory(PingClient, params=params))
    elif workload == "pipelined":
        factory = _clientFactory(PipelinedClient, run=PipelinedRun(params))
        for _ in range(params["connections"]):
            reactor.connectTCP("127.0.0.1", port, factory)
    else:
        raise SystemExit(f"no {workload} client in this stack")
    reactor.run()
