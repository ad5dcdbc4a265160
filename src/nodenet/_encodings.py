"""
Node's text encodings: names, ``Buffer.from(string, encoding)`` and
``string_decoder``.

A JavaScript string is a sequence of UTF-16 code units; a Python ``str`` is a
sequence of code points.  The two meet as follows: a JavaScript string is
given to Python with every valid surrogate pair joined into one code point
and every lone surrogate kept as a surrogate code point (what
``json.loads`` does with ``JSON.stringify``'s output), and a Python ``str``
that holds surrogate code points is read as those UTF-16 units (so
``'\\ud83d\\ude00'`` and ``'\\U0001f600'`` are the same JavaScript string).

The canonical names are Node's: ``'utf8'``, ``'utf16le'``, ``'latin1'``,
``'ascii'``, ``'base64'``, ``'base64url'`` and ``'hex'``.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable

from nodenet.errors import makeError

__all__ = ["normalizeEncoding", "encode", "StringDecoder"]


_NAMES: dict[str, str] = {
    "utf8": "utf8",
    "utf-8": "utf8",
    "ucs2": "utf16le",
    "ucs-2": "utf16le",
    "utf16le": "utf16le",
    "utf-16le": "utf16le",
    "latin1": "latin1",
    "binary": "latin1",
    "ascii": "ascii",
    "base64": "base64",
    "base64url": "base64url",
    "hex": "hex",
}


def normalizeEncoding(enc: object) -> str | None:
    """
    Node's canonical name for the encoding name ``enc``, or ``None``.

    Names are matched without regard to case, as ``Buffer.isEncoding``
    does: ``'UTF-8'`` gives ``'utf8'``, ``'binary'`` gives ``'latin1'``,
    ``'ucs2'`` gives ``'utf16le'``.  Anything else, including ``''``,
    ``None`` and every non-``str``, gives ``None``; whether such a value
    means the default ``'utf8'`` depends on the caller, as it does in Node.
    """
    if type(enc) is not str and not isinstance(enc, str):
        return None
    name = _NAMES.get(enc)
    if name is None and enc.isascii():
        name = _NAMES.get(enc.lower())
    return name


# -- encoding: Buffer.from(string, encoding) ---------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_HEX_INVALID = re.compile("[^0-9A-Fa-f]")
# Node's base64 decoder accepts both alphabets; every other character is
# skipped, and '=' ends the data.
_B64_TABLE = {
    **{c: None for c in range(256)},
    **{ord(c): ord(c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"},
    ord("-"): ord("+"),
    ord("_"): ord("/"),
}


def _units(data: str) -> str:
    """
    The low byte of each UTF-16 unit of ``data``, as a latin-1 ``str``.

    This is what Node's one-byte writers (``latin1``, ``ascii``) and its
    ``hex`` and ``base64`` parsers see of a string.
    """
    if data.isascii():
        return data
    return data.encode("utf-16-le", "surrogatepass")[::2].decode("latin-1")


def _utf8Slow(data: str) -> bytes:
    """UTF-8 of a string holding surrogates: pairs joined, lone ones U+FFFD."""
    joined = data.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _SURROGATE.sub("\ufffd", joined).encode("utf-8")


def _decodeHex(data: str) -> bytes:
    """Node's hex parser: pairs up to the first invalid one; an odd digit is dropped."""
    text = _units(data)
    bad = _HEX_INVALID.search(text)
    end = len(text) if bad is None else bad.start()
    return bytes.fromhex(text[: end & ~1])


def _decodeBase64(data: str) -> bytes:
    """Node's lenient base64 parser, for both alphabets."""
    text = _units(data)
    stop = text.find("=")
    if stop >= 0:
        text = text[:stop]
    text = text.translate(_B64_TABLE)
    extra = len(text) & 3
    if extra == 1:
        text = text[:-1]
    elif extra:
        text += "=" * (4 - extra)
    return binascii.a2b_base64(text)


