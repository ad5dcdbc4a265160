"""
Write the offline intersphinx inventories ``python.inv`` and ``twisted.inv``.

The documentation links Python's and Twisted's names through intersphinx.
So that the build needs no network, ``conf.py`` reads these two small
inventories instead of the published ones.  They hold the names the docs and
the docstrings refer to, with their addresses in the published
documentation (Python's Sphinx site, Twisted's pydoctor site).  Add a name
here when a page starts to refer to it, and run::

    python docs/_inventories/make_inventories.py

``tests/test_docs.py`` checks that the committed files are what this script
writes.
"""

from __future__ import annotations

import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

_EXCEPTIONS = """
BaseException Exception ArithmeticError AttributeError BlockingIOError BrokenPipeError
ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError
FileExistsError FileNotFoundError ImportError InterruptedError IsADirectoryError KeyError
KeyboardInterrupt LookupError ModuleNotFoundError NotADirectoryError NotImplementedError OSError
OverflowError PermissionError RuntimeError StopAsyncIteration SystemExit TimeoutError TypeError
ValueError Warning RuntimeWarning DeprecationWarning
""".split()

#: (name, role, address): Python's standard library.
PYTHON: list[tuple[str, str, str]] = [
    *[(name, "py:exception", "library/exceptions.html#$") for name in _EXCEPTIONS],
    *[(name, "py:class", "library/stdtypes.html#$") for name in (
        "bytes", "bytearray", "memoryview", "str", "dict", "list", "tuple", "set", "frozenset",
    )],
    *[(name, "py:class", "library/functions.html#$") for name in ("int", "float", "bool", "object")],
    *[(name, "py:function", "library/functions.html#$") for name in (
        "callable", "isinstance", "repr", "print", "hash", "iter", "aiter", "anext",
    )],
    *[(name, "py:data", "library/constants.html#$") for name in ("None", "True", "False")],
    *[(name, "py:module", "library/$.html#module-$") for name in (
        "asyncio", "socket", "ssl", "sys", "os", "signal", "doctest", "subprocess", "unittest",
        "errno", "selectors", "typing", "json", "logging",
    )],
    ("sys.exit", "py:function", "library/sys.html#$"),
    ("os.kill", "py:function", "library/os.html#$"),
    ("signal.SIGTERM", "py:data", "library/signal.html#$"),
    ("signal.SIGINT", "py:data", "library/signal.html#$"),
    ("socket.socket", "py:class", "library/socket.html#$"),
    ("socket.socket.fileno", "py:method", "library/socket.html#$"),
    ("socket.getaddrinfo", "py:function", "library/socket.html#$"),
    ("socket.create_server", "py:function", "library/socket.html#$"),
    ("errno.errorcode", "py:data", "library/errno.html#$"),
    ("asyncio.run", "py:function", "library/asyncio-runner.html#$"),
    ("asyncio.sleep", "py:function", "library/asyncio-task.html#$"),
    ("asyncio.create_task", "py:function", "library/asyncio-task.html#$"),
    ("asyncio.Future", "py:class", "library/asyncio-future.html#$"),
    ("asyncio.ensure_future", "py:function", "library/asyncio-future.html#$"),
    ("asyncio.get_event_loop", "py:function", "library/asyncio-eventloop.html#$"),
    ("asyncio.new_event_loop", "py:function", "library/asyncio-eventloop.html#$"),
    ("asyncio.set_event_loop_policy", "py:function", "library/asyncio-policy.html#$"),
    ("asyncio.open_connection", "py:function", "library/asyncio-stream.html#$"),
    ("typing.Any", "py:data", "library/typing.html#$"),
    ("collections.abc.Hashable", "py:class", "library/collections.abc.html#$"),
    ("collections.abc.Callable", "py:class", "library/collections.abc.html#$"),
    ("collections.abc.AsyncIterator", "py:class", "library/collections.abc.html#$"),
    ("unittest.TestCase", "py:class", "library/unittest.html#$"),
]

