"""`python -m uponyaji_service.tools rebuild|verify <package>`: operator commands on one service.

Run with the service's environment (the launcher's `uponyaji rebuild <service>` and
`uponyaji verify <service>` do that). Both start the service's parts without serving HTTP and
without running its consumers (`create_app(feeds={})`), then:

- `rebuild` empties the service's read tables and replays what they are built from (its own
  events, or for reporting the sources' feeds), with a progress bar;
- `verify` checks every stream's hash chain in the service's store and prints what it found.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from uponyaji_events.integrity import VerifyReport, verify

from uponyaji_service.app import Service, running

USAGE = "usage: python -m uponyaji_service.tools rebuild|verify <package, e.g. uponyaji_intake>"


def declaration(package: str) -> tuple[Service[Any, Any], FastAPI]:
    """The service declared in `<package>.app` and an app of it whose consumers do not run."""
    module = importlib.import_module(f"{package}.app")
    found = [value for value in vars(module).values() if isinstance(value, Service)]
    if len(found) != 1:
        raise LookupError(f"{package}.app declares {len(found)} services, not one")
    return found[0], module.create_app(feeds={})


async def rebuild(package: str, console: Console) -> int:
    """Rebuild the service's read tables; return how many events were applied."""
    service, app = declaration(package)
    if service.rebuild is None:
        raise LookupError(f"{service.name} declares no rebuild")
    async with app.router.lifespan_context(app):
        with Progress(
            TextColumn(f"rebuild {service.name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task(service.name, total=None)
            applied = await service.rebuild(running(app), lambda n: bar.advance(task, n))
    console.print(f"rebuilt {service.name}: {applied} events applied")
    return applied


async def check(package: str, console: Console) -> VerifyReport:
    """Verify the hash chain of every stream in the service's store; print the findings."""
    service, app = declaration(package)
    async with app.router.lifespan_context(app):
        report = await verify(running(app).parts.pool)
    console.print(
        f"verified {service.name}: {report.checked} events checked, "
        f"{len(report.problems)} problems found"
    )
    for problem in report.problems:
        console.print(f"  {problem}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 when it succeeded (and for verify: nothing was wrong)."""
    args = list(sys.argv[1:] if argv is None else argv)
    console = Console(highlight=False)
    if len(args) != 2 or args[0] not in ("rebuild", "verify"):
        console.print(USAGE)
        return 2
    command, package = args
    try:
        if command == "rebuild":
            asyncio.run(rebuild(package, console))
            return 0
        return 0 if asyncio.run(check(package, console)).ok else 1
    except (LookupError, ModuleNotFoundError) as error:
        console.print(f"[red]{error}[/]")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
