"""
Node's argument normalisation and validators for ``connect`` and ``listen``.

Every positional form Node accepts is accepted, options may be a ``dict`` or
keyword arguments, and every bad value raises Node's error synchronously
with Node's code and message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from .errors import UNSET, badPort, invalidArgType, invalidArgValue, makeError, outOfRange

_JS_SPACE = (
    "\t\n\v\f\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RADIX = re.compile(r"0(?:[xX](?P<x>[0-9a-fA-F]+)|[oO](?P<o>[0-7]+)|[bB](?P<b>[01]+))")


def jsNumber(value: object) -> float:
    """JavaScript's ``Number(value)`` for the values a Python program passes (ports, delays)."""
    if value is UNSET:
        return math.nan
    if value is None:
        return 0.0
    if isinstance(value, str):
        return _stringToNumber(value)
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


_MISSING = object()


def validateConnectOptions(options: Options) -> None:
    """Every synchronous check Node makes on ``connect()`` options."""
    if options.get("objectMode"):
        raise invalidArgValue("options.objectMode", options["objectMode"], "is not supported")
    path = options.get("path", _MISSING)
    port = options.get("port", UNSET)
    if (port is UNSET or "port" not in options) and (path is _MISSING or path is None):
        raise makeError("ERR_MISSING_ARGS", "options", "port", "path")
    if path is not _MISSING and path is not None:
        if not isinstance(path, str):
            raise invalidArgType("options.path", "string", path)
        return
    if "timeout" in options and options["timeout"] is not None:
        validateMsecs(options["timeout"])
    localAddress = options.get("localAddress")
    if localAddress is not None:
        from ._isip import isIP

        if not isIP(localAddress):
            raise makeError("ERR_INVALID_IP_ADDRESS", localAddress)
    localPort = options.get("localPort")
    if localPort is not None and (
        isinstance(localPort, bool) or not isinstance(localPort, (int, float))
    ):
        raise invalidArgType("options.localPort", "number", localPort)
    host = options.get("host")
    if host is not None and not isinstance(host, str):
        raise invalidArgType("hostname", "string", host)
    if isinstance(port, bool) or not isinstance(port, (int, float, str)):
        raise invalidArgType("options.port", ["number", "string"], port)
    validatePort(port)
    lookup = options.get("lookup")
    if lookup is not None and not callable(lookup):
        raise invalidArgType("options.lookup", "function", lookup)
    hints = options.get("hints")
    if hints is not None and (
        isinstance(hints, bool) or not isinstance(hints, int) or hints & ~(32 | 8 | 16)
    ):
        raise invalidArgValue("hints", hints)
    autoSelectFamily = options.get("autoSelectFamily")
    if autoSelectFamily is not None and not isinstance(autoSelectFamily, bool):
        raise invalidArgType("options.autoSelectFamily", "boolean", autoSelectFamily)
    family = options.get("family")
    if family is not None and family not in (0, 4, 6, "IPv4", "IPv6"):
        from ._isip import isIP

        if not isIP(host or ""):
            raise invalidArgValue("options.family", family, "must be one of: 0, 4, 6")
