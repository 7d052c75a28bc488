"""Event ids: UUIDv7, plain `uuid.UUID`s, in the order they were made, with the time in them."""

from __future__ import annotations

import itertools
import time
from uuid import UUID

import orjson
from uponyaji_events.envelope import new_event_id


def test_event_ids_are_time_ordered_uuid7_that_behave_as_any_uuid() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_event_id() for _ in range(5_000)]
    after = time.time_ns() // 1_000_000
    assert all(earlier < later for earlier, later in itertools.pairwise(ids))
    assert len({i.int for i in ids}) == len(ids)
    first = ids[0]
    assert (type(first), first.version, first.variant) == (UUID, 7, "specified in RFC 4122")
    # The first id carries the time it was made (later ones may run ahead within a millisecond).
    assert before <= first.int >> 80 <= after + 1
    for made in ids[:50]:
        spelled = UUID(str(made))
        assert (spelled, hash(spelled), spelled.bytes) == (made, hash(made), made.bytes)
        assert orjson.loads(orjson.dumps(made)) == str(made)
