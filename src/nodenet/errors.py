"""
Node's error codes, messages and classes, in one registry.

Programmer errors are raised synchronously as exceptions that are both
Node-coded and ordinary Python exceptions: Node's ``TypeError`` becomes a
subclass of Python's :class:`TypeError`, ``RangeError`` a subclass of
:class:`ValueError`, everything else a :class:`NodeError`.  Each carries
``.code`` and has Node's message as ``str(err)``.

Operational (system) errors subclass the matching :class:`OSError`
(``ECONNREFUSED`` is a :class:`ConnectionRefusedError`, ``EPIPE`` a
:class:`BrokenPipeError`, ...) and carry Node's fields ``code``, ``errno``
(Python's positive value), ``syscall``, ``address``, ``port`` and, for DNS
errors, ``hostname``.  A field Node leaves out is ``None`` here.

The translation of Twisted's failures into these errors lives here too
(:func:`fromFailure`), so there is exactly one place that knows it.
"""

from __future__ import annotations

import errno as _errno
import math
import socket as _socket
from collections.abc import Callable
from typing import Any, ClassVar

from twisted.internet import error as _terror
from twisted.python.failure import Failure

__all__ = [
    "NodeError",
    "NodeTypeError",
    "NodeRangeError",
    "NodeSystemError",
    "AggregateError",
    "codes",
    "makeError",
    "systemError",
    "connectError",
    "listenError",
    "streamError",
    "dnsError",
    "fromFailure",
    "inspect",
    "describeReceived",
    "formatS",
    "invalidArgType",
    "invalidArgValue",
    "outOfRange",
    "UNSET",
]


class _Unset:
    """Node's ``undefined``: an argument that was not given at all."""

    _instance: ClassVar[_Unset | None] = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


#: Marks an argument that was not passed (Node's ``undefined``, as opposed
#: to ``None``, which is Node's ``null``).
UNSET: Any = _Unset()


class NodeError(Exception):
    """
    An error with a Node ``code``; ``str(err)`` is Node's message.

    ``name`` is the JavaScript class name Node gives the error
    (``'Error'``, ``'TypeError'``, ``'RangeError'``, ``'AggregateError'``).
    """

    #: The JavaScript class name Node gives the error (``err.name``):
    #: ``'Error'`` here and for system errors; subclasses set their own.
    name: ClassVar[str] = "Error"

    def __init__(self, message: str, code: str | None = None) -> None:
        Exception.__init__(self, message)
        #: Node's message (``err.message``), also ``str(err)``.
        self.message = message
        #: Node's error code: ``'ERR_SOCKET_CLOSED'`` and the other ``ERR_*``
        #: codes of :data:`codes`, or a system code (``'ECONNREFUSED'``);
        #: ``None`` for an error Node gives no code.
        self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        if self.code:
            return f"{self.name} [{self.code}]: {self.message}"
        return f"{self.name}: {self.message}"


class NodeTypeError(NodeError, TypeError):
    """Node's ``TypeError``: a wrong type given by the program."""

    #: ``'TypeError'``.
    name = "TypeError"


class NodeRangeError(NodeError, ValueError):
    """Node's ``RangeError``: a value outside its allowed range."""

    #: ``'RangeError'``.
    name = "RangeError"


class NodeSystemError(NodeError, OSError):
    """
    An operational error from the system (a socket, a name lookup).

    Subclasses also derive from the matching builtin :class:`OSError`
    subclass; use :func:`systemError` to build one.
    """

    #: Python's number for :attr:`~NodeError.code`: the :mod:`errno`
    #: module's, positive (``111`` for ``ECONNREFUSED`` on Linux, where Node
    #: says ``-111``), or the :mod:`socket` module's ``EAI_*`` value for a
    #: name lookup error.  ``None`` where Node gives no ``errno`` (``EPIPE``
    #: from a peer that ended the connection).
    errno: int | None
    #: The system call that failed: ``'connect'``, ``'listen'``, ``'bind'``,
    #: ``'read'``, ``'write'``, ``'getaddrinfo'``...
    syscall: str | None
    #: The remote (connect) or local (listen) address involved, or the path
    #: of a unix socket; ``None`` where Node reports none.
    address: str | None
    #: The port involved; ``None`` where Node reports none (port 0 is not
    #: reported; a unix socket's listen error has ``-1``, as in Node).
    port: int | None
    #: For a name lookup error (``ENOTFOUND``...): the host name looked up.
    hostname: str | None
    #: The local address a failed connect was bound to (the
    #: ``localAddress`` option), where Node reports one.
    localAddress: str | None
    #: The local port a failed connect was bound to, where Node reports one.
    localPort: int | None

    def __init__(self, message: str, code: str | None = None) -> None:
        NodeError.__init__(self, message, code)
        self.syscall = None
        self.address = None
        self.port = None
        self.hostname = None
        self.localAddress = None
        self.localPort = None

    def __str__(self) -> str:
        return self.message


