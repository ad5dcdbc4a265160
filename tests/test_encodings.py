"""
Tests for L{nodenet._encodings}: Node's encoding names, C{Buffer.from} and
C{string_decoder}, checked against tables measured under Node v20 and against
Node itself.

The corpus C{tests/node/encodings-corpus.json} is written by
C{node tests/node/gen_encodings.js}.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from nodenet._encodings import StringDecoder, encode, normalizeEncoding
from nodenet.errors import NodeTypeError

NODE_DIR = Path(__file__).parent / "node"
CORPUS = NODE_DIR / "encodings-corpus.json"
ENCODINGS = ["utf8", "utf16le", "base64", "base64url", "hex", "latin1", "ascii"]
NODE = shutil.which("node")


def loadCorpus() -> dict[str, Any]:
    """The committed corpus of Node's answers."""
    with CORPUS.open(encoding="utf-8") as f:
        corpus: dict[str, Any] = json.load(f)
    return corpus


def runDecoder(encoding: str, ops: list[list[Any]]) -> list[list[Any]]:
    """
    Replay C{ops} (C{["w", hex]} writes, C{["e", hex or None]} ends) on a
    fresh decoder, giving each op with its output, as the corpus records it.
    """
    decoder = StringDecoder(encoding)
    trace = []
    for kind, hexChunk, *_ in ops:
        chunk = None if hexChunk is None else bytes.fromhex(hexChunk)
        if kind == "w":
            assert chunk is not None
            text = decoder.write(chunk)
        else:
            text = decoder.end(chunk)
        trace.append([kind, hexChunk, text])
    return trace


def runNode(script: str, payload: object) -> Any:
    """Run a generator script in C{--eval} mode on C{payload}; return its answer."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(NODE_DIR / script), "--eval"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def feed(encoding: str, chunks: list[bytes]) -> list[str]:
    """What C{write} returns for each chunk, then what C{end()} returns."""
    decoder = StringDecoder(encoding)
    return [decoder.write(chunk) for chunk in chunks] + [decoder.end()]


# The chunks of the reference catalogue's setEncoding probe (section 3.3).
PROBE = [bytes.fromhex("e282"), bytes.fromhex("ac41e9ff"), bytes.fromhex("007f80"), b"hello"]


class NormalizeEncodingTests(SynchronousTestCase):
    """L{normalizeEncoding} gives Node's canonical names."""

    def test_names(self) -> None:
        """Every spelling Node accepts maps to its canonical name, in any case."""
        table = {
            "utf8": "utf8",
            "utf-8": "utf8",
            "UTF8": "utf8",
            "UTF-8": "utf8",
            "uTf-8": "utf8",
            "ascii": "ascii",
            "ASCII": "ascii",
            "latin1": "latin1",
            "binary": "latin1",
            "BINARY": "latin1",
            "base64": "base64",
            "Base64": "base64",
            "base64url": "base64url",
            "BASE64URL": "base64url",
            "hex": "hex",
            "HEX": "hex",
            "ucs2": "utf16le",
            "ucs-2": "utf16le",
            "utf16le": "utf16le",
            "utf-16le": "utf16le",
            "UTF-16LE": "utf16le",
        }
        self.assertEqual({name: normalizeEncoding(name) for name in table}, table)

    def test_unknown(self) -> None:
        """Unknown names, the empty name and non-strings give C{None}."""
        values: list[object] = [
            "bogus",
            "buffer",
            "",
            "utf16",
            "latin-1",
            " hex",
            None,
            123,
            b"utf8",
            ["utf8"],
        ]
        self.assertEqual([normalizeEncoding(v) for v in values], [None] * len(values))

    def test_corpus(self) -> None:
        """Every name of the corpus is normalised as by Node."""
        names = loadCorpus()["names"]
        self.assertEqual([[n, normalizeEncoding(n)] for n, _ in names], names)


