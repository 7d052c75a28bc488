"""Own a run directory, start the stack, keep it until asked to stop, then stop it cleanly.

Shared by the foreground `uponyaji run` and the background supervisor of `uponyaji up`.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

from rich.console import Console
from rich.markup import escape

from uponyaji_launcher.config import StackConfig
from uponyaji_launcher.failures import Interrupted, StartFailure
from uponyaji_launcher.stack import Stack
from uponyaji_launcher.state import RunLock, read_pid, reap_stale
from uponyaji_launcher.summary import Summary

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
EXIT_INTERRUPTED = 130


def hold_stack(
    config: StackConfig,
    console: Console,
    on_ready: Callable[[Summary], None],
    on_failure: Callable[[StartFailure], None],
) -> int:
    """Start the stack, call on_ready, run until SIGINT/SIGTERM/SIGHUP; return the exit code."""
    paths = config.paths
    paths.root.mkdir(parents=True, exist_ok=True)
    lock = RunLock(paths)
    if not lock.acquire():
        pid = read_pid(paths)
        owner = f" (pid {pid})" if pid else ""
        on_failure(
            StartFailure(
                "launcher",
                f"a stack is already running from {paths.root}{owner}; "
                "stop it first with `uponyaji down` (or `make down`)",
            )
        )
        return 1
    paths.stack_pid.write_text(f"{os.getpid()}\n")
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, request_stop) for signum in STOP_SIGNALS}
    stack = Stack(config, console, stop.is_set)
    try:
        for leftover in reap_stale(paths):
            console.print(f"  stopped {escape(leftover)}, left over from an earlier run")
        try:
            summary = stack.start()
        except StartFailure as failure:
            on_failure(failure)
            return 1
        except Interrupted as interrupted:
            on_failure(StartFailure("launcher", str(interrupted)))
            return EXIT_INTERRUPTED
        except Exception as error:
            console.print_exception()
            on_failure(StartFailure("launcher", f"unexpected error: {error!r}"))
            return 1
        on_ready(summary)
        while not stop.wait(2.0):
            for problem in stack.problems():
                console.print(f"[yellow]warning:[/] {escape(problem)}")
        console.print("stopping services, then NATS, then PostgreSQL …")
        stack.stop()
        console.print("[green]stopped[/]")
        return 0
    finally:
        stack.stop()  # idempotent; covers an unexpected error after start
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        paths.state_file.unlink(missing_ok=True)
        paths.stack_pid.unlink(missing_ok=True)
        lock.release()
