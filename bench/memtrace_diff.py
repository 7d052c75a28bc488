"""Compare the tracemalloc snapshots `bench/memtrace` wrote inside running services.

    .venv/bin/python -m bench.memtrace_diff /tmp/snaps [--service reporting] [--top 15]

For each service (each process) it prints the traced total at every snapshot, then the
allocations that grew most between two snapshots (`--base`, default the first, and the last),
grouped by traceback (`--group traceback`, the default) or by line (`--group lineno`).
"""

from __future__ import annotations

import argparse
import re
import tracemalloc
from collections import defaultdict
from pathlib import Path

SNAP = re.compile(r"^(?P<service>[a-z_]+)-(?P<pid>\d+)-(?P<n>\d+)\.snap$")
IGNORED = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
    tracemalloc.Filter(False, "<unknown>"),
)


def snapshots(directory: Path) -> dict[tuple[str, str], list[Path]]:
    """Snapshot files by (service, pid), in the order they were taken."""
    found: dict[tuple[str, str], list[tuple[int, Path]]] = defaultdict(list)
    for path in directory.iterdir():
        match = SNAP.match(path.name)
        if match:
            found[(match["service"], match["pid"])].append((int(match["n"]), path))
    return {key: [path for _, path in sorted(paths)] for key, paths in sorted(found.items())}


def load(path: Path) -> tracemalloc.Snapshot:
    """One snapshot with the tracer's own and the import machinery's allocations left out."""
    return tracemalloc.Snapshot.load(str(path)).filter_traces(IGNORED)


def report(paths: list[Path], base: int, top: int, group: str, frames: int) -> list[str]:
    """Totals per snapshot and the largest growth from `base` to the last, as lines."""
    totals = []
    for path in paths:
        snap = load(path)
        totals.append(sum(stat.size for stat in snap.statistics("filename")) / 1e6)
    lines = ["traced MB per snapshot: " + " ".join(f"{total:.1f}" for total in totals)]
    first, last = load(paths[base]), load(paths[-1])
    for stat in last.compare_to(first, group)[:top]:
        lines.append(
            f"{stat.size_diff / 1e6:+8.3f} MB {stat.count_diff:+8d} blocks "
            f"(now {stat.size / 1e6:.3f} MB in {stat.count})"
        )
        for frame in stat.traceback.format(limit=frames, most_recent_first=True):
            lines.append("      " + frame.strip())
    return lines


def main() -> None:
    """Print each service's growth between two of its snapshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--service", default="")
    parser.add_argument("--base", type=int, default=0, help="index of the earlier snapshot")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--group", choices=["traceback", "lineno", "filename"], default="traceback")
    parser.add_argument("--frames", type=int, default=8, help="frames shown per traceback")
    args = parser.parse_args()
    for (service, pid), paths in snapshots(args.directory).items():
        if args.service and service != args.service:
            continue
        if len(paths) < 2:
            continue
        print(f"== {service} (pid {pid}), {len(paths)} snapshots")
        for line in report(paths, args.base, args.top, args.group, args.frames):
            print(line)


if __name__ == "__main__":
    main()
