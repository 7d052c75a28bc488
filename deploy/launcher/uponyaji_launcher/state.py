"""Bookkeeping of a run directory: the owner's lock and pid, what it started, leftovers."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import psutil

from uponyaji_launcher.paths import RunPaths
from uponyaji_launcher.postgres import EmbeddedPostgres, PostgresStartError


class RunLock:
    """An exclusive flock on .run/launcher.lock: at most one launcher owns a run directory."""

    def __init__(self, paths: RunPaths) -> None:
        self._path = paths.lock_file
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another launcher holds it."""
        if self._fd is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by children
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock up."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def is_owned(paths: RunPaths) -> bool:
    """True when a launcher currently holds the run directory."""
    if not paths.lock_file.exists():
        return False
    probe = RunLock(paths)
    if probe.acquire():
        probe.release()
        return False
    return True


def read_pid(paths: RunPaths) -> int | None:
    """The pid written to stack.pid by the owning launcher, if readable."""
    try:
        return int(paths.stack_pid.read_text().strip())
    except (OSError, ValueError):
        return None


def is_launcher(pid: int) -> bool:
    """True when pid is a live `uponyaji` launcher (so a stale, recycled pid is never signalled)."""
    try:
        return "uponyaji" in " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return False


def write_private_json(path: Path, data: Any) -> None:
    """Write JSON atomically, readable by the owner only (it may hold demo passwords)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(data, file, indent=2)
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object; empty when missing or unreadable."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def process_record(pid: int) -> dict[str, Any]:
    """Identify a process by pid and start time, so a recycled pid is never mistaken for it."""
    return {"pid": pid, "create_time": psutil.Process(pid).create_time()}


def _live_process(record: dict[str, Any]) -> psutil.Process | None:
    try:
        process = psutil.Process(int(record["pid"]))
        if abs(process.create_time() - float(record["create_time"])) > 0.01:
            return None
        return process if process.is_running() else None
    except (KeyError, TypeError, ValueError, psutil.Error):
        return None


def _signal(process: psutil.Process, group: bool, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError, psutil.Error):
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)


def _terminate_all(targets: list[tuple[psutil.Process, bool]], timeout: float = 15) -> None:
    """SIGTERM every target (a whole process group for services), SIGKILL what outlives timeout."""
    for process, group in targets:
        _signal(process, group, signal.SIGTERM)
    _, alive = psutil.wait_procs([process for process, _ in targets], timeout=timeout)
    for process, group in targets:
        if process in alive:
            _signal(process, group, signal.SIGKILL)
    psutil.wait_procs(alive, timeout=5)


def reap_stale(paths: RunPaths) -> list[str]:
    """Stop what a launcher that died without cleaning up left running; call with the lock held."""
    stopped: list[str] = []
    state = read_json(paths.state_file)
    records: dict[str, Any] = state.get("processes") or {}
    # Services first (they hold connections), then NATS; PostgreSQL last, through pg_ctl.
    for roles in ([role for role in records if role.startswith("service:")], ["nats"]):
        targets: list[tuple[psutil.Process, bool]] = []
        for role in roles:
            record = records.get(role)
            process = _live_process(record) if isinstance(record, dict) else None
            if process is not None:
                targets.append((process, role.startswith("service:")))
                stopped.append(f"{role} (pid {process.pid})")
        if targets:
            _terminate_all(targets)
    postgres = EmbeddedPostgres(paths.postgres_data, 0, log_file=paths.postgres_log)
    pid = postgres.postmaster_pid()
    if pid is not None:
        try:
            postgres.stop()
            stopped.append(f"PostgreSQL (pid {pid})")
        except (PostgresStartError, OSError, subprocess.SubprocessError) as error:
            stopped.append(f"PostgreSQL (pid {pid}) could not be stopped: {error}")
    paths.state_file.unlink(missing_ok=True)
    return stopped
