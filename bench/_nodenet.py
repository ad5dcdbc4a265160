"""
nodenet, through its public API only, as a Node program would be written.

``createServer``/``listen``/``'connection'``, ``connect``/``'connect'``,
``'data'``, ``write()`` whose ``False`` is honoured by waiting for
``'drain'``, ``pause()``/``resume()``, ``end()``/``destroy()``, under
``net.run``.  The reactor is whichever is installed when this module runs
(the worker installs Twisted's asyncio reactor for the ``nodenet-asyncio``
and ``nodenet-uvloop`` stacks).
"""

from __future__ import annotations

from typing import Any

import nodenet as net

from ._common import Accepts, PingCount, Pipelined, now, ready, result, waitGo


def _ignore(*args: Any) -> None:
    """For ``'error'``: a client that is killed resets its connections."""


def _echo(socket: net.Socket) -> None:
    """Echo what arrives; pause reading while ``write()`` says the queue is full."""
    socket.setNoDelay(True)

    def onData(chunk: bytes) -> None:
        if not socket.write(chunk):
            socket.pause()

    socket.on("data", onData)
    socket.on("drain", socket.resume)
    socket.on("error", _ignore)


def _bulkSender(params: dict[str, Any]) -> Any:
    chunk = b"x" * params["chunk"]
    count = params["total"] // params["chunk"]

    def onConnection(socket: net.Socket) -> None:
        socket.setNoDelay(True)
        remaining = count

        def pump() -> None:
            nonlocal remaining
            write = socket.write
            while remaining:
                remaining -= 1
                if not write(chunk):
                    return  # 'drain' calls pump again
            socket.end()

        socket.on("drain", pump)
        socket.on("error", _ignore)
        pump()

    return onConnection


def _callLater(seconds: float, f: Any, *args: Any) -> None:
    net.timers.setTimeout(f, seconds * 1000, *args)


def server(workload: str, params: dict[str, Any]) -> None:
    """Serve ``workload`` on the inherited listening descriptor, under ``net.run``."""
    where = {"fd": params["fd"], "backlog": 4096}

    def main() -> None:
        if workload == "bulk":
            net.createServer(_bulkSender(params)).listen(where, ready)
        elif workload == "connections":
            accepts = Accepts(_callLater, params["count"], params["settle"])

            def onConnection(socket: net.Socket) -> None:
                _echo(socket)
                accepts.accepted()

            accepts.start()
            net.createServer(onConnection).listen(where)
        else:
            net.createServer(_echo).listen(where, ready)

    net.run(main)


def _bulkClient(params: dict[str, Any]) -> None:
    total = params["total"]
    received = 0
    t0 = 0.0
    socket = net.connect(params["port"], "127.0.0.1")

    def onConnect() -> None:
        nonlocal t0
        socket.setNoDelay(True)
        t0 = now()

    def onData(chunk: bytes) -> None:
        nonlocal received
        received += len(chunk)
        if received >= total:
            result(mbps=received / (now() - t0) / 1e6)
            socket.destroy()

    socket.on("connect", onConnect)
    socket.on("data", onData)


def _pingClient(params: dict[str, Any]) -> None:
    ping = PingCount(params)
    socket = net.connect(params["port"], "127.0.0.1")

    def onConnect() -> None:
        socket.setNoDelay(True)
        socket.write(ping.message)

    def onData(chunk: bytes) -> None:
        if not ping.echoed(len(chunk)):
            return
        if ping.done:
            socket.destroy()
            return
        socket.write(ping.message)

    socket.on("connect", onConnect)
    socket.on("data", onData)


def _pipelinedClient(params: dict[str, Any]) -> None:
    run = Pipelined(params)
    sockets: list[net.Socket] = []
    up = done = 0
    t0 = 0.0

    def open() -> None:
        socket = net.connect(params["port"], "127.0.0.1")
        sent = received = 0
        blocked = False

        def pump() -> None:
            nonlocal sent, blocked
            blocked = False
            limit = run.limit(received)
            write = socket.write
            message = run.message
            while sent < limit:
                sent += 1
                if not write(message):
                    blocked = True  # 'drain' calls pump again
                    return

        def onConnect() -> None:
            nonlocal up, t0
            socket.setNoDelay(True)
            up += 1
            if up == run.connections:
                t0 = now()
                for start in starters:
                    start()

        def onData(chunk: bytes) -> None:
            nonlocal received, done
            received += len(chunk)
            if received >= run.total:
                done += 1
                if done == run.connections:
                    run.report(now() - t0)
                    for s in sockets:
                        s.destroy()
            elif not blocked:
                pump()

        socket.on("connect", onConnect)
        socket.on("data", onData)
        socket.on("drain", pump)
        sockets.append(socket)
        starters.append(pump)

    starters: list[Any] = []
    for _ in range(run.connections):
        open()


def client(workload: str, params: dict[str, Any]) -> None:
    """Run the client side of ``workload`` against ``params['port']``, under ``net.run``."""
    clients = {
        "bulk": _bulkClient,
        "pingpong": _pingClient,
        "pingpong-1core": _pingClient,
        "pipelined": _pipelinedClient,
    }
    if workload not in clients:
        raise SystemExit(f"no {workload} client in this stack")
    ready()
    waitGo()
    net.run(clients[workload], params)
