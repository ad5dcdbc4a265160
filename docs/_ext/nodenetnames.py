"""
Finding nodenet's public names, and where the reference documents each one.

Shared by the Sphinx extension (:mod:`nodenetdocs`), the porting data
(:mod:`porting`) and ``tests/test_docs.py``, so that all three agree on
what is public and on the one place each object is documented.

The rules: the public modules are ``nodenet`` and its submodules whose names
do not start with ``_``; a module's public names are its ``__all__``.  An
object is documented in full once, under the name it has in its defining
module when that module is public (``nodenet.events.EventEmitter``), or else
in the public module that exports it under its own ``__name__``
(``nodenet._socket.Socket`` is documented as ``nodenet.Socket``).  Names in
:data:`REEXPORTED_MODULES` are always documented where they are re-exported.
Every other spelling gets a short entry pointing there.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from typing import Any

#: The value of :func:`resolve` for a name that does not exist.
MISSING: Any = object()

#: Public modules whose names are documented where they are re-exported.
REEXPORTED_MODULES = {"nodenet.net"}

#: Dunder methods that are public API (``async for``, ``async with``).
PROTOCOL_METHODS = ("__aiter__", "__aenter__", "__aexit__", "__enter__", "__exit__")


def publicModules() -> list[str]:
    """``nodenet`` and its public submodules, by name."""
    nodenet = importlib.import_module("nodenet")
    names = ["nodenet"]
    for info in pkgutil.iter_modules(nodenet.__path__):
        if not info.name.startswith("_"):
            names.append(f"nodenet.{info.name}")
    return names


def isPublicMember(name: str) -> bool:
    """Whether a class member's name is public API."""
    return not name.startswith("_") or name in PROTOCOL_METHODS


_instances: dict[type, Any] = {}


def instance(cls: type) -> Any:
    """An instance of a nodenet class, made on a test clock, or ``None``."""
    if cls not in _instances:
        from twisted.internet.task import Clock

        try:
            _instances[cls] = cls(reactor=Clock())
        except Exception:  # noqa: BLE001 - classes that need other arguments
            _instances[cls] = None
    return _instances[cls]


def resolve(path: str) -> Any:
    """The object at dotted ``path`` (instance attributes included), or :data:`MISSING`."""
    parts = path.split(".")
    obj: Any = MISSING
    index = 0
    for index in range(len(parts), 0, -1):
        modname = ".".join(parts[:index])
        try:
            obj = importlib.import_module(modname)
        except ModuleNotFoundError as e:
            if e.name is not None and modname.startswith(e.name):
                continue
            raise
        break
    if obj is MISSING:
        return MISSING
    for position, attr in enumerate(parts[index:], start=index):
        if hasattr(obj, attr):
            obj = getattr(obj, attr)
            continue
        if inspect.isclass(obj) and position == len(parts) - 1:
            made = instance(obj)
            if made is not None and hasattr(made, attr):
                return getattr(made, attr)
        return MISSING
    return obj


def canonicalHome(modname: str, name: str, obj: Any) -> str | None:
    """Where ``modname.name`` is documented in full, if not there: ``None`` means there."""
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return None
    home = getattr(obj, "__module__", None)
    if not isinstance(home, str) or home == modname or home in REEXPORTED_MODULES:
        return None
    if any(part.startswith("_") for part in home.split(".")):
        return None
    if getattr(obj, "__name__", name) != name:
        return None
    return f"{home}.{name}"


def canonicalNames(module: Any, names: list[str]) -> dict[int, str]:
    """For objects a module exports under several names, the one documented in full."""
    chosen: dict[int, str] = {}
    for name in names:
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if id(obj) not in chosen or getattr(obj, "__name__", None) == name:
            chosen[id(obj)] = name
    return chosen


@functools.lru_cache(maxsize=1)
def documentedPaths() -> dict[int, str]:
    """Every public class and function, by ``id``: the name it is documented under."""
    found: dict[int, str] = {}
    for modname in publicModules():
        module = importlib.import_module(modname)
        if modname in REEXPORTED_MODULES:
            continue
        names = list(getattr(module, "__all__", []))
        canonical = canonicalNames(module, names)
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if canonicalHome(modname, name, obj) is None and canonical.get(id(obj)) == name:
                found.setdefault(id(obj), f"{modname}.{name}")
    return found


def _nodenetClasses(cls: type) -> list[type]:
    return [k for k in cls.__mro__ if k.__module__.split(".")[0] == "nodenet"]


def documentedTarget(path: str) -> str:
    """The name under which the reference documents the object at ``path``."""
    paths = documentedPaths()
    obj = resolve(path)
    if obj is not MISSING and id(obj) in paths:
        return paths[id(obj)]
    parentPath, _, member = path.rpartition(".")
    parent = resolve(parentPath) if parentPath else MISSING
    if not inspect.isclass(parent):
        return path
    owner: type | None = None
    for klass in _nodenetClasses(parent):
        if member in vars(klass):
            owner = klass
            break
    if owner is None:
        for klass in reversed(_nodenetClasses(parent)):
            made = instance(klass)
            if made is not None and hasattr(made, member):
                owner = klass
                break
    if owner is None or id(owner) not in paths:
        return path
    return f"{paths[id(owner)]}.{member}"


def newInstanceAttributes(cls: type) -> list[str]:
    """Public attributes that instances of ``cls`` have and instances of its bases do not."""
    made = instance(cls)
    if made is None or not hasattr(made, "__dict__"):
        return []
    inherited: set[str] = set()
    for base in cls.__mro__[1:]:
        inherited |= set(dir(base))
        other = instance(base) if base.__module__.split(".")[0] == "nodenet" else None
        if other is not None and hasattr(other, "__dict__"):
            inherited |= set(vars(other))
    return sorted(n for n in vars(made) if not n.startswith("_") and n not in inherited)