class AggregateError(NodeSystemError):
    """
    Every connection attempt to a multi-address host failed.

    As Node's ``AggregateError``: an empty message, the ``code`` of the
    first error, and all of them in ``errors``.
    """

    #: ``'AggregateError'``.
    name = "AggregateError"

    def __init__(self, errors: list[NodeSystemError]) -> None:
        NodeSystemError.__init__(self, "", errors[0].code if errors else None)
        #: The error of each connection attempt, in the order they were made.
        self.errors = errors


# Node's libuv codes: the builtin OSError subclass each one maps to, and
# libuv's description (used by listen errors: "listen EADDRINUSE: address
# already in use").
_SYSTEM: dict[str, tuple[type[OSError], str]] = {
    "ECONNREFUSED": (ConnectionRefusedError, "connection refused"),
    "ECONNRESET": (ConnectionResetError, "connection reset by peer"),
    "ECONNABORTED": (ConnectionAbortedError, "software caused connection abort"),
    "EPIPE": (BrokenPipeError, "broken pipe"),
    "ETIMEDOUT": (TimeoutError, "connection timed out"),
    "ENOENT": (FileNotFoundError, "no such file or directory"),
    "EEXIST": (FileExistsError, "file already exists"),
    "EACCES": (PermissionError, "permission denied"),
    "EPERM": (PermissionError, "operation not permitted"),
    "EADDRINUSE": (OSError, "address already in use"),
    "EADDRNOTAVAIL": (OSError, "address not available"),
    "EINVAL": (OSError, "invalid argument"),
    "ENOTSOCK": (OSError, "socket operation on non-socket"),
    "EBADF": (OSError, "bad file descriptor"),
    "EMFILE": (OSError, "too many open files"),
    "ENFILE": (OSError, "file table overflow"),
    "ENETUNREACH": (OSError, "network is unreachable"),
    "EHOSTUNREACH": (OSError, "host is unreachable"),
    "ENOTCONN": (OSError, "socket is not connected"),
    "EAFNOSUPPORT": (OSError, "address family not supported"),
    "ENOBUFS": (OSError, "no buffer space available"),
    "ENAMETOOLONG": (OSError, "name too long"),
    "ENOTDIR": (NotADirectoryError, "not a directory"),
    "ECANCELED": (OSError, "operation canceled"),
    "EPROTO": (OSError, "protocol error"),
    "ENOTFOUND": (_socket.gaierror, "name does not resolve"),
    "EAI_AGAIN": (_socket.gaierror, "temporary failure"),
    "EAI_FAIL": (_socket.gaierror, "permanent failure"),
}

_DNS_ERRNO = {
    "ENOTFOUND": _socket.EAI_NONAME,
    "EAI_AGAIN": _socket.EAI_AGAIN,
    "EAI_FAIL": _socket.EAI_FAIL,
}

_classes: dict[str, type[NodeSystemError]] = {}


def _systemClass(code: str) -> type[NodeSystemError]:
    cls = _classes.get(code)
    if cls is None:
        base = _SYSTEM.get(code, (OSError, ""))[0]
        bases: tuple[type, ...] = (NodeSystemError,)
        if base is not OSError:
            bases = (NodeSystemError, base)
        cls = type(f"NodeSystemError_{code}", bases, {"__module__": __name__})
        _classes[code] = cls
    return cls


def systemError(
    code: str,
    message: str,
    *,
    syscall: str | None = None,
    address: str | None = None,
    port: int | None = None,
    hostname: str | None = None,
    withErrno: bool = True,
) -> NodeSystemError:
    """
    Build the system error for a Node ``code`` (``'ECONNREFUSED'``...).

    It is an instance of :class:`NodeSystemError` and of the builtin
    ``OSError`` subclass for that code; ``errno`` is Python's (positive)
    number unless ``withErrno`` is false (Node's "ended by the other party"
    EPIPE has none).
    """
    err = _systemClass(code)(message, code)
    if withErrno:
        number = _DNS_ERRNO.get(code, getattr(_errno, code, None))
        err.errno = number
        err.strerror = _SYSTEM.get(code, (OSError, code))[1]
    err.syscall = syscall
    err.address = address
    err.port = port
    err.hostname = hostname
    return err


