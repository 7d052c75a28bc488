"""What every decider shares: the contracts, and checks that name the field they refuse."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from uponyaji_events.contracts import ContractRegistry, default_registry
from uponyaji_events.contracts import empowerment as c
from uponyaji_events.envelope import NewEvent

from ..errors import InvalidCommand
from . import hunger, money


@functools.cache
def contracts() -> ContractRegistry:
    """Every service's event contracts (built once, on first use)."""
    return default_registry()


def new_event(payload: BaseModel) -> NewEvent:
    """A NewEvent of empowerment's contract for the payload (validated on the way)."""
    return contracts().to_new_event(payload, service=c.SERVICE)


def not_future(field: str, day: date, today: date) -> None:
    """Refuse a day after today (422 naming the field)."""
    if day > today:
        raise InvalidCommand(f"{field}: {day} is in the future")


def amount(value: object, field: str, *, positive: bool = False) -> Decimal:
    """An exact KES amount or a 422 naming the field."""
    try:
        return money.kes(value, field, positive=positive)
    except money.InvalidAmount as problem:
        raise InvalidCommand(str(problem)) from None


def scored(answers: tuple[object, ...]) -> hunger.HungerResult:
    """The Household Hunger Scale result or a 422 naming the bad answer."""
    try:
        return hunger.score(answers)
    except hunger.InvalidAnswers as problem:
        raise InvalidCommand(str(problem)) from None
