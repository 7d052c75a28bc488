"""What went wrong while starting the stack, told in a way a person can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TAIL_LINES = 20


RUN_MARKER = "--- "  # the launcher starts each run's section of a log with such a line


def tail_lines(path: Path | None, count: int = TAIL_LINES) -> list[str]:
    """The last lines of a log file, from the latest run only (empty when there is no log)."""
    if path is None or not path.is_file():
        return []
    with path.open("rb") as file:
        file.seek(0, 2)
        size = file.tell()
        file.seek(max(0, size - 64 * 1024))
        lines = file.read().decode("utf-8", errors="replace").splitlines()
    markers = [index for index, line in enumerate(lines) if line.startswith(RUN_MARKER)]
    if markers:
        lines = lines[markers[-1] :]
    return lines[-count:]


class StartFailure(RuntimeError):
    """A component of the stack failed to start: which one, why, and where its log is."""

    def __init__(
        self, component: str, message: str, log: Path | None = None, tail: list[str] | None = None
    ) -> None:
        super().__init__(f"{component}: {message}")
        self.component = component
        self.message = message
        self.log = log
        self.tail = tail if tail is not None else tail_lines(log)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, sent from the background supervisor to `uponyaji up`."""
        return {
            "component": self.component,
            "message": self.message,
            "log": str(self.log) if self.log else None,
            "tail": self.tail,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StartFailure:
        """Rebuild a failure received from the background supervisor."""
        log = data.get("log")
        return cls(
            str(data.get("component", "launcher")),
            str(data.get("message", "failed")),
            Path(log) if log else None,
            [str(line) for line in data.get("tail") or []],
        )


class Interrupted(RuntimeError):
    """A stop was requested (Ctrl-C, SIGTERM, `uponyaji down`) before the stack was ready."""
