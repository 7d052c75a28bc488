"""The detached process behind `uponyaji up`: holds the stack, logging to .run/stack.log.

Started as `python -m uponyaji_launcher.supervisor --notify-fd N`; it writes one JSON line to fd N
when the stack is ready (or has failed and been cleaned up), then closes it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from rich.console import Console

from uponyaji_launcher.config import ConfigError, StackConfig
from uponyaji_launcher.failures import StartFailure
from uponyaji_launcher.report import print_failure, print_summary
from uponyaji_launcher.runner import hold_stack
from uponyaji_launcher.summary import Summary


class Notifier:
    """The one-shot channel back to the waiting `uponyaji up`."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def send(self, message: dict[str, Any]) -> None:
        """Send the message and close the channel; a vanished reader is not an error."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.write(fd, (json.dumps(message) + "\n").encode())
        except OSError:
            pass
        finally:
            os.close(fd)


def main(argv: list[str] | None = None) -> int:
    """Run the stack in the background until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m uponyaji_launcher.supervisor")
    parser.add_argument("--notify-fd", type=int, default=None)
    args = parser.parse_args(argv)
    notifier = Notifier(args.notify_fd)
    console = Console(file=sys.stdout, width=120, force_terminal=False, highlight=False)

    def ready(summary: Summary) -> None:
        print_summary(console, summary)
        notifier.send({"ok": True, "pid": os.getpid(), "summary": summary.to_dict()})

    def failed(failure: StartFailure) -> None:
        print_failure(console, failure)
        notifier.send({"ok": False, "pid": os.getpid(), "failure": failure.to_dict()})

    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    console.print(f"--- {stamp} supervisor pid {os.getpid()} starting the stack")
    try:
        config = StackConfig.from_env(os.environ)
    except ConfigError as error:
        failed(StartFailure("configuration", str(error)))
        return 2
    try:
        return hold_stack(config, console, ready, failed)
    finally:
        notifier.send({"ok": False, "pid": os.getpid(), "failure": {"message": "exited"}})
        console.print(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} supervisor exiting")


if __name__ == "__main__":
    sys.exit(main())
