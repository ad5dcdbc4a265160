"""Placeholder: replaced by the run loop implementation."""
from __future__ import annotations

from typing import Any

_current: Any = None


def setActive(handle: object, active: bool) -> None:
    """Tell the running ``net.run()`` loop whether ``handle`` keeps it alive."""
    if _current is not None:
        _current.setActive(handle, active)