def encode(data: str, encoding: str) -> bytes:
    """
    The bytes of Node's ``Buffer.from(data, encoding)``.

    ``encoding`` is a canonical name (see :func:`normalizeEncoding`).
    ``utf8`` writes a lone surrogate as ``EF BF BD``; ``latin1`` and
    ``ascii`` keep the low byte of each UTF-16 unit; ``utf16le`` writes the
    units; ``base64`` and ``base64url`` accept either alphabet, skip any
    other character and stop at ``'='``; ``hex`` stops at the first pair that
    is not hexadecimal and drops an odd last digit.
    """
    if encoding == "utf8":
        try:
            return data.encode("utf-8")
        except UnicodeEncodeError:
            return _utf8Slow(data)
    if encoding == "latin1" or encoding == "ascii":
        try:
            return data.encode("latin-1")
        except UnicodeEncodeError:
            return data.encode("utf-16-le", "surrogatepass")[::2]
    if encoding == "utf16le":
        return data.encode("utf-16-le", "surrogatepass")
    if encoding == "hex":
        return _decodeHex(data)
    if encoding == "base64" or encoding == "base64url":
        return _decodeBase64(data)
    raise makeError("ERR_UNKNOWN_ENCODING", encoding)


# -- decoding: string_decoder -------------------------------------------------

_ASCII_MASK = bytes(b & 0x7F for b in range(256))

_Render = Callable[[bytes | bytearray], str]


def _utf8(data: bytes | bytearray) -> str:
    return str(data, "utf-8", "replace")


def _utf16(data: bytes | bytearray) -> str:
    return str(data, "utf-16-le", "surrogatepass")


def _base64(data: bytes | bytearray) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _base64url(data: bytes | bytearray) -> str:
    text = binascii.b2a_base64(data, newline=False).decode("ascii")
    return text.rstrip("=").replace("+", "-").replace("/", "_")


def _latin1(data: bytes | bytearray) -> str:
    return str(data, "latin-1")


def _ascii(data: bytes | bytearray) -> str:
    return data.translate(_ASCII_MASK).decode("ascii")


def _hex(data: bytes | bytearray) -> str:
    return data.hex()


_UTF8, _UTF16, _BASE64, _BASE64URL, _LATIN1, _ASCII, _HEX = range(7)

_KINDS: dict[str, int] = {
    "utf8": _UTF8,
    "utf16le": _UTF16,
    "base64": _BASE64,
    "base64url": _BASE64URL,
    "latin1": _LATIN1,
    "ascii": _ASCII,
    "hex": _HEX,
}

_SIMPLE = {_LATIN1: _latin1, _ASCII: _ascii, _HEX: _hex}


