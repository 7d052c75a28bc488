"""A reference service built only from the kernel, so the API fuzz test covers the kernel's routes.

Real services (services/*) are fuzzed the same way; this one stands in for the pieces they share:
the feed, health, the error handler and a command that appends with an expected version.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Path, Request
from pydantic import BaseModel, Field
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.errors import UponyajiError
from uponyaji_events.errors_http import install_error_handlers
from uponyaji_events.feed import feed_router
from uponyaji_events.health import health_router
from uponyaji_events.runtime import ServiceRuntime
from uponyaji_events.store import EventStore

NoteId = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,64}$")]


class NoteNotFound(UponyajiError):
    """No note with that id."""

    status_code = 404


class WriteNote(BaseModel):
    """Append a line to a note."""

    text: str = Field(min_length=1, max_length=500)
    expected_version: int = Field(ge=0, le=1_000_000)


def create_app() -> FastAPI:
    """The reference app; its database and NATS come from REFAPP_* environment variables."""
    runtime = ServiceRuntime(
        service="refapp",
        database_url=os.environ["REFAPP_DATABASE_URL"],
        nats_url=os.environ["REFAPP_NATS_URL"],
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        app.state.store = runtime.store
        yield
        await runtime.stop()

    app = FastAPI(title="refapp", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(feed_router(runtime.require_store))
    app.include_router(health_router(runtime))

    @app.post("/notes/{note_id}", status_code=201)
    async def write(note_id: NoteId, body: WriteNote, request: Request) -> dict[str, int]:
        """Append a line; 409 when the note moved on since expected_version."""
        store: EventStore = request.app.state.store
        [event] = await store.append(
            "note",
            note_id,
            body.expected_version,
            [NewEvent("refapp.NoteWritten", {"text": body.text})],
            actor=Actor(id="staff-fuzz", role="clinician"),
        )
        return {"version": event.version}

    @app.get("/notes/{note_id}")
    async def read(note_id: NoteId, request: Request) -> dict[str, list[str]]:
        """Every line of a note."""
        store: EventStore = request.app.state.store
        events = await store.load(note_id)
        if not events:
            raise NoteNotFound(f"note {note_id} does not exist")
        return {"lines": [e.payload["text"] for e in events]}

    return app
