"""
Parity tests: the same scenarios run under Node and under nodenet, and
their event traces must be the same.

Each scenario is a pair of small programs, C{tests/parity/scenarios/NAME.js}
(run by C{node}) and C{tests/parity/scenarios/NAME.py} (run by this Python,
under C{net.run()}), which print their traces as JSON lines (see
C{tests/parity/h.js} and C{tests/parity/harness.py}).  One test per pair is
generated from the directory listing, so adding a pair adds a test.  All
the pairs run concurrently, once, the first time any of these tests needs
a result.

Before comparing, both traces are normalised:

  - registered ephemeral ports (C{["#port", n, label]}) and strings such as
    temporary paths (C{["#str", s, label]}) are replaced by their labels;
  - C{errno} is compared by absolute value (Node gives libuv's negated
    errno, nodenet Python's positive one), and not at all for DNS errors
    (C{syscall} C{'getaddrinfo'}), whose numbers are resolver codes;
  - lines of unordered channels (first element starting with C{"@"}) are
    compared per channel, after the ordered lines.

The documented divergences are normalised in the harnesses themselves:
C{'close'} without argument is logged by C{h.js} with whether C{'error'}
was emitted, the value nodenet passes.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

HERE = Path(__file__).resolve().parent
PARITY = HERE / "parity"
SCENARIOS = PARITY / "scenarios"
SRC = HERE.parent / "src"
NODE = shutil.which("node")
TIMEOUT = 30.0


def scenarioNames() -> list[str]:
    """Every scenario name; one whose C{.js} or C{.py} half is missing fails."""
    js = {p.stem for p in SCENARIOS.glob("*.js")}
    py = {p.stem for p in SCENARIOS.glob("*.py")}
    return sorted(js | py)


class Run:
    """One program's outcome: exit status, stdout and stderr."""

    def __init__(self, status: int | None, out: str, err: str) -> None:
        self.status = status
        self.out = out
        self.err = err


