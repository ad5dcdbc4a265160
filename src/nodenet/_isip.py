"""
Node's ``net.isIP``, ``net.isIPv4`` and ``net.isIPv6``.

The whole string must be one address: IPv4 in dotted decimal with exactly
four parts, each 0-255 without leading zeros; IPv6 in one of the RFC 4291
text forms (``::`` standing for at least one group, 1-4 hexadecimal digits
per group, a dotted IPv4 address allowed as the last 32 bits), optionally
followed by a zone: ``%`` and one or more of ``0-9 A-Z a-z . : -``.  Only
ASCII digits count; no brackets, no prefix length, no surrounding
whitespace.

One difference from Node: Node first converts any value with
``String(value)``; here a value that is not a ``str`` is not an address.
"""

from __future__ import annotations

import re

__all__ = ["isIP", "isIPv4", "isIPv6"]

_V4_PART = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_V4 = rf"{_V4_PART}(?:\.{_V4_PART}){{3}}"
_GROUP = "[0-9A-Fa-f]{1,4}"


def _v6Forms() -> str:
    """
    The IPv6 text forms as one alternation.

    Without ``::`` there are eight groups, or six and an IPv4 address.  With
    ``::`` after ``left`` groups, at most ``7 - left`` groups follow, where
    a trailing IPv4 address counts as two.
    """
    forms = [rf"(?:{_GROUP}:){{7}}{_GROUP}", rf"(?:{_GROUP}:){{6}}{_V4}"]
    for left in range(8):
        head = rf"(?:{_GROUP}:){{{left}}}:" if left else "::"
        room = 7 - left
        tails = []
        if room >= 1:
            tails.append(rf"(?:{_GROUP}:){{0,{room - 1}}}{_GROUP}")
        if room >= 2:
            tails.append(rf"(?:{_GROUP}:){{0,{room - 2}}}{_V4}")
        tail = f"(?:{'|'.join(tails)})?" if tails else ""
        forms.append(head + tail)
    return "|".join(f"(?:{form})" for form in forms)


_IPV4 = re.compile(_V4)
_IPV6 = re.compile(rf"(?:{_v6Forms()})(?:%[0-9A-Za-z.:-]+)?")


def isIPv4(value: object) -> bool:
    """Whether ``value`` is an IPv4 address in Node's dotted-decimal form."""
    return isinstance(value, str) and _IPV4.fullmatch(value) is not None


def isIPv6(value: object) -> bool:
    """Whether ``value`` is an IPv6 address (with an optional zone), as Node reads it."""
    return isinstance(value, str) and _IPV6.fullmatch(value) is not None


def isIP(value: object) -> int:
    """``4`` for an IPv4 address, ``6`` for an IPv6 address, else ``0``, as Node."""
    if not isinstance(value, str):
        return 0
    if _IPV4.fullmatch(value) is not None:
        return 4
    if _IPV6.fullmatch(value) is not None:
        return 6
    return 0
