"""Settings refuse development defaults and a missing key file outside development."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError
from uponyaji_identity.app import create_app
from uponyaji_identity.settings import Settings
from uponyaji_service.production import ProductionRefused


def test_development_defaults_only_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("IDENTITY_DATABASE_URL", "IDENTITY_NATS_URL", "IDENTITY_KEK_FILE"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(UPONYAJI_ENV="development").database_url.endswith("/identity")
    for environment in ("production", "test"):
        with pytest.raises(ValidationError) as refused:
            Settings(UPONYAJI_ENV=environment)
        assert "IDENTITY_DATABASE_URL" in str(refused.value)
        assert "IDENTITY_KEK_FILE" in str(refused.value)
    monkeypatch.delenv("UPONYAJI_ENV", raising=False)
    with pytest.raises(ValidationError):
        Settings()  # no UPONYAJI_ENV means production


def test_settings_read_the_identity_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPONYAJI_ENV", "production")
    monkeypatch.setenv("IDENTITY_DATABASE_URL", "postgresql://identity@db.invalid/identity")
    monkeypatch.setenv("IDENTITY_NATS_URL", "nats://nats.invalid:4222")
    monkeypatch.setenv("IDENTITY_KEK_FILE", "/run/secrets/identity.kek")
    monkeypatch.setenv("IDENTITY_PORT", "9001")
    settings = Settings()
    assert settings.port == 9001
    assert not settings.development
    assert not settings.may_create_kek


async def test_production_never_creates_a_missing_key_file(
    settings_for: Callable[..., Settings], tmp_path: Path
) -> None:
    missing = tmp_path / "absent.kek"
    settings = settings_for(UPONYAJI_ENV="production", kek_file=missing)
    # Production mode refuses before anything starts (here: no NATS user, no signing key).
    with pytest.raises(ProductionRefused):
        create_app(settings)
    assert not missing.exists()
