"""What a dashboard request selects: one calendar period of a grain, a county, a team, a language.

Arbitrary date ranges are refused (422 naming `from`/`to`): published tables come only for whole
months, quarters and years (periods.py, docs/disclosure.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from uponyaji_events.eat import today

from . import counties
from .counties import Language
from .periods import Grain, Period, containing, parse

METHOD = "cell-key random rounding"


@dataclass(frozen=True)
class Selection:
    """A dashboard request's period, county (code), team and language."""

    period: Period
    county: str | None
    team: str | None
    language: Language

    def describe(self, base: int) -> dict[str, Any]:
        """The selection as published with the tables (county by name, the rounding base)."""
        return {
            "grain": str(self.period.grain),
            "period": self.period.label,
            "first_day": self.period.first.isoformat(),
            "last_day": self.period.last.isoformat(),
            "county": counties.name(self.county, self.language) if self.county else None,
            "team": self.team,
            "disclosure": METHOD,
            "rounding_base": base,
        }


def _invalid(field: str, problem: str) -> RequestValidationError:
    error = {"loc": ("query", field), "msg": problem, "type": "value_error"}
    return RequestValidationError([error])


async def selection(
    grain: Annotated[Grain, Query(description="month, quarter or year")] = Grain.YEAR,
    period: Annotated[
        str | None,
        Query(max_length=7, description="2026-03, 2026-Q1 or 2026 (default: the current one)"),
    ] = None,
    county: Annotated[
        str | None, Query(pattern=r"^[0-9]{3}$", description="County code 001-047")
    ] = None,
    team: Annotated[str | None, Query(min_length=1, max_length=64, description="Team id")] = None,
    lang: Annotated[Language, Query(description="County names in en or sw")] = "en",
    start: Annotated[str | None, Query(alias="from", description="Refused: use grain")] = None,
    end: Annotated[str | None, Query(alias="to", description="Refused: use grain")] = None,
) -> Selection:
    """The request's selection; 422 for date ranges, a malformed period or an unknown county."""
    for field, value in (("from", start), ("to", end)):
        if value is not None:
            raise _invalid(
                field,
                "date ranges are not published; choose grain=month|quarter|year and a period",
            )
    if county is not None and county not in counties.COUNTIES:
        raise _invalid("county", "must be one of the 47 county codes, 001 to 047")
    try:
        chosen = parse(grain, period) if period else containing(grain, today())
    except ValueError as error:
        raise _invalid("period", str(error)) from error
    return Selection(chosen, county, team, lang)
