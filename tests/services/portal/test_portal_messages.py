"""The services' refusals shown in the user's language: error codes and field problems."""

from __future__ import annotations

import importlib
import inspect

from uponyaji_events.errors import UponyajiError
from uponyaji_portal import i18n
from uponyaji_portal.backend import ServiceError
from uponyaji_portal.forms import field_errors
from uponyaji_portal.messages import ERRORS, error_text, problem_text

SERVICES = ("identity", "intake", "psychosocial", "medical", "empowerment")


def _error_codes() -> set[str]:
    codes = {"ConcurrencyError"}
    for name in SERVICES:
        module = importlib.import_module(f"uponyaji_{name}.errors")
        codes |= {
            cls.__name__
            for cls in vars(module).values()
            if inspect.isclass(cls) and issubclass(cls, UponyajiError)
        }
    return codes


def test_every_mapped_code_is_one_a_service_answers() -> None:
    # A code no service raises any more would be a message nobody sees.
    assert set(ERRORS) <= _error_codes(), set(ERRORS) - _error_codes()


def test_a_known_refusal_is_shown_in_kiswahili_and_an_unknown_one_keeps_its_words() -> None:
    i18n.load_catalogs()
    i18n.use("sw")
    try:
        refusal = ServiceError(409, "OwnProposal", "a lead may not decide their own proposal")
        assert field_errors(refusal) == {"form": "Huwezi kuamua juu ya ruzuku uliyoipendekeza."}
        odd = ServiceError(422, "InvalidCommand", "x: outside the diagram (0-1000)")
        assert field_errors(odd) == {"form": "x: outside the diagram (0-1000)"}
        assert error_text("CaseClosed", "closed") == "Kesi hii imefungwa: ifungue upya kwanza."
    finally:
        i18n.use("en")


def test_field_problems_by_kind_with_the_services_limits() -> None:
    i18n.load_catalogs()
    i18n.use("sw")
    try:
        error = ServiceError(
            422,
            "ValidationError",
            "…",
            fields={
                "amount_kes": "Input should be greater than 0",
                "position.x": "Input should be less than or equal to 1000",
                "phone": "Value error, not a Kenyan phone number",
                "purpose": "Input should be 'business_start' or 'tools'",
            },
            kinds={
                "amount_kes": "greater_than",
                "position.x": "less_than_equal",
                "phone": "value_error",
                "purpose": "enum",
            },
        )
        assert field_errors(error) == {
            "amount_kes": "Lazima iwe zaidi ya 0.",
            "position_x": "Lazima isizidi 1000.",
            "phone": "not a Kenyan phone number",  # the service's own check, its own words
            "purpose": "Chagua mojawapo ya chaguo zilizoorodheshwa.",
        }
    finally:
        i18n.use("en")
    assert problem_text("missing", "Field required") == "Fill this in."
