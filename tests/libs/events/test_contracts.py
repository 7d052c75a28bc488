"""Event contracts: the registry, the privacy of sealed fields, and the AsyncAPI document."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from uponyaji_events.asyncapi import EventEnvelope, build_document, render
from uponyaji_events.codec import to_wire
from uponyaji_events.contracts import (
    Contract,
    ContractRegistry,
    EventPayload,
    InvalidPayload,
    default_registry,
    intake,
    kernel,
)
from uponyaji_events.contracts.types import SEALED_MARK, LanguageCode, SealedValue
from uponyaji_events.contracts.vocabularies import ServiceName
from uponyaji_events.envelope import GENESIS_HASH, Actor, Event
from uponyaji_events.errors import UnknownEventType
from uponyaji_events.natsconn import subject_for
from uponyaji_events.sealing import Sealed
from uponyaji_events.upcasting import UpcasterRegistry

DOC = Path(__file__).parents[3] / "docs" / "asyncapi.json"
PLAINTEXT = "Test Survivor Alpha"
REGISTRY = default_registry()  # immutable after building; tests only read it
CONTRACTS = list(REGISTRY)
TYPES = [c.type for c in CONTRACTS]
SUBJECT = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*$")
EAT = timezone(timedelta(hours=3))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document(default_registry())


def test_docs_asyncapi_json_is_the_generated_document(document: dict[str, Any]) -> None:
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert committed == render(document), "docs/asyncapi.json is stale: run make docs"


# -- round trips ------------------------------------------------------------------------------


def _sealed_values() -> st.SearchStrategy[str]:
    return st.builds(
        lambda k, d: str(Sealed(k, d)), st.uuids(), st.binary(min_size=28, max_size=60)
    )


def _from_schema(node: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values the published JSON schema allows (so the schema and the model must agree)."""
    if "$ref" in node:
        return _from_schema(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    if node.get(SEALED_MARK) and node.get("type") == "string":
        return _sealed_values()
    if "anyOf" in node:
        return st.one_of([_from_schema(branch, defs) for branch in node["anyOf"]])
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind, fmt = node.get("type"), node.get("format")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(node.get("minimum"), node.get("maximum"))
    if kind == "array":
        items = _from_schema(node["items"], defs)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=3)
    if kind == "object":
        props, required = node.get("properties", {}), set(node.get("required", []))
        return st.fixed_dictionaries(
            {k: _from_schema(v, defs) for k, v in props.items() if k in required},
            optional={k: _from_schema(v, defs) for k, v in props.items() if k not in required},
        )
    if kind == "string" and "pattern" in node:
        return st.from_regex(node["pattern"], fullmatch=True)
    if kind == "string" and fmt == "uuid":
        return st.uuids().map(str)
    if kind == "string" and fmt == "date":
        return st.dates().map(date.isoformat)
    if kind == "string" and fmt == "date-time":
        zones = st.sampled_from([UTC, EAT])
        return st.datetimes(timezones=zones).map(datetime.isoformat)
    raise AssertionError(f"no strategy for schema node {node}")


