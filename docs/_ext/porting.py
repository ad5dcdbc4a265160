"""
The porting guide's data: every ``net``/``tls`` API of Node v20, its nodenet spelling.

Each :class:`Row` names one Node API (as Node's documentation writes it)
and the nodenet object that provides it (``target``).  Whether a row is
*supported* is not written here: :func:`isSupported` looks the target up in
the installed library, so a name nodenet does not have is shown as not
supported, and the table follows the library as it grows.  Rows whose
support cannot be seen by looking a name up (options, events) say so
explicitly (checked by reading the code and, for events, by running it).

This module is used by the Sphinx extension (:mod:`nodenetdocs`) and by
``tests/test_docs.py``, which also checks, by running ``node``, that every
name Node v20 exports appears here.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from typing import Any

from nodenetnames import MISSING, documentedTarget, resolve

DIFF = ":ref:`differs <{}>`"


@dataclass
class Row:
    """One Node API and its nodenet counterpart."""

    #: The API as Node's documentation writes it (``socket.setNoDelay([noDelay])``).
    node: str
    #: ``"member"``, ``"event"``, ``"option"`` or ``"other"``.
    kind: str = "member"
    #: The dotted nodenet name that provides it (``None``: nothing does).
    target: str | None = None
    #: How it is written with nodenet; by default the same as :attr:`node`.
    spelling: str | None = None
    #: A remark shown with the status (reStructuredText).
    note: str = ""
    #: Why it is not supported, shown when it is not (reStructuredText).
    why: str = ""
    #: ``True``/``False`` where looking the target up cannot tell.
    supported: bool | None = None
    #: A name that must also exist for the row to be supported.
    requires: str | None = None
    #: Events: the listener's arguments (reStructuredText, one per item).
    args: list[str] = field(default_factory=list)
    #: Events: what the event means (reStructuredText).
    doc: str = ""

    @property
    def name(self) -> str:
        """The Node name this row documents (``setNoDelay``, ``data``, ``net.connect``)."""
        if self.kind in ("event", "option"):
            return self.node
        text = self.node
        if text.startswith("new "):
            return text[4:].split("(")[0]
        match = re.match(r"[\w$]+(?:\.([\w$]+)|(\[[\w.]+\]))", text)
        if match is None:
            return text
        return match.group(1) or match.group(2)


@dataclass
class Section:
    """One table: the API of one Node module or class."""

    #: Identifier used by ``.. porting-table::`` (``net.Socket``).
    id: str
    #: The Node class or module whose names the rows are (for the completeness check).
    nodeclass: str
    #: The nodenet class or module that provides them (``nodenet.Socket``).
    pyclass: str
    #: How an instance is called in the spellings (``socket``).
    instance: str
    rows: list[Row] = field(default_factory=list)
    #: The heading of the Node column.
    heading: str = "Node v20"

    def member(self, node: str, target: str | None = "", **kwargs: Any) -> None:
        """A method or property; the target defaults to the same name on :attr:`pyclass`."""
        row = Row(node, "member", **kwargs)
        if target == "":
            target = f"{self.pyclass}.{row.name}"
        row.target = target
        self.rows.append(row)

    def event(self, name: str, *args: str, doc: str = "", **kwargs: Any) -> None:
        """An event of :attr:`pyclass`."""
        self.rows.append(Row(name, "event", target=self.pyclass, args=list(args), doc=doc, **kwargs))

    def option(self, name: str, supported: bool, note: str = "", target: str | None = None) -> None:
        """An option key (of a constructor, ``connect()``, ``listen()``...)."""
        self.rows.append(
            Row(name, "option", target=target or self.pyclass, supported=supported, note=note,
                why=note if not supported else "")
        )


SECTIONS: list[Section] = []


def _section(*args: str) -> Section:
    section = Section(*args)
    SECTIONS.append(section)
    return section


def section(id: str) -> Section:
    """The section called ``id``."""
    for candidate in SECTIONS:
        if candidate.id == id:
            return candidate
    raise KeyError(f"no porting section {id!r}")


# ---------------------------------------------------------------------------
# Looking names up


def _eventSupported(section: Section, row: Row, cls: Any) -> bool:
    if row.supported is not None:
        return row.supported
    testing = importlib.import_module("nodenet.testing")
    lists = {
        "nodenet.Socket": testing.SOCKET_EVENTS,
        "nodenet.Server": testing.SERVER_EVENTS,
    }
    if row.target in lists:
        return row.name in lists[row.target]
    for base, names in lists.items():
        baseClass = resolve(base)
        if inspect.isclass(cls) and issubclass(cls, baseClass) and row.name in names:
            return True
    doc = inspect.getdoc(cls) or ""
    return f"``{row.name}``" in doc or f"'{row.name}'" in doc


NOT_IN_TLS = "not provided by ``nodenet.tls``"


def isSupported(section: Section, row: Row) -> bool:
    """Whether nodenet provides ``row``: its target (and what it requires) exists."""
    if row.target is None:
        return False
    obj = resolve(row.target)
    if obj is MISSING:
        return False
    if row.requires is not None and resolve(row.requires) is MISSING:
        return False
    if row.kind == "event":
        return _eventSupported(section, row, obj)
    return row.supported if row.supported is not None else True


def eventLabel(owner: str, event: str) -> str:
    """The reference label of an event's entry in the API reference."""
    return f"event-{owner}-{event}".lower()