class ReferenceDecoderTests(SynchronousTestCase):
    """
    The setEncoding table of the reference catalogue (section 3.3): the
    same four chunks and the end, in every encoding.
    """

    def check(self, encoding: str, writes: list[str], data: list[str]) -> None:
        """Each write and the end give C{writes}; the non-empty ones are C{data}."""
        got = feed(encoding, PROBE)
        self.assertEqual(got, writes)
        self.assertEqual([text for text in got if text], data)

    def test_utf8(self) -> None:
        """A split character is joined; C{e9 ff} gives two U+FFFD."""
        self.check(
            "utf8",
            ["", "\u20acA\ufffd\ufffd", "\x00\x7f\ufffd", "hello", ""],
            ["\u20acA\ufffd\ufffd", "\x00\x7f\ufffd", "hello"],
        )

    def test_base64(self) -> None:
        """Output is held to 3-byte groups; the end pads."""
        self.check(
            "base64",
            ["", "4oKsQen/", "AH+A", "aGVs", "bG8="],
            ["4oKsQen/", "AH+A", "aGVs", "bG8="],
        )

    def test_base64url(self) -> None:
        """The URL alphabet, and no padding at the end."""
        self.check(
            "base64url",
            ["", "4oKsQen_", "AH-A", "aGVs", "bG8"],
            ["4oKsQen_", "AH-A", "aGVs", "bG8"],
        )

    def test_hex(self) -> None:
        """Lower-case hex, nothing held back."""
        data = ["e282", "ac41e9ff", "007f80", "68656c6c6f"]
        self.check("hex", data + [""], data)

    def test_latin1(self) -> None:
        """One character per byte, nothing held back."""
        data = ["\xe2\x82", "\xacA\xe9\xff", "\x00\x7f\x80", "hello"]
        self.check("latin1", data + [""], data)

    def test_ascii(self) -> None:
        """The high bit of every byte is cleared."""
        data = ["b\x02", ",Ai\x7f", "\x00\x7f\x00", "hello"]
        self.check("ascii", data + [""], data)

    def test_utf16le(self) -> None:
        """An odd trailing byte is carried into the next chunk."""
        data = ["\u82e2", "\u41ac\uffe9", "\u7f00", "\u6880\u6c65\u6f6c"]
        self.check("utf16le", data + [""], data)

    def test_aliases(self) -> None:
        """C{binary} decodes as C{latin1} and C{ucs2} as C{utf16le}, and say so."""
        self.assertEqual(
            [StringDecoder("binary").encoding, StringDecoder("UCS2").encoding],
            ["latin1", "utf16le"],
        )
        self.assertEqual(feed("binary", PROBE), feed("latin1", PROBE))
        self.assertEqual(feed("ucs2", PROBE), feed("utf16le", PROBE))


class ReferenceEncodeTests(SynchronousTestCase):
    """The write-encoding table of the reference catalogue (section 3.4)."""

    def test_table(self) -> None:
        """Each string and encoding gives the bytes Node sends."""
        table = [
            ("\u20ac\xe9", "utf8", "e282acc3a9"),
            ("\u20ac\xe9", "latin1", "ace9"),
            ("\u20ac\xe9", "ascii", "ace9"),
            ("\u20ac\xe9", "utf16le", "ac20e900"),
            ("4oKs", "base64", "e282ac"),
            ("4oKs_-", "base64url", "e282acff"),
            ("e282ac", "hex", "e282ac"),
            ("e28", "hex", "e2"),
            ("zz", "hex", ""),
        ]
        self.assertEqual(
            [(s, e, encode(s, e).hex()) for s, e, _ in table],
            table,
        )

    def test_surrogates(self) -> None:
        """A lone surrogate is U+FFFD in UTF-8; a pair, given either way, is one character."""
        self.assertEqual(
            [
                encode("\ud83d", "utf8"),
                encode("a\ude00b", "utf8"),
                encode("\ud83d\ude00", "utf8"),
                encode("\U0001f600", "utf8"),
                encode("\U0001f600", "latin1"),
                encode("\U0001f600", "utf16le"),
            ],
            [
                b"\xef\xbf\xbd",
                b"a\xef\xbf\xbdb",
                b"\xf0\x9f\x98\x80",
                b"\xf0\x9f\x98\x80",
                b"\x3d\x00",
                b"\x3d\xd8\x00\xde",
            ],
        )

    def test_unknown(self) -> None:
        """An encoding that is not a canonical name raises C{ERR_UNKNOWN_ENCODING}."""
        error = self.assertRaises(NodeTypeError, encode, "x", "bogus")
        self.assertEqual(
            (error.code, str(error)), ("ERR_UNKNOWN_ENCODING", "Unknown encoding: bogus")
        )


