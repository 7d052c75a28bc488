"""Staff accounts and teams, pure: state and `evolve`, commands, `decide(state, command) -> events`.

No I/O. Events are the published payload contracts of `uponyaji_events.contracts.identity`
(pydantic models); credentials (password hashes, TOTP secrets) never appear here — the handlers
keep them in identity's own tables — and the display name arrives already sealed.
"""

from ..domain.commands import (
    AccountCommand,
    AssignRoles,
    ChangeEmail,
    ChangePassword,
    ConfirmMfa,
    CreateAccount,
    CreateTeam,
    DeactivateAccount,
    EnrolMfa,
    JoinTeam,
    LeaveTeam,
    ReactivateAccount,
    ResetMfa,
)
from ..domain.decide import decide, decide_team
from ..domain.state import (
    ACCOUNT_EVENTS,
    ROLES,
    Account,
    AccountEvent,
    Team,
    evolve,
    evolve_team,
    replay,
)

__all__ = [
    "ACCOUNT_EVENTS",
    "ROLES",
    "Account",
    "AccountCommand",
    "AccountEvent",
    "AssignRoles",
    "ChangeEmail",
    "ChangePassword",
    "ConfirmMfa",
    "CreateAccount",
    "CreateTeam",
    "DeactivateAccount",
    "EnrolMfa",
    "JoinTeam",
    "LeaveTeam",
    "ReactivateAccount",
    "ResetMfa",
    "Team",
    "decide",
    "decide_team",
    "evolve",
    "evolve_team",
    "replay",
]
