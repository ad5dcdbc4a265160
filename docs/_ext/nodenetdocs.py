"""
Sphinx directives for nodenet's documentation.

``.. nodenet-module:: NAME`` documents every public name of a module (its
``__all__``) the way Node's API pages are laid out: per class its events
(with their arguments), its properties and its methods; then the module's
functions and data.  Names that are re-exports of something documented
elsewhere get a short entry pointing there, so every public spelling can
be found and linked.  Options: ``:classprefix:`` (how class headings name
the module, ``net`` for ``Class: net.Socket``), ``:exclude:`` (names to
leave out), ``:aliases-of: MODULE`` (document every name that is also in
``MODULE`` as a pointer to it).  Attributes and data are documented by the
``#:`` comment where the source assigns or declares them; one without such
a comment is a build warning, so ``-W`` builds fail until it is written.

``.. porting-table:: SECTION`` renders one table of the porting guide from
:mod:`porting` and decides each row's status by looking the nodenet name up
in the library: a name that does not exist is shown as not supported.

Both directives generate reStructuredText, so they are used from ``.rst``
pages.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Iterator
from typing import Any

import porting
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from nodenetnames import (
    canonicalHome,
    canonicalNames,
    documentedPaths,
    isPublicMember,
    newInstanceAttributes,
)
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)


def _isPublic(name: str) -> bool:
    return not name.startswith("_")


def _analyzer(module: str) -> ModuleAnalyzer | None:
    try:
        analyzer = ModuleAnalyzer.for_module(module)
        analyzer.analyze()
    except Exception:  # noqa: BLE001 - a module without source
        return None
    return analyzer


def instanceAttributes(cls: type) -> list[str]:
    """Public attributes set on instances (annotated or documented in the class source)."""
    names: list[str] = []
    analyzer = _analyzer(cls.__module__)
    if analyzer is None:
        return names
    keys = list(analyzer.annotations) + list(analyzer.attr_docs)
    for qualname, attr in keys:
        if qualname == cls.__qualname__ and _isPublic(attr) and attr not in names:
            names.append(attr)
    return names


def ownMembers(cls: type) -> tuple[list[str], list[str]]:
    """``(properties, methods)``: the public members ``cls`` itself defines, sorted."""
    properties: list[str] = []
    methods: list[str] = []
    for name, value in vars(cls).items():
        if not isPublicMember(name):
            continue
        if isinstance(value, (staticmethod, classmethod)) or inspect.isfunction(value):
            methods.append(name)
        elif isinstance(value, type):
            continue
        else:
            properties.append(name)
    for name in [*instanceAttributes(cls), *newInstanceAttributes(cls)]:
        if name not in properties and name not in methods:
            properties.append(name)
    return sorted(properties, key=str.lower), sorted(methods, key=str.lower)


def _docComment(cls: type, name: str) -> bool:
    analyzer = _analyzer(cls.__module__)
    return analyzer is not None and (cls.__qualname__, name) in analyzer.attr_docs


def _indent(text: str, prefix: str = "   ") -> list[str]:
    return [prefix + line if line else "" for line in text.splitlines()]


class _Generating(SphinxDirective):
    """A directive whose output is generated reStructuredText."""

    def emit(self, lines: list[str]) -> list[nodes.Node]:
        content = StringList()
        source = self.get_source_info()[0]
        for line in lines:
            content.append(line, source, self.lineno)
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, content, container)
        return list(container.children)


class ModuleDirective(_Generating):
    """``.. nodenet-module:: nodenet.timers``: the whole public surface of a module."""

    required_arguments = 1
    option_spec = {
        "exclude": directives.unchanged,
        "classprefix": directives.unchanged,
        "aliases-of": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        modname = self.arguments[0]
        module = importlib.import_module(modname)
        self.env.note_dependency(inspect.getsourcefile(module) or "")
        exclude = {n.strip() for n in self.options.get("exclude", "").split(",") if n.strip()}
        prefix = self.options.get("classprefix", modname.rpartition(".")[2])
        lines = [f".. automodule:: {modname}", "", f".. py:currentmodule:: {modname}", ""]
        aliasesOf = self.options.get("aliases-of")
        classes, functions, data, aliases = [], [], [], []
        names = [n for n in module.__all__ if n not in exclude]
        canonical = canonicalNames(module, names)
        for name in names:
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                continue
            if aliasesOf and getattr(importlib.import_module(aliasesOf), name, None) is obj:
                aliases.append((name, f"{aliasesOf}.{name}", obj))
                continue
            home = canonicalHome(modname, name, obj)
            if home is None and canonical.get(id(obj), name) != name:
                home = f"{modname}.{canonical[id(obj)]}"
            if home is not None:
                aliases.append((name, home, obj))
                continue
            if inspect.isclass(obj):
                classes.append(name)
            elif callable(obj):
                functions.append(name)
            else:
                data.append(name)
        for name in classes:
            lines += self.classLines(modname, prefix, name, getattr(module, name))
        if functions:
            lines += ["Functions", "---------", ""]
            for name in sorted(functions, key=str.lower):
                lines += [f".. autofunction:: {modname}.{name}", ""]
        if data:
            lines += ["Data", "----", ""]
            for name in data:
                lines += self.dataLines(f"{modname}.{name}", getattr(module, name))
        if aliases:
            if classes or functions or data:
                lines += ["Other names", "-----------", ""]
            for name, target, obj in aliases:
                lines += aliasLines(modname, name, target, obj)
        return self.emit(lines)

    def classLines(self, modname: str, prefix: str, name: str, cls: type) -> list[str]:
        full = f"{modname}.{name}"
        title = f"Class: ``{prefix}.{name}``"
        lines = [title, "-" * len(title), ""]
        lines += [f".. autoclass:: {full}", "   :no-members:", ""]
        bases = [b for b in cls.__bases__ if b is not object]
        if bases:
            shown = ", ".join(f":class:`{_basePath(b)}`" for b in bases)
            lines += [f"   Extends {shown}.", ""]
            if any(b.__name__ == "EventEmitter" for b in bases):
                lines[-2] = lines[-2][:-1] + (
                    ": ``on()``, ``once()``, ``off()``, ``emit()`` and the other listener "
                    "methods are documented there."
                )
        events = porting.eventsOf(full)
        if events:
            lines += ["Events", "~" * 6, ""]
            for event in events:
                lines += eventLines(full, event)
        properties, methods = ownMembers(cls)
        if properties:
            lines += ["Properties", "~" * 10, ""]
            for member in properties:
                lines += self.attributeLines(cls, full, member)
        if methods:
            lines += ["Methods", "~" * 7, ""]
            for member in methods:
                lines += [f".. automethod:: {full}.{member}", ""]
        return lines

    def attributeLines(self, cls: type, full: str, member: str) -> list[str]:
        value = vars(cls).get(member)
        target = f"{full}.{member}"
        if isinstance(value, property):
            return [f".. autoproperty:: {target}", ""]
        if _docComment(cls, member):
            return [f".. autoattribute:: {target}", "   :no-value:", ""]
        logger.warning(
            "%s has no doc comment: add a '#:' comment where it is assigned", target,
            location=self.get_location(),
        )
        relative = target.removeprefix(self.arguments[0] + ".")
        return [f".. py:attribute:: {relative}", ""]

    def dataLines(self, target: str, value: Any) -> list[str]:
        modname, _, name = target.rpartition(".")
        analyzer = _analyzer(modname)
        if analyzer is not None and ("", name) in analyzer.attr_docs:
            return [f".. autodata:: {target}", "   :no-value:", ""]
        text = _importedDataDoc(name, value)
        if not text:
            logger.warning(
                "%s has no doc comment: add a '#:' comment where it is assigned", target,
                location=self.get_location(),
            )
        return [f".. py:data:: {name}", "", *_indent(text), ""]


def _importedDataDoc(name: str, value: Any) -> str:
    """The doc comment of data a module imported from one of nodenet's private modules."""
    for modname, module in sorted(sys.modules.items()):
        if not modname.startswith("nodenet._") or getattr(module, name, None) is not value:
            continue
        analyzer = _analyzer(modname)
        if analyzer is not None and ("", name) in analyzer.attr_docs:
            return "\n".join(analyzer.attr_docs[("", name)]).strip()
    return ""


