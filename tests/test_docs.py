"""
The documentation: every code sample runs, and the site builds.

Samples are the fenced code blocks of the Markdown pages under ``docs/``
(directories starting with ``_`` excepted).  ``python`` blocks are programs,
each run by this Python in a fresh process with ``PYTHONPATH=src``, which must
exit with status 0 within a minute; ``pycon`` blocks are doctest sessions.
A MyST comment line right above a block says how to run it:

``% sample: run [requires=MODULE] [setup=certs]``
    The default: run the program (skipped when ``MODULE`` cannot be imported).
    Every mode takes these two options; ``setup=certs`` first writes
    ``key.pem`` and ``cert.pem`` (a self-signed certificate for ``localhost``
    and ``127.0.0.1``, which is also its own CA) into the sample's working
    directory, for TLS samples.
``% sample: trial``
    A test module: trial runs it, and every one of its tests must pass.
``% sample: server name=NAME``
    A program that serves until it is stopped.  It must print a line once it
    listens; it is then stopped with SIGTERM and must exit.
``% sample: client name=NAME``
    Run while a fresh copy of the server sample ``NAME`` runs.  The port
    ``8124`` in both programs is replaced by a free port.
``% sample: continue``
    The rest of the sample above: the two blocks are run as one program.
``% output``
    Above a ``text`` block: what the sample just before prints (line endings
    and trailing blank lines aside).

Other blocks (shell commands, configuration files) are not run.  The
programs of ``examples/`` and their Node versions in ``docs/examples/`` are
run side by side and must say the same bytes to the same client.  When
Sphinx is installed the site is built with ``-W --keep-going``, and every
public name of nodenet must be in its index and have a docstring (modules,
classes, functions, methods, properties) or a ``#:`` doc comment where it
is assigned or declared (attributes, data).
"""

from __future__ import annotations

import ast
import atexit
import importlib
import importlib.util
import inspect
import json
import os
import re
import runpy
import select
import shutil
import signal
import socket as stdsocket
import subprocess
import sys
import tempfile
import textwrap
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SkipTest, SynchronousTestCase

from .ports import freePort

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXTENSIONS = DOCS / "_ext"
TIMEOUT = 60

if str(EXTENSIONS) not in sys.path:
    sys.path.insert(0, str(EXTENSIONS))

import nodenetnames  # noqa: E402
import porting  # noqa: E402

NODE = shutil.which("node")


