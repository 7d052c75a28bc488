"""Kenya shillings as exact decimals: parsing, the contracts' text form, and checks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_KES = Decimal("999999999999.99")


class InvalidAmount(ValueError):
    """An amount that is not a non-negative KES decimal with at most two decimals."""


def kes(value: object, field: str = "amount_kes", *, positive: bool = False) -> Decimal:
    """An exact amount from a Decimal, an int or decimal text; floats are refused."""
    if isinstance(value, bool | float):
        raise InvalidAmount(f'{field}: give the amount as decimal text, e.g. "2500.00"')
    try:
        amount = Decimal(str(value)) if isinstance(value, int | str) else value
    except InvalidOperation:
        raise InvalidAmount(f"{field}: {str(value)[:20]!r} is not a decimal amount") from None
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidAmount(f"{field}: not a decimal amount")
    if amount != amount.quantize(CENT):
        raise InvalidAmount(f"{field}: at most two decimals (cents)")
    if amount < 0 or (positive and amount == 0):
        raise InvalidAmount(f"{field}: must be {'above' if positive else 'at least'} 0")
    if amount > MAX_KES:
        raise InvalidAmount(f"{field}: above {MAX_KES}")
    return amount


def text(amount: Decimal) -> str:
    """The contracts' form: two decimals, no exponent, no sign (`"2500.00"`)."""
    return f"{amount.quantize(CENT):f}"
