"""
The entry point of every Python server and client process of the suite.

``python -m bench._worker STACK ROLE WORKLOAD PARAMS_JSON``; ``ROLE`` is
``server`` or ``client``; the stack ``idle`` is the shared client of the
``connections`` workload.  The harness starts these; they are not meant to
be run by hand, though they can be (see :mod:`bench._common` for the line
protocol).
"""

from __future__ import annotations

import json
import sys


def _installAsyncioReactor(uvloop: bool) -> None:
    import asyncio

    if uvloop:
        import uvloop as _uvloop

        loop: asyncio.AbstractEventLoop = _uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    from twisted.internet import asyncioreactor

    asyncioreactor.install(loop)


def main(argv: list[str]) -> None:
    stack, role, workload, params = argv[0], argv[1], argv[2], json.loads(argv[3])
    if stack == "idle":
        from . import _idle

        _idle.run(params)
    elif stack == "twisted":
        from . import _twisted

        getattr(_twisted, role)(workload, params)
    elif stack in ("nodenet", "nodenet-asyncio", "nodenet-uvloop"):
        if stack != "nodenet":
            _installAsyncioReactor(stack == "nodenet-uvloop")
        from . import _nodenet

        getattr(_nodenet, role)(workload, params)
    elif stack in ("asyncio", "uvloop", "streams"):
        from . import _asyncio

        getattr(_asyncio, role)(workload, params, stack)
    else:
        raise SystemExit(f"unknown stack {stack!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