def environment() -> dict[str, str]:
    """The environment of a sample: nodenet importable from the checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(ROOT / "src"), env.get("PYTHONPATH", "")] if p
    )
    env["PYTHONUNBUFFERED"] = "1"
    return env


def normalized(text: str) -> str:
    """Output as documented: ``\\n`` line endings, no trailing blank lines."""
    return text.replace("\r\n", "\n").rstrip("\n")


# ---------------------------------------------------------------------------
# Finding the samples


@dataclass
class Sample:
    """One code sample of the documentation."""

    page: str
    line: int
    language: str
    mode: str
    source: str
    name: str | None = None
    requires: str | None = None
    expected: str | None = None
    setup: str | None = None

    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^\s`]*)")
_MODES = {"run", "trial", "server", "client", "continue"}
_RUN_LANGUAGES = {"python", "py", "python3", "pycon"}


def parsePage(path: Path, root: Path = DOCS) -> list[Sample]:
    """The samples of one Markdown page, in order."""
    page = path.relative_to(root).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    samples: list[Sample] = []
    directive: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("%"):
            comment = line[1:].strip()
            if comment.startswith("sample:") or comment == "output":
                directive = comment
            index += 1
            continue
        fence = _FENCE.match(line)
        if fence is None:
            if line.strip():
                directive = None
            index += 1
            continue
        marker, language = fence.group(1), fence.group(2).lower()
        start = index + 1
        end = start
        while end < len(lines) and not lines[end].startswith(marker):
            end += 1
        body = "\n".join(lines[start:end]) + "\n"
        index = end + 1
        if directive == "output":
            if not samples:
                raise ValueError(f"docs/{page}:{start}: output with no sample before it")
            samples[-1].expected = body
        elif language in _RUN_LANGUAGES:
            samples.append(makeSample(page, start, language, directive, body))
        elif directive is not None:
            raise ValueError(f"docs/{page}:{start}: '% {directive}' above a {language!r} block")
        directive = None
    return joinContinued(samples)


def makeSample(page: str, line: int, language: str, directive: str | None, body: str) -> Sample:
    """A sample from its block and the ``% sample:`` line above it."""
    words = (directive or "sample: run").removeprefix("sample:").split()
    mode = words[0] if words else "run"
    if mode not in _MODES:
        raise ValueError(f"docs/{page}:{line}: unknown sample mode {mode!r}")
    options = dict(word.split("=", 1) for word in words[1:])
    unknown = set(options) - {"name", "requires", "setup"}
    if unknown:
        raise ValueError(f"docs/{page}:{line}: unknown sample options {sorted(unknown)}")
    if mode in ("server", "client") and "name" not in options:
        raise ValueError(f"docs/{page}:{line}: a {mode} sample needs name=NAME")
    if options.get("setup", "certs") not in SETUPS:
        raise ValueError(f"docs/{page}:{line}: unknown setup {options['setup']!r}")
    return Sample(page, line, "pycon" if language == "pycon" else "python", mode, body,
                  options.get("name"), options.get("requires"), setup=options.get("setup"))


def writeCertificate(directory: Path) -> None:
    """``key.pem`` and ``cert.pem``: a self-signed certificate for localhost and 127.0.0.1."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


#: What ``setup=NAME`` prepares in a sample's working directory.
SETUPS: dict[str, Callable[[Path], None]] = {"certs": writeCertificate}


def joinContinued(samples: list[Sample]) -> list[Sample]:
    """Fold ``continue`` samples into the sample before them."""
    joined: list[Sample] = []
    for sample in samples:
        if sample.mode == "continue":
            if not joined:
                raise ValueError(f"{sample.where()}: nothing to continue")
            joined[-1].source += "\n" + sample.source
            if sample.expected is not None:
                joined[-1].expected = sample.expected
            continue
        joined.append(sample)
    return joined


def allSamples() -> list[Sample]:
    """Every sample of every page."""
    samples: list[Sample] = []
    for path in sorted(DOCS.rglob("*.md")):
        if any(part.startswith("_") for part in path.relative_to(DOCS).parts):
            continue
        samples.extend(parsePage(path))
    return samples


# ---------------------------------------------------------------------------
# Running programs


