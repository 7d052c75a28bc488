"""Progress per instrument: baseline, latest, change, RCI and its classification (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any
from uuid import UUID

from .instruments import Instruments, compare, shown


@dataclass(frozen=True, slots=True)
class Point:
    """One current (not superseded) administration."""

    assessment_id: UUID
    instrument: str
    administered_at: datetime
    total: Fraction


def _point(table: Instruments, point: Point) -> dict[str, Any]:
    instrument = table[point.instrument]
    score = instrument.headline(point.total)
    return {
        "assessment_id": str(point.assessment_id),
        "administered_at": point.administered_at.isoformat(),
        "score": shown(score),
        "band": instrument.band(score).label,
        "case": instrument.is_case(score),
    }


def progress(table: Instruments, points: Iterable[Point]) -> list[dict[str, Any]]:
    """Per instrument (in table order): the series, baseline, latest and reliable change."""
    series: dict[str, list[Point]] = {}
    for point in sorted(points, key=lambda p: p.administered_at):
        series.setdefault(point.instrument, []).append(point)
    found = []
    for code in (code for code in table if code in series):
        instrument, run = table[code], series[code]
        first, last = run[0], run[-1]
        entry: dict[str, Any] = {
            "instrument": code,
            "direction": instrument.direction.value,
            "score_unit": "percentage" if instrument.percent_factor else instrument.method.value,
            "assessments": len(run),
            "baseline": _point(table, first),
            "latest": _point(table, last),
            "series": [_point(table, p) for p in run],
            "caseness_cutoff": shown(instrument.caseness.threshold),
            "reliable_change": {
                "sd": shown(instrument.reliable_change.sd),
                "r": shown(instrument.reliable_change.r),
                "threshold": round(instrument.reliable_change.threshold, 2),
                "source": instrument.reliable_change.source,
            },
            "change": None,
            "rci": None,
            "classification": None,
            "meaningful_improvement": None,
        }
        if len(run) > 1:
            change = compare(
                instrument, instrument.headline(first.total), instrument.headline(last.total)
            )
            entry["change"] = shown(change.change)
            entry["rci"] = round(change.rci, 2)
            entry["classification"] = change.classification.value
            entry["meaningful_improvement"] = change.meaningful_improvement
        found.append(entry)
    return found
