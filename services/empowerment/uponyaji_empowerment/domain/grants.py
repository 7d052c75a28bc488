"""The deciders of money on the survivor stream: proposals, decisions, disbursements."""

from __future__ import annotations

from typing import Any

from uponyaji_events.contracts import empowerment as c
from uponyaji_events.envelope import NewEvent

from ..errors import (
    BudgetExceeded,
    GrantNotApproved,
    GrantNotPending,
    InvalidCommand,
    NotFound,
    OutsidePeriod,
    OverRemainder,
    OwnProposal,
    ReferenceUsed,
)
from . import money
from .commands import DecideGrant, Disburse, ProposeGrant
from .rules import amount, new_event, not_future
from .state import SurvivorState


def decide_money(state: SurvivorState, command: ProposeGrant | DecideGrant | Disburse) -> NewEvent:
    """The event a proposal, a decision or a disbursement records."""
    if isinstance(command, ProposeGrant):
        wanted = amount(command.amount_kes, "amount_kes", positive=True)
        not_future("proposed_on", command.proposed_on, command.today)
        if command.proposed_on > command.budget.period_end:
            raise OutsidePeriod(f"budget line period ended on {command.budget.period_end}")
        return new_event(
            c.GrantProposed(
                grant_id=command.grant_id,
                survivor_id=command.survivor_id,
                purpose=command.purpose,
                amount_kes=money.text(wanted),
                budget_line_id=command.budget.budget_line_id,
                proposed_by=command.proposed_by,
                proposed_on=command.proposed_on,
                justification=command.justification,
            )
        )
    grant = state.grants.get(command.grant_id)
    if grant is None:
        raise NotFound(f"no grant {command.grant_id} of this survivor")
    if isinstance(command, DecideGrant):
        return _decision(grant, command)
    return _disbursement(state, grant, command)


def _decision(grant: Any, command: DecideGrant) -> NewEvent:
    if grant.proposed_by == command.decided_by:
        raise OwnProposal("you proposed this grant: another programme lead must decide it")
    if grant.status != "proposed":
        raise GrantNotPending(f"the grant was already {grant.status}")
    not_future("decided_on", command.decided_on, command.today)
    if command.decided_on < grant.proposed_on:
        raise InvalidCommand("decided_on: before the grant was proposed")
    if not command.approve:
        return new_event(
            c.GrantDeclined(
                grant_id=command.grant_id,
                survivor_id=command.survivor_id,
                declined_by=command.decided_by,
                declined_on=command.decided_on,
                reason=command.reason,
            )
        )
    budget = command.budget
    assert budget is not None
    assert budget.budget_line_id == grant.budget_line_id
    if not budget.period_start <= command.decided_on <= budget.period_end:
        raise OutsidePeriod(
            f"budget line runs {budget.period_start} to {budget.period_end}, "
            f"not {command.decided_on}"
        )
    if grant.amount > budget.remaining:
        raise BudgetExceeded(
            f"KES {money.text(grant.amount)} exceeds what remains on the budget line "
            f"(KES {money.text(budget.remaining)} of {money.text(budget.amount)})"
        )
    return new_event(
        c.GrantApproved(
            grant_id=command.grant_id,
            survivor_id=command.survivor_id,
            amount_kes=money.text(grant.amount),
            budget_line_id=grant.budget_line_id,
            approved_by=command.decided_by,
            approved_on=command.decided_on,
        )
    )


def _disbursement(state: SurvivorState, grant: Any, command: Disburse) -> NewEvent:
    paid = amount(command.amount_kes, "amount_kes", positive=True)
    not_future("disbursed_on", command.disbursed_on, command.today)
    if grant.status != "approved":
        raise GrantNotApproved(f"the grant is {grant.status}: only approved grants are paid")
    if grant.decided_on is not None and command.disbursed_on < grant.decided_on:
        raise InvalidCommand(f"disbursed_on: before the approval on {grant.decided_on}")
    if paid > grant.remainder:
        raise OverRemainder(
            f"amount_kes: KES {money.text(paid)} is more than the approved remainder "
            f"KES {money.text(grant.remainder)}"
        )
    if command.channel is c.Channel.IN_KIND:
        if command.reference is not None:
            raise InvalidCommand("reference: goods in kind have no payment reference")
    elif command.reference is None or command.reference_digest is None:
        raise InvalidCommand(f"reference: a {command.channel.value} disbursement needs one")
    if command.reference_used:
        raise ReferenceUsed("reference: this payment reference is already on record")
    return new_event(
        c.GrantDisbursed(
            disbursement_id=command.disbursement_id,
            grant_id=command.grant_id,
            survivor_id=command.survivor_id,
            amount_kes=money.text(paid),
            channel=command.channel,
            reference=command.reference,
            reference_digest=command.reference_digest,
            items=command.items,
            disbursed_on=command.disbursed_on,
        )
    )