def eventsOf(pyclass: str) -> list[Row]:
    """The supported events of a nodenet class, as the API reference lists them."""
    found: list[Row] = []
    cls = resolve(pyclass)
    for candidate in SECTIONS:
        for row in candidate.rows:
            if row.kind != "event" or row.target is None or resolve(row.target) is not cls:
                continue
            if row.doc and isSupported(candidate, row):
                if row.name not in [r.name for r in found]:
                    found.append(row)
    return found


def _literal(text: str) -> str:
    return "``" + text.replace("`", "\\`") + "``"


def nodeCell(section: Section, row: Row) -> str:
    """The Node column."""
    if row.kind == "event":
        return f"Event: {_literal(repr(row.node))}"
    if row.kind == "option":
        return f"option {_literal(row.node)}"
    return _literal(row.node)


def nodenetCell(section: Section, row: Row) -> str:
    """The nodenet column, linked to the API reference."""
    assert row.target is not None
    if row.kind == "event":
        shown = f"'{row.node}'"
        if row.args:
            shown += " (" + ", ".join(a.split("``")[1] for a in row.args if "``" in a) + ")"
        return f":ref:`{shown} <{eventLabel(documentedTarget(row.target), row.node)}>`"
    target = documentedTarget(row.target)
    if row.kind == "option":
        return f":py:obj:`{row.node} <{target}>`"
    return f":py:obj:`{row.spelling or row.node} <{target}>`"


def statusCell(section: Section, row: Row, supported: bool) -> str:
    """The status column: supported or not, with the row's remark."""
    if supported:
        return "supported" + (f"; {row.note}" if row.note else "")
    reason = reasonNotSupported(section, row)
    return "**not supported**" + (f"; {reason}" if reason else "")


def reasonNotSupported(section: Section, row: Row) -> str:
    """Why a row is not supported (TLS rows have a default)."""
    if row.why or row.note:
        return row.why or row.note
    if section.id.startswith("tls"):
        return NOT_IN_TLS
    return ""


# ---------------------------------------------------------------------------
# The data.  Spellings are Node's, so most rows need nothing but the name.

NO_CLUSTER = "nodenet has no ``cluster`` module"
NO_ABORT = "Python has no ``AbortSignal``; call ``close()``/``destroy()``"
FLOWING = (
    "a socket delivers data through ``'data'`` or ``async for``; there is no "
    "paused-mode ``read()``"
)
HELPERS = "Node's experimental stream helpers; iterate with ``async for chunk in socket``"

net = _section("net", "net", "nodenet", "net")
net.member("require('net')", "nodenet", spelling="import nodenet as net",
           note="also ``from nodenet import net``")