class StringDecoderTests(SynchronousTestCase):
    """The interface of L{StringDecoder}."""

    def test_encodingReadOnly(self) -> None:
        """C{encoding} is the canonical name and cannot be assigned."""
        decoder = StringDecoder("UTF-8")
        self.assertEqual(decoder.encoding, "utf8")
        self.assertRaises(AttributeError, setattr, decoder, "encoding", "hex")
        self.assertRaises(AttributeError, setattr, decoder, "other", 1)

    def test_defaultUtf8(self) -> None:
        """Without an encoding the decoder decodes UTF-8."""
        self.assertEqual(StringDecoder().encoding, "utf8")

    def test_unknown(self) -> None:
        """An unknown encoding raises Node's C{ERR_UNKNOWN_ENCODING}."""
        error = self.assertRaises(NodeTypeError, StringDecoder, "buffer")
        self.assertEqual(
            (error.code, str(error)), ("ERR_UNKNOWN_ENCODING", "Unknown encoding: buffer")
        )

    def test_emptyWrites(self) -> None:
        """An empty chunk gives C{''} and keeps what is held back."""
        self.assertEqual(
            [
                feed("utf8", [b"", b"\xe2", b"", b"\x82\xac", b""]),
                feed("utf16le", [b"", b"\x3d", b"", b"\xd8", b"", b"\x00\xde"]),
                feed("base64", [b"", b"a", b"", b"bc", b""]),
                feed("hex", [b""]),
            ],
            [
                ["", "", "", "\u20ac", "", ""],
                ["", "", "", "\ud83d", "", "\ude00", ""],
                ["", "", "", "YWJj", "", ""],
                ["", ""],
            ],
        )

    def test_endWithData(self) -> None:
        """C{end(chunk)} decodes the chunk, then flushes."""
        decoder = StringDecoder("utf8")
        self.assertEqual([decoder.write(b"a\xe2"), decoder.end(b"\x82")], ["a", "\ufffd"])

    def test_reuseAfterEnd(self) -> None:
        """After C{end()} the decoder starts afresh."""
        decoder = StringDecoder("utf16le")
        self.assertEqual(
            [decoder.write(b"\x3d\xd8\x00"), decoder.end(), decoder.write(b"A\x00"), decoder.end()],
            ["\ud83d", "", "A", ""],
        )

    def test_pairAcrossChunks(self) -> None:
        """
        A UTF-16 surrogate pair cut after its high half is held back and
        joined; cut inside the high half, Node gives the halves out apart.
        """
        self.assertEqual(
            [
                feed("utf16le", [b"\x3d\xd8", b"\x00\xde"]),
                feed("utf16le", [b"\x3d", b"\xd8\x00\xde"]),
                feed("utf16le", [b"\x3d", b"\xd8\x00", b"\xde"]),
            ],
            [
                ["", "\U0001f600", ""],
                ["", "\U0001f600", ""],
                ["", "\ud83d", "\ude00", ""],
            ],
        )

    def test_nodeHoldsInvalidLead(self) -> None:
        """
        Node holds back bytes that can never complete a character (here
        C{f0 80} and C{f5}) until the next chunk or the end; Python's own
        incremental decoder would not.
        """
        self.assertEqual(
            [feed("utf8", [b"\xf0\x80", b"A"]), feed("utf8", [b"\xf5", b""])],
            [["", "\ufffd\ufffdA", ""], ["", "", "\ufffd"]],
        )


class CorpusTests(SynchronousTestCase):
    """Every case Node answered in C{encodings-corpus.json} gives the same here."""

    corpus = loadCorpus()

    def checkDecoder(self, encoding: str) -> None:
        """Replay the corpus's decoder cases of C{encoding}; compare whole traces."""
        cases = [c for c in self.corpus["decoder"] if c["encoding"] == encoding]
        self.assertTrue(cases)
        mismatches = [
            (case["ops"], trace)
            for case in cases
            for trace in [runDecoder(encoding, case["ops"])]
            if trace != case["ops"]
        ]
        self.assertEqual(mismatches, [])

    def test_decodeUtf8(self) -> None:
        """UTF-8 decoding across chunks, with malformed input."""
        self.checkDecoder("utf8")

    def test_decodeUtf16le(self) -> None:
        """UTF-16LE decoding across chunks, with odd bytes and lone surrogates."""
        self.checkDecoder("utf16le")

    def test_decodeBase64(self) -> None:
        """base64 output across chunks."""
        self.checkDecoder("base64")

    def test_decodeBase64url(self) -> None:
        """base64url output across chunks."""
        self.checkDecoder("base64url")

    def test_decodeOthers(self) -> None:
        """hex, latin1 and ascii across chunks."""
        for encoding in ["hex", "latin1", "ascii"]:
            self.checkDecoder(encoding)

    def test_encode(self) -> None:
        """C{encode} gives the bytes of Node's C{Buffer.from} for every case."""
        cases = self.corpus["encode"]
        self.assertEqual({c["encoding"] for c in cases}, set(ENCODINGS))
        mismatches = [c for c in cases if encode(c["input"], c["encoding"]).hex() != c["hex"]]
        self.assertEqual(mismatches, [])


