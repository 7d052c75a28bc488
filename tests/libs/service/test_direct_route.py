"""DirectRoute: the same answers and OpenAPI document as FastAPI's route, the gate run once."""

from collections import Counter
from typing import Annotated, Any
from uuid import UUID

import fastapi.routing
import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.utils import solve_dependencies
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from uponyaji_events.errors_http import install_error_handlers
from uponyaji_service import DirectRoute
from uponyaji_service.direct_route import _Direct, plan
from uponyaji_service.errors import NotFound
from uponyaji_service.telemetry import FASTAPI_TELEMETRY

SURVIVOR = "0b6f2a4e-8a51-4b0e-9f3c-3f1f6f0e5d11"
MISSING = "9d1c7c1e-0000-4000-8000-000000000000"


class Score(BaseModel):
    """A command's body."""

    instrument: str = Field(max_length=8)
    responses: list[int] = Field(min_length=1)


class Scored(BaseModel):
    """A command's answer."""

    survivor_id: str
    total: int
    caller: str


class Gate:
    """An authorisation-like dependency: counts each call (an audit record would be written)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    async def __call__(self, request: Request) -> str:
        caller = request.headers.get("authorization", "")
        self.calls[request.url.path] += 1
        if not caller:
            raise NotFound("survivor not found")
        return caller


def build(route_class: type[APIRoute]) -> tuple[FastAPI, Gate]:
    """One app with the command route declared through `route_class`."""
    gate = Gate()
    router = APIRouter(route_class=route_class)
    caller_of = Annotated[str, Depends(gate)]  # annotations are evaluated here (no __future__)

    @router.post("/survivors/{survivor_id}/scores", status_code=201, response_model=Scored)
    async def score(survivor_id: UUID, body: Score, caller: caller_of, request: Request) -> Scored:
        """Total a survivor's responses (404 for the unknown one)."""
        if str(survivor_id) == MISSING:
            raise NotFound("survivor not found")
        return Scored(survivor_id=str(survivor_id), total=sum(body.responses), caller=caller)

    @router.post("/survivors/{survivor_id}/plain", status_code=201, response_model=Scored)
    async def plain(survivor_id: UUID, caller: caller_of) -> dict[str, object]:
        """Answer a dict, not the model: validated and serialised as FastAPI does."""
        return {"survivor_id": str(survivor_id), "total": "7", "caller": caller}

    # As in the service factory: FastAPI's own request telemetry, which would turn on under
    # another test's session-wide tracer provider, is off.
    app = FastAPI(title="twin", telemetry=FASTAPI_TELEMETRY)
    install_error_handlers(app)
    app.include_router(router)
    return app, gate


JSON = {"content-type": "application/json"}
CHARSET = {"content-type": "application/json; charset=utf-8"}
ONE = b'{"instrument": "PHQ-9", "responses": [1]}'
REQUESTS: list[tuple[str, str, dict[str, str], bytes]] = [
    ("valid", SURVIVOR, JSON, b'{"instrument": "PHQ-9", "responses": [1, 2, 3]}'),
    ("json with charset", SURVIVOR, CHARSET, b'{"instrument": "PHQ-9", "responses": [3]}'),
    ("bad survivor id", "not-a-uuid", JSON, ONE),
    ("unknown survivor", MISSING, JSON, ONE),
    ("invalid body", SURVIVOR, JSON, b'{"instrument": "PHQ-9-TOO-LONG", "responses": []}'),
    ("not json", SURVIVOR, JSON, b'{"instrument": '),
    ("NaN", SURVIVOR, JSON, b'{"instrument": "PHQ-9", "responses": [NaN]}'),
    ("no content type", SURVIVOR, {}, ONE),
    ("text body", SURVIVOR, {"content-type": "text/plain"}, b"hello"),
    ("empty body", SURVIVOR, JSON, b""),
    ("array body", SURVIVOR, JSON, b"[1, 2]"),
]
Answer = tuple[int, bytes, str | None]