def runPython(test: SynchronousTestCase, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run this Python with ``args``; fail the test if it does not finish in time."""
    try:
        return subprocess.run(
            [sys.executable, *args], cwd=cwd, env=environment(), capture_output=True,
            text=True, timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as e:
        test.fail(f"{args} did not finish within {TIMEOUT} s: {e.stdout!r} {e.stderr!r}")


class Serving:
    """A server process, stopped (and waited for) at the end of the test."""

    def __init__(self, test: SynchronousTestCase, command: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            command, cwd=cwd, env=environment(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.output = b""
        test.addCleanup(self.stop)

    def firstLine(self, marker: bytes = b"") -> bytes:
        """Wait until the server prints a line (containing ``marker``)."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + TIMEOUT
        while True:
            for line in self.output.splitlines(keepends=True):
                if line.endswith(b"\n") and marker in line:
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line with {marker!r} in time: {self.output!r}")
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    stderr = self.process.stderr.read() if self.process.stderr else b""
                    raise AssertionError(f"the server exited: {self.output!r} {stderr!r}")
                self.output += chunk

    def stop(self) -> int:
        """SIGTERM, then the exit status (SIGKILL after a minute)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return status


def converse(port: int, send: list[bytes]) -> bytes:
    """Connect, send ``send``, end our side, and read until the server closes."""
    with stdsocket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        for chunk in send:
            s.sendall(chunk)
        s.shutdown(stdsocket.SHUT_WR)
        received = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return received
            received += chunk


def serverSample(name: str) -> Sample:
    """The server sample called ``name``."""
    for sample in allSamples():
        if sample.mode == "server" and sample.name == name:
            return sample
    raise AssertionError(f"no server sample named {name!r}")


def checkSample(test: SynchronousTestCase, sample: Sample) -> None:
    """Run one sample as its mode says, and check what it prints."""
    if sample.requires and importlib.util.find_spec(sample.requires) is None:
        raise SkipTest(f"{sample.requires} is not installed")
    work = Path(tempfile.mkdtemp(prefix="docsample-"))
    test.addCleanup(shutil.rmtree, work, True)
    if sample.setup is not None:
        SETUPS[sample.setup](work)
    source = sample.source
    if sample.language == "pycon":
        (work / "session.txt").write_text(source, encoding="utf-8")
        result = runPython(test, ["-c", _DOCTEST, "session.txt"], work)
    elif sample.mode == "trial":
        (work / "test_docsample.py").write_text(source, encoding="utf-8")
        result = runPython(test, ["-m", "twisted.trial", "test_docsample"], work)
        test.assertRegex(result.stdout, r"PASSED \(successes=[1-9]", result.stdout + result.stderr)
    elif sample.mode == "server":
        port = freePort()
        (work / "server.py").write_text(source.replace("8124", str(port)), encoding="utf-8")
        server = Serving(test, [sys.executable, "server.py"], work)
        server.firstLine()
        test.assertIn(server.stop(), (0, -signal.SIGTERM), server.output)
        return
    elif sample.mode == "client":
        port = freePort()
        served = serverSample(sample.name or "")
        if served.setup is not None:
            SETUPS[served.setup](work)
        (work / "server.py").write_text(served.source.replace("8124", str(port)), encoding="utf-8")
        server = Serving(test, [sys.executable, "server.py"], work)
        server.firstLine()
        (work / "client.py").write_text(source.replace("8124", str(port)), encoding="utf-8")
        result = runPython(test, ["client.py"], work)
    else:
        (work / "sample.py").write_text(source, encoding="utf-8")
        result = runPython(test, ["sample.py"], work)
    test.assertEqual(0, result.returncode, f"{sample.where()}\n{result.stdout}\n{result.stderr}")
    if sample.expected is not None:
        test.assertEqual(normalized(sample.expected), normalized(result.stdout), sample.where())


_DOCTEST = (
    "import doctest, sys\n"
    "failed, tried = doctest.testfile(sys.argv[1], module_relative=False,\n"
    "    optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)\n"
    "sys.exit(1 if failed or not tried else 0)\n"
)


class DocSampleTests(SynchronousTestCase):
    """Every sample of the documentation runs (one test per sample, added below)."""

    def test_samplesFound(self) -> None:
        """The pages have samples of every kind, and every client has its server."""
        samples = allSamples()
        self.assertTrue({"run", "trial", "server", "client"} <= {s.mode for s in samples})
        self.assertIn("pycon", {s.language for s in samples})
        servers = {s.name for s in samples if s.mode == "server"}
        self.assertEqual(set(), {s.name for s in samples if s.mode == "client"} - servers)

    def test_outputNeedsASample(self) -> None:
        """An output block with no sample before it, or an unknown mode, is an error."""
        page = Path(self.mktemp())
        page.mkdir()
        (page / "a.md").write_text("% output\n```text\nx\n```\n")
        (page / "b.md").write_text("% sample: srv\n```python\npass\n```\n")
        (page / "c.md").write_text("% sample: client\n```python\npass\n```\n")
        for name in ("a.md", "b.md", "c.md"):
            self.assertRaises(ValueError, parsePage, page / name, page)

    def test_parsesModesAndOutput(self) -> None:
        """A page's samples come with their modes, options, and expected output."""
        page = Path(self.mktemp())
        page.mkdir()
        (page / "c.md").write_text(
            "Text.\n\n```python\nprint(1)\n```\n\n% sample: continue\n```python\nprint(2)\n```\n"
            "\n% output\n```text\n1\n2\n```\n\n% sample: client name=x requires=uvloop setup=certs\n"
            "```python\npass\n```\n\n```sh\nls\n```\n\n```pycon\n>>> 1\n1\n```\n"
        )
        found = [
            (s.line, s.language, s.mode, s.source, s.name, s.requires, s.expected, s.setup)
            for s in parsePage(page / "c.md", page)
        ]
        self.assertEqual(
            [
                (3, "python", "run", "print(1)\n\nprint(2)\n", None, None, "1\n2\n", None),
                (19, "python", "client", "pass\n", "x", "uvloop", None, "certs"),
                (27, "pycon", "run", ">>> 1\n1\n", None, None, None, None),
            ],
            found,
        )


def _addSampleTests() -> None:
    for sample in allSamples():
        stem = re.sub(r"\W", "_", sample.page.removesuffix(".md"))
        name = f"test_{stem}_line{sample.line}"

        def test(self: SynchronousTestCase, sample: Sample = sample) -> None:
            checkSample(self, sample)

        test.__name__ = name
        test.__doc__ = f"The {sample.mode} sample at {sample.where()} runs as documented."
        setattr(DocSampleTests, name, test)


_addSampleTests()


# ---------------------------------------------------------------------------
# The examples, in Python and in JavaScript


class ExampleParityTests(SynchronousTestCase):
    """The programs of ``examples/`` say what their Node versions in ``docs/examples/`` say."""

    def setUp(self) -> None:
        if NODE is None:
            raise SkipTest("node is not installed")

    def serve(self, name: str, extra: list[str] | None = None) -> list[int]:
        """Start the Python and the Node version of a server; their ports."""
        ports = [freePort(), freePort()]
        commands = [
            [sys.executable, str(ROOT / "examples" / f"{name}.py")],
            [str(NODE), str(DOCS / "examples" / f"{name}.js")],
        ]
        for command, port in zip(commands, ports, strict=True):
            Serving(self, [*command, str(port), *(extra or [])], ROOT).firstLine(b"listening")
        return ports

    def assertSameConversation(self, name: str, send: list[bytes], expected: bytes,
                               extra: list[str] | None = None) -> None:
        """Both versions of a server answer ``send`` with ``expected``."""
        ports = self.serve(name, extra)
        self.assertEqual([expected, expected], [converse(port, send) for port in ports])

    def test_echoServer(self) -> None:
        """Both echo servers greet, echo, and say goodbye."""
        self.assertSameConversation("echo_server", [b"ping\r\n"], b"hello\r\nping\r\ngoodbye\r\n")

    def test_helloServer(self) -> None:
        """Both hello servers greet and pipe the connection back."""
        self.assertSameConversation("hello_server", [b"ping\r\n"], b"Hello World!\r\nping\r\n")

    def test_bizServer(self) -> None:
        """Both servers answer each line after their work, and end after the client."""
        self.assertSameConversation(
            "biz_server", [b"hello\n", b"world\r\n"],
            b"processed: HELLO\r\nprocessed: WORLD\r\n", ["20"],
        )

    def test_helloClient(self) -> None:
        """Both clients print the same conversation with either server."""
        ports = self.serve("hello_server")
        clients = [
            [sys.executable, str(ROOT / "examples" / "hello_client.py")],
            [str(NODE), str(DOCS / "examples" / "hello_client.js")],
        ]
        outputs = [
            subprocess.run([*client, str(port)], env=environment(), capture_output=True,
                           timeout=TIMEOUT).stdout
            for port in ports
            for client in clients
        ]
        self.assertEqual([b"Hello World!\r\nping\r\n[server ended]\n"] * 4, outputs)


# ---------------------------------------------------------------------------
# The porting guide


_NODE_NAMES = r"""
const net = require('net'), tls = require('tls'), stream = require('stream');
const EventEmitter = require('events');
const own = (C) => Reflect.ownKeys(C.prototype).map(
  (k) => (typeof k === 'symbol' ? `[${k.description}]` : k));
console.log(JSON.stringify({
  'net': Object.keys(net),
  'tls': Object.keys(tls),
  'net.Socket': [net.Socket, stream.Readable, stream.Writable, stream.Duplex, stream.Stream]
    .flatMap(own),
  'net.Server': own(net.Server),
  'net.BlockList': own(net.BlockList),
  'net.SocketAddress': own(net.SocketAddress),
  'tls.TLSSocket': own(tls.TLSSocket),
  'tls.Server': own(tls.Server),
  'EventEmitter': own(EventEmitter),
}));
"""

#: Node's internal symbols and properties, which have no counterpart by design.
_INTERNAL = re.compile(r"^(_.*|constructor|\[k[A-Z].*\]|\[messaging_.*\]|\[nodejs\.util\..*\])$")


def portingNames() -> dict[str, set[str]]:
    """The Node names of the porting guide: member names, and ``event:NAME``, per Node class."""
    names: dict[str, set[str]] = {}
    for section in porting.SECTIONS:
        for row in section.rows:
            key = f"event:{row.name}" if row.kind == "event" else row.name
            names.setdefault(section.nodeclass, set()).add(key)
    return names


def nodeDocs() -> Path | None:
    """Node's API documentation in Markdown, where the installation has it."""
    candidates = [Path("/usr/share/doc/nodejs/api")]
    if NODE is not None:
        prefix = Path(os.path.realpath(NODE)).parent.parent
        candidates += [prefix / "share" / "doc" / "node" / "api", prefix / "share/doc/nodejs/api"]
    for candidate in candidates:
        if (candidate / "net.md").exists() and (candidate / "tls.md").exists():
            return candidate
    return None


class PortingTableTests(SynchronousTestCase):
    """The porting guide lists every API of Node v20's ``net`` and ``tls``, truthfully."""

    def test_everyNodeNameListed(self) -> None:
        """Every name node v20 exports from net and tls, and their classes' members, has a row."""
        if NODE is None:
            raise SkipTest("node is not installed")
        result = subprocess.run([NODE, "-e", _NODE_NAMES], capture_output=True, text=True,
                                timeout=TIMEOUT, check=True)
        exported: dict[str, list[str]] = json.loads(result.stdout)
        emitter = set(exported.pop("EventEmitter"))
        listed = portingNames()
        missing: dict[str, list[str]] = {}
        for nodeclass, members in [*exported.items(), ("EventEmitter", sorted(emitter))]:
            if nodeclass == "net.Socket":
                members = [m for m in members if m not in emitter]
            for member in members:
                member = member.replace("[nodejs.asyncDispose]", "[Symbol.asyncDispose]")
                if _INTERNAL.match(member) or member == "[nodejs.rejection]":
                    continue
                if member not in listed.get(nodeclass, set()):
                    missing.setdefault(nodeclass, []).append(member)
        self.assertEqual({}, missing)
        self.assertTrue(any("nodejs.rejection" in row.node for row in porting.section("events").rows))

    def test_everyDocumentedEventListed(self) -> None:
        """Every event Node's net, tls and stream pages document has a row."""
        docs = nodeDocs()
        if docs is None:
            raise SkipTest("Node's API documentation (net.md) is not installed")
        classes = {
            "net.Socket": "net.Socket", "net.Server": "net.Server",
            "stream.Readable": "net.Socket", "stream.Writable": "net.Socket",
            "tls.Server": "tls.Server", "tls.TLSSocket": "tls.TLSSocket",
        }
        listed = portingNames()
        missing = []
        for page in ("net.md", "tls.md", "stream.md"):
            current = None
            for line in (docs / page).read_text(encoding="utf-8").splitlines():
                heading = re.match(r"^#{2,4} Class: `([\w.]+)`", line)
                if heading:
                    current = classes.get(heading.group(1))
                    continue
                event = re.match(r"^#{3,5} Event: `'(\w+)'`", line)
                if event and current and f"event:{event.group(1)}" not in listed[current]:
                    missing.append(f"{current} '{event.group(1)}'")
        self.assertEqual([], missing)

    def test_claimsHold(self) -> None:
        """Rows whose support is stated, not looked up, name things that exist."""
        for section in porting.SECTIONS:
            for row in section.rows:
                if row.supported is True:
                    self.assertTrue(porting.isSupported(section, row), (section.id, row.node))
                if row.target is None or not porting.isSupported(section, row):
                    reason = porting.reasonNotSupported(section, row)
                    self.assertTrue(reason, f"{section.id} {row.node}: no reason")

    def test_unsupportedRowsAreAbsent(self) -> None:
        """A member shown as not supported really does not exist in nodenet."""
        for section in porting.SECTIONS:
            for row in section.rows:
                if row.kind == "member" and row.target and row.supported is None:
                    exists = nodenetnames.resolve(row.target) is not nodenetnames.MISSING
                    self.assertEqual(exists, porting.isSupported(section, row), row.target)

    def test_pipeEvents(self) -> None:
        """'pipe' and 'unpipe' (listed as supported) reach the destination with the source."""
        from nodenet.testing import EventLog, flush, socketPair

        clock = Clock()
        source, peer = socketPair(clock)
        destination, other = socketPair(clock)
        log = EventLog(destination, ["pipe", "unpipe"])
        source.pipe(destination)
        source.unpipe(destination)
        self.assertEqual([("pipe", (source,)), ("unpipe", (source,))], log.events)
        for s in (source, peer, destination, other):
            s.destroy()
        flush(clock)


# ---------------------------------------------------------------------------
# Files that must agree


class AgreementTests(SynchronousTestCase):
    """Generated and repeated content matches its source."""

    def test_inventories(self) -> None:
        """The offline intersphinx inventories are what make_inventories.py writes."""
        spec = importlib.util.spec_from_file_location(
            "make_inventories", DOCS / "_inventories" / "make_inventories.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for filename, content in module.build().items():
            self.assertEqual(content, (DOCS / "_inventories" / filename).read_bytes(), filename)

    def test_exampleNodeVersionsExist(self) -> None:
        """Every program of examples/ has its Node version, shown on the examples page."""
        page = (DOCS / "examples.md").read_text(encoding="utf-8")
        for program in sorted((ROOT / "examples").glob("*.py")):
            self.assertTrue((DOCS / "examples" / f"{program.stem}.js").exists(), program.name)
            self.assertIn(f"../examples/{program.name}", page)
            self.assertIn(f"examples/{program.stem}.js", page)


# ---------------------------------------------------------------------------
# Docstrings and doc comments


def _analyzer(modname: str) -> Any:
    """Sphinx's reading of a module's source: its ``#:`` doc comments among the rest."""
    from sphinx.pycode import ModuleAnalyzer

    analyzer = ModuleAnalyzer.for_module(modname)
    analyzer.analyze()
    return analyzer


def selfAssigned(cls: type) -> set[str]:
    """The attributes the methods of ``cls`` set on the instance (``self.x = ...``)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return set()
    body = tree.body[0]
    assert isinstance(body, ast.ClassDef)
    names: set[str] = set()
    for function in body.body:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        decorators = {d.id for d in function.decorator_list if isinstance(d, ast.Name)}
        if decorators & {"staticmethod", "classmethod"} or not function.args.args:
            continue
        me = function.args.args[0].arg
        for node in ast.walk(function):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                targets = [node.target]
            for target in targets:
                for each in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if (isinstance(each, ast.Attribute) and isinstance(each.value, ast.Name)
                            and each.value.id == me):
                        names.add(each.attr)
    return names


def declaredMembers(cls: type) -> set[str]:
    """The public members ``cls`` declares: class attributes, annotations, instance attributes."""
    names = {n for n, v in vars(cls).items() if not isinstance(v, type)}
    names |= set(vars(cls).get("__annotations__", {}))
    names |= selfAssigned(cls)
    names |= set(nodenetnames.newInstanceAttributes(cls))
    return {n for n in names if nodenetnames.isPublicMember(n)}


def undocumentedMembers(cls: type) -> list[str]:
    """
    The public members of ``cls`` with neither a docstring nor a ``#:`` doc comment.

    Methods and properties need a docstring; attributes a doc comment where
    ``cls`` assigns or declares them.  Attributes that a documented nodenet
    base class already has are documented there.
    """
    inherited: set[str] = set()
    paths = nodenetnames.documentedPaths()
    for base in cls.__mro__[1:]:
        if base.__module__.split(".")[0] == "nodenet" and id(base) in paths:
            inherited |= declaredMembers(base) | set(dir(base))
    attrDocs = _analyzer(cls.__module__).attr_docs
    missing = []
    for name in sorted(declaredMembers(cls)):
        value = vars(cls).get(name)
        if name not in vars(cls) and name in inherited:
            continue
        if isinstance(value, property):
            documented = bool((value.__doc__ or "").strip())
        elif isinstance(value, (staticmethod, classmethod)) or inspect.isfunction(value):
            documented = bool(inspect.getdoc(getattr(cls, name)))
        else:
            documented = (cls.__qualname__, name) in attrDocs
        if not documented:
            missing.append(name)
    return missing


def dataDocumented(modname: str, name: str, value: object) -> bool:
    """Whether module data has a doc comment, where it is assigned or where it is imported from."""
    homes = [modname] + [
        m for m, module in sorted(sys.modules.items())
        if m.startswith("nodenet._") and getattr(module, name, None) is value
    ]
    return any(("", name) in _analyzer(home).attr_docs for home in homes)


def undocumentedNames() -> list[str]:
    """Every public name of nodenet (modules, their ``__all__``, class members) without docs."""
    paths = nodenetnames.documentedPaths()
    missing = []
    for modname in nodenetnames.publicModules():
        module = importlib.import_module(modname)
        if not (module.__doc__ or "").strip():
            missing.append(modname)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            full = f"{modname}.{name}"
            if inspect.ismodule(obj):
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                if paths.get(id(obj)) != full:
                    continue  # documented in full under another name
                if not (obj.__doc__ or "").strip():
                    missing.append(full)
                if inspect.isclass(obj):
                    missing += [f"{full}.{m}" for m in undocumentedMembers(obj)]
            elif callable(obj):
                if not (getattr(obj, "__doc__", None) or "").strip():
                    missing.append(full)
            elif not dataDocumented(modname, name, obj):
                missing.append(full)
    return missing


_UNDOCUMENTED_SAMPLE = '''
class Sample:
    """A class."""

    #: Documented.
    documented = 1
    undocumented = 2
    annotated: int

    def __init__(self) -> None:
        #: Documented.
        self.fine = 1
        self.bare, self._private = 2, 3

    @property
    def prop(self) -> int:
        return 1

    def method(self) -> None:
        pass

    def documentedMethod(self) -> None:
        """Documented."""
'''


class DocstringTests(SynchronousTestCase):
    """Every public name has a docstring or a ``#:`` doc comment, so the reference says what it is."""

    def setUp(self) -> None:
        if importlib.util.find_spec("sphinx") is None:
            raise SkipTest("sphinx is not installed (pip install -e '.[docs]')")

    def test_findsUndocumentedMembers(self) -> None:
        """Members without a docstring or doc comment are found, documented ones are not."""
        directory = Path(self.mktemp())
        directory.mkdir()
        (directory / "nodenet_docsample.py").write_text(_UNDOCUMENTED_SAMPLE, encoding="utf-8")
        sys.path.insert(0, str(directory))
        self.addCleanup(sys.path.remove, str(directory))
        self.addCleanup(sys.modules.pop, "nodenet_docsample", None)
        module = importlib.import_module("nodenet_docsample")
        self.assertEqual(
            ["annotated", "bare", "method", "prop", "undocumented"],
            undocumentedMembers(module.Sample),
        )

    def test_everyPublicNameHasDocs(self) -> None:
        """Every public module, name and class member of nodenet has its documentation."""
        self.assertEqual([], undocumentedNames())


# ---------------------------------------------------------------------------
# The site


_site: dict[str, Any] = {}


def buildSite() -> dict[str, Any]:
    """Build the site once (``sphinx-build -W --keep-going``): its status, output and index."""
    if not _site:
        out = Path(tempfile.mkdtemp(prefix="nodenet-docs-"))
        atexit.register(shutil.rmtree, out, True)
        result = subprocess.run(
            [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
             str(DOCS), str(out / "html")],
            cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=600,
        )
        _site.update(status=result.returncode, output=result.stdout + result.stderr, out=out)
        inventory = out / "html" / "objects.inv"
        _site["names"] = readInventory(inventory) if inventory.exists() else set()
    return _site


def readInventory(path: Path) -> set[str]:
    """The ``py`` names of a Sphinx inventory."""
    data = path.read_bytes()
    body = zlib.decompress(data.split(b"\n", 4)[4]).decode("utf-8")
    names = set()
    for line in body.splitlines():
        match = re.match(r"(.+?)\s+(py:\w+)\s+-?\d+\s", line)
        if match:
            names.add(match.group(1))
    return names


def publicNames() -> list[str]:
    """Every public name of nodenet, as the reference must list it."""
    paths = nodenetnames.documentedPaths()
    names: list[str] = []
    for modname in nodenetnames.publicModules():
        module = importlib.import_module(modname)
        names.append(modname)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                continue
            names.append(f"{modname}.{name}")
            if inspect.isclass(obj) and paths.get(id(obj)) == f"{modname}.{name}":
                names += [f"{modname}.{name}.{m}" for m in classMembers(obj)]
    return names


def classMembers(cls: type) -> list[str]:
    """The public members a class adds: its own attributes and its instances' new ones."""
    members = {
        n for n, v in vars(cls).items() if nodenetnames.isPublicMember(n) and not isinstance(v, type)
    }
    return sorted(members | set(nodenetnames.newInstanceAttributes(cls)))


class SiteTests(SynchronousTestCase):
    """The site builds without a warning and covers every public name."""

    def setUp(self) -> None:
        for module in ("sphinx", "myst_parser"):
            if importlib.util.find_spec(module) is None:
                raise SkipTest(
                    f"{module} is not installed (pip install -e '.[docs]' to build the site)"
                )

    def test_builds(self) -> None:
        """sphinx-build -W --keep-going succeeds and says nothing."""
        site = buildSite()
        self.assertEqual((0, ""), (site["status"], site["output"].strip()), site["output"])

    def test_everyPublicNameDocumented(self) -> None:
        """Every public module, name, and class member is in the site's index."""
        site = buildSite()
        self.assertEqual([], [n for n in publicNames() if n not in site["names"]])

    def test_everyPageBuilt(self) -> None:
        """Every page of docs/ became a page of the site."""
        html = buildSite()["out"] / "html"
        excluded = runpy.run_path(str(DOCS / "conf.py"))["exclude_patterns"]
        pages = [
            p.relative_to(DOCS).with_suffix(".html")
            for p in [*DOCS.rglob("*.md"), *DOCS.rglob("*.rst")]
            if not any(part.startswith("_") for part in p.relative_to(DOCS).parts)
            and p.relative_to(DOCS).as_posix() not in excluded
        ]
        self.assertEqual([], [str(p) for p in pages if not (html / p).exists()])