@pytest.mark.parametrize("event_type", TYPES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_payload_the_schema_allows_round_trips(event_type: str, data: st.DataObject) -> None:
    schema = REGISTRY.get(event_type).model.model_json_schema()
    payload = data.draw(_from_schema(schema, schema.get("$defs", {})))
    model = REGISTRY.validate(event_type, payload)
    dumped = model.model_dump(mode="json")
    again = REGISTRY.validate(event_type, dumped)
    assert again == model
    assert again.model_dump(mode="json") == dumped


@pytest.mark.parametrize("event_type", TYPES)
def test_every_contract_has_an_example_that_round_trips(event_type: str) -> None:
    contract = REGISTRY.get(event_type)
    assert contract.examples(), f"{event_type} has no example"
    for example in contract.examples():
        model = REGISTRY.validate(event_type, example)
        assert REGISTRY.validate(event_type, model.model_dump(mode="json")) == model


# -- errors ------------------------------------------------------------------------------------


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(UnknownEventType, match=r"intake\.SurvivorTeleported"):
        REGISTRY.validate("intake.SurvivorTeleported", {})
    with pytest.raises(UnknownEventType):
        REGISTRY.get("nobody.Anything")


def test_an_invalid_payload_names_each_bad_field_without_echoing_values() -> None:
    example = REGISTRY.get("intake.SurvivorRegistered").examples()[0]
    bad = {**example, "county_code": "999", "gender": PLAINTEXT, "nickname": PLAINTEXT}
    with pytest.raises(InvalidPayload) as caught:
        REGISTRY.validate("intake.SurvivorRegistered", bad)
    message = str(caught.value)
    assert caught.value.status_code == 422
    for field in ("county_code", "gender", "nickname"):
        assert field in message
    assert PLAINTEXT not in message
    assert caught.value.__cause__ is None  # pydantic's error (which holds inputs) is not attached
    assert caught.value.__context__ is None


def test_a_payload_of_an_older_schema_version_must_be_upcast_first() -> None:
    example = REGISTRY.get("intake.CaseClosed").examples()[0]
    REGISTRY.validate("intake.CaseClosed", example, schema_version=1)
    with pytest.raises(InvalidPayload, match="upcast"):
        REGISTRY.validate("intake.CaseClosed", example, schema_version=0)


def test_registration_refuses_duplicates_and_names_that_break_subjects() -> None:
    registry = ContractRegistry()
    registry.register(kernel.DataKeyDestroyed, service="medical", stream_type="erasure")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(kernel.DataKeyDestroyed, service="medical", stream_type="erasure")
    for service, stream_type in (("Medical", "erasure"), ("medical", "era.sure"), ("a>", "b")):
        with pytest.raises(ValueError, match="must match"):
            registry.register(kernel.DataKeyDestroyed, service=service, stream_type=stream_type)


# -- privacy -----------------------------------------------------------------------------------


def _with_value(payload: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    key, is_list = head.removesuffix("[]"), head.endswith("[]")
    copy = dict(payload)
    if is_list:
        items = list(copy.get(key) or [])
        assert items or not rest, f"the example leaves {key} empty"
        first = _with_value(items[0], rest, value) if rest else value
        copy[key] = [first, *items[1:]]
    elif rest:
        assert copy.get(key), f"the example leaves {key} empty, so {path} is not exercised"
        copy[key] = _with_value(copy[key], rest, value)
    else:
        copy[key] = value
    return copy


SEALED = [(c.type, path) for c in CONTRACTS for path in c.sealed_fields]


@pytest.mark.parametrize(("event_type", "path"), SEALED)
def test_every_sealed_field_refuses_plaintext(event_type: str, path: str) -> None:
    example = REGISTRY.get(event_type).examples()[0]
    with pytest.raises(InvalidPayload) as caught:
        REGISTRY.validate(event_type, _with_value(example, path, PLAINTEXT))
    assert PLAINTEXT not in str(caught.value)


def test_identity_and_narrative_fields_are_sealed() -> None:
    registered = REGISTRY.get("intake.SurvivorRegistered").sealed_fields
    for field in ("full_name", "other_names[]", "phone", "id_document", "birth_date", "location"):
        assert field in registered
    assert "next_of_kin.name" in registered
    assert "narrative" in REGISTRY.get("intake.IncidentDocumented").sealed_fields


def _strings(node: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    if isinstance(node, list):
        return [s for i, item in enumerate(node) for s in _strings(item, f"{where}[{i}]")]
    if not isinstance(node, dict):
        return []
    found = [(where, node)] if node.get("type") == "string" else []
    for key, value in node.items():
        if key not in ("examples", "default", "const", "enum"):
            found += _strings(value, f"{where}/{key}")
    return found


@pytest.mark.parametrize("event_type", TYPES)
def test_no_contract_has_an_unconstrained_plaintext_string(event_type: str) -> None:
    schema = REGISTRY.get(event_type).model.model_json_schema()
    loose = [
        where
        for where, node in _strings(schema, event_type)
        if not (
            node.get(SEALED_MARK)
            or "pattern" in node
            or "enum" in node
            or "const" in node
            or node.get("format") in ("uuid", "date", "date-time")
        )
    ]
    assert not loose, f"free text must be a SealedValue (or constrained): {loose}"


def test_a_payload_built_around_validation_cannot_carry_plaintext_into_an_event() -> None:
    smuggled = intake.CaseReopened.model_construct(survivor_id=uuid4(), reason=PLAINTEXT)
    with pytest.raises(InvalidPayload):
        REGISTRY.to_new_event(smuggled)


# -- events and the document ------------------------------------------------------------------


def test_to_new_event_carries_type_version_and_json_payload() -> None:
    survivor = uuid4()
    new = REGISTRY.to_new_event(intake.CaseClosed(survivor_id=survivor, reason="goals_met"))
    assert (new.type, new.schema_version) == ("intake.CaseClosed", 1)
    assert new.payload == {"survivor_id": str(survivor), "reason": "goals_met", "note": None}

    destroyed = kernel.DataKeyDestroyed(
        request_id=uuid4(), survivor_id=survivor, key_id=None, destroyed_at=datetime.now(UTC)
    )
    with pytest.raises(ValueError, match="service="):
        REGISTRY.to_new_event(destroyed)
    assert REGISTRY.to_new_event(destroyed, service="medical").type == "medical.DataKeyDestroyed"


def test_every_service_confirms_key_destruction_and_intake_names_the_issue_events() -> None:
    for service in ServiceName:
        assert f"{service}.DataKeyDestroyed" in REGISTRY
    named_in_issue_4 = ["SurvivorRegistered", "ConsentGranted", "ConsentWithdrawn"]
    named_in_issue_4 += ["IncidentDocumented", "ReferralMade", "CaseAssigned", "CaseClosed"]
    named_in_issue_4 += ["ErasureRequested", "ErasureCompleted"]
    for name in named_in_issue_4:
        assert f"intake.{name}" in REGISTRY


def _event(contract: Contract, payload: dict[str, Any], schema_version: int = 1) -> Event:
    now = datetime.now(UTC)
    return Event(
        event_id=uuid4(),
        stream_type=contract.stream_type,
        stream_id=str(uuid4()),
        version=1,
        type=contract.type,
        schema_version=schema_version,
        occurred_at=now,
        recorded_at=now,
        actor=Actor(id=str(uuid4()), role="intake_officer"),
        correlation_id=uuid4(),
        causation_id=None,
        payload=payload,
        prev_hash=GENESIS_HASH,
        hash=bytes(32),
        position=7,
    )


def test_every_channel_address_is_the_subject_the_relay_publishes_on(
    document: dict[str, Any],
) -> None:
    assert set(document["channels"]) == set(TYPES)
    for contract in CONTRACTS:
        address = document["channels"][contract.type]["address"]
        service, stream_type, name = address.split(".")
        assert SUBJECT.fullmatch(address)
        assert (service, stream_type, name) == (
            contract.service,
            contract.stream_type,
            contract.name,
        )
        event = _event(contract, contract.examples()[0])
        assert subject_for(contract.service, event) == address
        operation = document["operations"][f"{contract.type}.send"]
        assert operation["action"] == "send"
        assert operation["tags"] == [{"name": contract.service}]


def _message_validator(document: dict[str, Any], event_type: str) -> jsonschema_rs.Validator:
    root = {
        "$ref": f"#/components/messages/{event_type}/payload",
        "components": document["components"],
    }
    return jsonschema_rs.Draft202012Validator(root)


@pytest.mark.parametrize("event_type", TYPES)
def test_the_codec_wire_form_matches_the_document(
    document: dict[str, Any], event_type: str
) -> None:
    contract = REGISTRY.get(event_type)
    wire = to_wire(_event(contract, contract.examples()[0]))
    EventEnvelope.model_validate(wire)
    validator = _message_validator(document, event_type)
    assert validator.is_valid(wire)
    assert validator.is_valid(
        document["components"]["messages"][event_type]["examples"][0]["payload"]
    )
    for path in contract.sealed_fields:
        plaintext = {**wire, "payload": _with_value(wire["payload"], path, PLAINTEXT)}
        assert not validator.is_valid(plaintext), f"the document lets plaintext into {path}"


def test_sealed_fields_are_marked_in_the_document(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    full_name = schemas["SurvivorRegistered"]["properties"]["full_name"]
    phone = schemas["SurvivorRegistered"]["properties"]["phone"]
    for prop in (full_name, phone, schemas["NextOfKin"]["properties"]["name"]):
        assert prop[SEALED_MARK] is True
        assert "Sealed:" in prop["description"]
    assert SEALED_MARK not in schemas["SurvivorRegistered"]["properties"]["county_code"]
    message = document["components"]["messages"]["intake.SurvivorRegistered"]
    assert message["x-sealed-fields"] == list(
        REGISTRY.get("intake.SurvivorRegistered").sealed_fields
    )


# -- schema evolution --------------------------------------------------------------------------


class NoteAdded(EventPayload):
    """Test-only v2: `lang` was renamed `language`, and the note became sealed."""

    survivor_id: UUID
    language: LanguageCode
    note: SealedValue


def _v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    upgraded = {k: v for k, v in payload.items() if k != "lang"}
    upgraded["language"] = payload.get("lang", "en")
    return upgraded


def test_an_upcaster_turns_a_stored_v1_payload_into_the_current_contract() -> None:
    registry = ContractRegistry()
    contract = registry.register(
        NoteAdded, service="testonly", stream_type="note", schema_version=2
    )
    upcasters = UpcasterRegistry()
    upcasters.register("testonly.NoteAdded", 1, _v1_to_v2)
    note = str(Sealed(uuid4(), bytes(40)))
    stored = _event(contract, {"survivor_id": str(uuid4()), "lang": "sw", "note": note})

    with pytest.raises(InvalidPayload, match="upcast"):
        registry.validate(stored.type, stored.payload, schema_version=stored.schema_version)
    current = upcasters.upcast(stored)

    assert current.schema_version == 2
    assert (stored.schema_version, stored.payload["lang"]) == (1, "sw")  # never rewritten
    model = registry.validate(current.type, current.payload, schema_version=current.schema_version)
    assert isinstance(model, NoteAdded)
    assert (model.language, str(model.note)) == ("sw", note)