net.member("net.connect()", spelling="net.connect()",
           note="every form: ``(port[, host][, listener])``, ``(path[, listener])``, "
           "``(options[, listener])``, or keyword options")
net.member("net.createConnection()", spelling="net.createConnection()",
           note="the same function as ``net.connect()``")
net.member("net.createServer([options][, connectionListener])",
           spelling="net.createServer([options][, connectionListener])",
           note="options as a ``dict`` or keywords")
net.member("net.getDefaultAutoSelectFamily()")
net.member("net.setDefaultAutoSelectFamily(value)")
net.member("net.getDefaultAutoSelectFamilyAttemptTimeout()")
net.member("net.setDefaultAutoSelectFamilyAttemptTimeout(value)")
net.member("net.isIP(input)", note=DIFF.format("diff-isip") + " for non-strings")
net.member("net.isIPv4(input)")
net.member("net.isIPv6(input)")
net.member("net.Server")
net.member("net.Socket")
net.member("net.Stream", note="the legacy name, the same class as ``net.Socket``")
net.member("net.BlockList", why="no address block lists")
net.member("net.SocketAddress", why="addresses are ``dict``\\ s, as ``address()`` returns them")

blocklist = _section("net.BlockList", "net.BlockList", "nodenet.BlockList", "blockList")
for _name in ("blockList.addAddress(address[, type])", "blockList.addRange(start, end[, type])",
              "blockList.addSubnet(net, prefix[, type])", "blockList.check(address[, type])",
              "blockList.rules"):
    blocklist.member(_name, why="no ``net.BlockList``")

socketaddress = _section("net.SocketAddress", "net.SocketAddress", "nodenet.SocketAddress",
                         "socketaddress")
for _name in ("new net.SocketAddress([options])", "socketaddress.address", "socketaddress.family",
              "socketaddress.flowlabel", "socketaddress.port", "socketaddress.toJSON()"):
    socketaddress.member(_name, why="no ``net.SocketAddress``")
socketaddress.rows[0].target = "nodenet.SocketAddress"

server = _section("net.Server", "net.Server", "nodenet.Server", "server")
server.member("new net.Server([options][, connectionListener])", "nodenet.Server",
              spelling="net.Server([options][, connectionListener], *, reactor=None)")
server.event(
    "close",
    doc="The server stopped listening (after ``close()``) and its last connection is gone.",
)
server.event(
    "connection", "``socket`` :class:`~nodenet.Socket`: the accepted connection.",
    doc="A client connected.  The socket is open, and paused if the server has "
    "``pauseOnConnect``.",
)
server.event(
    "error", "``err`` the error (``EADDRINUSE``, ``EACCES``, ...).",
    doc="Listening failed.  Unlike a socket's, a server's ``'error'`` is not followed by "
    "``'close'``.",
)
server.event("listening", doc="``listen()`` succeeded: ``address()`` now has the address.")
server.event(
    "drop",
    "``data`` a ``dict`` with ``localAddress``, ``localPort``, ``localFamily``, "
    "``remoteAddress``, ``remotePort``, ``remoteFamily``.",
    doc="A connection was refused (closed at once) because ``maxConnections`` was reached.",
)
server.member("server.address()")
server.member("server.close([callback])")
server.member("server[Symbol.asyncDispose]()", "nodenet.Server.__aexit__",
              spelling="async with server:", why="call ``close()``")
server.member("server.getConnections(callback)")
server.member("server.listen(handle[, backlog][, callback])", "nodenet.Server.listen",
              note="a handle is a listening ``socket.socket``, another ``Server``, or "
              "``{'fd': n}``")
server.member("server.listen(options[, callback])", "nodenet.Server.listen",
              note="options as a ``dict`` or keywords")
server.member("server.listen(path[, backlog][, callback])", "nodenet.Server.listen")
server.member("server.listen([port[, host[, backlog]]][, callback])", "nodenet.Server.listen")
server.member("server.listening")
server.member("server.maxConnections", note="settable; ``None`` means no limit")
server.member("server.ref()", note="matters only under ``net.run()``")
server.member("server.unref()", note="matters only under ``net.run()``")
for _name in ("allowHalfOpen", "pauseOnConnect", "noDelay", "keepAlive", "keepAliveInitialDelay",
              "highWaterMark"):
    server.member(f"server.{_name}", note="the option of the same name")