async def _answers(app: FastAPI, caller: str | None) -> list[Answer]:
    transport = httpx.ASGITransport(app=app)
    auth = {"authorization": caller} if caller else {}
    found: list[Answer] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://twin") as client:
        for _, survivor, headers, body in REQUESTS:
            url = f"/survivors/{survivor}/scores"
            response = await client.post(url, content=body, headers={**headers, **auth})
            found.append(
                (response.status_code, response.content, response.headers.get("content-type"))
            )
        response = await client.post(f"/survivors/{SURVIVOR}/plain", headers=auth)
        found.append((response.status_code, response.content, response.headers.get("content-type")))
    return found


@pytest.fixture
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests FastAPI's dependency machinery resolved."""
    seen: list[str] = []

    async def counted(**kwargs: Any) -> Any:
        seen.append(kwargs["request"].url.path)
        return await solve_dependencies(**kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return seen


@pytest.mark.parametrize("caller", ["Bearer counsellor", None])
async def test_a_direct_route_answers_every_request_as_fastapi_does(
    caller: str | None, resolved: list[str]
) -> None:
    """Valid, malformed and refused requests: the same status, body and content type; the
    gate (where authorisation audits) runs once per request, also when the body is refused."""
    direct, direct_gate = build(DirectRoute)
    standard, standard_gate = build(APIRoute)
    expected = await _answers(standard, caller)
    resolved.clear()
    got = await _answers(direct, caller)
    for (name, *_), mine, theirs in zip([*REQUESTS, ("plain",)], got, expected, strict=True):
        assert mine == theirs, name
    assert direct_gate.calls == standard_gate.calls
    # once each, except the body that is not JSON: FastAPI refuses it before any dependency
    assert sum(direct_gate.calls.values()) == len(REQUESTS)
    if caller:
        assert got[0] == (
            201,
            b'{"survivor_id":"' + SURVIVOR.encode() + b'","total":6,"caller":"Bearer counsellor"}',
            "application/json",
        )
        assert got[-1][0] == 201
        assert b'"total":7' in got[-1][1]
    # The well-formed requests (valid, unknown survivor, the plain route; refused by the gate
    # when unauthorised) never reached FastAPI's dependency machinery; the malformed ones did.
    direct_paths = {f"/survivors/{SURVIVOR}/plain", f"/survivors/{MISSING}/scores"}
    assert not direct_paths & set(resolved)
    assert len(resolved) == len(REQUESTS) - 4  # all but those two, "json with charset", "not json"


def test_a_direct_route_is_documented_as_fastapi_documents_it() -> None:
    """The OpenAPI document comes from the declared signature, whichever route class serves it."""
    assert build(DirectRoute)[0].openapi() == build(APIRoute)[0].openapi()


def test_only_plain_routes_are_served_directly() -> None:
    """A query parameter (or anything else FastAPI must resolve) keeps FastAPI's handler."""
    router = APIRouter(route_class=DirectRoute)

    @router.get("/things", response_model=Scored)
    async def things(limit: int = 10) -> Scored:
        """A route with a query parameter."""
        return Scored(survivor_id="", total=limit, caller="")

    @router.get("/survivors/{survivor_id}", response_model=Scored)
    async def one(survivor_id: UUID) -> Scored:
        """A route with a path parameter only."""
        return Scored(survivor_id=str(survivor_id), total=0, caller="")

    assert [plan(route) is not None for route in router.routes] == [False, True]


async def test_a_request_the_fast_path_declines_is_not_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each request, answered directly or handed to FastAPI, is tried by the fast path once."""
    tried: list[str] = []
    original = _Direct.answer

    async def counted(self: _Direct, request: Request) -> Any:
        tried.append(request.url.path)
        return await original(self, request)

    monkeypatch.setattr(_Direct, "answer", counted)
    direct, _ = build(DirectRoute)
    answers = await _answers(direct, "Bearer counsellor")
    assert [status for status, *_ in answers].count(201) == 3  # valid, charset, plain
    assert len(tried) == len(REQUESTS) + 1
