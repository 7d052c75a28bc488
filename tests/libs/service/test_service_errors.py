"""The one error model: what every service answers with, and the errors stages share."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from uponyaji_events.errors import UponyajiError
from uponyaji_service import errors as shared

ROOT = Path(__file__).resolve().parents[3]
SERVICES = sorted(path.parents[1].name for path in ROOT.glob("services/*/uponyaji_*/errors.py"))
STANDING = ["CaseClosed", "ConsentRequired", "SurvivorErased", "SurvivorMerged"]


def _own(service: str) -> list[type[UponyajiError]]:
    module = importlib.import_module(f"uponyaji_{service}.errors")
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, UponyajiError)
        and value.__module__ == module.__name__
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_of_a_service_is_a_4xx_of_the_one_model(service: str) -> None:
    """Refused input and broken rules are the caller's to fix (4xx), never a 500."""
    own = _own(service)
    assert own, f"{service} has no errors of its own"
    for error in own:
        assert issubclass(error, shared.ServiceError), error
        assert 400 <= error.status_code < 500, error
        if error.__init__ is UponyajiError.__init__:  # the others need more than a message
            assert error("why").body() == {"error": error.__name__, "detail": "why"}


@pytest.mark.parametrize("service", ["empowerment", "intake", "medical", "psychosocial"])
def test_the_survivor_s_standing_is_refused_with_the_same_errors_in_every_stage(
    service: str,
) -> None:
    """The portal words one message per error name: a stage must not grow its own copy."""
    module = importlib.import_module(f"uponyaji_{service}.errors")
    for name in STANDING:
        error = getattr(module, name)
        assert error is getattr(shared, name)
        assert error.status_code == 409


def test_retry_later_says_when_in_whole_seconds() -> None:
    """A lock that ends now still asks for a second: `Retry-After: 0` would invite a storm."""
    locked = importlib.import_module("uponyaji_identity.errors").AccountLocked("locked", 0)
    assert (locked.status_code, dict(locked.headers or {})) == (423, {"Retry-After": "1"})
    slow = importlib.import_module("uponyaji_identity.errors").TooManyRequests("slow down", 42)
    assert (slow.status_code, dict(slow.headers or {})) == (429, {"Retry-After": "42"})
