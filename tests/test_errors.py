"""nodenet.errors: classes, messages, and the one translation from Twisted failures."""

from __future__ import annotations

import errno

from twisted.internet import error as terror
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from nodenet import errors
from nodenet.errors import (
    AggregateError,
    NodeError,
    NodeRangeError,
    NodeSystemError,
    NodeTypeError,
    connectError,
    dnsError,
    fromFailure,
    listenError,
    makeError,
)


class ClassTests(SynchronousTestCase):
    """Node's errors are also ordinary Python exceptions."""

    def test_programmerErrors(self) -> None:
        """TypeError and RangeError codes subclass TypeError and ValueError."""
        bad = errors.badPort("Port", -1)
        self.assertIsInstance(bad, ValueError)
        self.assertIsInstance(bad, NodeRangeError)
        self.assertEqual(
            ("ERR_SOCKET_BAD_PORT", "Port should be >= 0 and < 65536. Received type number (-1)."),
            (bad.code, str(bad)),
        )
        unknown = makeError("ERR_UNKNOWN_ENCODING", "bogus")
        self.assertIsInstance(unknown, TypeError)
        self.assertIsInstance(unknown, NodeTypeError)
        plain = makeError("ERR_SERVER_NOT_RUNNING")
        self.assertNotIsInstance(plain, (TypeError, ValueError))
        self.assertEqual("Server is not running.", str(plain))
        self.assertEqual("Error [ERR_SERVER_NOT_RUNNING]: Server is not running.", repr(plain))

    def test_systemErrorsAreOSErrors(self) -> None:
        """Each system code derives from the matching builtin OSError subclass."""
        cases = {
            "ECONNREFUSED": ConnectionRefusedError,
            "ECONNRESET": ConnectionResetError,
            "EPIPE": BrokenPipeError,
            "ETIMEDOUT": TimeoutError,
            "ENOENT": FileNotFoundError,
            "EADDRINUSE": OSError,
        }
        for code, base in cases.items():
            err = errors.systemError(code, f"x {code}", syscall="x")
            self.assertIsInstance(err, base)
            self.assertIsInstance(err, NodeSystemError)
            self.assertEqual((code, getattr(errno, code)), (err.code, err.errno))

    def test_connectMessage(self) -> None:
        """connect errors: address:port, no port when it is 0, and the local suffix."""
        e = connectError("ECONNREFUSED", "connect", "127.0.0.1", 8124)
        self.assertEqual(
            ("connect ECONNREFUSED 127.0.0.1:8124", "connect", "127.0.0.1", 8124),
            (str(e), e.syscall, e.address, e.port),
        )
        e0 = connectError("ECONNREFUSED", "connect", "127.0.0.1", 0)
        self.assertEqual(("connect ECONNREFUSED 127.0.0.1", None), (str(e0), e0.port))
        local = connectError("ECONNREFUSED", "connect", "127.0.0.1", 1, "127.0.0.1", 4000)
        self.assertEqual("connect ECONNREFUSED 127.0.0.1:1 - Local (127.0.0.1:4000)", str(local))
        self.assertEqual(("127.0.0.1", 4000), (local.localAddress, local.localPort))

    def test_listenMessage(self) -> None:
        """listen errors carry libuv's words; unix paths use port -1."""
        self.assertEqual(
            "listen EADDRINUSE: address already in use 127.0.0.1:80",
            str(listenError("EADDRINUSE", "127.0.0.1", 80)),
        )
        unix = listenError("EADDRINUSE", "/tmp/x.sock", -1)
        self.assertEqual(("listen EADDRINUSE: address already in use /tmp/x.sock", -1), (str(unix), unix.port))
        self.assertEqual("listen EINVAL: invalid argument", str(listenError("EINVAL", None, None)))

    def test_dnsError(self) -> None:
        """ENOTFOUND carries the hostname."""
        e = dnsError("ENOTFOUND", "nonexistent.invalid")
        self.assertEqual(
            ("getaddrinfo ENOTFOUND nonexistent.invalid", "nonexistent.invalid", "getaddrinfo"),
            (str(e), e.hostname, e.syscall),
        )

    def test_aggregate(self) -> None:
        """AggregateError: empty message, the first error's code, every error."""
        e1 = connectError("ECONNREFUSED", "connect", "::1", 1)
        e2 = connectError("ECONNREFUSED", "connect", "127.0.0.1", 1)
        agg = AggregateError([e1, e2])
        self.assertEqual(("", "ECONNREFUSED", [e1, e2], "AggregateError"), (str(agg), agg.code, agg.errors, agg.name))
        self.assertIsInstance(agg, NodeError)


class FromFailureTests(SynchronousTestCase):
    """The single mapping from Twisted's failures to Node's codes."""

    def test_mapping(self) -> None:
        """Clean closes are no error; everything else gets Node's code."""
        self.assertIsNone(fromFailure(Failure(terror.ConnectionDone()), "read"))
        self.assertIsNone(fromFailure(Failure(terror.ConnectionAborted()), "read"))
        lost = fromFailure(Failure(terror.ConnectionLost()), "read")
        assert lost is not None
        self.assertEqual(("ECONNRESET", "read ECONNRESET"), (lost.code, str(lost)))
        refused = fromFailure(Failure(terror.ConnectionRefusedError()), "connect", "127.0.0.1", 9)
        assert refused is not None
        self.assertEqual("connect ECONNREFUSED 127.0.0.1:9", str(refused))
        timeout = fromFailure(Failure(terror.TCPTimedOutError()), "connect", "10.0.0.1", 9)
        assert timeout is not None
        self.assertEqual("ETIMEDOUT", timeout.code)
        unreachable = fromFailure(
            Failure(terror.ConnectError(osError=errno.ENETUNREACH)), "connect", "10.0.0.1", 9
        )
        assert unreachable is not None
        self.assertEqual("ENETUNREACH", unreachable.code)
        notfound = fromFailure(Failure(terror.DNSLookupError("x.invalid")), "connect", "x.invalid")
        assert notfound is not None
        self.assertEqual(("ENOTFOUND", "x.invalid"), (notfound.code, notfound.hostname))
        inuse = fromFailure(
            terror.CannotListenError("127.0.0.1", 80, OSError(errno.EADDRINUSE, "in use")), "listen", "127.0.0.1", 80
        )
        assert inuse is not None
        self.assertEqual("listen EADDRINUSE: address already in use 127.0.0.1:80", str(inuse))


class InspectTests(SynchronousTestCase):
    """Python values rendered as Node renders JavaScript values in messages."""

    def test_inspect(self) -> None:
        """Objects, arrays, strings, numbers, null and undefined."""
        self.assertEqual("{ port: true, host: '127.0.0.1' }", errors.inspect({"port": True, "host": "127.0.0.1"}))
        self.assertEqual("[ 1, 'a' ]", errors.inspect([1, "a"]))
        self.assertEqual(("null", "undefined", "NaN", "-Infinity"), (
            errors.inspect(None), errors.inspect(errors.UNSET),
            errors.inspect(float("nan")), errors.inspect(float("-inf"))))
        self.assertEqual("type string ('abc')", errors.describeReceived("abc"))
        self.assertEqual("an instance of Array", errors.describeReceived([]))
