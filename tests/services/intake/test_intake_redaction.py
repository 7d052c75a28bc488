"""Search terms never reach the server's access log: the query is blanked as the response starts."""

from __future__ import annotations

from typing import Any

from uponyaji_intake.redaction import RedactSearchTerms, redact


def test_redact_keeps_other_parameters() -> None:
    assert redact(b"q=Zawadi+Canary&purpose=care") == b"q=redacted&purpose=care"
    assert redact(b"after=10") == b"after=10"


async def test_the_app_reads_the_term_and_the_log_line_does_not() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["app"] = scope["query_string"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    scope = {"type": "http", "query_string": b"q=0799123456"}

    async def server_send(message: Any) -> None:
        if message["type"] == "http.response.start":
            seen["logged"] = scope["query_string"]  # what uvicorn's access log would print

    async def receive() -> Any:
        return {"type": "http.request"}

    await RedactSearchTerms(app)(scope, receive, server_send)
    assert seen == {"app": b"q=0799123456", "logged": b"q=redacted"}
