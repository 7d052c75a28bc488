"""The kernel's error hierarchy; every service roots its own errors here.

An error carries what its HTTP answer needs: `status_code`, optional `headers` (e.g.
`WWW-Authenticate`, `Retry-After`) and `extra` fields added to the body next to `error` and
`detail`. One handler (`errors_http.install_error_handlers`) renders every one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

_NOTHING: Mapping[str, Any] = MappingProxyType({})


class UponyajiError(Exception):
    """Base of every error the platform raises on purpose."""

    status_code: ClassVar[int] = 500
    headers: Mapping[str, str] | None = None
    extra: Mapping[str, Any] = _NOTHING

    def __init__(
        self,
        *args: object,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(*args)
        if headers is not None:
            self.headers = dict(headers)
        if extra is not None:
            self.extra = dict(extra)

    def body(self) -> dict[str, Any]:
        """The JSON body: `{"error": ClassName, "detail": message, **extra}`."""
        return {"error": type(self).__name__, "detail": str(self), **self.extra}


class ConcurrencyError(UponyajiError):
    """A stream was not at the version the writer expected (HTTP 409 at the edge)."""

    status_code = 409


class UnknownEventType(UponyajiError):
    """An event type has no registered contract."""

    status_code = 422