def _basePath(base: type) -> str:
    """The documented name of a base class."""
    if base.__module__ == "builtins":
        return base.__qualname__
    return documentedPaths().get(id(base), f"{base.__module__}.{base.__qualname__}")


def _plainSignature(obj: Any) -> str:
    """``obj``'s signature without annotations (as the rest of the reference shows them)."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    return str(
        signature.replace(
            parameters=[
                p.replace(annotation=inspect.Parameter.empty)
                for p in signature.parameters.values()
            ],
            return_annotation=inspect.Signature.empty,
        )
    )


def aliasLines(modname: str, name: str, target: str, obj: Any) -> list[str]:
    """A short entry for ``modname.name``, the same object as ``target``."""
    role = "class" if inspect.isclass(obj) else "func"
    directive = "py:class" if inspect.isclass(obj) else "py:function"
    signature = ""
    if not inspect.isclass(obj):
        try:
            signature = str(inspect.signature(obj))
        except (TypeError, ValueError):
            signature = "(...)"
        signature = _plainSignature(obj)
    return [
        f".. {directive}:: {name}{signature}",
        "",
        f"   The same {'class' if role == 'class' else 'function'} as :{role}:`{target}`.",
        "",
    ]


def eventLines(owner: str, event: porting.Row) -> list[str]:
    """An event entry, as Node's pages have them: its arguments, then what it means."""
    lines = [f".. _{porting.eventLabel(owner, event.name)}:", ""]
    lines += [f".. describe:: Event: '{event.name}'", ""]
    if event.args:
        for arg in event.args:
            lines += [f"   * {arg}"]
        lines += [""]
    if event.doc:
        lines += _indent(event.doc) + [""]
    return lines


class PortingTableDirective(_Generating):
    """``.. porting-table:: net.Socket``: one table of the porting guide."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        section = porting.section(self.arguments[0])
        lines = [".. list-table::", "   :header-rows: 1", "   :widths: 32 36 32", "   :class: porting", ""]
        lines += [f"   * - {section.heading}", "     - nodenet", "     - Status", ""]
        for row in section.rows:
            for cellLines in rowCells(section, row):
                lines += cellLines
            lines += [""]
        return self.emit(lines)


def rowCells(section: porting.Section, row: porting.Row) -> Iterator[list[str]]:
    supported = porting.isSupported(section, row)
    yield ["   * - " + porting.nodeCell(section, row)]
    yield ["     - " + (porting.nodenetCell(section, row) if supported else "—")]
    yield ["     - " + porting.statusCell(section, row, supported)]


def classSignature(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, signature: str | None,
    returnAnnotation: str | None,
) -> tuple[str, str] | None:
    """A class's signature is its ``__init__``'s, also where it defines ``__new__``."""
    if what != "class" or not inspect.isclass(obj) or "__init__" not in vars(obj):
        return None
    parameters = list(inspect.signature(obj.__init__).parameters.values())[1:]
    shown = inspect.Signature(
        [p.replace(annotation=inspect.Parameter.empty) for p in parameters]
    )
    return str(shown), ""


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("autodoc-process-signature", classSignature)
    app.add_directive("nodenet-module", ModuleDirective)
    app.add_directive("porting-table", PortingTableDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
