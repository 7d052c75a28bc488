"""Psychosocial's fixtures: the app on a fresh database, a fake intake, staff and clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from kit.stage import stage_fixtures
from psychosocial_support import NAIROBI, As, FakeIntake, SigningKey
from uponyaji_psychosocial.app import create_app
from uponyaji_psychosocial.settings import Settings

signing_key, settings, intake, app, http, pool, as_staff = stage_fixtures(
    "psychosocial", create_app, Settings, SigningKey, FakeIntake, NAIROBI
)


@pytest.fixture
def counsellor(as_staff: Callable[..., As]) -> As:
    """A counsellor of the Nairobi test team."""
    return as_staff("counsellor")
