"""Schema evolution: upcasters turn old payload versions into current ones on read."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from uponyaji_events.envelope import Event, Payload

Upcaster = Callable[[Payload], Payload]


class UpcasterRegistry:
    """Upcasters by (event type, from schema_version); stored events are never rewritten."""

    def __init__(self) -> None:
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, from_version: int, upcaster: Upcaster) -> None:
        """Register the step from `from_version` to `from_version + 1` of an event type."""
        key = (event_type, from_version)
        if key in self._upcasters:
            raise ValueError(f"an upcaster for {event_type} v{from_version} is already registered")
        self._upcasters[key] = upcaster

    def upcast_all(self, events: Sequence[Event]) -> list[Event]:
        """`upcast` of each event; events of types with no step are passed through as they are."""
        if not self._upcasters:
            return list(events)
        types = {event_type for event_type, _ in self._upcasters}
        return [self.upcast(e) if e.type in types else e for e in events]

    def upcast(self, event: Event) -> Event:
        """Apply every registered step from the event's schema_version upward."""
        payload, version = event.payload, event.schema_version
        while (step := self._upcasters.get((event.type, version))) is not None:
            payload, version = step(payload), version + 1
        if version == event.schema_version:
            return event
        return event.with_payload(payload, version)