def _hostPortSuffix(address: str | None, port: int | None) -> str:
    if port is not None and port > 0 or port == -1:
        return f" {address}:{port}" if port != -1 else f" {address}"
    if address:
        return f" {address}"
    return ""


def connectError(
    code: str,
    syscall: str,
    address: str | None,
    port: int | None,
    localAddress: str | None = None,
    localPort: int | None = None,
) -> NodeSystemError:
    """
    Node's ``ExceptionWithHostPort``: ``connect ECONNREFUSED 127.0.0.1:8124``.

    The port is part of the message and set as a field only when truthy;
    a local address and port (both given) add `` - Local (a:p)``.
    """
    message = f"{syscall} {code}"
    if port:
        message += f" {address}:{port}"
    elif address:
        message += f" {address}"
    local = localAddress is not None and localPort is not None
    if local:
        message += f" - Local ({localAddress}:{localPort})"
    err = systemError(
        code, message, syscall=syscall, address=address, port=port or None
    )
    if local:
        err.localAddress = localAddress
        err.localPort = localPort
    return err


def listenError(
    code: str, address: str | None, port: int | None, syscall: str = "listen"
) -> NodeSystemError:
    """
    Node's ``UVExceptionWithHostPort`` for listen failures.

    ``listen EADDRINUSE: address already in use 127.0.0.1:8124``; unix
    paths use port ``-1`` (which Node sets as a field) and show only the path.
    """
    message = f"{syscall} {code}: {_SYSTEM.get(code, (OSError, code))[1]}"
    if port == -1:
        message += f" {address}"
    elif port:
        message += f" {address}:{port}"
    elif address:
        message += f" {address}"
    return systemError(
        code, message, syscall=syscall, address=address, port=port or None
    )


def streamError(code: str, syscall: str) -> NodeSystemError:
    """Node's ``ErrnoException`` on a live stream: ``read ECONNRESET``."""
    return systemError(code, f"{syscall} {code}", syscall=syscall)


def dnsError(code: str, hostname: str, syscall: str = "getaddrinfo") -> NodeSystemError:
    """Node's ``DNSException``: ``getaddrinfo ENOTFOUND example.invalid``."""
    return systemError(
        code, f"{syscall} {code} {hostname}", syscall=syscall, hostname=hostname
    )


def codeForErrno(number: int | None) -> str:
    """The Node code (``'ECONNREFUSED'``) for a Python errno number."""
    if number is None:
        return "UNKNOWN"
    return _errno.errorcode.get(number, "UNKNOWN")


def fromFailure(
    reason: Failure | BaseException,
    syscall: str,
    address: str | None = None,
    port: int | None = None,
) -> NodeSystemError | None:
    """
    Translate a Twisted failure into Node's error, or ``None`` for a clean close.

    This is the only place that knows how Twisted reports socket trouble:
    ``ConnectionDone`` is no error; ``ConnectionLost`` (Twisted drops the
    errno of reads and writes) is ``ECONNRESET``; connect errors keep their
    errno; ``DNSLookupError`` is ``ENOTFOUND``.
    """
    exc = reason.value if isinstance(reason, Failure) else reason
    if isinstance(exc, NodeError):
        return exc if isinstance(exc, NodeSystemError) else None
    if isinstance(exc, (_terror.ConnectionDone, _terror.ConnectionAborted)):
        return None
    if isinstance(exc, _terror.DNSLookupError):
        return dnsError("ENOTFOUND", address or "")
    if isinstance(exc, (_terror.TCPTimedOutError, _terror.TimeoutError)):
        return connectError("ETIMEDOUT", syscall, address, port)
    if isinstance(exc, _terror.ConnectError):
        number = exc.osError
        if number is None and isinstance(exc, _terror.ConnectionRefusedError):
            number = _errno.ECONNREFUSED
        return connectError(codeForErrno(number), syscall, address, port)
    if isinstance(exc, _terror.CannotListenError):
        socketError = exc.socketError
        number = getattr(socketError, "errno", None)
        return listenError(codeForErrno(number) if number else "EADDRINUSE", address, port)
    if isinstance(exc, _terror.ConnectionLost):
        return streamError("ECONNRESET", "read")
    if isinstance(exc, OSError) and exc.errno is not None:
        return streamError(codeForErrno(exc.errno), syscall)
    err = streamError("ECONNRESET", "read")
    err.__cause__ = exc
    return err


