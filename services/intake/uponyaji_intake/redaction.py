"""Keep search terms out of access logs: `?q=` is blanked once the app has read it.

A search text is a name, a phone or an ID number. uvicorn's access log (and any proxy) writes the
request line with its query string; this ASGI middleware replaces the `q` parameter in the
request's scope when the response starts, after the route has parsed it and before the server
logs the line. Clients that can should prefer `POST /survivors/search`, which keeps the text in
the body.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REDACTED = "redacted"
SENSITIVE = frozenset({"q"})


def redact(query_string: bytes) -> bytes:
    """The query string with every sensitive parameter's value replaced."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, REDACTED if k in SENSITIVE else v) for k, v in pairs]).encode("latin-1")


class RedactSearchTerms:
    """ASGI middleware blanking search terms in the scope before the server logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; redact the query string as the response starts."""
        if scope["type"] != "http" or not scope.get("query_string"):
            await self.app(scope, receive, send)
            return

        async def redacting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                scope["query_string"] = redact(scope["query_string"])
            await send(message)

        await self.app(scope, receive, redacting_send)