#: (name, role): Twisted's API; the address follows from the name (pydoctor's layout).
TWISTED: list[tuple[str, str]] = [
    ("twisted", "py:module"),
    ("twisted.internet", "py:module"),
    ("twisted.internet.reactor", "py:module"),
    ("twisted.internet.defer", "py:module"),
    ("twisted.internet.defer.Deferred", "py:class"),
    ("twisted.internet.defer.Deferred.addCallback", "py:method"),
    ("twisted.internet.defer.Deferred.addErrback", "py:method"),
    ("twisted.internet.defer.Deferred.addBoth", "py:method"),
    ("twisted.internet.defer.Deferred.callback", "py:method"),
    ("twisted.internet.defer.Deferred.errback", "py:method"),
    ("twisted.internet.defer.Deferred.cancel", "py:method"),
    ("twisted.internet.defer.Deferred.fromCoroutine", "py:method"),
    ("twisted.internet.defer.Deferred.fromFuture", "py:method"),
    ("twisted.internet.defer.Deferred.asFuture", "py:method"),
    ("twisted.internet.defer.inlineCallbacks", "py:function"),
    ("twisted.internet.defer.ensureDeferred", "py:function"),
    ("twisted.internet.defer.maybeDeferred", "py:function"),
    ("twisted.internet.defer.succeed", "py:function"),
    ("twisted.internet.defer.gatherResults", "py:function"),
    ("twisted.internet.task", "py:module"),
    ("twisted.internet.task.Clock", "py:class"),
    ("twisted.internet.task.Clock.advance", "py:method"),
    ("twisted.internet.task.Clock.callLater", "py:method"),
    ("twisted.internet.task.react", "py:function"),
    ("twisted.internet.task.deferLater", "py:function"),
    ("twisted.internet.task.LoopingCall", "py:class"),
    ("twisted.internet.testing", "py:module"),
    ("twisted.internet.testing.MemoryReactorClock", "py:class"),
    ("twisted.internet.testing.StringTransport", "py:class"),
    ("twisted.internet.asyncioreactor", "py:module"),
    ("twisted.internet.asyncioreactor.install", "py:function"),
    ("twisted.internet.asyncioreactor.AsyncioSelectorReactor", "py:class"),
    ("twisted.internet.endpoints", "py:module"),
    ("twisted.internet.endpoints.serverFromString", "py:function"),
    ("twisted.internet.endpoints.clientFromString", "py:function"),
    ("twisted.internet.endpoints.connectProtocol", "py:function"),
    ("twisted.internet.endpoints.TCP4ClientEndpoint", "py:class"),
    ("twisted.internet.endpoints.TCP4ServerEndpoint", "py:class"),
    ("twisted.internet.protocol", "py:module"),
    ("twisted.internet.protocol.Protocol", "py:class"),
    ("twisted.internet.protocol.Factory", "py:class"),
    ("twisted.internet.protocol.ServerFactory", "py:class"),
    ("twisted.internet.protocol.ClientFactory", "py:class"),
    ("twisted.internet.interfaces", "py:module"),
    ("twisted.internet.interfaces.IReactorTime", "py:class"),
    ("twisted.internet.interfaces.IReactorTCP", "py:class"),
    ("twisted.internet.interfaces.IReactorCore", "py:class"),
    ("twisted.internet.interfaces.ITransport", "py:class"),
    ("twisted.internet.interfaces.ITCPTransport", "py:class"),
    ("twisted.internet.interfaces.IHalfCloseableProtocol", "py:class"),
    ("twisted.internet.interfaces.IPushProducer", "py:class"),
    ("twisted.internet.interfaces.IStreamServerEndpoint", "py:class"),
    ("twisted.internet.interfaces.IStreamClientEndpoint", "py:class"),
    ("twisted.internet.address", "py:module"),
    ("twisted.internet.address.IPv4Address", "py:class"),
    ("twisted.internet.address.IPv6Address", "py:class"),
    ("twisted.internet.address.UNIXAddress", "py:class"),
    ("twisted.internet.error", "py:module"),
    ("twisted.internet.error.ConnectionDone", "py:class"),
    ("twisted.internet.error.ConnectionLost", "py:class"),
    ("twisted.internet.error.CannotListenError", "py:class"),
    ("twisted.internet.ssl", "py:module"),
    ("twisted.internet.ssl.CertificateOptions", "py:class"),
    ("twisted.internet.ssl.optionsForClientTLS", "py:function"),
    ("twisted.protocols.tls", "py:module"),
    ("twisted.protocols.tls.TLSMemoryBIOProtocol", "py:class"),
    ("twisted.protocols.haproxy", "py:module"),
    ("twisted.python.failure", "py:module"),
    ("twisted.python.failure.Failure", "py:class"),
    ("twisted.python.usage", "py:module"),
    ("twisted.python.usage.Options", "py:class"),
    ("twisted.logger", "py:module"),
    ("twisted.logger.Logger", "py:class"),
    ("twisted.logger.globalLogBeginner", "py:data"),
    ("twisted.application", "py:module"),
    ("twisted.application.service", "py:module"),
    ("twisted.application.service.Service", "py:class"),
    ("twisted.application.service.MultiService", "py:class"),
    ("twisted.application.service.IService", "py:class"),
    ("twisted.application.internet", "py:module"),
    ("twisted.application.internet.StreamServerEndpointService", "py:class"),
    ("twisted.plugin", "py:module"),
    ("twisted.trial", "py:module"),
    ("twisted.trial.unittest", "py:module"),
    ("twisted.trial.unittest.TestCase", "py:class"),
    ("twisted.trial.unittest.SynchronousTestCase", "py:class"),
    ("twisted.trial.unittest.SynchronousTestCase.addCleanup", "py:method"),
    ("twisted.trial.unittest.SynchronousTestCase.successResultOf", "py:method"),
    ("twisted.trial.unittest.SynchronousTestCase.failureResultOf", "py:method"),
    ("twisted.trial.unittest.SynchronousTestCase.assertNoResult", "py:method"),
    ("twisted.test.iosim", "py:module"),
]

_MODULE_ROLES = ("py:module",)


def twistedAddress(name: str, role: str) -> str:
    """pydoctor's address of ``name``: a page per module and class, an anchor per member."""
    if role in _MODULE_ROLES or role == "py:class":
        return f"{name}.html"
    parent, _, member = name.rpartition(".")
    return f"{parent}.html#{member}"


def inventory(project: str, version: str, entries: list[tuple[str, str, str]]) -> bytes:
    """A Sphinx version 2 inventory holding ``entries`` (name, role, address)."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    ).encode()
    body = "".join(
        f"{name} {role} 1 {address} -\n" for name, role, address in sorted(set(entries))
    ).encode()
    return header + zlib.compress(body, 9)


def build() -> dict[str, bytes]:
    """The contents of both inventory files, by file name."""
    twisted = [(name, role, twistedAddress(name, role)) for name, role in TWISTED]
    return {
        "python.inv": inventory("Python", "3", PYTHON),
        "twisted.inv": inventory("Twisted", "stable", twisted),
    }


def main() -> None:
    for filename, content in build().items():
        (HERE / filename).write_bytes(content)


if __name__ == "__main__":
    main()
