"""Medical's fixtures: the app on a fresh database reading a fake intake, staff and clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from kit.stage import stage_fixtures
from medical_api_support import NAIROBI, As, FakeIntake, SigningKey
from uponyaji_medical.app import create_app
from uponyaji_medical.settings import Settings

# Uploads up to 1 MB: the limit is a setting, and tests need not send 50 MB.
signing_key, settings, intake, app, http, pool, as_staff = stage_fixtures(
    "medical", create_app, Settings, SigningKey, FakeIntake, NAIROBI, max_upload_bytes=1_000_000
)


@pytest.fixture
def clinician(as_staff: Callable[..., As]) -> As:
    """A clinician of the Nairobi test team."""
    return as_staff("clinician")