def _run(argv: list[str], env: dict[str, str]) -> Run:
    try:
        done = subprocess.run(
            argv,
            cwd=str(SCENARIOS),
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as e:

        def text(b: Any) -> str:
            if isinstance(b, bytes):
                return b.decode("utf-8", "replace")
            return b or ""

        return Run(None, text(e.stdout), text(e.stderr) + f"\n(killed after {TIMEOUT} s)")
    return Run(done.returncode, done.stdout, done.stderr)


def runNode(name: str) -> Run:
    """Run C{scenarios/NAME.js} under node."""
    if NODE is None or not (SCENARIOS / f"{name}.js").exists():
        return Run(None, "", f"{name}.js missing")
    return _run([NODE, f"{name}.js"], dict(os.environ))


def runPython(name: str) -> Run:
    """Run C{scenarios/NAME.py} with this Python, nodenet from C{src}."""
    if not (SCENARIOS / f"{name}.py").exists():
        return Run(None, "", f"{name}.py missing")
    env = dict(os.environ)
    paths = [str(SRC), str(PARITY)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return _run([sys.executable, f"{name}.py"], env)


_results: dict[str, tuple[Run, Run]] = {}
_lock = threading.Lock()


def results() -> dict[str, tuple[Run, Run]]:
    """Both runs of every scenario, all run concurrently the first time."""
    with _lock:
        if not _results:
            names = scenarioNames()

            def both(name: str) -> tuple[str, tuple[Run, Run]]:
                return name, (runNode(name), runPython(name))

            with ThreadPoolExecutor(max_workers=8) as pool:
                for name, pair in pool.map(both, names):
                    _results[name] = pair
        return _results


def _parse(out: str) -> list[Any]:
    lines: list[Any] = []
    for raw in out.splitlines():
        if not raw.strip():
            continue
        try:
            lines.append(json.loads(raw))
        except ValueError:
            lines.append(["<not JSON>", raw])
    return lines


def portsCollide(out: str) -> bool:
    """Whether a trace registered one port number under two labels."""
    seen: dict[int, str] = {}
    for line in _parse(out):
        if isinstance(line, list) and len(line) == 3 and line[0] == "#port":
            if seen.setdefault(line[1], line[2]) != line[2]:
                return True
    return False


def normalise(out: str) -> list[str]:
    """A trace's lines, normalised for comparison (see the module docstring)."""
    lines = _parse(out)
    ports: dict[int, str] = {}
    strings: dict[str, str] = {}
    kept = []
    for line in lines:
        if isinstance(line, list) and len(line) == 3 and line[0] == "#port":
            ports.setdefault(line[1], line[2])
        elif isinstance(line, list) and len(line) == 3 and line[0] == "#str":
            strings.setdefault(line[1], line[2])
        else:
            kept.append(line)
    order = sorted(strings, key=len, reverse=True)
    portPattern = (
        re.compile(r"(?<![0-9])(" + "|".join(str(p) for p in ports) + r")(?![0-9])")
        if ports
        else None
    )

    def walk(x: Any) -> Any:
        if isinstance(x, bool):
            return x
        if isinstance(x, int):
            return ports.get(x, x)
        if isinstance(x, str):
            for s in order:
                x = x.replace(s, strings[s])
            if portPattern is not None:
                x = portPattern.sub(lambda m: ports[int(m.group(1))], x)
            return x
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, dict):
            d = {k: walk(v) for k, v in x.items()}
            if d.get("syscall") == "getaddrinfo":
                d.pop("errno", None)
            elif isinstance(d.get("errno"), int) and not isinstance(d.get("errno"), bool):
                d["errno"] = abs(d["errno"])
            return d
        return x

    ordered: list[str] = []
    channels: dict[str, list[str]] = {}
    for line in kept:
        text = json.dumps(walk(line))
        if isinstance(line, list) and line and isinstance(line[0], str) and line[0].startswith("@"):
            channels.setdefault(line[0], []).append(text)
        else:
            ordered.append(text)
    for channel in sorted(channels):
        ordered.extend(channels[channel])
    return ordered


def describe(name: str, node: Run, python: Run) -> str:
    """A failure message: the diff and both programs' stderr."""
    expected, actual = normalise(node.out), normalise(python.out)
    diff = "\n".join(
        difflib.unified_diff(expected, actual, f"node {name}.js", f"nodenet {name}.py", lineterm="")
    )
    parts = [f"traces of {name!r} differ:", diff]
    for label, run in (("node", node), ("python", python)):
        parts.append(f"{label} exit status: {run.status}")
        if run.err.strip():
            parts.append(f"{label} stderr:\n{run.err.strip()[-3000:]}")
    return "\n".join(parts)


class ParityTests(SynchronousTestCase):
    """Every scenario's trace under nodenet equals its trace under Node."""

    if NODE is None:
        skip = "node is not installed: the parity scenarios need it as the reference"

    # The failure message is the trace diff built by describe(), alone.
    longMessage = False

    def check(self, name: str) -> None:
        """Compare the normalised traces of scenario C{name}."""
        node, python = results()[name]
        for _ in range(3):
            # Two listeners on different addresses (127.0.0.1 and ::1) may
            # get the same port number from the kernel; the trace's port
            # labels are then ambiguous, so that run is taken again.
            if portsCollide(node.out):
                node = runNode(name)
            elif portsCollide(python.out):
                python = runPython(name)
            else:
                break
        self.assertTrue(node.out.strip(), f"{name}.js printed nothing:\n{node.err}")
        expected, actual = normalise(node.out), normalise(python.out)
        self.assertEqual(expected, actual, describe(name, node, python))


def _addTest(name: str) -> None:
    def test(self: ParityTests) -> None:
        self.check(name)

    test.__name__ = f"test_{name}"
    test.__doc__ = f"Scenario {name}: nodenet's trace equals Node's."
    setattr(ParityTests, test.__name__, test)


def _addTests() -> None:
    for name in scenarioNames():
        _addTest(name)


_addTests()


if __name__ == "__main__":
    # python tests/test_parity.py NAME...: run scenarios and print their diffs.
    for _arg in sys.argv[1:]:
        _node, _python = runNode(_arg), runPython(_arg)
        print(describe(_arg, _node, _python))
