"""Case numbers under concurrent registrations: never twice."""

from __future__ import annotations

import asyncio

from intake_support import As, registration


async def test_concurrent_registrations_get_distinct_case_numbers(officer: As) -> None:
    requests = [officer.post("/survivors", registration()) for _ in range(24)]
    responses = await asyncio.gather(*requests)
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    numbers = sorted(r.json()["case_number"] for r in responses)
    assert len(set(numbers)) == 24
    assert [int(n[-6:]) for n in numbers] == list(range(1, 25))  # no failure, so no gap either
