"""bench/memtrace: off unless asked for; asked for, a service process writes snapshots the
comparison reads, and its allocators' figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import memtrace_diff

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "bench" / "memtrace"


def run_as_service(tmp: Path, frames: str, seconds: float, censuses: int = 0) -> None:
    """A Python process whose command line names uvicorn and a service app, with the hook.

    It works for `seconds`, and on until the hook has written `censuses` census files (a loaded
    machine writes them more slowly than every interval), for at most 50 seconds.
    """
    env = {
        **os.environ,
        "PYTHONPATH": str(HOOK),
        "UPONYAJI_TRACEMALLOC_DIR": str(tmp),
        "UPONYAJI_TRACEMALLOC_EVERY": "0.3",
        "UPONYAJI_TRACEMALLOC_FRAMES": frames,
    }
    work = "import pathlib, time\nheld = []\nstart = time.monotonic()\n"
    work += f"def written(): return len(list(pathlib.Path({str(tmp)!r}).glob('*.census.json')))\n"
    work += f"while time.monotonic() - start < {seconds} or (written() < {censuses}\n"
    work += "        and time.monotonic() - start < 50):\n"
    work += "    held.append([object() for _ in range(200)])\n    time.sleep(0.05)\n"
    command = [sys.executable, "-c", work, "-m", "uvicorn", "uponyaji_demo.app:create_app"]
    subprocess.run(command, env=env, check=True, timeout=60)


def test_a_process_that_is_not_a_service_is_never_traced(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(HOOK), "UPONYAJI_TRACEMALLOC_DIR": str(tmp_path)}
    code = "import sitecustomize, threading, tracemalloc, time; time.sleep(0.2); "
    code += "print(tracemalloc.is_tracing(), [t.name for t in threading.enumerate()])"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == "False ['MainThread']"
    assert list(tmp_path.iterdir()) == []


def test_without_the_directory_a_service_starts_nothing() -> None:
    names = {t.name for t in threading.enumerate()}
    assert "tracemalloc-snapshots" not in names


def test_a_traced_service_writes_snapshots_that_the_comparison_reads(tmp_path: Path) -> None:
    run_as_service(tmp_path, "4", 2.0, censuses=3)

    found = memtrace_diff.snapshots(tmp_path)
    assert list(found) == [("demo", next(iter(found))[1])]
    paths = next(iter(found.values()))
    assert len(paths) >= 2
    lines = memtrace_diff.report(paths, 0, 3, "lineno", 2)
    assert lines[0].startswith("traced MB per snapshot:")
    assert any(line.lstrip().startswith("+") for line in lines[1:])  # the held list grew
    written = sorted(tmp_path.glob("demo-*.census.json"))  # the last may not be written
    assert len(written) >= 2
    first, last = (dict(json.loads(p.read_text())["types"]) for p in (written[0], written[-1]))
    lists = [first, last]
    assert lists[1]["builtins.list"] > lists[0]["builtins.list"]  # the census counts them


def test_untraced_the_allocators_figures_are_appended_and_trimmed_on_request(
    tmp_path: Path,
) -> None:
    (tmp_path / "trim").touch()
    started = time.time()
    run_as_service(tmp_path, "0", 1.0)

    [figures] = [p for p in tmp_path.iterdir() if p.name.endswith(".alloc.jsonl")]
    lines = [json.loads(line) for line in figures.read_text().splitlines()]
    assert len(lines) >= 2
    assert all(line["t"] >= started and line["rss_mb"] > 0 for line in lines)
    assert lines[-1]["py_blocks"] > lines[0]["py_blocks"]  # the process kept what it made
    assert "after_trim" in lines[0]
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".snap"]