class StringDecoder:
    """
    Node's ``string_decoder.StringDecoder``: bytes in, text out, chunk by chunk.

    ``write(chunk)`` returns the text of every character that the chunk
    completes and holds back the bytes of a character that is still
    incomplete; ``end()`` returns what is held back (``''`` if nothing) and
    makes the decoder ready for new input.  The text returned, and where
    U+FFFD appears, is exactly Node v20's for every way of cutting the same
    bytes into chunks, including malformed input.

    ``encoding`` may be any name :func:`normalizeEncoding` knows; an unknown
    one raises Node's ``ERR_UNKNOWN_ENCODING``.
    """

    __slots__ = ("_encoding", "_kind", "_held", "_missing")

    _encoding: str
    _kind: int
    # The bytes of an incomplete character (utf8, utf16le) or group
    # (base64, base64url), and how many more bytes Node waits for.
    _held: bytearray
    _missing: int

    def __init__(self, encoding: str = "utf8") -> None:
        name = normalizeEncoding(encoding)
        if name is None:
            raise makeError("ERR_UNKNOWN_ENCODING", encoding)
        self._encoding = name
        self._kind = _KINDS[name]
        self._held = bytearray()
        self._missing = 0

    @property
    def encoding(self) -> str:
        """The canonical name of the encoding (Node's ``decoder.encoding``)."""
        return self._encoding

    def write(self, data: bytes) -> str:
        """Decode ``data``; return the completed text (``''`` if none)."""
        if self._kind == _UTF8:
            if not self._missing and data and data[-1] < 0x80:
                return str(data, "utf-8", "replace")
            return self._writeUtf8(data)
        if self._kind == _UTF16:
            return self._writeUtf16(data)
        if self._kind == _BASE64:
            return self._writeBase64(data, _base64)
        if self._kind == _BASE64URL:
            return self._writeBase64(data, _base64url)
        return _SIMPLE[self._kind](data)

    def end(self, data: bytes | None = None) -> str:
        """Decode ``data`` if given, then flush what is held back and reset."""
        text = "" if data is None else self.write(data)
        held = self._held
        if held:
            kind = self._kind
            if kind == _UTF8:
                text += _utf8(held)
            elif kind == _UTF16:
                # A lone trailing byte is dropped; a held high surrogate is
                # given out alone.
                text += _utf16(held[: len(held) & ~1])
            elif kind == _BASE64:
                text += _base64(held)
            else:
                text += _base64url(held)
            held.clear()
        self._missing = 0
        return text

    def _fill(self, data: bytes) -> int:
        """
        Move the bytes the held character still needs from ``data``.

        Return how many bytes of ``data`` were used.
        """
        take = min(len(data), self._missing)
        self._held += data[:take]
        self._missing -= take
        return take

    def _writeUtf8(self, data: bytes) -> str:
        size = len(data)
        if not size:
            return ""
        start = 0
        head = ""
        if self._missing:
            # The bytes that continue the held sequence; a byte that is not
            # a continuation byte ends it early (then it is decoded alone).
            limit = min(size, self._missing)
            while start < limit and data[start] & 0xC0 == 0x80:
                start += 1
            self._held += data[:start]
            if start < limit:
                self._missing = 0
            else:
                self._missing -= start
                if self._missing:
                    return ""
            head = _utf8(self._held)
            self._held.clear()
            if start == size:
                return head
        cut = size
        if data[-1] & 0x80:
            # Find where the last character begins and how long its lead
            # byte says it is; hold it back if it is not complete.
            count = 0
            index = size - 1
            while True:
                count += 1
                byte = data[index]
                if byte & 0xC0 == 0x80:
                    if count >= 4 or index == start:
                        break
                    index -= 1
                    continue
                if byte & 0xE0 == 0xC0:
                    need = 2
                elif byte & 0xF0 == 0xE0:
                    need = 3
                elif byte & 0xF8 == 0xF0:
                    need = 4
                else:
                    break
                if count < need:
                    cut = index
                    self._held += data[index:]
                    self._missing = need - count
                break
        if head:
            return head + _utf8(data[start:cut])
        if cut == size:
            return str(data, "utf-8", "replace")
        return _utf8(data[:cut])

    def _writeUtf16(self, data: bytes) -> str:
        size = len(data)
        if not size:
            return ""
        start = 0
        out = b""
        if self._missing:
            start = self._fill(data)
            if self._missing:
                return ""
            out = bytes(self._held)
            self._held.clear()
            if start == size:
                return _utf16(out)
        cut = size
        if (size - start) & 1:
            cut = size - 1
            self._missing = 1
        elif data[-1] & 0xFC == 0xD8:
            cut = size - 2
            self._missing = 2
        if cut != size:
            self._held += data[cut:]
        if out:
            return _utf16(out + data[start:cut])
        return _utf16(data[start:cut])

    def _writeBase64(self, data: bytes, render: _Render) -> str:
        size = len(data)
        start = 0
        out = b""
        if self._missing:
            start = self._fill(data)
            if self._missing:
                return ""
            out = bytes(self._held)
            self._held.clear()
        extra = (size - start) % 3
        cut = size - extra
        if extra:
            self._held += data[cut:]
            self._missing = 3 - extra
        if out:
            return render(out + data[start:cut])
        return render(data[start:cut])
