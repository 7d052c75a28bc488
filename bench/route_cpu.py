"""The framework's CPU per request, in-process: a PHQ-9-shaped route as FastAPI serves it and as
`DirectRoute` serves it, behind the factory's middleware, with no server, database or handler.

    .venv/bin/python -m bench.route_cpu [--requests 5000] [--turns 3]

Each app has the route `POST /survivors/{survivor_id}/assessments` with psychosocial's body and
response models, a dependency taking the request (as `Authorize` does) and the `Request`, whose
endpoint validates a fixed answer; the error handlers, `ConcurrencyLimit` and
`CorrelationMiddleware` as `Service.create_app` installs them; and a `GET /ping` without
parameters. Requests are ASGI calls made directly (no uvicorn, no socket), so the figure is the
CPU (`time.process_time`) of Starlette, FastAPI, the middleware and the route class alone. The
two apps take turns.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.types import Message
from uponyaji_events.errors_http import install_error_handlers
from uponyaji_psychosocial import responses as r
from uponyaji_psychosocial.schemas import AssessmentBody
from uponyaji_service import DirectRoute
from uponyaji_service.logs import CorrelationMiddleware
from uponyaji_service.overload import ConcurrencyLimit

ANSWER: dict[str, Any] = {
    "assessment_id": str(uuid.uuid4()),
    "instrument": "PHQ-9",
    "total": 12,
    "percentage": None,
    "subscales": {},
    "band": "moderate",
    "flags": [],
    "risk_flag_id": None,
    "supersedes": None,
    "events": [{"type": "psychosocial.AssessmentRecorded", "stream_id": "s", "version": 3}],
}
BODY = orjson.dumps({"instrument": "PHQ-9", "responses": [1, 2, 0, 1, 2, 3, 0, 1, 0]})


async def _caller(request: Request) -> str:
    return request.headers.get("authorization", "")


Caller = Annotated[str, Depends(_caller)]


def build(route_class: type[APIRoute]) -> FastAPI:
    """The app, its routes declared through `route_class`."""
    router = APIRouter(route_class=route_class)

    @router.post("/survivors/{survivor_id}/assessments", status_code=201, response_model=r.Scored)
    async def administer(
        survivor_id: uuid.UUID, body: AssessmentBody, caller: Caller, request: Request
    ) -> r.Scored:
        return r.Scored.model_validate(ANSWER)

    @router.get("/ping", response_model=r.Written)
    async def ping() -> r.Written:
        return r.Written(type="ping", stream_id="", version=0)

    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(CorrelationMiddleware, service="bench")
    app.add_middleware(ConcurrencyLimit, limit=64, queue=64, wait=0.5)
    app.include_router(router)
    return app


async def call(app: FastAPI, method: str, path: str, body: bytes) -> int:
    """One request as uvicorn would make it; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"authorization", b"Bearer token"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "state": {},
    }
    statuses: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def main_async(requests: int, turns: int) -> None:
    """Warm both apps, then time each kind of request on each, in turns."""
    apps = {"APIRoute": build(APIRoute), "DirectRoute": build(DirectRoute)}
    command = f"/survivors/{uuid.uuid4()}/assessments"
    kinds = {"PHQ-9 command": ("POST", command, BODY, 201), "GET /ping": ("GET", "/ping", b"", 200)}
    for app in apps.values():
        for method, path, body, status in kinds.values():
            for _ in range(200):
                assert await call(app, method, path, body) == status
    for turn in range(1, turns + 1):
        for kind, (method, path, body, _) in kinds.items():
            for name, app in apps.items():
                started = time.process_time()
                for _ in range(requests):
                    await call(app, method, path, body)
                cpu = (time.process_time() - started) / requests * 1e6
                print(f"turn {turn}  {kind:14} {name:12} {cpu:6.1f} µs of CPU per request")


def main() -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.route_cpu", description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main_async(args.requests, args.turns))


if __name__ == "__main__":
    main()
