"""Stopping background tasks for certain, even when a library swallows a cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable


async def stop_tasks(tasks: Iterable[asyncio.Future[object] | asyncio.Task[None]]) -> None:
    """Cancel the tasks until every one has finished; their results and errors are dropped.

    One `cancel()` is not always enough: Python 3.11's `asyncio.wait_for` (used inside nats-py
    and others) can swallow a cancellation that arrives as its inner future completes, and the
    task then carries on. Cancelling again until the task is done ends it for certain.
    """
    started = list(tasks)
    while pending := [t for t in started if not t.done()]:
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=0.5)
    for task in started:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            task.result()
