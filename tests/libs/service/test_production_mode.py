"""UPONYAJI_ENV=production: a service refuses to start with each development shortcut, naming it."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from natskit import nats_credentials
from uponyaji_launcher.keys import ensure_kek, ensure_signing_key
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.pgroles import ensure_service_database
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres
from uponyaji_psychosocial.app import create_app
from uponyaji_psychosocial.settings import Settings
from uponyaji_service.production import ProductionRefused, database_problems


@pytest.fixture
def safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nats_server: EmbeddedNats
) -> Callable[..., Settings]:
    """Production settings with every secret in place; override one field to make it unsafe."""
    monkeypatch.setenv("UPONYAJI_ENV", "production")
    monkeypatch.setenv("PSYCHOSOCIAL_IDENTITY_URL", "https://identity.example.org")
    monkeypatch.delenv("PSYCHOSOCIAL_JWKS_FILE", raising=False)
    monkeypatch.delenv("UPONYAJI_SERVICE_URLS", raising=False)
    kek, keys, creds = tmp_path / "psychosocial.kek", tmp_path / "signing", tmp_path / "nats.json"
    ensure_kek(kek)
    ensure_signing_key(keys)
    user = nats_credentials(nats_server, "psychosocial")
    creds.write_text(json.dumps({"user": user.user, "password": user.password}))
    creds.chmod(0o600)
    audit_key = tmp_path / "audit.key"
    audit_key.write_bytes(secrets.token_bytes(32).hex().encode())
    monkeypatch.setenv("UPONYAJI_AUDIT_KEY_FILE", str(audit_key))
    (tmp_path / "notary").mkdir()

    def make(**unsafe: Any) -> Settings:
        fields: dict[str, Any] = {
            "database_url": "postgresql://psychosocial_app@127.0.0.1:9/psychosocial",
            "kek_file": kek,
            "signing_key_dir": keys,
            "nats_credentials_file": creds,
            "notary_heads_file": tmp_path / "notary" / "psychosocial.heads.jsonl",
            **unsafe,
        }
        return Settings(**fields)

    return make


def test_safe_production_settings_are_accepted(safe: Callable[..., Settings]) -> None:
    create_app(safe())  # builds; the lifespan (not entered) would probe the database


@pytest.mark.parametrize(
    ("unsafe", "named"),
    [
        ({"nats_credentials_file": None}, "PSYCHOSOCIAL_NATS_CREDENTIALS_FILE is not set"),
        ({"kek_file": Path("/nonexistent/psychosocial.kek")}, "PSYCHOSOCIAL_KEK_FILE="),
        ({"signing_key_dir": None}, "PSYCHOSOCIAL_SIGNING_KEY_DIR="),
        ({"notary_heads_file": None}, "PSYCHOSOCIAL_NOTARY_HEADS_FILE is not set"),
        (
            {"notary_heads_file": Path("/nonexistent/notary/psychosocial.heads.jsonl")},
            "PSYCHOSOCIAL_NOTARY_HEADS_FILE=.*does not exist",
        ),
    ],
    ids=[
        "anonymous-nats",
        "missing-kek",
        "missing-signing-key",
        "no-notary",
        "notary-directory-missing",
    ],
)
def test_an_unsafe_setting_is_refused_by_name(
    safe: Callable[..., Settings], unsafe: dict[str, Any], named: str
) -> None:
    with pytest.raises(ProductionRefused, match=named):
        create_app(safe(**unsafe))


def test_a_missing_kek_is_not_created(safe: Callable[..., Settings], tmp_path: Path) -> None:
    missing = tmp_path / "never.kek"
    with pytest.raises(ProductionRefused):
        create_app(safe(kek_file=missing))
    assert not missing.exists()


@pytest.mark.parametrize(
    ("key", "named"),
    [
        (None, "UPONYAJI_AUDIT_KEY_FILE is not set"),
        ("absent", "UPONYAJI_AUDIT_KEY_FILE=.*does not exist"),
        (b"x" * 31, "UPONYAJI_AUDIT_KEY_FILE=.*shorter than 32 bytes"),
    ],
    ids=["unset", "missing-file", "short-key"],
)
def test_a_missing_or_short_audit_key_is_refused(
    safe: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    key: bytes | str | None,
    named: str,
) -> None:
    """Without the deployment's audit key, audit hashes would match within one process only."""
    if key is None:
        monkeypatch.delenv("UPONYAJI_AUDIT_KEY_FILE")
    elif key == "absent":
        monkeypatch.setenv("UPONYAJI_AUDIT_KEY_FILE", str(tmp_path / "absent.key"))
    else:
        assert isinstance(key, bytes)
        (tmp_path / "short.key").write_bytes(key)
        monkeypatch.setenv("UPONYAJI_AUDIT_KEY_FILE", str(tmp_path / "short.key"))
    with pytest.raises(ProductionRefused, match=named):
        create_app(safe())


def test_plain_http_identity_is_refused(
    safe: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSYCHOSOCIAL_IDENTITY_URL", "http://identity.example.org")
    with pytest.raises(ProductionRefused, match="PSYCHOSOCIAL_IDENTITY_URL=http://"):
        create_app(safe())


def test_a_jwks_file_is_refused(
    safe: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PSYCHOSOCIAL_JWKS_FILE", str(tmp_path / "jwks.json"))
    with pytest.raises(ProductionRefused, match="PSYCHOSOCIAL_JWKS_FILE is set"):
        create_app(safe())


def test_every_problem_is_listed_at_once(safe: Callable[..., Settings]) -> None:
    with pytest.raises(ProductionRefused) as refused:
        create_app(safe(nats_credentials_file=None, signing_key_dir=None, notary_heads_file=None))
    assert len(refused.value.problems) == 3


@pytest.fixture(scope="module")
def trusting_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL whose pg_hba.conf was switched to `trust`, as a careless operator might."""
    root = tmp_path_factory.mktemp("trusting")
    root.chmod(0o755)
    server = EmbeddedPostgres(data_dir=root / "pg", port=free_port())
    server.start()
    hba = server.data_dir / "pg_hba.conf"
    hba.write_text(hba.read_text().replace("scram-sha-256", "trust"))
    server.psql("SELECT pg_reload_conf()")
    yield server
    server.stop()


async def test_trust_authentication_and_a_superuser_are_refused(
    safe: Callable[..., Settings], trusting_postgres: EmbeddedPostgres
) -> None:
    settings = safe(database_url=trusting_postgres.plain_url("postgres"))
    problems = await database_problems("psychosocial", settings)
    assert any("accepted a wrong password (trust" in p for p in problems), problems
    assert any("PSYCHOSOCIAL_DATABASE_URL connects as a superuser" in p for p in problems)


async def test_a_password_checking_server_and_a_runtime_role_pass(
    safe: Callable[..., Settings], postgres: EmbeddedPostgres
) -> None:
    db = ensure_service_database(postgres, "prodcheck")
    url = (
        f"postgresql://{db.runtime}:{quote(db.runtime_password, safe='')}"
        f"@127.0.0.1:{postgres.port}/prodcheck"
    )
    assert await database_problems("psychosocial", safe(database_url=url)) == []
