"""How a service process runs: its event loop and its garbage collector."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any


def tune_gc() -> None:
    """Call once everything a process keeps for its lifetime is loaded (modules, indexes, protobuf descriptors,
    SQLAlchemy metadata): freeze it out of the collector's reach, so a full collection walks only request garbage,
    and collect the young generation less often (one explained match response allocates thousands of small
    objects). Without this, young collections run every few requests and full ones walk every long-lived object."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def run(coroutine: Coroutine[Any, Any, None], event_loop: str = "auto") -> None:
    """Run ``coroutine`` on uvloop when asked for or, with ``auto``, when it is installed; else on asyncio's loop."""
    if event_loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if event_loop == "uvloop":
                raise
        else:
            uvloop.run(coroutine)
            return
    asyncio.run(coroutine)
