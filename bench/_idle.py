"""
The client of the ``connections`` workload, shared by every stack.

It opens ``count`` plain blocking connections and holds them open, idle,
until its stdin closes.  It also holds the server's listening socket (the
harness passes it down) only to read the length of its accept queue
(``TCP_INFO`` of a listening socket gives the queue length and its limit):
it never lets the queue overflow (the kernel would drop the handshake and
the client would stall for a retransmission), and it says ``PREFILLED``
once the queue is full or every connection is open, which is when the
harness lets the server start accepting.  The server then always finds
connections waiting, so its accept rate is what is measured.
"""

from __future__ import annotations

import socket
import struct
import sys
import time
from typing import Any

_TCP_INFO_SIZE = 104


def _queue(listener: socket.socket) -> tuple[int, int]:
    """(connections waiting to be accepted, the queue's limit)."""
    info = listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
    waiting, limit = struct.unpack_from("II", info, 24)  # tcpi_unacked, tcpi_sacked
    return waiting, limit


def run(params: dict[str, Any]) -> None:
    """Open the connections, then hold them until stdin closes."""
    listener = socket.socket(fileno=params["fd"])
    address = ("127.0.0.1", params["port"])
    count = params["count"]
    headroom = 96
    held: list[socket.socket] = []
    prefilled = False
    for _ in range(count):
        while True:
            waiting, limit = _queue(listener)
            if waiting < limit - headroom:
                break
            if not prefilled:
                prefilled = True
                print("PREFILLED", flush=True)
            time.sleep(0.0002)
        conn = socket.socket()
        conn.connect(address)
        held.append(conn)
    if not prefilled:
        print("PREFILLED", flush=True)
    print("CONNECTED", flush=True)
    sys.stdin.read()
