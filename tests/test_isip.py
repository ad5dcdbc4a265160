"""
Tests for L{nodenet._isip}: C{isIP}, C{isIPv4} and C{isIPv6} give Node's
answers.

The corpus C{tests/node/isip-corpus.json} is written by
C{node tests/node/gen_isip.js}: the cases of the reference catalogue
(section 4.3) and generated variants, each with Node's answers.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from nodenet._isip import isIP, isIPv4, isIPv6

NODE_DIR = Path(__file__).parent / "node"
CORPUS = NODE_DIR / "isip-corpus.json"
NODE = shutil.which("node")


def loadCorpus() -> dict[str, Any]:
    """The committed corpus of Node's answers."""
    with CORPUS.open(encoding="utf-8") as f:
        corpus: dict[str, Any] = json.load(f)
    return corpus


def answers(value: object) -> list[object]:
    """C{[value, isIP, isIPv4, isIPv6]}, the form of a corpus row."""
    return [value, isIP(value), isIPv4(value), isIPv6(value)]


def mismatches(rows: list[list[Any]]) -> list[tuple[list[Any], list[object]]]:
    """The rows whose answers differ here, with the answers given here."""
    return [(row, mine) for row in rows for mine in [answers(row[0])] if mine != row]


class ExamplesTests(SynchronousTestCase):
    """Some answers spelled out (from the reference catalogue, section 4)."""

    def test_addresses(self) -> None:
        """Addresses, near misses and the ways a Python port goes wrong."""
        cases = [
            ("127.0.0.1", 4),
            ("255.255.255.255", 4),
            ("::", 6),
            ("::ffff:1.2.3.4", 6),
            ("1:2:3:4:5:6:7::", 6),
            ("::2:3:4:5:6:7:8", 6),
            ("fe80::1%eth0.100", 6),
            ("fe80::1%eth0:1", 6),
            ("1:2:3:4:5:6:7:8::", 0),
            ("1:2:3:4:5:6::1.2.3.4", 0),
            ("01.2.3.4", 0),
            ("1.2.3.4\n", 0),
            ("::1\n", 0),
            ("\uff11.\uff12.\uff13.\uff14", 0),
            ("\u0661\u0662\u0667.0.0.1", 0),
            ("fe80::1%", 0),
            ("fe80::1%eth_0", 0),
            ("1.2.3.4%1", 0),
            ("[::1]", 0),
            ("::1/128", 0),
            ("", 0),
        ]
        self.assertEqual(
            [answers(s) for s, _ in cases],
            [[s, kind, kind == 4, kind == 6] for s, kind in cases],
        )

    def test_notStrings(self) -> None:
        """
        Anything that is not a C{str} is not an address (Node would convert it
        with C{String()} first; nodenet does not).
        """
        values: list[object] = [None, 123, 2130706433, True, 1.5, b"1.2.3.4", ["127.0.0.1"], {}]
        self.assertEqual(
            [answers(v) for v in values],
            [[v, 0, False, False] for v in values],
        )

    def test_strSubclass(self) -> None:
        """A subclass of C{str} is read as its text."""

        class Text(str):
            pass

        self.assertEqual(
            [isIP(Text("1.2.3.4")), isIP(Text("::1")), isIP(Text("x"))],
            [4, 6, 0],
        )


class CorpusTests(SynchronousTestCase):
    """Every string Node answered in C{isip-corpus.json} gives the same here."""

    corpus = loadCorpus()

    def test_reference(self) -> None:
        """
        The 205 cases of the reference catalogue: 11 IPv4, 55 IPv6 and 139
        others, all as Node.
        """
        rows = self.corpus["reference"]
        self.assertEqual(
            [len(rows), *(sum(1 for r in rows if r[1] == k) for k in (4, 6, 0))],
            [205, 11, 55, 139],
        )
        self.assertEqual(mismatches(rows), [])

    def test_generated(self) -> None:
        """Generated addresses, their mutations and random strings, all as Node."""
        rows = self.corpus["generated"]
        self.assertEqual({r[1] for r in rows}, {0, 4, 6})
        self.assertEqual(mismatches(rows), [])


_NOISE = [
    *"0123456789abcdefABCDEFgG:.%-_/[] xz",
    "\n",
    "\t",
    "\x00",
    "\uff11",
    "\u0661",
    "\u0966",
    "\u00e9",
    "\u212a",
    "\ud83d",
    "::",
    "%eth0",
]


def randomAddress(rng: random.Random) -> str:
    """A random IPv4 or IPv6 text, valid or nearly so."""
    if rng.random() < 0.3:
        parts = [str(rng.choice([rng.randrange(256), rng.randrange(1000)])) for _ in range(4)]
        if rng.random() < 0.1:
            parts[rng.randrange(4)] = "0" + parts[0]
        return ".".join(parts)

    def groups(count: int) -> list[str]:
        return [
            "".join(
                rng.choice("0123456789abcdefABCDEF") for _ in range(rng.choice([1, 2, 3, 4, 4, 5]))
            )
            for _ in range(count)
        ]

    tail4 = rng.random() < 0.3
    v4 = ".".join(str(rng.randrange(256)) for _ in range(4))
    if rng.random() < 0.25:
        text = ":".join([*groups(6), v4] if tail4 else groups(8))
    else:
        room = (5 if tail4 else 7) + (rng.random() < 0.15)
        left = rng.randrange(room + 1)
        right = groups(rng.randrange(room - left + 1)) + ([v4] if tail4 else [])
        text = ":".join(groups(left)) + "::" + ":".join(right)
    if rng.random() < 0.2:
        text += "%" + "".join(rng.choice("abAZ09.:-_% \u00e9") for _ in range(rng.randrange(5)))
    return text


def mutate(rng: random.Random, text: str) -> str:
    """C{text} with one character deleted, inserted, replaced or two swapped."""
    at = rng.randrange(len(text) + 1)
    choice = rng.randrange(4)
    if choice == 0:
        return text[:at] + text[at + 1 :]
    if choice == 1:
        return text[:at] + rng.choice(_NOISE) + text[at:]
    if choice == 2:
        return text[:at] + rng.choice(_NOISE) + text[at + 1 :]
    return text[:at] + text[at + 1 : at + 2] + text[at : at + 1] + text[at + 2 :]


class LiveNodeTests(SynchronousTestCase):
    """A fresh random batch, answered by the installed C{node}, gives the same here."""

    if NODE is None:
        skip = "node is not installed"

    def test_randomBatch(self) -> None:
        """
        Random addresses and their mutations agree with Node.  The seed is
        in the failure message; set C{NODENET_TEST_SEED} to replay it.
        """
        assert NODE is not None
        seed = int(os.environ.get("NODENET_TEST_SEED") or random.SystemRandom().randrange(2**32))
        rng = random.Random(seed)
        strings = []
        for _ in range(2000):
            text = randomAddress(rng)
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                text = mutate(rng, text)
            strings.append(text)
        done = subprocess.run(
            [NODE, str(NODE_DIR / "gen_isip.js"), "--eval"],
            input=json.dumps(strings),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        rows = json.loads(done.stdout)
        self.assertEqual(len(rows), len(strings))
        self.assertEqual(mismatches(rows), [], f"seed={seed}")
