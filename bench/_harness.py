"""
Runs the suite: one fresh server and client process per measurement.

For every measurement the harness creates the listening socket itself
(``127.0.0.1``, an ephemeral port, backlog 4096) and hands its descriptor
to the server process, pins the server to core 0 and the client to core 1
(both to core 0 for ``pingpong-1core``), waits until both say ``READY``
and then tells the client to go (for ``connections``: waits until the idle
client has filled the accept queue, then tells the server to go).  The
process that measures reports one ``RESULT`` line.  A measurement that
does not finish within its time limit is killed and recorded as an error;
the suite goes on.

Repetitions are interleaved: each repetition runs every workload for every
stack in turn (A B C ... A B C ...), so drift of the machine during the run
hits every stack alike, and ratios are taken within a repetition.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._workloads import paramsFor, roundsFor

__all__ = [
    "STACKS",
    "Stack",
    "RunError",
    "machineFacts",
    "runOne",
    "runSuite",
    "unavailable",
    "variant",
]

ROOT = Path(__file__).resolve().parent.parent
NODE_SCRIPT = Path(__file__).resolve().parent / "node_stack.js"


@dataclass(frozen=True)
class Stack:
    """
    One implementation of every server and client of the suite.

    ``worker`` is the implementation the processes run (default: ``name``);
    ``pythonPath`` is put first on the processes' ``PYTHONPATH`` (a variant
    stack measures nodenet from another source tree that way).
    """

    name: str
    title: str
    needs: tuple[str, ...] = ()
    worker: str = ""
    pythonPath: str = ""

    @property
    def impl(self) -> str:
        return self.worker or self.name


#: The stacks, in the order each repetition runs them.  Ratios are to ``twisted``.
STACKS = [
    Stack("twisted", "raw Twisted (Protocol/Factory, producer-aware)"),
    Stack("nodenet", "nodenet (public API, default reactor)", ("nodenet",)),
    Stack("nodenet-asyncio", "nodenet on Twisted's asyncio reactor", ("nodenet",)),
    Stack("nodenet-uvloop", "nodenet on Twisted's asyncio reactor, uvloop loop", ("nodenet", "uvloop")),
    Stack("asyncio", "asyncio Protocols"),
    Stack("uvloop", "asyncio Protocols on uvloop", ("uvloop",)),
    Stack("streams", "asyncio Streams"),
    Stack("node", "Node's net", ("node",)),
]


def variant(label: str, path: str) -> Stack:
    """A ``nodenet`` stack importing nodenet from ``path`` (a ``src`` directory)."""
    return Stack(
        f"nodenet@{label}",
        f"nodenet from {path}",
        ("nodenet",),
        worker="nodenet",
        pythonPath=str(Path(path).resolve()),
    )


def unavailable(stack: Stack) -> str | None:
    """Why ``stack`` cannot run here, or ``None``."""
    if stack.pythonPath and not (Path(stack.pythonPath) / "nodenet" / "__init__.py").is_file():
        return f"no nodenet package in {stack.pythonPath}"
    for need in stack.needs:
        if need == "node":
            if shutil.which("node") is None:
                return "node is not installed"
        elif need == "nodenet" and stack.pythonPath:
            continue
        elif importlib.util.find_spec(need) is None:
            return f"the {need} package is not installed"
    return None


_TICKS = os.sysconf("SC_CLK_TCK")


def _machineBusy() -> int:
    """Clock ticks the machine's CPUs spent busy so far (every process and the kernel)."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def _processBusy(pid: int) -> int:
    """Clock ticks process ``pid`` (every thread) spent on a CPU so far; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


class RunError(Exception):
    """A measurement failed: a process died, said something unexpected, or ran out of time."""


class _Child:
    """A server or client process: its stdout lines, the tail of its stderr."""

    def __init__(
        self, label: str, argv: list[str], core: int, passFds: tuple[int, ...], pythonPath: str = ""
    ) -> None:
        self.label = label
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (pythonPath, str(ROOT), env.get("PYTHONPATH", "")) if p
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: deque[str] = deque(maxlen=20)
        cores = {core} if core in os.sched_getaffinity(0) else os.sched_getaffinity(0)
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=passFds,
            env=env,
            cwd=ROOT,
            # Before exec, so that every thread of the program inherits it.
            preexec_fn=lambda: os.sched_setaffinity(0, cores),
        )
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._readErr, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for raw in self.popen.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def _readErr(self) -> None:
        assert self.popen.stderr is not None
        for raw in self.popen.stderr:
            self.stderr.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def expect(self, word: str, deadline: float) -> str:
        """The first stdout line starting with ``word`` (what follows it)."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RunError(f"{self.label}: no {word} in time")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.popen.wait()
                time.sleep(0.05)  # the last stderr lines
                tail = " | ".join(self.stderr)
                raise RunError(f"{self.label} exited ({self.popen.returncode}) before {word}: {tail}")
            if line.startswith(word):
                return line[len(word) :].strip()

    def send(self, line: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(line.encode() + b"\n")
        self.popen.stdin.flush()

    def closeInput(self) -> None:
        try:
            assert self.popen.stdin is not None
            self.popen.stdin.close()
        except OSError:
            pass

    def stop(self, grace: float = 0.0, interrupt: bool = False) -> None:
        """
        Let the process end within ``grace`` seconds, else kill it.

        With ``interrupt``, it gets SIGINT first (a profiler then writes its
        profile) and 10 seconds to end.
        """
        if interrupt and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            grace = max(grace, 10.0)
        if grace > 0:
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


def _argv(
    stack: str, role: str, workload: str, params: dict[str, Any], profile: Path | None = None
) -> list[str]:
    if stack == "node":
        return ["node", str(NODE_SCRIPT), role, workload, json.dumps(params)]
    argv = [sys.executable, "-m", "bench._worker", stack, role, workload, json.dumps(params)]
    if profile is not None:
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        argv = [spy, "record", "--rate", "250", "--nonblocking", "-o", str(profile), "--", *argv]
    return argv


def _listener() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    listener.setblocking(False)
    return listener


def runOne(
    stack: Stack | str,
    workload: str,
    params: dict[str, Any],
    timeout: float,
    profile: Path | None = None,
) -> tuple[dict[str, float], float]:
    """
    Measure ``workload`` once in ``stack``.

    Returns the values the measuring process reported, and the share of the
    machine's CPU time that went to other processes meanwhile (0 on a quiet
    machine).  Raises :class:`RunError` if the measurement fails or takes
    longer than ``timeout`` seconds.  With ``profile`` (a directory), the
    Python processes run under py-spy, which writes a flame graph of each
    (``STACK-ROLE-WORKLOAD.svg``) there; the figures are then slower.
    """
    if isinstance(stack, str):
        stack = Stack(stack, stack)
    impl, pythonPath = stack.impl, stack.pythonPath

    def spied(role: str) -> Path | None:
        return None if profile is None else profile / f"{stack.name}-{role}-{workload}.svg"

    deadline = time.monotonic() + timeout
    cores = len(os.sched_getaffinity(0))
    ownStart = sum(os.times()[:2])
    machineStart, wallStart = _machineBusy(), time.monotonic()
    serverCore, clientCore = (0, 0) if workload == "pingpong-1core" else (0, 1)
    listener = _listener()
    fd, port = listener.fileno(), listener.getsockname()[1]
    server = client = None
    try:
        server = _Child(
            f"{stack.name} server",
            _argv(impl, "server", workload, dict(params, fd=fd), spied("server")),
            serverCore,
            (fd,),
            pythonPath,
        )
        if workload == "connections":
            client = _Child(
                "idle client",
                _argv("idle", "client", workload, {"fd": fd, "port": port, "count": params["count"]}),
                clientCore,
                (fd,),
            )
            server.expect("READY", deadline)
            client.expect("PREFILLED", deadline)
            server.send("go")
            line = server.expect("RESULT", deadline)
        else:
            client = _Child(
                f"{stack.name} client",
                _argv(impl, "client", workload, dict(params, port=port), spied("client")),
                clientCore,
                (),
                pythonPath,
            )
            server.expect("READY", deadline)
            client.expect("READY", deadline)
            client.send("go")
            line = client.expect("RESULT", deadline)
        ours = sum(_processBusy(c.popen.pid) for c in (server, client)) + round(
            (sum(os.times()[:2]) - ownStart) * _TICKS
        )
        machine = _machineBusy() - machineStart
        capacity = (time.monotonic() - wallStart) * _TICKS * cores
        foreign = max(0.0, (machine - ours) / capacity) if capacity > 0 else 0.0
        values = json.loads(line)
        if not isinstance(values, dict):
            raise RunError(f"unexpected result {line!r}")
        return {k: float(v) for k, v in values.items()}, foreign
    finally:
        listener.close()
        profiled = profile is not None
        if workload == "connections":
            if server is not None:
                server.stop(interrupt=profiled)
            if client is not None:
                client.closeInput()
                client.stop(grace=5.0)
        else:
            if client is not None:
                client.stop(grace=5.0)
            if server is not None:
                server.stop(interrupt=profiled)


def _command(args: list[str]) -> str | None:
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _version(module: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return None


def machineFacts() -> dict[str, Any]:
    """What the figures depend on: the machine and the versions of everything measured."""
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = None
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        pass
    spec = importlib.util.find_spec("nodenet")
    origin = Path(spec.origin).resolve().parent if spec is not None and spec.origin else None
    nodenetVersion = _version("nodenet")
    if origin is not None:
        found = re.search(r'^__version__ = "([^"]+)"', (origin / "__init__.py").read_text(), re.M)
        nodenetVersion = found.group(1) if found else nodenetVersion
        if origin.is_relative_to(ROOT):
            origin = origin.relative_to(ROOT)  # the checkout's own src/nodenet
    return {
        "loadAverage": os.getloadavg()[0],
        "cores": os.cpu_count(),
        "usableCores": sorted(os.sched_getaffinity(0)),
        "cpu": model,
        "memoryGiB": round(memory / 2**30, 1) if memory else None,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "twisted": _version("twisted"),
        "uvloop": _version("uvloop"),
        "node": _command(["node", "--version"]),
        "nodenet": nodenetVersion,
        "nodenetPath": str(origin) if origin is not None else None,
        "commit": _command(["git", "rev-parse", "--short", "HEAD"]),
        "srcChanged": bool(_command(["git", "status", "--porcelain", "--", "src"])),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def runSuite(
    stacks: list[Stack],
    workloads: list[str],
    reps: int,
    quick: bool,
    timeout: float,
    progress: Any = None,
    retries: int = 0,
    busy: float = 0.2,
    profile: Path | None = None,
    rounds: int | None = None,
) -> list[dict[str, Any]]:
    """
    Every measurement, repetition by repetition, stacks interleaved; a
    repetition measures each workload in :func:`roundsFor` rounds (``rounds``
    overrides the default of the short workloads), every stack each round.

    A measurement during which other processes took more than ``busy`` of
    the machine's CPU time is taken again, at most ``retries`` times.
    Returns one record per measurement: ``rep``, ``round``, ``workload``, ``stack``,
    ``values`` (or ``error``), ``foreign`` (the CPU share of other
    processes), ``retries`` and ``seconds`` (its wall time, retries
    included).
    """
    runs: list[dict[str, Any]] = []
    for rep in range(reps):
        for workload in workloads:
            params = paramsFor(workload, quick)
            for roundNo in range(roundsFor(workload, quick, rounds)):
                for stack in stacks:
                    runs.append(
                        _measure(stack, workload, params, rep, roundNo, timeout, retries, busy, profile)
                    )
                    if progress is not None:
                        progress(runs[-1])
    return runs


def _measure(
    stack: Stack,
    workload: str,
    params: dict[str, Any],
    rep: int,
    roundNo: int,
    timeout: float,
    retries: int,
    busy: float,
    profile: Path | None,
) -> dict[str, Any]:
    """One measurement's record (see :func:`runSuite`), retaken while disturbed."""
    started = time.monotonic()
    record: dict[str, Any] = {"rep": rep, "round": roundNo, "workload": workload, "stack": stack.name}
    for attempt in range(retries + 1):
        record.pop("error", None)
        try:
            record["values"], foreign = runOne(stack, workload, params, timeout, profile)
        except RunError as e:
            record.pop("values", None)
            record["error"] = str(e)
            break
        record["foreign"] = round(foreign, 3)
        record["retries"] = attempt
        if foreign <= busy:
            break
        time.sleep(1.0)
    record["seconds"] = round(time.monotonic() - started, 2)
    return record
