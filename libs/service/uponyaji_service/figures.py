"""What a service needs to publish aggregate figures under the shared disclosure control.

Counted are only survivors whose latest decision on `deidentified_reporting` is a grant (the
service's `reportable` view over the `consents` table fed by intake); every count is randomly
rounded by its records' keys under the service database's own secret (`disclosure_secret`, both
created by the service's migration); and arbitrary date ranges are refused by name.
docs/disclosure.md states the guarantee per endpoint.
"""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Query
from fastapi.exceptions import RequestValidationError
from uponyaji_disclosure.rounding import DEFAULT_BASE, Publisher
from uponyaji_events.db import Conn

NO_RANGES = "date ranges are not published; figures come only for fixed periods"


async def publisher(conn: Conn | asyncpg.Pool, base: int = DEFAULT_BASE) -> Publisher:
    """The publisher under this database's disclosure secret."""
    secret: bytes = await conn.fetchval("SELECT secret FROM disclosure_secret")
    return Publisher(secret, base)


async def no_date_ranges(
    start: Annotated[str | None, Query(alias="from", description="Refused: fixed periods")] = None,
    end: Annotated[str | None, Query(alias="to", description="Refused: fixed periods")] = None,
) -> None:
    """Refuse `from`/`to` with 422 naming the parameter (two ranges could single a day out)."""
    for field, value in (("from", start), ("to", end)):
        if value is not None:
            error = {"loc": ("query", field), "msg": NO_RANGES, "type": "value_error"}
            raise RequestValidationError([error])