serverOptions = _section("net.Server options", "net.Server options", "nodenet.createServer",
                         "options")
serverOptions.option("allowHalfOpen", True)
serverOptions.option("highWaterMark", True, "a fraction, NaN or Infinity raises Node's "
                     "``ERR_INVALID_ARG_VALUE`` from ``createServer()``; Node takes it and "
                     "throws that at the first accept, ending the process")
serverOptions.option("keepAlive", True)
serverOptions.option("keepAliveInitialDelay", True, "milliseconds, applied in whole seconds")
serverOptions.option("noDelay", True)
serverOptions.option("pauseOnConnect", True)

listenOptions = _section("listen options", "listen options", "nodenet.Server.listen", "options")
listenOptions.option("port", True)
listenOptions.option("host", True)
listenOptions.option("path", True, "unix sockets; a leading ``'\\0'`` is Linux's abstract namespace")
listenOptions.option("backlog", True)
listenOptions.option("exclusive", False, NO_CLUSTER + ", so every listen is exclusive")
listenOptions.option("ipv6Only", True)
listenOptions.option("readableAll", True)
listenOptions.option("writableAll", True)
listenOptions.option("signal", False, NO_ABORT)
listenOptions.option("fd", True, "also the legacy ``server.listenFD(fd)``")

socket = _section("net.Socket", "net.Socket", "nodenet.Socket", "socket")
socket.member("new net.Socket([options])", "nodenet.Socket",
              spelling="net.Socket([options], *, reactor=None)")
socket.event(
    "close", "``hadError`` ``True`` if the socket was closed by an error.",
    note=DIFF.format("diff-close"),
    doc="The socket is fully closed; nothing more will happen on it.  nodenet always "
    "passes ``hadError``, also where Node passes nothing (a socket that never connected).",
)
socket.event(
    "connect",
    doc="The connection is established (``'ready'`` follows at once).  "
    "``connect()``'s callback is a listener of this event.",
)
socket.event(
    "connectionAttempt",
    "``ip`` the address being tried (the path, for a unix socket).",
    "``port`` its port.", "``family`` ``4`` or ``6``.",
    doc="A connection attempt to one address starts; with ``autoSelectFamily`` there is one "
    "per address tried.",
)
socket.event(
    "connectionAttemptFailed",
    "``ip`` the address tried.", "``port`` its port.", "``family`` ``4`` or ``6``.",
    "``error`` why it failed.",
    doc="One address failed; with ``autoSelectFamily`` the next one is tried.",
)
socket.event(
    "connectionAttemptTimeout",
    "``ip`` the address tried.", "``port`` its port.", "``family`` ``4`` or ``6``.",
    doc="An attempt took longer than ``autoSelectFamilyAttemptTimeout``; the next "
    "address is tried (only with ``autoSelectFamily``).",
)
socket.event(
    "data", "``chunk`` ``bytes``, or ``str`` after ``setEncoding()``.",
    doc="Data arrived.  Data that arrives with no ``'data'`` listener (and no pipe or "
    "``async for``) is lost, as in Node.",
)
socket.event("drain", doc="The write queue is empty again after ``write()`` returned ``False``.")
socket.event(
    "end",
    doc="The peer ended its side (its FIN arrived, after all its data).  Unless "
    "``allowHalfOpen`` is set, the socket ends its own side one tick later.",
)
socket.event(
    "error", "``err`` the error, an :class:`OSError` subclass with Node's fields.",
    doc="Something failed (connecting, reading, writing); ``'close'`` with ``hadError`` "
    "``True`` follows.",
)
socket.event(
    "lookup", "``err`` the lookup error, or ``None``.", "``address`` the address found.",
    "``family`` ``4`` or ``6``.", "``host`` the name looked up.",
    doc="A host name was resolved, before connecting (not for IP addresses or unix paths).",
)
socket.event("ready", doc="The socket can be used; emitted right after ``'connect'``.")
socket.event(
    "timeout",
    doc="The socket has been idle for the time given to ``setTimeout()``.  It stays open: "
    "call ``end()`` or ``destroy()`` if that is what you want.",
)
socket.member("socket.address()")
socket.member("socket.autoSelectFamilyAttemptedAddresses")
socket.member("socket.bufferSize", note="deprecated in Node; ``writableLength``")
socket.member("socket.bytesRead")
socket.member("socket.bytesWritten")
socket.member("socket.connect(options[, connectListener])", "nodenet.Socket.connect",
              note="options as a ``dict`` or keywords")
