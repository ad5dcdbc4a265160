"""
Twisted's asyncio reactor on a uvloop event loop: ``--reactor=uvloop``.

The ``twisted/plugins`` file declares it as a reactor, so that ``twistd``
and ``trial`` (and trial's ``-j`` workers, which get the same option) can
pick it by name.  uvloop is an optional dependency: without it, installing
this reactor fails with the ``ImportError`` that says so.
"""

from __future__ import annotations

__all__ = ["install"]


def install() -> None:
    """Install the asyncio reactor on a new uvloop event loop."""
    import asyncio

    import uvloop
    from twisted.internet import asyncioreactor

    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    asyncioreactor.install(loop)  # type: ignore[no-untyped-call]