# -- live comparison with node ------------------------------------------------------

_UTF8_PIECES = [
    b"a",
    b"\x00",
    b"\x7f",
    "\u00e9".encode(),
    "\u20ac".encode(),
    "\U0001f600".encode(),
    "\U0010ffff".encode(),
    "\ufffd".encode(),
    b"\xc0\x80",
    b"\xc1\xbf",
    b"\xe0\x80\x80",
    b"\xe0\x9f\xbf",
    b"\xf0\x80\x80\x80",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xf5\x80\x80\x80",
    b"\xf8",
    b"\xff",
    b"\xfe\x80",
    b"\x80",
    b"\xbf\xbf",
    b"\xc2",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xf0\x9f",
    b"\xe2",
    b"\xf0",
]
_UTF16_PIECES = [
    b"a\x00",
    b"\xac\x20",
    b"\x3d\xd8",
    b"\x00\xde",
    b"\x3d\xd8\x00\xde",
    b"\xff\xdb",
    b"\x00\xdc",
    b"\x00",
    b"\xd8",
    b"\xdc",
]
_TEXT_POOL = [
    "a",
    "0",
    " ",
    "=",
    "-",
    "_",
    "+",
    "/",
    "\x00",
    "\x80",
    "\xe9",
    "\xff",
    "\u0100",
    "\u0130",
    "\u0141",
    "\u013d",
    "\u20ac",
    "\ufffd",
    "\ud83d",
    "\ude00",
    "\U0001f600",
    "\U0010ffff",
    *"0123456789abcdefABCDEFQUJDg",
]


def randomDecoderCases(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Random byte streams, cut at random, with ends and reuse, for every encoding."""
    cases = []
    for _ in range(count):
        encoding = rng.choice(ENCODINGS)
        pieces = _UTF16_PIECES if encoding == "utf16le" and rng.random() < 0.7 else _UTF8_PIECES
        ops: list[list[Any]] = []
        for _round in range(rng.choice([1, 1, 1, 2])):
            if rng.random() < 0.2:
                stream = bytes(rng.randrange(256) for _ in range(rng.randrange(30)))
            else:
                stream = b"".join(rng.choice(pieces) for _ in range(rng.randrange(15)))
            cuts = sorted(rng.randrange(len(stream) + 1) for _ in range(rng.randrange(6)))
            chunks = [stream[a:b] for a, b in pairwise([0, *cuts, len(stream)])]
            last = chunks.pop() if rng.random() < 0.4 else None
            ops.extend(["w", chunk.hex()] for chunk in chunks)
            ops.append(["e", None if last is None else last.hex()])
        cases.append({"encoding": encoding, "ops": ops})
    return cases


def randomEncodeCases(rng: random.Random, count: int) -> list[dict[str, str]]:
    """Random strings (lone surrogates, astral characters, junk) for every encoding."""
    return [
        {
            "input": "".join(rng.choice(_TEXT_POOL) for _ in range(rng.randrange(20))),
            "encoding": rng.choice(ENCODINGS),
        }
        for _ in range(count)
    ]


class LiveNodeTests(SynchronousTestCase):
    """A fresh random batch, answered by the installed C{node}, gives the same here."""

    if NODE is None:
        skip = "node is not installed"

    def test_randomBatch(self) -> None:
        """
        Random decoder and encode cases agree with Node.  The seed is in the
        failure message; set C{NODENET_TEST_SEED} to replay it.
        """
        seed = int(os.environ.get("NODENET_TEST_SEED") or random.SystemRandom().randrange(2**32))
        rng = random.Random(seed)
        payload = {
            "decoder": randomDecoderCases(rng, 400),
            "encode": randomEncodeCases(rng, 400),
        }
        answer = runNode("gen_encodings.js", payload)
        mismatches: list[object] = [
            case["ops"]
            for case in answer["decoder"]
            if runDecoder(case["encoding"], case["ops"]) != case["ops"]
        ]
        mismatches += [
            case
            for case in answer["encode"]
            if encode(case["input"], case["encoding"]).hex() != case["hex"]
        ]
        self.assertEqual(mismatches, [], f"seed={seed}")