socket.member("socket.connect(path[, connectListener])", "nodenet.Socket.connect")
socket.member("socket.connect(port[, host][, connectListener])", "nodenet.Socket.connect")
socket.member("socket.connecting")
socket.member("socket.destroy([error])")
socket.member("socket.destroyed")
socket.member("socket.destroySoon()")
socket.member("socket.end([data[, encoding]][, callback])")
socket.member("socket.localAddress")
socket.member("socket.localPort")
socket.member("socket.localFamily")
socket.member("socket.pause()")
socket.member("socket.pending")
socket.member("socket.read([size])", why=FLOWING)
socket.member("socket.ref()", note="matters only under ``net.run()``")
socket.member("socket.remoteAddress")
socket.member("socket.remoteFamily")
socket.member("socket.remotePort")
socket.member("socket.resetAndDestroy()")
socket.member("socket.resume()")
socket.member("socket.setEncoding([encoding])")
socket.member("socket.setKeepAlive([enable][, initialDelay])", note=DIFF.format("diff-keepalive"))
socket.member("socket.setNoDelay([noDelay])")
socket.member("socket.setTimeout(timeout[, callback])")
socket.member("socket.timeout")
socket.member("socket.unref()", note="matters only under ``net.run()``")
socket.member("socket.write(data[, encoding][, callback])", note=DIFF.format("diff-write"))
socket.member("socket.readyState")
socket.member("socket.allowHalfOpen")
socket.member("socket.server")

socketOptions = _section("net.Socket options", "net.Socket options", "nodenet.Socket", "options")
socketOptions.option("allowHalfOpen", True)
socketOptions.option("fd", True)
socketOptions.option("readable", True, "with ``fd``")
socketOptions.option("writable", True, "with ``fd``")
socketOptions.option("signal", False, NO_ABORT)
socketOptions.option("onread", False, "``'data'`` gets a new ``bytes`` object per read")

connectOptions = _section("connect options", "connect options", "nodenet.Socket.connect",
                          "options")
connectOptions.option("port", True)
connectOptions.option("host", True)
connectOptions.option("path", True)
connectOptions.option("localAddress", True)
connectOptions.option("localPort", True)
connectOptions.option("family", True)
connectOptions.option("hints", True)
connectOptions.option("lookup", True, "``lookup(host, options, callback)`` as ``dns.lookup``")
connectOptions.option("noDelay", True)
connectOptions.option("keepAlive", True)
connectOptions.option("keepAliveInitialDelay", True)
connectOptions.option("autoSelectFamily", True)
connectOptions.option("autoSelectFamilyAttemptTimeout", True)
connectOptions.option("timeout", True, "``net.connect()``/``net.createConnection()`` only",
                      target="nodenet.createConnection")
connectOptions.option("onread", False, "``'data'`` gets a new ``bytes`` object per read")

stream = _section("stream.Duplex", "net.Socket", "nodenet.Socket", "socket")
stream.event("finish", doc="``end()`` was called and everything written, our FIN included, "
             "has been handed to the system.")
stream.event("pipe", "``src`` the socket piping into this one.", supported=True,
             doc="Emitted on the destination of ``src.pipe(destination)``.")
stream.event("unpipe", "``src`` the socket that stopped piping into this one.", supported=True,
             doc="Emitted on the destination of ``src.unpipe(destination)``.")
