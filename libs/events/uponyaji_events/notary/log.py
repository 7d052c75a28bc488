"""The notary of one service: folds its events, in position order, into a Merkle log.

At each tick it appends the newly sequenced events' leaves and, when the log grew, signs a tree
head with the consistency proof from the previous one and appends it to the heads file (outside
the database). On a schedule it verifies the whole store (`audit.verify_store`) and raises an
alarm on any problem. It never signs a head that does not extend the previous one: after
tampering it stays halted, alarming, until an operator acts.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from uponyaji_events.notary.audit import verify_store
from uponyaji_events.notary.errors import NotNotarised, StoreBroken, Tampered
from uponyaji_events.notary.heads import HeadsFile, HeadsFileError, TreeHead, leaf_data
from uponyaji_events.notary.live import LiveTree
from uponyaji_events.notary.merkle import Tree, leaf_hash, verify_consistency, verify_inclusion
from uponyaji_events.notary.status import NotaryStatus
from uponyaji_events.signing import Signer

log = logging.getLogger("uponyaji.events.notary")

_LOCK_KEY = 0x6E6F_7461_7279  # "notary": one signing notary per service database
_PAGE = 10_000
_ALL = 1 << 62  # more events than a store will hold
_LEAVES = "SELECT position, hash FROM events WHERE position > $1 ORDER BY position LIMIT $2"
_EVENT = (
    "SELECT position, event_id, stream_type, stream_id, version, type, hash FROM events "
    "WHERE position IS NOT NULL AND {where} ORDER BY position"
)
# $1 the survivor id as text, $2 `[{"survivor_id": $1}]` (jsonb containment in `participants`).
_SURVIVOR_RECORD = (
    "(stream_id = $1 OR payload->>'survivor_id' = $1 OR (stream_type, stream_id) IN "
    "(SELECT stream_type, stream_id FROM events WHERE payload->'participants' @> $2::text::jsonb))"
)


class Notary:
    """One service's Merkle log over its event store, with heads kept in an external file."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        signer: Signer,
        heads: HeadsFile,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.pool = pool
        self.signer = signer
        self.service = signer.service
        self.heads = heads
        self.clock = clock or (lambda: datetime.now(UTC))
        # What signing the next head needs (the last head's frontier and the leaves after it);
        # proofs of old events are made from a whole tree built from the store on request.
        self.tree: LiveTree | None = None
        self.status = NotaryStatus()
        self._reported: list[str] = []

    def leaf(self, position: int, event_hash: bytes) -> bytes:
        """The leaf hash of this service's event at `position`."""
        return leaf_hash(leaf_data(self.service, position, event_hash))

    async def _extend(self, tree: Tree | LiveTree, keep_from: int | None = None) -> None:
        """Append the leaves of events sequenced after the tree's size; a gap is tampering.

        Given `keep_from`, a LiveTree drops the leaves before it page by page (all it read if
        the store has fewer)."""
        while True:
            rows = await self.pool.fetch(_LEAVES, tree.size, _PAGE)
            for row in rows:
                if row["position"] != tree.size + 1:
                    raise Tampered(f"position {tree.size + 1} is missing from the store")
                tree.append(self.leaf(row["position"], bytes(row["hash"])))
            if isinstance(tree, LiveTree) and keep_from is not None:
                tree.rebase(min(tree.size, keep_from))
            if len(rows) < _PAGE:
                return

    async def load(self) -> None:
        """Build the tree from the store and check it against the latest head in the file."""
        self.status.last_head = self.heads.last(self.service)
        head = self.status.last_head
        tree = LiveTree()
        try:
            # Before any head, the first one signs without a proof: no leaf need be kept.
            await self._extend(tree, keep_from=head.tree_size if head is not None else _ALL)
        except Tampered as exc:
            await self._alarm([str(exc)], halt=True)
            return
        if head is not None:
            if tree.size < head.tree_size:
                await self._alarm(
                    [
                        f"the store holds {tree.size} events but a head of {head.tree_size} was "
                        f"signed at {head.signed_at.isoformat()}: events were deleted"
                    ],
                    halt=True,
                )
                return
            if tree.root(head.tree_size) != head.root:
                await self._alarm(
                    [
                        f"the store's first {head.tree_size} events no longer match the head "
                        f"signed at {head.signed_at.isoformat()}"
                    ],
                    halt=True,
                )
                return
            tree.rebase(head.tree_size)
        self.tree = tree

    async def tick(self) -> TreeHead | None:
        """Fold newly sequenced events in; sign and write a head when the log grew."""
        if self.status.halted:
            return None
        if self.tree is None:
            await self.load()
            if self.tree is None:
                return None
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _LOCK_KEY):
                return None
            try:
                await self._extend(self.tree)
            except Tampered as exc:
                await self._alarm([str(exc)], halt=True)
                return None
            # The file's last head, not ours: another replica of the service may have signed.
            previous = self.heads.last(self.service)
            size = self.tree.size
            if size == 0 or (previous is not None and size <= previous.tree_size):
                return None
            if previous is not None and previous.tree_size < self.tree.base:
                # Another replica signed a head this tree has dropped the leaves of: start again.
                self.tree = None
                return None
            if previous is not None and self.tree.root(previous.tree_size) != previous.root:
                problem = f"the store no longer has the root of the head of {previous.tree_size}"
                await self._alarm([problem], halt=True)
                return None
            proof: tuple[bytes, ...] = ()
            if previous is not None:
                proof = tuple(self.tree.consistency_proof(previous.tree_size, size))
            head = TreeHead.sign(
                self.signer,
                size,
                self.tree.root(size),
                self.clock(),
                previous_size=previous.tree_size if previous else 0,
                consistency=proof,
            )
            self.heads.append(head)
            self.status.last_head = head
            self.tree.rebase(size)
            return head

    async def check(self) -> list[str]:
        """Verify chains, signatures and tree heads now; alarm on any problem; the problems."""
        report = await verify_store(
            self.pool, self.service, self.signer.public_keys(), self.heads.read(self.service)
        )
        self.status.verified_at = self.clock()
        self.status.verified_events = report.checked
        if report.problems:
            await self._alarm(report.problems, halt=True)
        else:
            self.status.problems = []
        return report.problems

    async def run(self, interval: float = 60.0, verify_every: float = 3600.0) -> None:
        """Tick every `interval` seconds and verify every `verify_every`, until cancelled."""
        loop = asyncio.get_running_loop()
        next_check = loop.time()
        while True:
            try:
                await self.tick()
                if loop.time() >= next_check:
                    next_check = loop.time() + verify_every
                    await self.check()
            except HeadsFileError as exc:  # someone wrote into the heads file: evidence at stake
                await self._alarm([str(exc)], halt=True)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                log.exception("%s notary: tick failed; retrying", self.service)
            except Exception:  # never die silently: a notary that stopped protects nothing
                log.exception("%s notary: unexpected failure; retrying", self.service)
            await asyncio.sleep(interval)

    async def _alarm(self, problems: list[str], *, halt: bool) -> None:
        self.status.problems = list(problems)
        self.status.halted = self.status.halted or halt
        if problems == self._reported:
            return
        self._reported = list(problems)
        for problem in problems[:20]:
            log.error("%s notary: %s", self.service, problem)
        reason = f"{len(problems)} problem(s): {problems[0]}"[:500]
        try:
            await self.pool.execute(
                "INSERT INTO integrity_alarms (consumer, source, path, reason, event) "
                "VALUES ('notary', $1, 'notary', $2, '{}'::jsonb)",
                self.service,
                reason,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            self._reported = []  # not recorded: try again at the next alarm
            log.exception("%s notary: the alarm could not be recorded", self.service)

    async def _proof_tree(self) -> tuple[Tree, TreeHead]:
        head = self.heads.last(self.service)
        if head is None:
            raise NotNotarised("no tree head has been signed yet")
        tree = Tree()  # the whole log, read from the store for this request only
        try:
            await self._extend(tree)
        except Tampered as exc:
            raise StoreBroken(f"{exc}; the notary's alarm says more") from exc
        if tree.size < head.tree_size:
            raise StoreBroken(
                f"the store holds {tree.size} events, fewer than the {head.tree_size} "
                "its latest tree head covers"
            )
        return tree, head

    async def consistency(self, first: int, second: int | None = None) -> dict[str, Any]:
        """The consistency proof between two signed heads (default: to the latest one)."""
        heads = {h.tree_size: h for h in self.heads.read(self.service)}
        if not heads:
            raise NotNotarised("no tree head has been signed yet")
        newer = heads.get(max(heads) if second is None else second)
        older = heads.get(first)
        if older is None or newer is None:
            missing = first if older is None else second
            raise NotNotarised(f"no signed tree head of {missing} events")
        if older.tree_size > newer.tree_size:
            raise ValueError("the first head must not be larger than the second")
        tree, _ = await self._proof_tree()
        if tree.size < newer.tree_size:
            raise StoreBroken(f"the store holds fewer than {newer.tree_size} events")
        proof = tree.consistency_proof(older.tree_size, newer.tree_size)
        return {
            "service": self.service,
            "first": older.as_json(),
            "second": newer.as_json(),
            "proof": [h.hex() for h in proof],
            "verified": verify_consistency(
                older.tree_size, newer.tree_size, older.root, newer.root, proof
            ),
        }

    async def proofs(
        self, *, event_id: UUID | None = None, survivor_id: UUID | None = None
    ) -> dict[str, Any]:
        """Inclusion proofs of one event, or of every event of one survivor's record."""
        tree, head = await self._proof_tree()
        if event_id is not None:
            rows = await self.pool.fetch(_EVENT.format(where="event_id = $1"), event_id)
            if not rows:
                raise NotNotarised(f"no event {event_id} in {self.service}")
        else:
            # A survivor's record: streams named by the survivor, events naming them, and every
            # event of a stream (a group session) on which an event lists them as a participant.
            rows = await self.pool.fetch(
                _EVENT.format(where=_SURVIVOR_RECORD),
                str(survivor_id),
                json.dumps([{"survivor_id": str(survivor_id)}]),
            )
        covered = [r for r in rows if r["position"] <= head.tree_size]
        if event_id is not None and not covered:
            raise NotNotarised(f"event {event_id} is newer than the latest tree head")
        root = head.root
        items = []
        for row in covered:
            index = row["position"] - 1
            leaf = self.leaf(row["position"], bytes(row["hash"]))
            path = tree.inclusion_proof(index, head.tree_size)
            items.append(
                {
                    "event_id": str(row["event_id"]),
                    "stream_type": row["stream_type"],
                    "stream_id": row["stream_id"],
                    "version": row["version"],
                    "type": row["type"],
                    "position": row["position"],
                    "event_hash": bytes(row["hash"]).hex(),
                    "leaf_index": index,
                    "leaf_hash": leaf.hex(),
                    "inclusion_path": [h.hex() for h in path],
                    "verified": verify_inclusion(leaf, index, head.tree_size, path, root),
                }
            )
        return {
            "service": self.service,
            "tree_head": head.as_json(),
            "public_keys": {kid: raw.hex() for kid, raw in self.signer.public_keys().items()},
            "leaf_format": "0x00-prefixed SHA-256 of 'uponyaji.notary-leaf.v1' NUL service NUL "
            "position (8 bytes, big-endian) event_hash; nodes: SHA-256(0x01 || left || right)",
            "proofs": items,
            "not_yet_notarised": len(rows) - len(covered),
        }
