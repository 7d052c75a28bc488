"""The peer: the same append workload through the `eventsourcing` library's PostgreSQL recorder."""

from __future__ import annotations

import threading
import time
import uuid
from urllib.parse import urlsplit

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from bench.workload import PAYLOAD_BYTES

TOPIC = "uponyaji.bench:NoteRecorded"
STREAM_LENGTH = 50  # as in the kernel's append benchmark


class PeerAppender:
    """`writers` threads inserting one event per transaction through PostgresApplicationRecorder."""

    def __init__(self, url: str, writers: int) -> None:
        parts = urlsplit(url)
        self.writers = writers
        self.datastore = PostgresDatastore(
            dbname=parts.path.lstrip("/"),
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or "",
            pool_size=writers,
        )
        self.recorder = PostgresApplicationRecorder(self.datastore)
        self.recorder.create_table()

    def _writer(self, deadline: float, counts: list[int]) -> None:
        done, version, stream = 0, 0, uuid.uuid4()
        while time.monotonic() < deadline:
            if version >= STREAM_LENGTH:
                stream, version = uuid.uuid4(), 0
            version += 1
            self.recorder.insert_events([StoredEvent(stream, version, TOPIC, PAYLOAD_BYTES)])
            done += 1
        counts.append(done)

    def run(self, seconds: float) -> int:
        """Append from every thread for `seconds`; return the transactions committed."""
        counts: list[int] = []
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(target=self._writer, args=(deadline, counts))
            for _ in range(self.writers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(counts)

    def close(self) -> None:
        """Close the recorder's connection pool."""
        self.datastore.close()
