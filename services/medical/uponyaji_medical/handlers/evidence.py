"""Evidence: capture (hash, seal, store), retrieval (re-verify, strip), custody hand-overs.

A file is hashed (SHA-256) as received; a declared hash must match (422). It is sealed with
AES-256-GCM under the survivor's data key, bound to the survivor and the item's id, and put in
the blob store in the same transaction as its `EvidenceCaptured` event. Every retrieval unseals
it, re-hashes it and compares with the captured hash: a mismatch records
`EvidenceIntegrityAlarm` and nothing is served.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from pydantic import BaseModel
from uponyaji_events.contracts import medical as m
from uponyaji_events.contracts.vocabularies import AccessOutcome
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.sealing import KeyDestroyed, KeyNotFoundError, KeyStore, associated_data

from .. import domain, media
from ..errors import EvidenceTampered, FileRefused, InvalidCommand, NotFound
from ..schemas import HandOverBody, SampleBody
from .base import Medical, survivor_tx

log = logging.getLogger("uponyaji.medical.evidence")
_NONCE = 12
KINDS_WITH_FILES = {"photograph", "xray", "scan", "document"}


def _context(evidence_id: UUID) -> str:
    return f"medical.evidence_blobs/{evidence_id}"


@dataclass(frozen=True)
class Upload:
    """An uploaded file and what the uploader declared about it."""

    data: bytes
    kind: m.EvidenceKind
    declared_sha256: str | None
    encounter_id: UUID | None
    identifying: bool
    scale_present: bool


async def capture(
    med: Medical, survivor_id: UUID, upload: Upload, actor: Actor, holder: UUID
) -> list[Event]:
    """Capture a file: photographs need photography-storage consent, anything else examination."""
    if upload.kind.value not in KINDS_WITH_FILES:
        raise InvalidCommand("kind: physical samples are described (POST …/samples), not uploaded")
    if len(upload.data) > med.max_upload_bytes:
        raise FileRefused(f"file: larger than {med.max_upload_bytes} bytes")
    if not upload.data:
        raise FileRefused("file: empty")
    digest = hashlib.sha256(upload.data).hexdigest()
    if upload.declared_sha256 is not None and upload.declared_sha256.lower() != digest:
        raise FileRefused("sha256: the declared hash does not match the file received")
    media_type = media.sniff(upload.data)
    media.check_image(upload.data, media_type)
    scopes = (
        domain.PHOTO_STORAGE if upload.kind is m.EvidenceKind.PHOTOGRAPH else (domain.EXAMINATION,)
    )
    async with survivor_tx(med, survivor_id, *scopes) as tx:
        if upload.encounter_id is not None and upload.encounter_id not in tx.state.encounters:
            raise NotFound(f"encounter_id: no encounter {upload.encounter_id} of this survivor")
        evidence_id = uuid4()
        key = await KeyStore(tx.conn, med.keys.kek, cache_size=0).get_or_create(survivor_id)
        nonce = os.urandom(_NONCE)
        aad = associated_data(survivor_id, _context(evidence_id), key.key_id)
        sealed = key.key_id.bytes + nonce + key.aead.encrypt(nonce, upload.data, aad)
        await med.blobs.put(tx.conn, evidence_id, survivor_id, sealed)
        payload = m.EvidenceCaptured(
            evidence_id=evidence_id,
            survivor_id=survivor_id,
            encounter_id=upload.encounter_id,
            kind=upload.kind,
            media_type=m.MediaType(media_type),
            size_bytes=len(upload.data),
            sha256=digest,
            captured_at=media.capture_time(upload.data, media_type),
            identifying=upload.identifying,
            scale_present=upload.scale_present,
            holder_id=holder,
            location=m.CustodyLocation.MEDICAL_RECORD_STORE,
        )
        return await tx.uow.append(
            "evidence", evidence_id, 0, [domain.new_event(payload)], actor=actor
        )


async def describe_sample(
    med: Medical, survivor_id: UUID, body: SampleBody, actor: Actor, holder: UUID
) -> list[Event]:
    """Record a physical sample by description (no file), held by the caller."""
    async with survivor_tx(med, survivor_id, domain.EXAMINATION) as tx:
        if body.encounter_id is not None and body.encounter_id not in tx.state.encounters:
            raise NotFound(f"encounter_id: no encounter {body.encounter_id} of this survivor")
        evidence_id = uuid4()
        description = await tx.seal(
            "medical.EvidenceCaptured/description", body.description, record=evidence_id
        )
        payload = m.EvidenceCaptured(
            evidence_id=evidence_id,
            survivor_id=survivor_id,
            encounter_id=body.encounter_id,
            kind=m.EvidenceKind.PHYSICAL_SAMPLE,
            identifying=False,
            scale_present=False,
            description=description,
            holder_id=holder,
            location=body.location,
        )
        return await tx.uow.append(
            "evidence", evidence_id, 0, [domain.new_event(payload)], actor=actor
        )


async def _unsealed(med: Medical, conn: Conn, survivor_id: UUID, evidence_id: UUID) -> bytes | None:
    """The stored file, unsealed; None when it is missing or does not authenticate."""
    stored = await med.blobs.get(conn, evidence_id)
    if stored is None or len(stored) <= 16 + _NONCE:
        return None
    try:
        key = await KeyStore(conn, med.keys.kek, cache_size=0).get(survivor_id)
    except (KeyDestroyed, KeyNotFoundError):
        raise NotFound("the file was erased with the survivor's key") from None
    if UUID(bytes=stored[:16]) != key.key_id:
        return None
    aad = associated_data(survivor_id, _context(evidence_id), key.key_id)
    try:
        return key.aead.decrypt(stored[16 : 16 + _NONCE], stored[16 + _NONCE :], aad)
    except InvalidTag:
        return None


@dataclass(frozen=True)
class Served:
    """A file leaving the service."""

    data: bytes
    media_type: str
    sha256: str  # of the original as captured


async def retrieve(
    med: Medical,
    survivor_id: UUID,
    evidence_id: UUID,
    actor: Actor,
    by: UUID,
    *,
    original: bool,
    scopes: tuple[str, ...] = (),
) -> Served:
    """Unseal, re-verify and serve a file (a stripped derivative unless `original`); every
    retrieval is a custody event, a hash mismatch an alarm."""
    async with med.store.transaction() as conn:
        row = await conn.fetchrow(
            "SELECT e.kind, e.media_type, e.sha256, s.erasure_requested_at FROM evidence e "
            "JOIN survivors s USING (survivor_id) WHERE e.evidence_id = $1 "
            "AND e.survivor_id = $2",
            evidence_id,
            survivor_id,
        )
        if row is None or row["sha256"] is None:
            raise NotFound(f"no evidence file {evidence_id} of this survivor")
        if row["erasure_requested_at"] is not None:
            raise NotFound("the file was erased with the survivor's key")
    media_type = row["media_type"]
    if not original and not media.has_derivative(media_type):
        raise InvalidCommand(f"original: {media_type} has no stripped derivative; ask for it")
    async with survivor_tx(med, survivor_id, *scopes, allow_closed=True) as tx:
        # The survivor's row lock orders this with other retrievals and hand-overs of the item.
        conn = tx.conn
        version = len(await tx.uow.load(evidence_id))
        data = await _unsealed(med, conn, survivor_id, evidence_id)
        found = hashlib.sha256(data).hexdigest() if data is not None else None
        now = med.now()
        event: BaseModel
        if found != row["sha256"]:
            event = m.EvidenceIntegrityAlarm(
                evidence_id=evidence_id,
                survivor_id=survivor_id,
                expected_sha256=row["sha256"],
                found_sha256=found,
                at=now,
            )
            log.error(
                "evidence integrity alarm: item %s does not match its captured hash", evidence_id
            )
        else:
            event = m.EvidenceAccessed(
                evidence_id=evidence_id,
                survivor_id=survivor_id,
                by_id=by,
                derivative=not original,
                outcome=AccessOutcome.ALLOWED,
                at=now,
            )
        await tx.uow.append(
            "evidence", evidence_id, version, [domain.new_event(event)], actor=actor
        )
    if found != row["sha256"] or data is None:
        raise EvidenceTampered("the stored file does not match its captured hash: not served")
    if not original:
        made = media.derivative(data, media_type)
        assert made is not None
        data, media_type = made
    return Served(data, media_type, row["sha256"])


async def hand_over(
    med: Medical, survivor_id: UUID, evidence_id: UUID, body: HandOverBody, actor: Actor
) -> list[Event]:
    """Record a hand-over; 409 when the giver does not hold the item where they say."""
    async with survivor_tx(med, survivor_id, allow_closed=True) as tx:
        events = await tx.uow.load(evidence_id)
        if (
            not events
            or await tx.conn.fetchval(
                "SELECT survivor_id FROM evidence WHERE evidence_id = $1", evidence_id
            )
            != survivor_id
        ):
            raise NotFound(f"no evidence item {evidence_id} of this survivor")
        state = domain.fold_custody(events)
        domain.may_hand_over(
            state, body.from_holder_id, body.to_holder_id, body.from_location.value
        )
        at = body.at or med.now()
        if at.tzinfo is None or at > med.now():
            raise InvalidCommand("at: give an aware time that is not in the future")
        reason = await tx.seal("medical.EvidenceHandedOver/reason", body.reason, record=evidence_id)
        assert reason is not None
        payload = m.EvidenceHandedOver(
            evidence_id=evidence_id,
            survivor_id=survivor_id,
            from_holder_id=body.from_holder_id,
            to_holder_id=body.to_holder_id,
            from_location=body.from_location,
            to_location=body.to_location,
            reason=reason,
            at=at,
        )
        return await tx.uow.append(
            "evidence", evidence_id, state.version, [domain.new_event(payload)], actor=actor
        )
