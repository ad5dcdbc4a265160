"""
Hostile input for ``setEncoding()``: random byte streams, cut into random
reads, decoded by a real socket exactly as Node decodes them.

Hypothesis draws streams of bytes (arbitrary bytes mixed with pieces of
UTF-8 and UTF-16 that are valid, truncated, overlong or surrogate, and
base64 group boundaries) and cuts them into reads; each stream goes through
a :func:`~nodenet.testing.socketPair` whose receiving end called
``setEncoding(enc)``, one read per turn of the clock.  The ``'data'``
strings, and what ``'end'`` flushes, must equal what Node's
``StringDecoder`` returns for the same reads, as computed by ``node``
running ``tests/node/gen_encodings.js --eval`` on the same cases.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nodenet.testing import flush, socketPair

NODE = shutil.which("node")
GENERATOR = Path(__file__).parent / "node" / "gen_encodings.js"

#: Node's names and some of their spellings (setEncoding normalises them).
ENCODINGS = [
    "utf8", "utf-8", "UTF8", "utf16le", "ucs2", "UCS-2", "latin1", "binary",
    "base64", "base64url", "hex", "ascii",
]


def _utf8(codePoint: int) -> bytes:
    return chr(codePoint).encode("utf-8", "surrogatepass")


#: Pieces that exercise every branch of a multi-byte decoder.
_SPECIAL = st.sampled_from(
    [
        b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf",
        b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80", b"\xf5\x80", b"\xff", b"\xfe", b"\x80",
        b"\xbf", b"\xef\xbb\xbf", b"\x00\xd8", b"\x00\xdc", b"\x3d\xd8\x00\xde", b"==", b"=",
    ]
)
_CODEPOINT = st.integers(0, 0x10FFFF) | st.sampled_from(
    [0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0xD7FF, 0xE000, 0xFFFD, 0xD800, 0xDFFF]
)
_UTF8_PIECE = st.builds(
    lambda cp, cut: _utf8(cp)[: cut if cut else None], _CODEPOINT, st.integers(0, 3)
)
_UTF16_PIECE = st.builds(
    lambda cp: chr(cp).encode("utf-16-le", "surrogatepass"), _CODEPOINT
)
_PIECE = st.binary(max_size=6) | _UTF8_PIECE | _UTF16_PIECE | _SPECIAL


@st.composite
def streams(draw: Any) -> tuple[str, list[bytes]]:
    """An encoding and a byte stream cut into reads (empty reads left out)."""
    encoding = draw(st.sampled_from(ENCODINGS))
    data = b"".join(draw(st.lists(_PIECE, max_size=30)))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(data)), max_size=12))))
    edges = [0, *cuts, len(data)]
    reads = [data[a:b] for a, b in pairwise(edges) if b > a]
    return encoding, reads


def throughSocket(encoding: str, reads: list[bytes]) -> list[str]:
    """
    The ``'data'`` strings a socket with ``setEncoding(encoding)`` emits when
    its peer sends ``reads`` one turn apart and then ends.
    """
    clock = Clock()
    client, server = socketPair(clock)
    server.setEncoding(encoding)
    received: list[str] = []
    server.on("data", received.append)
    flush(clock)
    for chunk in reads:
        client.write(chunk)
        clock.advance(0)
    client.end()
    flush(clock)
    assert server.destroyed and client.destroyed
    return received


def nodeDecodes(cases: list[tuple[str, list[bytes]]]) -> list[list[str]]:
    """What Node's StringDecoder gives for each case: non-empty writes, then the end."""
    assert NODE is not None
    payload = {
        "decoder": [
            {"encoding": enc, "ops": [["w", r.hex()] for r in reads] + [["e", None]]}
            for enc, reads in cases
        ]
    }
    done = subprocess.run(
        [NODE, str(GENERATOR), "--eval"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answers = json.loads(done.stdout)["decoder"]
    return [[text for _, _, text in answer["ops"] if text] for answer in answers]


class SetEncodingTests(SynchronousTestCase):
    """A socket's ``setEncoding()`` decodes any stream as Node does."""

    def setUp(self) -> None:
        if NODE is None:
            self.skipTest("node is not installed: it is the oracle of this test")

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(streams(), min_size=1, max_size=40))
    def test_sameAsNode(self, cases: list[tuple[str, list[bytes]]]) -> None:
        """Every stream's ``'data'`` strings are exactly Node's, read by read."""
        ours = [throughSocket(enc, reads) for enc, reads in cases]
        theirs = nodeDecodes(cases)
        for case, mine, node in zip(cases, ours, theirs, strict=True):
            self.assertEqual(mine, node, f"{case[0]} reads {[r.hex() for r in case[1]]}")