# ---------------------------------------------------------------------------
# Rendering Python values the way Node's messages render JavaScript values.


def _jsNumber(value: float | int) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value)) if value != 0 or math.copysign(1, value) > 0 else "-0"
        return repr(value)
    return str(value)


def _jsString(value: str) -> str:
    quote = "'" if "'" not in value else ('"' if '"' not in value else "`")
    body = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    body = body.replace("\r", "\\r").replace("\0", "\\x00")
    return f"{quote}{body}{quote}"


def _jsKey(key: object) -> str:
    text = str(key)
    if text.isidentifier():
        return text
    return _jsString(text)


def inspect(value: object) -> str:
    """Render ``value`` as Node's ``util.inspect`` would (the common cases)."""
    if value is UNSET:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _jsNumber(value)
    if isinstance(value, str):
        return _jsString(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = ", ".join(f"{_jsKey(k)}: {inspect(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[ " + ", ".join(inspect(v) for v in value) + " ]"
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        shown = " ".join(f"{b:02x}" for b in data[:50])
        more = f" ... {len(data) - 50} more bytes" if len(data) > 50 else ""
        return f"<Buffer {shown}{more}>" if data else "<Buffer >"
    if callable(value):
        return f"[Function: {getattr(value, '__name__', 'anonymous')}]"
    return f"{type(value).__name__} {{}}"


def formatS(value: object) -> str:
    """
    ``value`` as Node's ``%s`` renders it in a message (``util.format``).

    Primitives are ``String(value)`` (``NaN``, ``true``, ``null``); arrays,
    objects and buffers are inspected; a function is its Python ``repr``
    (Node prints the function's source).
    """
    if type(value) is str:
        return value
    if value is UNSET:
        return "undefined"
    if value is None or isinstance(value, (bool, int, float, dict, list, tuple)):
        return inspect(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return inspect(value)
    return str(value)


def describeReceived(value: object) -> str:
    """Node's ``determineSpecificType``: ``type number (-1)``, ``null``..."""
    if value is UNSET:
        return "undefined"
    if value is None:
        return "null"
    if callable(value) and not isinstance(value, type):
        return f"function {getattr(value, '__name__', '')}"
    if isinstance(value, bool):
        return f"type boolean ({inspect(value)})"
    if isinstance(value, (int, float)):
        return f"type number ({inspect(value)})"
    if isinstance(value, str):
        shown = value if len(value) <= 28 else value[:25] + "..."
        return f"type string ({_jsString(shown)})"
    if isinstance(value, dict):
        return "an instance of Object"
    if isinstance(value, (list, tuple)):
        return "an instance of Array"
    if isinstance(value, (bytes, bytearray)):
        return "an instance of Buffer"
    return f"an instance of {type(value).__name__}"


def _typeList(expected: list[str]) -> str:
    types = [t for t in expected if t[:1].islower()]
    instances = [t for t in expected if t[:1].isupper()]
    parts: list[str] = []
    if types:
        if len(types) > 1:
            parts.append("one of type " + ", ".join(types[:-1]) + " or " + types[-1])
        else:
            parts.append(f"of type {types[0]}")
        if instances:
            parts[-1] += " or"
    if instances:
        if len(instances) > 2:
            body = ", ".join(instances[:-1]) + ", or " + instances[-1]
        else:
            body = " or ".join(instances)
        parts.append(f"an instance of {body}")
    return " ".join(parts)


def invalidArgType(name: str, expected: str | list[str], actual: object) -> NodeTypeError:
    """``ERR_INVALID_ARG_TYPE``: ``The "msecs" argument must be of type number. Received ...``."""
    if isinstance(expected, str):
        expected = [expected]
    if name.endswith(" argument"):
        subject = f"The {name}"
    else:
        kind = "property" if "." in name else "argument"
        subject = f'The "{name}" {kind}'
    message = f"{subject} must be {_typeList(expected)}. Received {describeReceived(actual)}"
    return NodeTypeError(message, "ERR_INVALID_ARG_TYPE")


def invalidArgValue(
    name: str, value: object, reason: str = "is invalid"
) -> NodeTypeError:
    """``ERR_INVALID_ARG_VALUE``: ``The argument 'hints' is invalid. Received 12345``."""
    kind = "property" if "." in name else "argument"
    shown = inspect(value)
    if len(shown) > 128:
        shown = shown[:128] + "..."
    message = f"The {kind} '{name}' {reason}. Received {shown}"
    return NodeTypeError(message, "ERR_INVALID_ARG_VALUE")


def outOfRange(name: str, rangeText: str, received: object) -> NodeRangeError:
    """``ERR_OUT_OF_RANGE``: ``The value of "msecs" is out of range. ...``."""
    message = (
        f'The value of "{name}" is out of range. It must be {rangeText}. '
        f"Received {inspect(received)}"
    )
    return NodeRangeError(message, "ERR_OUT_OF_RANGE")


# ---------------------------------------------------------------------------
# The registry of Node's internal ERR_* codes that nodenet raises or emits.

_Kind = type[NodeError]

#: The registry: each Node error code nodenet raises or emits, with the
#: class of its error and its message (a template filled with
#: ``str.format``, or a function of the arguments).  :func:`makeError`
#: builds errors from it.
codes: dict[str, tuple[_Kind, str | Callable[..., str]]] = {
    "ERR_INVALID_ARG_TYPE": (NodeTypeError, "{}"),
    "ERR_INVALID_ARG_VALUE": (NodeTypeError, "{}"),
    "ERR_OUT_OF_RANGE": (NodeRangeError, "{}"),
    "ERR_MISSING_ARGS": (
        NodeTypeError,
        lambda *names: "The "
        + " or ".join(f'"{n}"' for n in names)
        + " argument must be specified",
    ),
    "ERR_SOCKET_BAD_PORT": (
        NodeRangeError,
        lambda name, port, allowZero=True: f"{name} should be "
        f"{'>=' if allowZero else '>'} 0 and < 65536. Received {describeReceived(port)}.",
    ),
    "ERR_INVALID_IP_ADDRESS": (NodeTypeError, lambda value: "Invalid IP address: " + formatS(value)),
    "ERR_INVALID_ADDRESS_FAMILY": (
        NodeRangeError,
        "Invalid address family: {} {}:{}",
    ),
    "ERR_INVALID_FD_TYPE": (NodeTypeError, lambda value: "Unsupported fd type: " + formatS(value)),
    "ERR_INVALID_HANDLE_TYPE": (NodeTypeError, "This handle type cannot be sent"),
    "ERR_SERVER_ALREADY_LISTEN": (
        NodeError,
        "Listen method has been called more than once without closing.",
    ),
    "ERR_SERVER_NOT_RUNNING": (NodeError, "Server is not running."),
    "ERR_SOCKET_CLOSED": (NodeError, "Socket is closed"),
    "ERR_SOCKET_CLOSED_BEFORE_CONNECTION": (
        NodeError,
        "Socket closed before the connection was established",
    ),
    "ERR_SOCKET_CONNECTION_TIMEOUT": (NodeError, "Socket connection timeout"),
    "ERR_STREAM_WRITE_AFTER_END": (NodeError, "write after end"),
    "ERR_STREAM_DESTROYED": (NodeError, "Cannot call {} after a stream was destroyed"),
    "ERR_STREAM_ALREADY_FINISHED": (
        NodeError,
        "Cannot call {} after a stream was finished",
    ),
    "ERR_STREAM_NULL_VALUES": (NodeTypeError, "May not write null values to stream"),
    "ERR_STREAM_PREMATURE_CLOSE": (NodeError, "Premature close"),
    "ERR_UNKNOWN_ENCODING": (NodeTypeError, lambda value: "Unknown encoding: " + formatS(value)),
    "ERR_UNHANDLED_ERROR": (
        NodeError,
        lambda detail=UNSET: "Unhandled error."
        + ("" if detail is UNSET else f" ({inspect(detail)})"),
    ),
    "ERR_MULTIPLE_CALLBACK": (NodeError, "Callback called multiple times"),
}


def makeError(code: str, *args: object) -> NodeError:
    """
    Build Node's internal error ``code`` with its message.

    ``makeError('ERR_SERVER_NOT_RUNNING')`` is Node's
    ``Error [ERR_SERVER_NOT_RUNNING]: Server is not running.``; the arguments
    fill the message as Node's do.
    """
    kind, template = codes[code]
    if callable(template):
        message = template(*args)
    else:
        message = template.format(*args)
    return kind(message, code)


def badPort(name: str, port: object, allowZero: bool = True) -> NodeRangeError:
    """``ERR_SOCKET_BAD_PORT`` for ``port`` (``name`` is "Port" or "options.port")."""
    err = makeError("ERR_SOCKET_BAD_PORT", name, port, allowZero)
    assert isinstance(err, NodeRangeError)
    return err
