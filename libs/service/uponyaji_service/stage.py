"""A rehabilitation stage: a service that follows intake (medical, psychosocial, empowerment).

Every stage seals survivor data, keeps intake's tables (survivors, consents, caseload: see
`intake_tables`) from intake's events, answers the access library's caseload questions from
them, and projects its own events into its read tables in each unit of work. `stage` declares
that once; a stage's `app.py` (services/medical, psychosocial, empowerment) names only what is
its own — name and description, settings, the command side (`build`), routers, migrations, its
read model (the kernel's `ReadModel` its command side names too), `on_intake(resources, conn,
event)` for intake's events, and
any background work — and ends with `create_app = <SERVICE>.create_app`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter
from uponyaji_events.consumer import Handler
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Event
from uponyaji_events.read_model import ReadModel

from uponyaji_service.app import Follow, Parts, Running, Service, store_rebuild
from uponyaji_service.intake_tables import IntakeCaseload
from uponyaji_service.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
R = TypeVar("R")


def stage(
    name: str,
    description: str,
    *,
    settings: Callable[[], S],
    build: Callable[[Parts[S]], R | Awaitable[R]],
    routers: Sequence[APIRouter],
    migrations: Path,
    read_model: ReadModel,
    on_intake: Callable[[R, Conn, Event], Awaitable[None]],
    background: Callable[[Running[S, R]], Sequence[Coroutine[Any, Any, None]]] | None = None,
) -> Service[S, R]:
    """The declaration of a stage that follows intake (see the module's docstring)."""

    def follow_intake(running: Running[S, R]) -> Handler:
        return partial(on_intake, running.resources)

    return Service(
        name=name,
        description=description,
        settings=settings,
        build=build,
        routers=routers,
        migrations=migrations,
        sealing=True,
        caseload=lambda parts: IntakeCaseload(parts.pool),
        project=read_model.apply_all,
        rebuild=store_rebuild(read_model.rebuild),
        follows=[Follow("intake", handler=follow_intake)],
        background=background,
    )
