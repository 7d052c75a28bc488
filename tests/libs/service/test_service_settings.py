"""Every service's settings build on the one base: shared fields are declared there, once."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from uponyaji_service import IntakeFollower, ServiceSettings, StageSettings

ROOT = Path(__file__).resolve().parents[3]
SERVICES = sorted(path.parents[1].name for path in ROOT.glob("services/*/uponyaji_*/settings.py"))


def _settings(service: str) -> type[ServiceSettings]:
    found: type[ServiceSettings] = importlib.import_module(f"uponyaji_{service}.settings").Settings
    return found


FOLLOWERS = [s for s in SERVICES if issubclass(_settings(s), IntakeFollower)]
STAGES = [s for s in SERVICES if issubclass(_settings(s), StageSettings)]


def _same(own: FieldInfo, base: FieldInfo) -> bool:
    return (
        own.annotation == base.annotation
        and own.default == base.default
        and own.default_factory == base.default_factory
        and own.metadata == base.metadata
    )


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_redeclares_a_shared_field_only_to_change_it(service: str) -> None:
    """A field copied from the base unchanged would drift from it; a port or a required key
    file (a changed default) is the service's own."""
    settings = importlib.import_module(f"uponyaji_{service}.settings").Settings
    assert issubclass(settings, ServiceSettings)
    base = next(c for c in settings.__mro__[1:] if c.__module__ == "uponyaji_service.settings")
    copied = [
        name
        for name in settings.__annotations__
        if name in base.model_fields and _same(settings.model_fields[name], base.model_fields[name])
    ]
    assert not copied, f"{service} repeats the base's {copied}: drop them from its Settings"


def test_mail_settings_keep_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deploy files name `<SERVICE>_SMTP_HOST`; the shared fields must still be read from it."""
    psychosocial = importlib.import_module("uponyaji_psychosocial.settings").Settings
    monkeypatch.setenv("PSYCHOSOCIAL_SMTP_HOST", "smtp.invalid")
    monkeypatch.setenv("PSYCHOSOCIAL_NOTIFY_ADDRESSES", '{"programme_lead": "lead@example.org"}')
    settings = psychosocial(database_url="postgresql://unused/x", kek_file=Path("unused.kek"))
    assert settings.smtp_host == "smtp.invalid"
    assert settings.notify_addresses == {"programme_lead": "lead@example.org"}
    channel = settings.smtp_channel()
    assert channel is not None
    assert channel.host == "smtp.invalid"
    assert settings.model_copy(update={"smtp_host": None}).smtp_channel() is None


def test_every_follower_of_intake_reads_intake_s_address_from_its_own_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Deploy files name `<SERVICE>_INTAKE_URL`; the one shared declaration reads each."""
    assert FOLLOWERS == ["empowerment", "medical", "psychosocial", "reporting"]
    assert STAGES == ["empowerment", "medical", "psychosocial"]
    for service in FOLLOWERS:
        monkeypatch.setenv(f"{service.upper()}_INTAKE_URL", f"http://intake-of-{service}")
    for service in FOLLOWERS:
        settings = _settings(service)(database_url="postgresql://unused/x", kek_file=Path("k.kek"))
        assert settings.service_url("intake") == f"http://intake-of-{service}"


@pytest.mark.parametrize("service", STAGES)
def test_a_stage_is_not_configured_without_its_key_file(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(f"{service.upper()}_KEK_FILE", raising=False)
    with pytest.raises(ValidationError, match="kek_file"):
        _settings(service)(database_url="postgresql://unused/x")
