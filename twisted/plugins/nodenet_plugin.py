"""
The ``twistd nodenet`` plugin and the ``uvloop`` reactor: plain declarations,
so that plugin scans stay cheap.

This directory has no ``__init__.py`` on purpose: Twisted finds plugin
files in every ``twisted/plugins`` directory on ``sys.path`` that has none.
"""

from twisted.application.reactors import Reactor
from twisted.application.service import ServiceMaker

nodenet = ServiceMaker(
    "nodenet",
    "nodenet.tap",
    "Serve a nodenet (Node.js net API) app: the echo server by default.",
    "nodenet",
)

uvloop = Reactor(
    "uvloop",
    "nodenet._uvloopreactor",
    "Twisted's asyncio reactor on a uvloop event loop (needs uvloop installed).",
)
