"""Sealed fields and crypto-shredding, against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import os
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from uponyaji_events import sealing
from uponyaji_events.sealing import (
    ERASED,
    InvalidSealError,
    KekError,
    KeyDestroyed,
    KeyNotFoundError,
    KeyStore,
    KeyUnwrapError,
    Sealed,
    SealedFormatError,
    Sealer,
    load_kek,
)
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

NAME = "Test Survivor Alpha"
CONTEXT = "intake.SurvivorRegistered/name"


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(data_dir=tmp_path_factory.mktemp("sealing") / "pg", port=free_port())
    server.start()
    try:
        server.ensure_database("sealing")
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="module")
async def pool(postgres: EmbeddedPostgres) -> AsyncIterator[asyncpg.Pool]:
    sql = (Path(sealing.__file__).parent.parent / "migrations" / "020_sealing.sql").read_text()
    async with asyncpg.create_pool(postgres.url("sealing"), min_size=1, max_size=8) as created:
        await created.execute(sql)
        await created.execute(sql)  # the migration is idempotent
        yield created


@pytest.fixture(scope="module")
def kek() -> bytes:
    return os.urandom(32)


@pytest.fixture
def keys(pool: asyncpg.Pool, kek: bytes) -> KeyStore:
    return KeyStore(pool, kek)


@pytest.fixture
def sealer(keys: KeyStore) -> Sealer:
    return Sealer(keys)


def flipped(sealed: Sealed, index: int) -> Sealed:
    data = bytearray(sealed.data)
    data[index] ^= 0x01
    return Sealed(sealed.key_id, bytes(data))


async def test_round_trip_through_the_wire_form(sealer: Sealer) -> None:
    subject = uuid4()
    sealed = await sealer.seal(subject, CONTEXT, NAME)
    wire = str(sealed)
    assert wire.startswith(f"sealed:v1:{sealed.key_id}:")
    assert await sealer.unseal(subject, CONTEXT, wire) == NAME
    assert await sealer.unseal(str(subject), CONTEXT, Sealed.parse(wire)) == NAME


async def test_uuid_spellings_name_one_subject(sealer: Sealer) -> None:
    subject = uuid4()
    sealed = await sealer.seal(str(subject).upper(), CONTEXT, NAME)
    assert await sealer.unseal(subject, CONTEXT, sealed) == NAME


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text())
async def test_any_unicode_text_round_trips(sealer: Sealer, text: str) -> None:
    subject = "survivor-property"
    sealed = await sealer.seal(subject, CONTEXT, text)
    assert await sealer.unseal(subject, CONTEXT, Sealed.parse(str(sealed))) == text


async def test_ciphertext_reveals_no_plaintext_and_never_repeats(sealer: Sealer) -> None:
    subject = uuid4()
    first = await sealer.seal(subject, CONTEXT, NAME)
    second = await sealer.seal(subject, CONTEXT, NAME)
    for sealed in (first, second):
        assert NAME not in str(sealed)
        assert NAME.encode() not in sealed.data
        assert base64.b64encode(NAME.encode()).decode()[:12] not in str(sealed)
    assert first.nonce != second.nonce
    assert str(first) != str(second)


async def test_stored_key_is_wrapped_not_the_data_key(keys: KeyStore, pool: asyncpg.Pool) -> None:
    subject = str(uuid4())
    key = await keys.get_or_create(subject)
    row = await pool.fetchrow(
        "SELECT key_id, wrapped_key, destroyed_at FROM sealing_keys WHERE subject_id = $1", subject
    )
    assert row is not None
    assert UUID(str(row["key_id"])) == key.key_id
    assert row["destroyed_at"] is None
    assert key.secret not in row["wrapped_key"]
    assert len(key.secret) == 32
    assert key.secret.hex() not in repr(key)


async def test_value_moved_to_another_subject_fails(sealer: Sealer) -> None:
    alpha, beta = uuid4(), uuid4()
    sealed = await sealer.seal(alpha, CONTEXT, NAME)
    beta_sealed = await sealer.seal(beta, CONTEXT, "Test Survivor Beta")
    with pytest.raises(InvalidSealError):
        await sealer.unseal(beta, CONTEXT, sealed)
    # Relabelled with beta's key id, it still does not authenticate.
    with pytest.raises(InvalidSealError):
        await sealer.unseal(beta, CONTEXT, Sealed(beta_sealed.key_id, sealed.data))


async def test_value_moved_to_another_field_fails(sealer: Sealer) -> None:
    subject = uuid4()
    sealed = await sealer.seal(subject, CONTEXT, NAME)
    with pytest.raises(InvalidSealError):
        await sealer.unseal(subject, "intake.SurvivorRegistered/phone", sealed)
    with pytest.raises(InvalidSealError):
        await sealer.unseal(subject, "psychosocial.NoteRecorded/text", sealed)


async def test_any_flipped_byte_fails(sealer: Sealer) -> None:
    subject = uuid4()
    sealed = await sealer.seal(subject, CONTEXT, NAME)
    for index in range(len(sealed.data)):
        with pytest.raises(InvalidSealError):
            await sealer.unseal(subject, CONTEXT, flipped(sealed, index))


async def test_unknown_subject_is_not_given_a_key_by_reading(
    sealer: Sealer, pool: asyncpg.Pool
) -> None:
    alpha, stranger = uuid4(), uuid4()
    sealed = await sealer.seal(alpha, CONTEXT, NAME)
    with pytest.raises(KeyNotFoundError):
        await sealer.unseal(stranger, CONTEXT, sealed)
    count = await pool.fetchval(
        "SELECT count(*) FROM sealing_keys WHERE subject_id = $1", str(stranger)
    )
    assert count == 0


async def test_destroy_erases_one_subject_only(
    sealer: Sealer, keys: KeyStore, pool: asyncpg.Pool
) -> None:
    alpha, beta = uuid4(), uuid4()
    alpha_sealed = await sealer.seal(alpha, CONTEXT, NAME)
    beta_sealed = await sealer.seal(beta, CONTEXT, "Test Survivor Beta")

    assert await keys.destroy(alpha) is True

    with pytest.raises(KeyDestroyed):
        await sealer.unseal(alpha, CONTEXT, alpha_sealed)
    assert await sealer.unseal_or_erased(alpha, CONTEXT, alpha_sealed) == ERASED
    assert await sealer.unseal(beta, CONTEXT, beta_sealed) == "Test Survivor Beta"
    assert await sealer.unseal_or_erased(beta, CONTEXT, beta_sealed) == "Test Survivor Beta"
    row = await pool.fetchrow(
        "SELECT wrapped_key, destroyed_at FROM sealing_keys WHERE subject_id = $1", str(alpha)
    )
    assert row is not None
    assert row["wrapped_key"] is None
    assert row["destroyed_at"] is not None


async def test_destroy_is_seen_by_a_fresh_process(
    pool: asyncpg.Pool, kek: bytes, sealer: Sealer, keys: KeyStore
) -> None:
    subject = uuid4()
    sealed = await sealer.seal(subject, CONTEXT, NAME)
    assert await keys.destroy(subject) is True
    elsewhere = Sealer(KeyStore(pool, kek))
    assert await elsewhere.unseal_or_erased(subject, CONTEXT, sealed) == ERASED


async def test_cached_key_in_another_process_expires_after_destroy(
    pool: asyncpg.Pool, kek: bytes, keys: KeyStore
) -> None:
    subject = uuid4()
    other = Sealer(KeyStore(pool, kek, cache_ttl=0.05))
    sealed = await other.seal(subject, CONTEXT, NAME)
    assert await keys.destroy(subject) is True
    await asyncio.sleep(0.1)
    assert await other.unseal_or_erased(subject, CONTEXT, sealed) == ERASED


async def test_destroyed_key_is_never_recreated(
    pool: asyncpg.Pool, kek: bytes, sealer: Sealer, keys: KeyStore
) -> None:
    subject = uuid4()
    await sealer.seal(subject, CONTEXT, NAME)
    assert await keys.destroy(subject) is True
    assert await keys.destroy(subject) is False  # idempotent
    with pytest.raises(KeyDestroyed):
        await sealer.seal(subject, CONTEXT, NAME)
    with pytest.raises(KeyDestroyed):
        await Sealer(KeyStore(pool, kek)).seal(subject, CONTEXT, NAME)


async def test_erasing_a_subject_without_a_key_blocks_future_keys(
    pool: asyncpg.Pool, kek: bytes, keys: KeyStore
) -> None:
    subject = uuid4()
    assert await keys.destroy(subject) is False
    with pytest.raises(KeyDestroyed):
        await Sealer(KeyStore(pool, kek)).seal(subject, CONTEXT, NAME)


async def test_concurrent_creation_yields_one_key(pool: asyncpg.Pool, kek: bytes) -> None:
    subject = uuid4()
    # Separate stores stand for separate processes: no shared cache to hide the race.
    stores = [KeyStore(pool, kek) for _ in range(20)]
    found = await asyncio.gather(*(store.get_or_create(subject) for store in stores))
    assert len({key.key_id for key in found}) == 1
    assert len({key.secret for key in found}) == 1
    count = await pool.fetchval(
        "SELECT count(*) FROM sealing_keys WHERE subject_id = $1", str(subject)
    )
    assert count == 1


async def test_wrong_kek_cannot_unwrap(pool: asyncpg.Pool, sealer: Sealer) -> None:
    subject = uuid4()
    sealed = await sealer.seal(subject, CONTEXT, NAME)
    intruder = Sealer(KeyStore(pool, os.urandom(32)))
    with pytest.raises(KeyUnwrapError):
        await intruder.unseal(subject, CONTEXT, sealed)


async def test_key_row_moved_to_another_subject_does_not_unwrap(
    pool: asyncpg.Pool, kek: bytes, sealer: Sealer
) -> None:
    alpha, beta = uuid4(), uuid4()
    await sealer.seal(alpha, CONTEXT, NAME)
    await pool.execute(
        "INSERT INTO sealing_keys (subject_id, key_id, wrapped_key) "
        "SELECT $2, gen_random_uuid(), wrapped_key FROM sealing_keys WHERE subject_id = $1",
        str(alpha),
        str(beta),
    )
    with pytest.raises(KeyUnwrapError):
        await KeyStore(pool, kek).get(beta)


def test_kek_file_is_created_private_and_reloads(tmp_path: Path) -> None:
    path = tmp_path / ".run" / "secrets" / "kek"
    kek = load_kek(path, create=True)
    assert len(kek) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_kek(path) == kek
    assert load_kek(path, create=True) == kek
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_missing_kek_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent-kek"
    with pytest.raises(KekError, match="absent-kek"):
        load_kek(path)
    assert not path.exists()


@pytest.mark.parametrize(
    "content",
    [b"", base64.b64encode(b"k" * 16), b"not base64 at all!", base64.b64encode(b"k" * 33)],
)
def test_malformed_kek_file_is_an_error_without_its_content(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "kek"
    path.write_bytes(content)
    with pytest.raises(KekError, match=str(path)) as raised:
        load_kek(path)
    if content:
        assert content.decode() not in str(raised.value)


class Registered(BaseModel):
    name: Sealed


async def test_sealed_field_in_a_pydantic_payload(sealer: Sealer) -> None:
    subject = uuid4()
    payload = Registered(name=await sealer.seal(subject, CONTEXT, NAME))
    dumped = payload.model_dump(mode="json")
    assert isinstance(dumped["name"], str)
    assert dumped["name"].startswith("sealed:v1:")
    again = Registered.model_validate_json(payload.model_dump_json())
    assert await sealer.unseal(subject, CONTEXT, again.name) == NAME
    schema = Registered.model_json_schema()["properties"]["name"]
    assert schema["type"] == "string"


@pytest.mark.parametrize(
    "text",
    [
        NAME,
        "sealed:v1:not-a-uuid:AAAA",
        f"sealed:v3:{uuid4()}:{'A' * 40}",  # an unknown version
        f"sealed:v1:{str(uuid4()).upper()}:{'A' * 40}",
        f"sealed:v1:{uuid4()}:{'A' * 10}",  # shorter than nonce and tag
        f"sealed:v1:{uuid4()}:{'A' * 38}B",  # non-canonical base64url (spare bits set)
        f"sealed:v1:{uuid4()}:{'A' * 40}=",
    ],
)
def test_malformed_sealed_strings_are_rejected(text: str) -> None:
    with pytest.raises(SealedFormatError):
        Sealed.parse(text)
    with pytest.raises(ValidationError):
        Registered.model_validate({"name": text})


async def test_a_value_bound_to_a_record_cannot_be_moved_to_another_record(
    sealer: Sealer,
) -> None:
    subject, first, second = uuid4(), str(uuid4()), str(uuid4())
    narrative = "Synthetic narrative (FAKE)"
    sealed = await sealer.seal(
        subject, "intake.IncidentDocumented/narrative", narrative, record=first
    )
    assert str(sealed).startswith("sealed:v2:")
    context = "intake.IncidentDocumented/narrative"
    assert await sealer.unseal(subject, context, str(sealed), record=first) == narrative
    with pytest.raises(InvalidSealError):  # moved into another incident of the same survivor
        await sealer.unseal(subject, context, str(sealed), record=second)
    with pytest.raises(InvalidSealError, match="bound to a record"):
        await sealer.unseal(subject, context, str(sealed))


async def test_values_sealed_before_records_were_bound_stay_readable(sealer: Sealer) -> None:
    subject = uuid4()
    old = await sealer.seal(subject, CONTEXT, NAME)  # v1: no record
    assert str(old).startswith("sealed:v1:")
    assert await sealer.unseal(subject, CONTEXT, str(old), record=str(uuid4())) == NAME
    with pytest.raises(InvalidSealError):  # a v1 value relabelled as v2 does not authenticate
        await sealer.unseal(
            subject, CONTEXT, str(old).replace("sealed:v1:", "sealed:v2:"), record="x"
        )


async def test_readers_see_misplaced_values_as_unreadable_never_as_text(
    sealer: Sealer, keys: KeyStore
) -> None:
    subject, other, record = uuid4(), uuid4(), str(uuid4())
    context = "psychosocial.SessionRecorded/participants[].notes"
    sealed = await sealer.seal(subject, context, NAME, record=record)
    assert await sealer.reveal(subject, context, sealed, record=record) == NAME
    assert await sealer.reveal(subject, context, sealed, record=str(uuid4())) == sealing.UNREADABLE
    await sealer.seal(other, context, "Synthetic (FAKE)", record=record)  # other has a key
    assert await sealer.reveal(other, context, sealed, record=record) == sealing.UNREADABLE
    assert await sealer.reveal(uuid4(), context, sealed, record=record) == sealing.UNREADABLE
    await keys.destroy(subject)
    assert await sealer.reveal(subject, context, sealed, record=record) == sealing.ERASED
    # Where an error is raised instead (unseal), the HTTP answer is a clear 409, never a 500.
    assert sealing.InvalidSealError.status_code == 409
