"""
Node's argument normalisation and validators for ``connect`` and ``listen``.

Every positional form Node accepts is accepted, options may be a ``dict`` or
keyword arguments, and every bad value raises Node's error synchronously
with Node's code and message.
"""

from __future__ import annotations

import math
import os
import re
import socket as _stdsocket
import stat
from collections.abc import Callable, Mapping
from typing import Any

from ._isip import isIP
from .errors import (
    UNSET,
    badPort,
    formatS,
    invalidArgType,
    invalidArgValue,
    makeError,
    outOfRange,
)

_JS_SPACE = (
    "\t\n\v\f\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RADIX = re.compile(r"0(?:[xX](?P<x>[0-9a-fA-F]+)|[oO](?P<o>[0-7]+)|[bB](?P<b>[01]+))")


def jsTruthy(value: object) -> bool:
    """
    JavaScript's truthiness, which Node's ``options.x || default`` relies on.

    ``False``, ``None``, ``0``, ``NaN`` and ``''`` are falsy; everything
    else is truthy, empty lists and dicts included (unlike Python).
    """
    if value is None or value is UNSET or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, str):
        return value != ""
    if isinstance(value, (int, float)):
        return value == value and value != 0  # NaN is the one value not equal to itself
    return True


def isNumber(value: object) -> bool:
    """``typeof value === 'number'``: an ``int`` or ``float``, never a ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def isFraction(value: object) -> bool:
    """
    A number that is not a whole one: a fractional ``float``, NaN or
    ±Infinity.  An ``int`` never is, however large (no float conversion).
    """
    return isinstance(value, float) and not value.is_integer()


def jsString(value: object) -> str:
    """JavaScript's ``String(value)`` for plain data (an array joins its items with commas)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join("" if item is None or item is UNSET else jsString(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return formatS(value)


def toInt32(value: object) -> int:
    """JavaScript's ``ToInt32`` (what ``value | 0`` and ``~~value`` compute)."""
    number = value if type(value) is int else jsNumber(value)
    if isinstance(number, float):
        if not math.isfinite(number):
            return 0
        number = int(number)
    number &= 0xFFFFFFFF
    return number - 0x100000000 if number >= 0x80000000 else number


def keepAliveSeconds(delay: object) -> int:
    """A keep-alive delay given in ms, in whole seconds as Node takes it: ``~~(delay / 1000)``, never negative."""
    return max(0, toInt32(jsNumber(delay) / 1000))


def toUint32(value: object) -> int:
    """JavaScript's ``ToUint32`` (what ``value >>> 0`` computes)."""
    return toInt32(value) & 0xFFFFFFFF


def jsNumber(value: object) -> float:
    """JavaScript's ``Number(value)`` for the values a Python program passes (ports, delays)."""
    if value is UNSET:
        return math.nan
    if value is None:
        return 0.0
    if isinstance(value, str):
        return _stringToNumber(value)
    if isinstance(value, (list, tuple)):
        return _stringToNumber(jsString(value))
    if isinstance(value, (int, float)) or hasattr(value, "__float__"):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf  # type: ignore[operator]
        except (TypeError, ValueError):
            return math.nan
    return math.nan


def _stringToNumber(text: str) -> float:
    text = text.strip(_JS_SPACE)
    if not text:
        return 0.0
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    if _DECIMAL.fullmatch(text):
        return float(text)
    match = _RADIX.fullmatch(text)
    if match:
        for key, base in (("x", 16), ("o", 8), ("b", 2)):
            digits = match.group(key)
            if digits:
                try:
                    return float(int(digits, base))
                except OverflowError:
                    return math.inf
    return math.nan


def toNumber(value: object) -> float | None:
    """Node's ``toNumber``: ``Number(x)`` when it is ``>= 0``, else ``None``."""
    number = jsNumber(value)
    return number if number >= 0 else None


def isPipeName(value: object) -> bool:
    """A string that is not a non-negative number names a unix socket path."""
    return isinstance(value, str) and toNumber(value) is None


def validatePort(port: object, name: str = "Port", allowZero: bool = True) -> int:
    """Node's ``validatePort``: the port as an ``int``, or ``ERR_SOCKET_BAD_PORT``."""
    if isinstance(port, bool) or not isinstance(port, (int, float, str)):
        raise badPort(name, port, allowZero)
    if isinstance(port, str) and not port.strip(_JS_SPACE):
        raise badPort(name, port, allowZero)
    number = jsNumber(port)
    if (
        math.isnan(number)
        or math.isinf(number)
        or number != int(number)
        or number < 0
        or number > 0xFFFF
        or (number == 0 and not allowZero)
    ):
        raise badPort(name, port, allowZero)
    return int(number)


