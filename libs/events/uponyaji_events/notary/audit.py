"""Verify a service's store against everything that vouches for it.

- every stream's hash chain (content, versions, prev_hash);
- positions 1..N with no gap, and every event's Ed25519 signature over (service, position, hash);
- every tree head: its signature, the consistency proof from the head before it, and that the
  store's first `tree_size` events still have the head's root (a deleted tail or stream, a
  flipped byte or a reordered pair changes the root).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from uponyaji_events.integrity import VerifyReport, verify
from uponyaji_events.notary.heads import TreeHead, leaf_data
from uponyaji_events.notary.merkle import Tree, leaf_hash
from uponyaji_events.signing import verify_signature

_SIGNED = (
    "SELECT position, hash, signature, key_id FROM events WHERE position IS NOT NULL "
    "ORDER BY position"
)


def check_heads(heads: Sequence[TreeHead], keys: Mapping[str, bytes], report: VerifyReport) -> None:
    """Check the heads alone (signatures, order, consistency proofs), as the file's holder can."""
    previous: TreeHead | None = None
    for head in heads:
        where = f"tree head of {head.tree_size} signed at {head.signed_at.isoformat()}"
        if not head.signature_ok(keys):
            report.problems.append(f"{where}: signature does not verify")
        if previous is not None and not head.extends(previous):
            report.problems.append(
                f"{where}: does not extend the head of {previous.tree_size} before it"
            )
        previous = head


async def verify_store(
    pool: asyncpg.Pool,
    service: str,
    keys: Mapping[str, bytes],
    heads: Sequence[TreeHead],
    *,
    chunk: int = 5000,
) -> VerifyReport:
    """Verify chains, positions, signatures and tree heads of one service's store."""
    report = await verify(pool, chunk=chunk)
    public = {kid: Ed25519PublicKey.from_public_bytes(raw) for kid, raw in keys.items()}
    tree = Tree()
    missing = 0
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        async for row in conn.cursor(_SIGNED, prefetch=chunk):
            position, digest = row["position"], bytes(row["hash"])
            while tree.size + 1 < position:
                # A removed event leaves its position empty; its leaf is unknown, so nothing
                # after it can match a head (a placeholder keeps later positions aligned).
                missing += 1
                if missing <= 20:
                    report.problems.append(f"position {tree.size + 1}: no event (removed)")
                tree.append(leaf_hash(b"missing"))
            tree.append(leaf_hash(leaf_data(service, position, digest)))
            key = public.get(row["key_id"] or "")
            signature = row["signature"]
            if key is None or signature is None:
                report.problems.append(f"position {position}: not signed by a key of {service}")
            elif not verify_signature(key, service, position, digest, bytes(signature)):
                report.problems.append(f"position {position}: signature does not verify")
    if missing > 20:
        report.problems.append(f"{missing} positions in all have no event")
    check_heads(heads, keys, report)
    for head in heads:
        where = f"tree head of {head.tree_size} signed at {head.signed_at.isoformat()}"
        if head.tree_size > tree.size:
            report.problems.append(
                f"{where}: the store holds only {tree.size} events (events deleted at the end)"
            )
        elif tree.root(head.tree_size) != head.root:
            report.problems.append(f"{where}: the store's first events no longer have its root")
    return report
