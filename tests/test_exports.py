"""The public surface: the names the mapping promises, documented, and nothing private leaking."""

from __future__ import annotations

import inspect

from twisted.trial.unittest import SynchronousTestCase

import nodenet
import nodenet as net
from nodenet import errors, events, testing, timers
from nodenet import net as netModule

PROMISED = {
    "createServer",
    "createConnection",
    "connect",
    "Socket",
    "Stream",
    "Server",
    "isIP",
    "isIPv4",
    "isIPv6",
    "run",
    "once",
    "EventEmitter",
}


class ExportTests(SynchronousTestCase):
    """nodenet's public names."""

    def test_mappingNames(self) -> None:
        """Every module-level name of the mapping is in nodenet and in __all__."""
        self.assertEqual(set(), PROMISED - set(nodenet.__all__))
        for name in PROMISED:
            self.assertTrue(hasattr(net, name), name)
        self.assertIs(net.Stream, net.Socket)
        self.assertIs(net.connect, net.createConnection)
        self.assertIs(netModule.Socket, net.Socket)

    def test_allNamesExist(self) -> None:
        """Everything each public module lists in __all__ exists."""
        for module in (nodenet, errors, events, netModule, testing, timers):
            for name in module.__all__:
                self.assertTrue(hasattr(module, name), f"{module.__name__}.{name}")

    def test_everyPublicNameDocumented(self) -> None:
        """Every public function, class, method and property has a docstring."""
        missing = []
        for module in (nodenet, errors, events, netModule, testing, timers):
            for name in module.__all__:
                obj = getattr(module, name)
                if inspect.ismodule(obj):
                    continue
                if (inspect.isclass(obj) or callable(obj)) and not inspect.getdoc(obj):
                    missing.append(f"{module.__name__}.{name}")
                if inspect.isclass(obj):
                    for attr, value in vars(obj).items():
                        if attr.startswith("_"):
                            continue
                        if (inspect.isfunction(value) or isinstance(value, property)) and not (
                            value.__doc__ or inspect.getdoc(getattr(obj, attr, None))
                        ):
                            missing.append(f"{module.__name__}.{name}.{attr}")
        self.assertEqual([], sorted(set(missing)))
