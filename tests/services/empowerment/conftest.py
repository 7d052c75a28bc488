"""Empowerment's fixtures: the app on a fresh database, a fake intake, staff and clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from empowerment_support import NAIROBI, As, FakeIntake, SigningKey
from kit.stage import stage_fixtures
from uponyaji_empowerment.app import create_app
from uponyaji_empowerment.settings import Settings

signing_key, settings, intake, app, http, pool, as_staff = stage_fixtures(
    "empowerment", create_app, Settings, SigningKey, FakeIntake, NAIROBI
)


@pytest.fixture
def officer(as_staff: Callable[..., As]) -> As:
    """An empowerment officer of the Nairobi test team."""
    return as_staff("empowerment_officer")


@pytest.fixture
def lead(as_staff: Callable[..., As]) -> As:
    """A programme lead (no team)."""
    return as_staff("programme_lead", teams=())