stream.event("pause", why="``isPaused()`` tells the state")
stream.event("resume", why="``isPaused()`` tells the state")
stream.event("readable", why=FLOWING)
stream.member("socket.cork()")
stream.member("socket.uncork()")
stream.member("socket.setDefaultEncoding(encoding)")
stream.member("socket.isPaused()")
stream.member("socket.pipe(destination[, options])", note="``{'end': False}`` keeps the "
              "destination open")
stream.member("socket.unpipe([destination])")
stream.member("socket[Symbol.asyncIterator]()", "nodenet.Socket.__aiter__",
              spelling="async for chunk in socket")
stream.member("socket[Symbol.asyncDispose]()", "nodenet.Socket.__aexit__",
              spelling="async with socket:", why="call ``destroy()``")
stream.member("socket.errored")
stream.member("socket.readable")
stream.member("socket.readableEncoding")
stream.member("socket.readableEnded")
stream.member("socket.readableFlowing")
stream.member("socket.readableHighWaterMark")
stream.member("socket.readableLength")
stream.member("socket.writable")
stream.member("socket.writableCorked")
stream.member("socket.writableEnded")
stream.member("socket.writableFinished")
stream.member("socket.writableHighWaterMark")
stream.member("socket.writableLength")
stream.member("socket.writableNeedDrain")
stream.member("socket.closed", why="``destroyed`` and the ``'close'`` event")
stream.member("socket.readableAborted", why="``readableEnded`` and ``errored``")
stream.member("socket.readableDidRead", why="``bytesRead``")
stream.member("socket.writableAborted", why="``writableFinished`` and ``errored``")
stream.member("socket.readableBuffer", why="internal buffer; ``readableLength``")
stream.member("socket.writableBuffer", why="internal buffer; ``writableLength``")
stream.member("socket.readableObjectMode", why="sockets carry bytes only")
stream.member("socket.writableObjectMode", why="sockets carry bytes only")
stream.member("socket.push(chunk[, encoding])", why="for stream implementations, not users")
stream.member("socket.unshift(chunk[, encoding])", why=FLOWING)
stream.member("socket.wrap(stream)", why="for Node 0.8 streams")
stream.member("socket.iterator([options])", why="``async for chunk in socket``")
stream.member("socket.compose(stream[, options])", why=HELPERS)
for _name in ("asIndexedPairs", "drop", "every", "filter", "find", "flatMap", "forEach", "map",
              "reduce", "some", "take", "toArray"):
    stream.member(f"socket.{_name}(...)", why=HELPERS)

events = _section("events", "EventEmitter", "nodenet.EventEmitter", "emitter")
events.member("require('events').once(emitter, name)", "nodenet.once",
              spelling="net.once(emitter, name)", note="a ``Deferred`` of the arguments")
events.member("EventEmitter.defaultMaxListeners")
events.event("newListener", "``eventName`` the event.", "``listener`` the listener being added.",
             supported=True,
             doc="A listener is about to be added (emitted before it is).")
events.event("removeListener", "``eventName`` the event.", "``listener`` the listener removed.",
             supported=True, doc="A listener was removed.")
events.member("emitter.on(eventName, listener)", note="listeners may be ``async def`` functions")
for _name in ("emitter.addListener(eventName, listener)",
              "emitter.once(eventName, listener)", "emitter.prependListener(eventName, listener)",
              "emitter.prependOnceListener(eventName, listener)",
              "emitter.off(eventName, listener)", "emitter.removeListener(eventName, listener)",
              "emitter.removeAllListeners([eventName])", "emitter.emit(eventName[, ...args])",
              "emitter.listeners(eventName)", "emitter.rawListeners(eventName)",
              "emitter.listenerCount(eventName[, listener])", "emitter.eventNames()",
              "emitter.setMaxListeners(n)", "emitter.getMaxListeners()"):
    events.member(_name)
events.member("emitter[Symbol.for('nodejs.rejection')](err, eventName[, ...args])", None,
              why="a failed ``async`` listener is handled like a raised exception")

legacy = _section("legacy", "legacy", "nodenet", "stream")
legacy.heading = "Node 0.x"
legacy.member("net.Stream", "nodenet.Stream", note="the same class as ``net.Socket``")
legacy.member("stream.readyState", "nodenet.Socket.readyState")
legacy.member("stream.setSecure([credentials])", "nodenet.Socket.setSecure",
              why="use ``nodenet.tls``")