def validateNumber(value: object, name: str) -> None:
    """``ERR_INVALID_ARG_TYPE`` unless ``value`` is a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalidArgType(name, "number", value)


def validateInt32(
    value: object, name: str, minimum: int = -0x80000000, maximum: int = 0x7FFFFFFF
) -> int:
    """Node's ``validateInt32``: an integral number in ``[minimum, maximum]``, as an ``int``."""
    validateNumber(value, name)
    assert isinstance(value, (int, float))
    if isinstance(value, float) and not value.is_integer():
        raise outOfRange(name, "an integer", value)
    if value < minimum or value > maximum:
        raise outOfRange(name, f">= {minimum} && <= {maximum}", value)
    return int(value)


def validateBoolean(value: object, name: str) -> None:
    """``ERR_INVALID_ARG_TYPE`` unless ``value`` is ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise invalidArgType(name, "boolean", value)


def validateString(value: object, name: str) -> None:
    """``ERR_INVALID_ARG_TYPE`` unless ``value`` is a ``str``."""
    if not isinstance(value, str):
        raise invalidArgType(name, "string", value)


def validateOneOf(value: object, name: str, allowed: tuple[object, ...]) -> None:
    """
    Node's ``validateOneOf``: ``ERR_INVALID_ARG_VALUE`` unless ``value`` is one of
    ``allowed``, compared as JavaScript's ``includes`` does (``True`` is not ``1``).
    """
    for candidate in allowed:
        if isinstance(candidate, str):
            if isinstance(value, str) and value == candidate:
                return
        elif isNumber(value) and value == candidate:
            return
    shown = ", ".join(f"'{v}'" if isinstance(v, str) else formatS(v) for v in allowed)
    raise invalidArgValue(name, value, "must be one of: " + shown)


def validateFunction(value: object, name: str) -> None:
    """``ERR_INVALID_ARG_TYPE`` unless ``value`` is callable."""
    if not callable(value):
        raise invalidArgType(name, "function", value)


def validateMsecs(msecs: object) -> float:
    """A socket timeout: a non-negative finite number of milliseconds."""
    validateNumber(msecs, "msecs")
    assert isinstance(msecs, (int, float))
    if math.isnan(msecs) or math.isinf(msecs) or msecs < 0:
        raise outOfRange("msecs", "a non-negative finite number", msecs)
    return float(msecs)


Options = dict[str, Any]


def mergeOptions(options: object, kwargs: dict[str, Any]) -> Options:
    """One options ``dict`` from a positional dict and keyword arguments."""
    merged: Options = dict(options) if isinstance(options, dict) else {}
    merged.update(kwargs)
    return merged


def socketOptions(options: object) -> Options | None:
    """
    ``new Socket(options)`` with something that is not a ``dict``: a number
    is a descriptor (Node's legacy ``new Socket(fd)``); anything else has
    none of the options (Node spreads it into an empty object).
    """
    if isNumber(options):
        return {"fd": options}
    if isinstance(options, dict):
        return options
    return None


def validateSocketOptions(options: Mapping[str, Any]) -> None:
    """The checks ``new Socket(options)`` makes, in Node's order."""
    for key in ("objectMode", "readableObjectMode", "writableObjectMode"):
        if jsTruthy(options.get(key)):
            raise invalidArgValue(f"options.{key}", options[key], "is not supported")
    delay = options.get("keepAliveInitialDelay")
    if delay is not None:
        validateNumber(delay, "options.keepAliveInitialDelay")
    highWaterMark = options.get("highWaterMark")
    if highWaterMark is not None and (
        not isNumber(highWaterMark) or isFraction(highWaterMark) or highWaterMark < 0
    ):
        raise invalidArgValue("options.readableHighWaterMark", highWaterMark)
    fd = options.get("fd")
    if fd is not None:
        fd = validateInt32(fd, "fd", 0)
        kind = guessHandleType(fd)
        if kind != "TCP" and kind != "PIPE":
            raise makeError("ERR_INVALID_FD_TYPE", kind)


def guessHandleType(fd: int) -> str:
    """
    What libuv makes of descriptor ``fd``, in Node's words: ``'TCP'``,
    ``'PIPE'`` (a unix socket or a FIFO), ``'UDP'``, ``'TTY'``, ``'FILE'``
    (also a character device) or ``'UNKNOWN'`` (also a closed descriptor).
    """
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return "UNKNOWN"
    if os.isatty(fd):
        return "TTY"
    if stat.S_ISREG(mode) or stat.S_ISCHR(mode):
        return "FILE"
    if stat.S_ISFIFO(mode):
        return "PIPE"
    if not stat.S_ISSOCK(mode):
        return "UNKNOWN"
    copy = os.dup(fd)
    try:
        probe = _stdsocket.socket(fileno=copy)
    except OSError:
        os.close(copy)
        return "UNKNOWN"
    with probe:
        family, kind = probe.family, probe.type
    if family == _stdsocket.AF_UNIX:
        return "PIPE" if kind == _stdsocket.SOCK_STREAM else "UNKNOWN"
    if family in (_stdsocket.AF_INET, _stdsocket.AF_INET6):
        if kind == _stdsocket.SOCK_STREAM:
            return "TCP"
        if kind == _stdsocket.SOCK_DGRAM:
            return "UDP"
    return "UNKNOWN"


def normalizeArgs(args: tuple[Any, ...]) -> tuple[Options, Callable[..., object] | None]:
    """
    Node's ``normalizeArgs``: ``(options, callback)`` from a call's arguments.

    ``(options[, cb])``, ``(path[, cb])`` and ``(port[, host][, ...][, cb])``.
    """
    if not args:
        return {}, None
    first = args[0]
    options: Options
    if isinstance(first, dict):
        options = dict(first)
    elif isinstance(first, (list, tuple)):
        options = {}  # a JavaScript array is an object without a port
    elif isPipeName(first):
        options = {"path": first}
    else:
        options = {"port": first}
        if len(args) > 1 and isinstance(args[1], str):
            options["host"] = args[1]
    last = args[-1]
    if callable(last) and not isinstance(last, (dict, str)):
        return options, last
    return options, None


def validateConnectOptions(options: Options) -> None:
    """
    Every synchronous check Node makes on ``socket.connect()`` options, in
    Node's order.

    A truthy ``path`` is a unix socket path and must be a string; otherwise
    the TCP options are checked as ``lookupAndConnect`` checks them, falsy
    ``localAddress``, ``localPort`` and ``host`` counting as absent.  The
    checks ``dns.lookup`` makes (``hostname``, ``hints``, ``family``) are
    made only where Node calls it: for a host that is not an IP address and
    no ``lookup`` option.
    """
    path = options.get("path")
    port = options.get("port", UNSET)
    if port is UNSET and path is None:
        raise makeError("ERR_MISSING_ARGS", "options", "port", "path")
    if jsTruthy(path):
        validateString(path, "options.path")
        return
    localAddress = options.get("localAddress")
    if jsTruthy(localAddress) and not isIP(localAddress):
        raise makeError("ERR_INVALID_IP_ADDRESS", localAddress)
    localPort = options.get("localPort")
    if jsTruthy(localPort):
        validateNumber(localPort, "options.localPort")
    if port is not UNSET:
        if not isinstance(port, (int, float, str)) or isinstance(port, bool):
            raise invalidArgType("options.port", ["number", "string"], port)
        validatePort(port)
    autoSelectFamily = options.get("autoSelectFamily")
    if autoSelectFamily is not None:
        validateBoolean(autoSelectFamily, "options.autoSelectFamily")
    attemptTimeout = options.get("autoSelectFamilyAttemptTimeout")
    if attemptTimeout is not None:
        validateInt32(attemptTimeout, "options.autoSelectFamilyAttemptTimeout", 1)
    host = connectHost(options)
    if isIP(host):
        return
    lookup = options.get("lookup")
    if lookup is not None:
        validateFunction(lookup, "options.lookup")
        return
    # What dns.lookup() itself checks.
    validateString(host, "hostname")
    hints = options.get("hints")
    if not jsTruthy(hints):
        hints = 0
    validateNumber(hints, "options.hints")
    if toUint32(hints) & ~_HINTS:
        raise invalidArgValue("hints", toUint32(hints))
    family = options.get("family")
    if family is not None and family != "IPv4" and family != "IPv6":
        validateOneOf(family, "options.family", (0, 4, 6))


#: The ``getaddrinfo`` flags ``dns.lookup`` accepts as ``hints``.
_HINTS = int(_stdsocket.AI_ADDRCONFIG | _stdsocket.AI_ALL | _stdsocket.AI_V4MAPPED)


def connectHost(options: Options) -> Any:
    """The host a TCP ``connect()`` goes to: ``options.host || 'localhost'``."""
    host = options.get("host")
    return host if jsTruthy(host) else "localhost"
