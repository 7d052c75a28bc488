"""`uponyaji up` and `uponyaji down`: the stack in a detached supervisor, and stopping it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from typing import Any

from rich.console import Console

from uponyaji_launcher.config import StackConfig
from uponyaji_launcher.failures import StartFailure, tail_lines
from uponyaji_launcher.paths import RUN_DIR_ENV, RunPaths, open_log
from uponyaji_launcher.report import print_failure, print_summary
from uponyaji_launcher.state import (
    RunLock,
    is_launcher,
    is_owned,
    read_json,
    read_pid,
    reap_stale,
)
from uponyaji_launcher.summary import Summary

STOP_TIMEOUT = 120.0


def _read_message(fd: int) -> dict[str, Any] | None:
    """Block until the supervisor reports (one JSON line) or dies (EOF)."""
    data = b""
    with os.fdopen(fd, "rb") as pipe:
        while chunk := pipe.read(65536):
            data += chunk
    for line in reversed(data.decode("utf-8", errors="replace").splitlines()):
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            return message
    return None


def start_background(config: StackConfig, console: Console, errors: Console) -> int:
    """Start the detached supervisor and wait until the stack is healthy (0) or failed (1)."""
    paths = config.paths
    paths.root.mkdir(parents=True, exist_ok=True)
    if is_owned(paths):
        console.print(f"The stack is already running from {paths.root} (pid {read_pid(paths)}).")
        state = read_json(paths.state_file)
        if state.get("summary"):
            print_summary(console, Summary.from_dict(state["summary"]))
        return 0
    env = dict(config.environ)
    env[RUN_DIR_ENV] = str(paths.root)
    if not config.seed:
        env["UPONYAJI_SEED"] = "0"
    read_end, write_end = os.pipe()
    with open_log(paths.stack_log) as log:
        supervisor = subprocess.Popen(
            [config.python, "-m", "uponyaji_launcher.supervisor", "--notify-fd", str(write_end)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_end,),
            start_new_session=True,
        )
    os.close(write_end)
    try:
        with console.status(f"starting the stack in the background (log: {paths.stack_log}) …"):
            message = _read_message(read_end)
    except KeyboardInterrupt:
        errors.print("interrupted: stopping the stack …")
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(STOP_TIMEOUT)
        return 130
    if message is not None and message.get("ok"):
        print_summary(console, Summary.from_dict(message.get("summary") or {}))
        console.print(
            f"Running in the background (supervisor pid {supervisor.pid}). "
            f"Stop it with `uponyaji down` (or `make down`). Log: {paths.stack_log}"
        )
        return 0
    try:
        supervisor.wait(STOP_TIMEOUT)  # it reports only after stopping what it started
    except subprocess.TimeoutExpired:
        supervisor.kill()
        supervisor.wait()
        with RunLock(paths) as lock:
            if lock.held:
                reap_stale(paths)
                paths.stack_pid.unlink(missing_ok=True)
    if message is not None and isinstance(message.get("failure"), dict):
        failure = StartFailure.from_dict(message["failure"])
    else:
        failure = StartFailure(
            "launcher",
            f"the background supervisor exited (code {supervisor.returncode}) without reporting",
            paths.stack_log,
            tail_lines(paths.stack_log),
        )
    print_failure(errors, failure)
    return 1


def stop_background(paths: RunPaths, console: Console, errors: Console) -> int:
    """Signal the launcher that owns the run directory and wait until everything has stopped."""
    if not is_owned(paths):
        leftovers: list[str] = []
        if paths.root.is_dir():
            with RunLock(paths) as lock:
                if lock.held:
                    leftovers = reap_stale(paths)
                    paths.stack_pid.unlink(missing_ok=True)
        if leftovers:
            console.print(f"Nothing was running, but stopped leftovers: {', '.join(leftovers)}")
        else:
            console.print(f"Nothing is running (run directory: {paths.root}).")
        return 0
    pid = read_pid(paths)
    deadline = time.monotonic() + 5
    while pid is None and time.monotonic() < deadline and is_owned(paths):
        time.sleep(0.1)  # the owner is just starting and has not written stack.pid yet
        pid = read_pid(paths)
    if pid is None:
        if not is_owned(paths):
            console.print("Nothing is running: the stack stopped by itself.")
            return 0
        errors.print(f"A launcher holds {paths.lock_file} but wrote no {paths.stack_pid}.")
        return 1
    if not is_launcher(pid):
        errors.print(
            f"{paths.stack_pid} names pid {pid}, which is not an uponyaji launcher; "
            f"find the process holding {paths.lock_file} (e.g. `fuser {paths.lock_file}`)."
        )
        return 1
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    with console.status(f"stopping the stack (pid {pid}) …"):
        deadline = time.monotonic() + STOP_TIMEOUT
        while is_owned(paths) and time.monotonic() < deadline:
            time.sleep(0.2)
        if is_owned(paths):
            errors.print(f"The launcher (pid {pid}) did not stop in time: killing it.")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            time.sleep(1)
            with RunLock(paths) as lock:
                if lock.held:
                    reap_stale(paths)
                    paths.stack_pid.unlink(missing_ok=True)
    console.print(f"Stopped the stack (pid {pid}).")
    return 0
