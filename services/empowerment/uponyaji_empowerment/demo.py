"""Synthetic demo records: needs, plans, grants within budget, trainings, follow-ups.

Pure: a random generator seeded by the survivor's id turns into request bodies (the same bodies
the API takes), so demo data passes every rule an officer's input does. Courses are believable:
most survivors earn a little more after a grant, many businesses survive, hunger eases for most;
some follow-ups are left overdue. Every free text says it is synthetic.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from .domain.schedule import MONTHS, add_months

GOALS = {
    "business_restore": (
        "Restock the vegetable kiosk lost during detention (synthetic demo goal)",
        "stock",
    ),
    "business_start": ("Start a poultry unit of 50 layers (synthetic demo goal)", "livestock"),
    "employment": ("Find work as a driver's turn-boy (synthetic demo goal)", "training_fees"),
    "vocational_skill": (
        "Complete the tailoring course (synthetic demo goal)",
        "tools_and_equipment",
    ),
    "education": (
        "Pay secondary-school fees for the eldest child (synthetic demo goal)",
        "school_fees",
    ),
    "group_savings": (
        "Join the village chama and save weekly (synthetic demo goal)",
        "group_savings",
    ),
}
BUSINESS = frozenset({"business_restore", "business_start"})


@dataclass
class DemoRecord:
    """Everything recorded about one survivor's empowerment, as API request bodies."""

    needs: dict[str, Any]
    plan: dict[str, Any]
    grant: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None
    disbursements: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    trains: bool = False


def _kes(value: float) -> str:
    return str(Decimal(round(value / 50) * 50).quantize(Decimal("0.01")))


def mpesa_code(rng: random.Random) -> str:
    """A synthetic M-Pesa-shaped transaction code (10 capitals and digits)."""
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(10))


def _answers(level: int, rng: random.Random) -> list[int]:
    answers = [0, 0, 0]
    for _ in range(level):
        i = rng.randrange(3)
        if answers[i] < 2:
            answers[i] += 1
    return answers


def record(survivor_id: UUID, today: date) -> DemoRecord:
    """A survivor's demo record, the same every time for the same id and day."""
    rng = random.Random(survivor_id.int ^ 0x454D50)
    start = today - timedelta(days=rng.randint(60, 420))
    income = rng.choice((0, 1500, 3000, 4500, 6000, 9000))
    hunger = rng.choices((1, 2, 3, 4, 5), (10, 25, 30, 25, 10))[0]
    kind = rng.choices(list(GOALS), (30, 20, 15, 15, 10, 10))[0]
    description, purpose = GOALS[kind]
    needs = {
        "assessed_on": start.isoformat(),
        "household_size": (size := rng.randint(2, 9)),
        "dependants": rng.randint(1, size - 1),
        "earners": rng.randint(0, min(2, size)),
        "income_sources": rng.sample(
            ["casual_labour", "farming", "small_business", "remittances", "cash_transfer"],
            rng.randint(1, 2),
        ),
        "monthly_income_kes": _kes(income),
        "housing": rng.choice(
            ["rented", "hosted_by_family", "informal_settlement", "owned", "displaced"]
        ),
        "hunger_answers": _answers(hunger, rng),
        "school_age_children": (kids := rng.randint(0, 4)),
        "children_out_of_school": rng.randint(0, kids),
        "debts_kes": _kes(rng.randint(0, 30000)),
        "skills": rng.sample(["farming", "tailoring", "trading", "carpentry", "catering"], 2),
        "barriers": rng.sample(
            [
                "injury",
                "chronic_pain",
                "stigma",
                "lost_documents",
                "lost_tools_or_assets",
                "psychological_distress",
            ],
            2,
        ),
        "notes": "Synthetic demo needs assessment (FAKE).",
    }
    plan_start = start + timedelta(days=7)
    plan = {
        "started_on": plan_start.isoformat(),
        "goals": [
            {
                "kind": kind,
                "description": description,
                "target_date": (plan_start + timedelta(days=rng.randint(120, 300))).isoformat(),
                "steps": [
                    {"description": "Agree a budget with the officer (synthetic)"},
                    {"description": "Buy the first stock or tools (synthetic)"},
                ],
            }
        ],
    }
    demo = DemoRecord(needs, plan, trains=rng.random() < 0.45)
    anchor = plan_start
    roll = rng.random()
    if roll < 0.8 and plan_start + timedelta(days=21) < today:
        amount = rng.choice((8000, 12000, 15000, 20000, 25000, 30000, 40000))
        proposed = plan_start + timedelta(days=rng.randint(3, 10))
        decided = proposed + timedelta(days=rng.randint(2, 7))
        demo.grant = {
            "purpose": purpose,
            "amount_kes": _kes(amount),
            "proposed_on": proposed.isoformat(),
            "justification": "Synthetic demo justification (FAKE).",
        }
        approve = roll < 0.72
        demo.decision = {
            "decision": "approve" if approve else "decline",
            "decided_on": decided.isoformat(),
        }
        if approve:
            first = decided + timedelta(days=rng.randint(1, 5))
            tranches = [amount] if rng.random() < 0.6 else [amount * 0.6, amount * 0.4]
            day = first
            for part in tranches:
                if day >= today:
                    break
                channel = rng.choices(("mpesa", "bank", "in_kind"), (75, 10, 15))[0]
                body: dict[str, Any] = {
                    "amount_kes": _kes(part),
                    "channel": channel,
                    "disbursed_on": day.isoformat(),
                }
                if channel == "in_kind":
                    body["items"] = "Synthetic demo goods in kind (FAKE)."
                else:
                    body["reference"] = mpesa_code(rng)
                demo.disbursements.append(body)
                day += timedelta(days=rng.randint(20, 45))
            if demo.disbursements:
                anchor = first
    thrives = rng.random() < 0.7
    for milestone, months in MONTHS.items():
        due = add_months(anchor, months)
        held_on = due + timedelta(days=rng.randint(0, 12))
        if held_on > today or rng.random() < 0.15:  # not yet, or overdue
            continue
        gain = (1 + months / 12 * rng.uniform(0.3, 1.2)) if thrives else rng.uniform(0.7, 1.1)
        eased = max(0, hunger - (months // 3 if thrives else rng.randint(-1, 1)))
        demo.follow_ups.append(
            {
                "milestone": milestone.value,
                "held_on": held_on.isoformat(),
                "monthly_income_kes": _kes(max(income, 1000) * gain),
                "business_operating": (thrives or rng.random() < 0.3) if kind in BUSINESS else None,
                "employment_status": "self_employed"
                if kind in BUSINESS
                else rng.choice(["employed", "casual", "in_training", "unemployed"]),
                "hunger_answers": _answers(min(6, eased), rng),
                "notes": "Synthetic demo follow-up (FAKE).",
            }
        )
    return demo
