"""Run the kernel's benchmarks on fresh servers and print their figures: `python -m bench`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console

from bench import (
    append,
    consumer,
    empowerment,
    medical,
    notary,
    relay,
    replay,
    reporting,
    signing,
)
from bench.machine import describe
from bench.probe import Probe
from bench.report import Results, render
from bench.servers import Servers, started_servers
from bench.sizes import FULL, QUICK, Sizes

Benchmark = Callable[[Servers, Sizes, Probe], Awaitable[Results]]

BENCHMARKS: dict[str, Benchmark] = {
    "append": append.run,
    "relay": relay.run,
    "consumer": consumer.run,
    "replay": replay.run,
    "reporting": reporting.run,
    "reporting-commands": reporting.run_commands,
    "reporting-projection": reporting.run_projection,
    "medical": medical.run,
    "empowerment": empowerment.run,
    "signing": signing.run,
    "notary": notary.run,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: which benchmarks, how big, where to save the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    return parser.parse_args(argv)


async def run_all(servers: Servers, names: list[str], sizes: Sizes, console: Console) -> Results:
    """Run the named benchmarks one after another on the same servers."""
    machine = await describe(servers)
    for key, value in machine.items():
        console.print(f"[bold]{key}[/]: {value}")
    probe = Probe(servers)
    results = Results()
    for name in names:
        started = time.perf_counter()
        try:
            with console.status(f"benchmark {name}…"):
                results.extend(await BENCHMARKS[name](servers, sizes, probe))
        except Exception as exc:  # one failing benchmark must not lose the others' figures
            results.failed(name, exc)
            console.print(
                f"[red]{name}: FAILED[/] after {time.perf_counter() - started:.0f} s: "
                f"{type(exc).__name__}: {exc}"
            )
            continue
        console.print(f"{name}: done in {time.perf_counter() - started:.0f} s")
    results.machine = machine
    return results


def main(argv: list[str] | None = None) -> None:
    """Start fresh servers, run the benchmarks, print the tables."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Stopping a relay or a consumer closes its NATS connection, which the kernel logs as a warning.
    logging.getLogger("uponyaji.events.nats").setLevel(logging.ERROR)
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped into a file: keep each row on one line
    # reporting-commands and reporting-projection are parts of reporting, runnable alone
    parts = ("reporting-commands", "reporting-projection")
    names = args.only or [name for name in BENCHMARKS if name not in parts]
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    with started_servers() as servers:
        results = asyncio.run(run_all(servers, names, sizes, console))
    render(results, console)
    console.print(
        f"total: {time.perf_counter() - started:.0f} s ({'quick' if args.quick else 'full'})"
    )
    if args.json is not None:
        payload = {"sizes": sizes.__dict__, "quick": args.quick, **results.as_dict()}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
