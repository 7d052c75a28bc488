"""Memory snapshots from inside running services, for diagnosis only (off unless asked for).

Put this directory first on `PYTHONPATH` and name a directory in `UPONYAJI_TRACEMALLOC_DIR`
before `uponyaji up`; the launcher passes its environment to every service, so each uvicorn
process then starts `tracemalloc` and writes a snapshot every `UPONYAJI_TRACEMALLOC_EVERY`
seconds (default 60) to `<dir>/<service>-<pid>-<n>.snap`. Compare them with
`python -m bench.memtrace_diff <dir>`. Tracing costs every allocation a traceback: never in
production, and a traced stack's latencies are not figures.
"""

from __future__ import annotations

import os
import sys

DIR_ENV = "UPONYAJI_TRACEMALLOC_DIR"
EVERY_ENV = "UPONYAJI_TRACEMALLOC_EVERY"
FRAMES_ENV = "UPONYAJI_TRACEMALLOC_FRAMES"
DELAY_ENV = "UPONYAJI_TRACEMALLOC_DELAY"


def _service_name() -> str | None:
    """The service a uvicorn command line serves (`uponyaji_<name>.app:create_app`), else None."""
    try:
        with open("/proc/self/cmdline", "rb") as handle:
            words = handle.read().decode(errors="replace").split("\0")
    except OSError:
        words = list(sys.argv)
    if "uvicorn" not in words:
        return None
    for word in words:
        if word.startswith("uponyaji_") and ":" in word:
            return word.split(".", 1)[0].removeprefix("uponyaji_")
    return None


def _start(directory: str, name: str) -> None:
    """Trace after the delay, then snapshot every interval from a daemon thread."""
    import threading
    import time
    import tracemalloc

    every = float(os.environ.get(EVERY_ENV, "60"))
    frames = int(os.environ.get(FRAMES_ENV, "10"))
    delay = float(os.environ.get(DELAY_ENV, "0"))

    def run() -> None:
        time.sleep(delay)
        number = 0
        if frames <= 0:  # no tracing: the allocators' own figures only (cheap)
            while True:
                _allocators(os.path.join(directory, f"{name}-{os.getpid()}.alloc.jsonl"), directory)
                time.sleep(every)
        tracemalloc.start(frames)
        while True:
            time.sleep(every)
            snapshot = tracemalloc.take_snapshot()
            path = os.path.join(directory, f"{name}-{os.getpid()}-{number:03d}.snap")
            snapshot.dump(path + ".part")
            os.replace(path + ".part", path)
            _census(path.removesuffix(".snap") + ".census.json")
            number += 1

    threading.Thread(target=run, name="tracemalloc-snapshots", daemon=True).start()


def _allocators(path: str, directory: str) -> None:
    """Append one line of figures: resident size, glibc's heap (in use, free, mmapped) and
    Python's object allocator (arenas, blocks in use); with `<dir>/trim` present, the same
    again after `gc.collect()` and `malloc_trim(0)` (what a process could give back)."""
    import ctypes
    import gc
    import json
    import time

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (f, ctypes.c_size_t)
            for f in (
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            )
        ]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2

    def figures() -> dict[str, float]:
        info = libc.mallinfo2()
        with open("/proc/self/statm") as handle:
            resident = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        blocks = sys.getallocatedblocks()
        return {
            "rss_mb": resident / 1e6,
            "glibc_in_use_mb": info.uordblks / 1e6,
            "glibc_free_mb": info.fordblks / 1e6,
            "glibc_mmapped_mb": info.hblkhd / 1e6,
            "glibc_heap_mb": info.arena / 1e6,
            "py_blocks": blocks,
            "gc_objects": len(gc.get_objects()),
        }

    line: dict[str, object] = {"t": time.time(), **figures()}
    trigger = os.path.join(directory, "trim")
    if os.path.exists(trigger):
        gc.collect()
        libc.malloc_trim(0)
        line["after_trim"] = figures()
    with open(path, "a") as handle:
        handle.write(json.dumps(line) + "\n")


def _census(path: str) -> None:
    """Live objects by type, and by type those allocated with no Python frame of their own
    (in C called straight from the event loop: asyncpg's and uvloop's protocols), as JSON."""
    import gc
    import json
    import tracemalloc
    from collections import Counter

    def kind(obj: object) -> str:
        return f"{type(obj).__module__}.{type(obj).__qualname__}"

    def from_loop(obj: object) -> bool:
        trace = tracemalloc.get_object_traceback(obj)
        return trace is not None and trace[-1].filename.endswith(("runners.py", "base_events.py"))

    objects = gc.get_objects()
    counts = Counter(map(kind, objects))
    loop: Counter[str] = Counter()
    loop_bytes: Counter[str] = Counter()
    for obj in objects:
        for held in (obj, *(r for r in gc.get_referents(obj) if not gc.is_tracked(r))):
            if from_loop(held):
                loop[kind(held)] += 1
                loop_bytes[kind(held)] += sys.getsizeof(held)
    found = {
        "types": counts.most_common(80),
        "from_loop": [(k, n, loop_bytes[k]) for k, n in loop.most_common(40)],
    }
    with open(path, "w") as handle:
        json.dump(found, handle, indent=1)


def _maybe_start() -> None:
    """Start only when the directory is named and this process is a service."""
    directory = os.environ.get(DIR_ENV, "").strip()
    if not directory:
        return
    name = _service_name()
    if name is None:
        return
    os.makedirs(directory, exist_ok=True)
    _start(directory, name)


_maybe_start()
