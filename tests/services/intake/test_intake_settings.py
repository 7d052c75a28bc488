"""Settings: erasure participants, case-number prefix, and the KEK file outside development."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from intake.settings import Settings
from pydantic import ValidationError
from uponyaji_events.sealing import KekError, load_kek


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", "postgresql://nowhere/intake")
    monkeypatch.setenv("INTAKE_KEK_FILE", str(tmp_path / "kek"))
    for name in ("UPONYAJI_SERVICE_URLS", "INTAKE_ERASURE_PARTICIPANTS", "UPONYAJI_ENV"):
        monkeypatch.delenv(name, raising=False)


def test_participants_default_to_the_key_holders_the_launcher_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().participants() == ["intake"]
    urls = {"identity": "http://a", "intake": "http://b", "medical": "http://c"}
    monkeypatch.setenv("UPONYAJI_SERVICE_URLS", json.dumps(urls))
    assert Settings().participants() == ["intake", "medical"]


def test_participants_can_be_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_ERASURE_PARTICIPANTS", "psychosocial, medical")
    assert Settings().participants() == ["intake", "medical", "psychosocial"]
    monkeypatch.setenv("INTAKE_ERASURE_PARTICIPANTS", "medical,pharmacy")
    with pytest.raises(ValidationError, match="pharmacy"):
        Settings()


def test_case_number_prefix_is_capital_letters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_CASE_NUMBER_PREFIX", "KE1")
    with pytest.raises(ValidationError, match="case_number_prefix"):
        Settings()


def test_the_kek_is_created_only_in_development_and_tests(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = Settings()
    assert not settings.development  # production unless said otherwise
    with pytest.raises(KekError):
        load_kek(settings.kek_file, create=settings.development)
    monkeypatch.setenv("UPONYAJI_ENV", "development")
    settings = Settings()
    assert len(load_kek(settings.kek_file, create=settings.development)) == 32