legacy.event("secure", doc="The TLS handshake started by ``setSecure()`` is done; "
             "``verifyPeer()`` tells whether the peer's certificate verified.",
             requires="nodenet.Socket.setSecure",
             why="comes with ``setSecure()``")
legacy.rows[-1].target = "nodenet.Socket"
legacy.member("stream.verifyPeer()", "nodenet.Socket.verifyPeer")
legacy.member("stream.getPeerCertificate()", "nodenet.Socket.getPeerCertificate")
legacy.member("crypto.createCredentials(details)", "nodenet.createCredentials",
              spelling="net.createCredentials(details)")
legacy.member("server.listenFD(fd)", "nodenet.Server.listenFD")
legacy.member("server.connections", "nodenet.Server.connections",
              note=DIFF.format("diff-connections"))
legacy.member("server.maxConnections", "nodenet.Server.maxConnections")

globals_ = _section("globals", "globals", "nodenet.timers", "timers")
globals_.member("setTimeout(callback, delay[, ...args])", "nodenet.timers.setTimeout",
                spelling="timers.setTimeout(callback, delay, *args)")
globals_.member("setInterval(callback, delay[, ...args])", "nodenet.timers.setInterval",
                spelling="timers.setInterval(callback, delay, *args)")
globals_.member("setImmediate(callback[, ...args])", "nodenet.timers.setImmediate",
                spelling="timers.setImmediate(callback, *args)")
globals_.member("clearTimeout(timeout)", "nodenet.timers.clearTimeout",
                spelling="timers.clearTimeout(timeout)")
globals_.member("clearInterval(timeout)", "nodenet.timers.clearInterval",
                spelling="timers.clearInterval(timeout)")
globals_.member("clearImmediate(immediate)", "nodenet.timers.clearImmediate",
                spelling="timers.clearImmediate(immediate)")
globals_.member("process.nextTick(callback[, ...args])", "nodenet.timers.nextTick",
                spelling="timers.nextTick(callback, *args)")
for _name in ("ref", "unref", "hasRef", "refresh", "close"):
    globals_.member(f"timeout.{_name}()", f"nodenet.timers.Timeout.{_name}")
globals_.member("timeout[Symbol.toPrimitive]()", None, why=DIFF.format("diff-timer-ids"))
globals_.member("the process exits when nothing is left", "nodenet.run",
                spelling="net.run(main, *args)")

tls = _section("tls", "tls", "nodenet.tls", "tls")
tls.member("require('tls')", "nodenet.tls", spelling="from nodenet import tls")
tls.member("tls.connect()", spelling="tls.connect()",
           note="``(options[, callback])``, ``(path[, options][, callback])``, "
           "``(port[, host][, options][, callback])``")
tls.member("tls.createServer([options][, secureConnectionListener])")
tls.member("tls.createSecureContext([options])")
tls.member("tls.SecureContext")
tls.member("tls.checkServerIdentity(hostname, cert)")
tls.member("tls.getCiphers()")
tls.member("tls.rootCertificates")
tls.member("tls.convertALPNProtocols(protocols, out)")
tls.member("tls.DEFAULT_ECDH_CURVE")
tls.member("tls.DEFAULT_MAX_VERSION")
tls.member("tls.DEFAULT_MIN_VERSION")
tls.member("tls.DEFAULT_CIPHERS")
tls.member("tls.CLIENT_RENEG_LIMIT")
tls.member("tls.CLIENT_RENEG_WINDOW")
tls.member("tls.Server")
tls.member("tls.TLSSocket")
tls.member("tls.createSecurePair([context][, isServer][, requestCert][, rejectUnauthorized])",
           why="deprecated in Node; use ``tls.TLSSocket``")
tls.member("tls.SecurePair", why="deprecated in Node; use ``tls.TLSSocket``")
tls.member("tls.CryptoStream", why="deprecated in Node; use ``tls.TLSSocket``")

