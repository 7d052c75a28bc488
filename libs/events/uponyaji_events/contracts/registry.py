"""The contract registry: event type → service, stream type, schema version, payload model."""

from __future__ import annotations

import builtins
import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel, ValidationError

from uponyaji_events.envelope import NewEvent
from uponyaji_events.errors import UnknownEventType, UponyajiError
from uponyaji_events.sealing import Sealed

_SERVICE = re.compile(r"^[a-z][a-z0-9_]*$")
_STREAM_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")  # one NATS subject token: no dots or wildcards
_EVENT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


class InvalidPayload(UponyajiError, ValueError):
    """A payload does not match its event type's contract (HTTP 422 at the edge)."""

    status_code = 422

    def __init__(self, event_type: str, problems: list[str]) -> None:
        self.event_type = event_type
        self.problems = problems
        super().__init__(f"invalid {event_type} payload: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class Contract:
    """One published event type: who emits it, on which streams, and its current payload model."""

    type: str
    service: str
    stream_type: str
    schema_version: int
    model: builtins.type[BaseModel]
    summary: str
    sealed_fields: tuple[str, ...]  # paths: "full_name", "other_names[]", "next_of_kin.name"

    @property
    def name(self) -> str:
        """The EventType part of the type name (e.g. SurvivorRegistered)."""
        return self.type.rsplit(".", 1)[-1]

    @property
    def subject(self) -> str:
        """The NATS subject: `<service>.<stream_type>.<EventType>`."""
        return f"{self.service}.{self.stream_type}.{self.name}"

    def examples(self) -> list[dict[str, Any]]:
        """The JSON examples declared on the payload model."""
        extra = self.model.model_config.get("json_schema_extra")
        found = extra.get("examples") if isinstance(extra, dict) else None
        if not isinstance(found, list):
            return []
        return [dict(example) for example in found if isinstance(example, Mapping)]


class ContractRegistry:
    """Contracts by event type; validates payloads and turns payload models into new events."""

    def __init__(self) -> None:
        self._by_type: dict[str, Contract] = {}

    def register(
        self,
        model: type[BaseModel],
        *,
        service: str,
        stream_type: str,
        schema_version: int = 1,
        name: str | None = None,
        summary: str | None = None,
    ) -> Contract:
        """Register `<service>.<name or model name>`; the summary defaults to the docstring."""
        event_name = name or model.__name__
        event_type = f"{service}.{event_name}"
        for value, pattern, what in (
            (service, _SERVICE, "service"),
            (stream_type, _STREAM_TYPE, "stream type"),
            (event_name, _EVENT_NAME, "event name"),
        ):
            if not pattern.fullmatch(value):
                raise ValueError(f"{what} {value!r} of {event_type} must match {pattern.pattern}")
        if schema_version < 1:
            raise ValueError(f"{event_type}: schema_version starts at 1")
        if event_type in self._by_type:
            raise ValueError(f"{event_type} is already registered")
        text = summary or _first_line(model.__doc__)
        if not text:
            raise ValueError(f"{event_type} needs a summary (or a docstring on {model.__name__})")
        contract = Contract(
            type=event_type,
            service=service,
            stream_type=stream_type,
            schema_version=schema_version,
            model=model,
            summary=text,
            sealed_fields=tuple(sealed_paths(model)),
        )
        self._by_type[event_type] = contract
        return contract

    def get(self, event_type: str) -> Contract:
        """The contract of an event type; UnknownEventType if none is registered."""
        try:
            return self._by_type[event_type]
        except KeyError:
            raise UnknownEventType(f"no contract is registered for {event_type!r}") from None

    def validate(
        self, event_type: str, payload: Mapping[str, Any], *, schema_version: int | None = None
    ) -> BaseModel:
        """Parse a JSON-form payload into its model; InvalidPayload names each bad field."""
        contract = self.get(event_type)
        if schema_version is not None and schema_version != contract.schema_version:
            raise InvalidPayload(
                event_type,
                [
                    f"schema_version {schema_version} is not the current "
                    f"{contract.schema_version}; upcast the event first"
                ],
            )
        try:
            return contract.model.model_validate(payload)
        except ValidationError as exc:
            # Never echo input values: a misplaced plaintext name must not reach logs via errors.
            problems = [
                f"{_loc(error['loc'])}: {error['msg']}"
                for error in exc.errors(include_input=False, include_url=False)
            ]
        raise InvalidPayload(event_type, problems)

    def contract_for(self, model: type[BaseModel], *, service: str | None = None) -> Contract:
        """The contract whose payload model this is (pass `service` for shared models)."""
        found = [
            c
            for c in self._by_type.values()
            if c.model is model and (service is None or c.service == service)
        ]
        if len(found) == 1:
            return found[0]
        if not found:
            raise UnknownEventType(f"no contract uses {model.__name__} (service={service})")
        services = ", ".join(sorted(c.service for c in found))
        raise ValueError(
            f"{model.__name__} is the payload of several services' events: pass "
            f"service= (one of {services})"
        )

    def to_new_event(
        self,
        payload: BaseModel,
        *,
        service: str | None = None,
        occurred_at: datetime | None = None,
        event_id: UUID | None = None,
    ) -> NewEvent:
        """A NewEvent of the payload's contract, its payload in JSON form at the current version."""
        contract = self.contract_for(type(payload), service=service)
        data = payload.model_dump(mode="json")
        # Re-validate the JSON form: a model built with model_construct() could otherwise carry
        # plaintext in a sealed field straight into the store.
        self.validate(contract.type, data)
        return NewEvent(
            type=contract.type,
            payload=data,
            schema_version=contract.schema_version,
            occurred_at=occurred_at,
            event_id=event_id,
        )

    def services(self) -> list[str]:
        """The services with at least one registered contract, sorted."""
        return sorted({c.service for c in self._by_type.values()})

    def __iter__(self) -> Iterator[Contract]:
        return iter(sorted(self._by_type.values(), key=lambda c: c.type))

    def __len__(self) -> int:
        return len(self._by_type)

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._by_type


def sealed_paths(annotation: Any, prefix: str = "") -> Iterator[str]:
    """Paths of every Sealed value in a model or type ("a", "a[]", "a.b"), in field order."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from sealed_paths(get_args(annotation)[0], prefix)
    elif annotation is Sealed:
        yield prefix
    elif origin in (Union, types.UnionType):
        seen: list[str] = []
        for arg in get_args(annotation):
            seen.extend(p for p in sealed_paths(arg, prefix) if p not in seen)
        yield from seen
    elif origin in (list, tuple, set, frozenset):
        for arg in get_args(annotation)[:1]:
            yield from sealed_paths(arg, f"{prefix}[]")
    elif origin is dict:
        if any(True for _ in sealed_paths(get_args(annotation)[1])):
            raise TypeError(f"{prefix}: sealed values inside a dict are not supported; use a model")
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for field_name, field in annotation.model_fields.items():
            path = f"{prefix}.{field_name}" if prefix else field_name
            yield from sealed_paths(field.annotation, path)


def _first_line(doc: str | None) -> str:
    lines = (doc or "").strip().splitlines()
    return lines[0].strip() if lines else ""


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "payload"
