"""
asyncio: Protocols (on the default loop or on uvloop) and Streams.

Protocol senders write until ``pause_writing()`` and go on at
``resume_writing()``; Protocol echo servers stop reading while paused.
Streams code is written the usual way: ``write()`` then ``await drain()``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from typing import Any

from ._common import Accepts, PingCount, Pipelined, now, ready, result, waitGo


def _newLoop(uvloop: bool) -> asyncio.AbstractEventLoop:
    if uvloop:
        import uvloop as _uvloop

        loop: asyncio.AbstractEventLoop = _uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


def _noDelay(transport: Any) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _listeningSocket(params: dict[str, Any]) -> socket.socket:
    return socket.socket(fileno=params["fd"])


# ----------------------------------------------------------------------
# Protocols


class Echo(asyncio.Protocol):
    def __init__(self, accepts: Accepts) -> None:
        self.accepts = accepts

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        _noDelay(transport)
        self.accepts.accepted()

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)

    def pause_writing(self) -> None:
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.transport.resume_reading()


class BulkSender(asyncio.Protocol):
    def __init__(self, params: dict[str, Any]) -> None:
        self.chunk = b"x" * params["chunk"]
        self.remaining = params["total"] // params["chunk"]
        self.paused = False
        self.done = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        _noDelay(transport)
        self.produce()

    def produce(self) -> None:
        write = self.transport.write
        chunk = self.chunk
        while self.remaining and not self.paused:
            self.remaining -= 1
            write(chunk)
        if not self.remaining and not self.done:
            self.done = True
            self.transport.close()  # after what is buffered

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if not self.done:
            self.produce()


class BulkReceiver(asyncio.Protocol):
    def __init__(self, params: dict[str, Any], finished: asyncio.Future[None]) -> None:
        self.total = params["total"]
        self.finished = finished
        self.received = 0
        self.t0 = 0.0

    def connection_made(self, transport: Any) -> None:
        _noDelay(transport)
        self.transport = transport
        self.t0 = now()

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        if self.received >= self.total and not self.finished.done():
            result(mbps=self.received / (now() - self.t0) / 1e6)
            self.transport.close()
            self.finished.set_result(None)


class PingClient(asyncio.Protocol):
    def __init__(self, params: dict[str, Any], finished: asyncio.Future[None]) -> None:
        self.ping = PingCount(params)
        self.finished = finished

    def connection_made(self, transport: Any) -> None:
        _noDelay(transport)
        self.transport = transport
        transport.write(self.ping.message)

    def data_received(self, data: bytes) -> None:
        ping = self.ping
        if not ping.echoed(len(data)):
            return
        if ping.done:
            self.transport.close()
            self.finished.set_result(None)
            return
        self.transport.write(ping.message)


class PipelinedClient(asyncio.Protocol):
    def __init__(self, run: Pipelined, done: list[int], finished: asyncio.Future[None]) -> None:
        self.run = run
        self.done = done
        self.finished = finished
        self.sent = 0
        self.received = 0
        self.paused = False

    def connection_made(self, transport: Any) -> None:
        _noDelay(transport)
        self.transport = transport

    def pump(self) -> None:
        limit = self.run.limit(self.received)
        write = self.transport.write
        message = self.run.message
        while self.sent < limit and not self.paused:
            self.sent += 1
            write(message)

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        if self.received >= self.run.total:
            self.done[0] += 1
            if self.done[0] == self.done[1]:
                self.finished.set_result(None)
        else:
            self.pump()

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        self.pump()


def _protocolServer(loop: asyncio.AbstractEventLoop, workload: str, params: dict[str, Any]) -> None:
    sock = _listeningSocket(params)
    if workload == "bulk":
        loop.run_until_complete(
            loop.create_server(lambda: BulkSender(params), sock=sock, backlog=4096)
        )
        ready()
    elif workload == "connections":
        accepts = Accepts(loop.call_later, params["count"], params["settle"])

        async def start() -> None:
            accepts.start()
            await loop.create_server(lambda: Echo(accepts), sock=sock, backlog=4096)

        loop.run_until_complete(start())
    else:
        accepts = Accepts(loop.call_later)
        loop.run_until_complete(loop.create_server(lambda: Echo(accepts), sock=sock, backlog=4096))
        ready()
    loop.run_forever()


async def _protocolClient(workload: str, params: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[None] = loop.create_future()
    port = params["port"]
    if workload == "bulk":
        await loop.create_connection(lambda: BulkReceiver(params, finished), "127.0.0.1", port)
        await finished
    elif workload.startswith("pingpong"):
        await loop.create_connection(lambda: PingClient(params, finished), "127.0.0.1", port)
        await finished
    elif workload == "pipelined":
        run = Pipelined(params)
        done = [0, run.connections]
        pairs = await asyncio.gather(
            *[
                loop.create_connection(lambda: PipelinedClient(run, done, finished), "127.0.0.1", port)
                for _ in range(run.connections)
            ]
        )
        t0 = now()
        for _, protocol in pairs:
            protocol.pump()
        await finished
        run.report(now() - t0)
        for transport, _ in pairs:
            transport.close()
    else:
        raise SystemExit(f"no {workload} client in this stack")


# ----------------------------------------------------------------------
# Streams


async def _streamsServer(workload: str, params: dict[str, Any]) -> None:
    sock = _listeningSocket(params)
    loop = asyncio.get_running_loop()

    if workload == "bulk":
        chunk = b"x" * params["chunk"]
        count = params["total"] // params["chunk"]

        async def send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            _noDelay(writer.transport)
            for _ in range(count):
                writer.write(chunk)
                await writer.drain()
            writer.close()

        await asyncio.start_server(send, sock=sock, backlog=4096)
        ready()
        await loop.create_future()

    accepts = Accepts(loop.call_later)
    if workload == "connections":
        accepts = Accepts(loop.call_later, params["count"], params["settle"])

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _noDelay(writer.transport)
        accepts.accepted()
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    if workload == "connections":
        accepts.start()
        await asyncio.start_server(echo, sock=sock, backlog=4096)
    else:
        await asyncio.start_server(echo, sock=sock, backlog=4096)
        ready()
    await loop.create_future()


async def _streamsClient(workload: str, params: dict[str, Any]) -> None:
    port = params["port"]
    if workload == "bulk":
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        _noDelay(writer.transport)
        t0 = now()
        total = params["total"]
        received = 0
        while received < total:
            data = await reader.read(65536)
            if not data:
                break
            received += len(data)
        result(mbps=received / (now() - t0) / 1e6)
        writer.close()
    elif workload.startswith("pingpong"):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        _noDelay(writer.transport)
        ping = PingCount(params)
        while not ping.done:
            writer.write(ping.message)
            await writer.drain()
            ping.echoed(len(await reader.readexactly(ping.size)))
        writer.close()
    elif workload == "pipelined":
        run = Pipelined(params)
        streams = await asyncio.gather(
            *[asyncio.open_connection("127.0.0.1", port) for _ in range(run.connections)]
        )

        async def pipeline(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            _noDelay(writer.transport)
            sent = received = 0
            while received < run.total:
                limit = run.limit(received)
                while sent < limit:
                    writer.write(run.message)
                    sent += 1
                await writer.drain()
                data = await reader.read(65536)
                if not data:
                    raise ConnectionError("the server went away")
                received += len(data)

        t0 = now()
        await asyncio.gather(*[pipeline(r, w) for r, w in streams])
        run.report(now() - t0)
        for _, w in streams:
            w.close()
    else:
        raise SystemExit(f"no {workload} client in this stack")


def _run(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, None]) -> None:
    try:
        loop.run_until_complete(coroutine)
    finally:
        loop.close()


def server(workload: str, params: dict[str, Any], flavour: str) -> None:
    """Serve ``workload``: ``flavour`` is ``asyncio``, ``uvloop`` or ``streams``."""
    loop = _newLoop(flavour == "uvloop")
    if flavour == "streams":
        _run(loop, _streamsServer(workload, params))
    else:
        _protocolServer(loop, workload, params)


def client(workload: str, params: dict[str, Any], flavour: str) -> None:
    """Run the client side of ``workload`` in ``flavour``."""
    ready()
    waitGo()
    loop = _newLoop(flavour == "uvloop")
    if flavour == "streams":
        _run(loop, _streamsClient(workload, params))
    else:
        _run(loop, _protocolClient(workload, params))