tlsServer = _section("tls.Server", "tls.Server", "nodenet.tls.Server", "server")
tlsServer.event("connection", "``socket`` the new connection, before the handshake.",
                doc="A TCP connection arrived; the TLS handshake has not finished.")
tlsServer.event("keylog", "``line`` ``bytes``: one line of NSS key log format.",
                "``tlsSocket`` the connection.",
                doc="Key material was generated (for decrypting captures, as ``SSLKEYLOGFILE``).")
tlsServer.event("newSession", "``sessionId``", "``sessionData``", "``callback``",
                doc="A new TLS session was created (for an external session store).")
tlsServer.event("OCSPRequest", "``certificate``", "``issuer``", "``callback``",
                doc="A client asked for the certificate's OCSP status.")
tlsServer.event("resumeSession", "``sessionId``", "``callback``",
                doc="A client asked to resume a session (from an external session store).")
tlsServer.event("secureConnection", "``tlsSocket`` the connection, handshake done.",
                doc="A TLS connection is established.")
tlsServer.event("tlsClientError", "``exception`` the error.", "``tlsSocket`` the connection.",
                doc="A client's handshake failed.")
for _name in ("server.addContext(hostname, context)", "server.address()",
              "server.close([callback])", "server.getTicketKeys()", "server.listen()",
              "server.setSecureContext(options)", "server.setTicketKeys(keys)"):
    tlsServer.member(_name)
tlsServer.member("server.setOptions(options)", why="undocumented in Node; "
                 "``server.setSecureContext()``")

tlsSocket = _section("tls.TLSSocket", "tls.TLSSocket", "nodenet.tls.TLSSocket", "tlsSocket")
tlsSocket.member("new tls.TLSSocket(socket[, options])", "nodenet.tls.TLSSocket",
                 spelling="tls.TLSSocket(socket[, options])")
tlsSocket.event("keylog", "``line`` ``bytes``: one line of NSS key log format.",
                doc="Key material was generated on this connection.")
tlsSocket.event("OCSPResponse", "``response`` the server's OCSP response.",
                doc="The server stapled an OCSP response (with ``requestOCSP``).")
tlsSocket.event("secureConnect", doc="The handshake is done; check ``authorized``.")
tlsSocket.event("session", "``session`` the session data.",
                doc="A session (ticket) is available for resumption.")
for _name in ("tlsSocket.address()", "tlsSocket.authorizationError", "tlsSocket.authorized",
              "tlsSocket.disableRenegotiation()", "tlsSocket.enableTrace()",
              "tlsSocket.encrypted",
              "tlsSocket.exportKeyingMaterial(length, label[, context])",
              "tlsSocket.getCertificate()", "tlsSocket.getCipher()",
              "tlsSocket.getEphemeralKeyInfo()", "tlsSocket.getFinished()",
              "tlsSocket.getPeerCertificate([detailed])", "tlsSocket.getPeerFinished()",
              "tlsSocket.getPeerX509Certificate()", "tlsSocket.getProtocol()",
              "tlsSocket.getSession()", "tlsSocket.getSharedSigalgs()",
              "tlsSocket.getTLSTicket()", "tlsSocket.getX509Certificate()",
              "tlsSocket.isSessionReused()", "tlsSocket.localAddress", "tlsSocket.localPort",
              "tlsSocket.remoteAddress", "tlsSocket.remoteFamily", "tlsSocket.remotePort",
              "tlsSocket.renegotiate(options, callback)", "tlsSocket.setKeyCert(context)",
              "tlsSocket.setMaxSendFragment(size)", "tlsSocket.setServername(name)",
              "tlsSocket.setSession(session)", "tlsSocket.alpnProtocol",
              "tlsSocket.servername"):
    tlsSocket.member(_name)

_X509 = "Node's ``X509Certificate`` class has no counterpart; ``{}``"
for _row in tlsSocket.rows:
    if _row.name == "getPeerX509Certificate":
        _row.why = _X509.format("getPeerCertificate()")
    elif _row.name == "getX509Certificate":
        _row.why = _X509.format("getCertificate()")
