"""One's own preferences: the staff application's language, remembered per account."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from uponyaji_access import Grant, authorize

from ..api.deps import IdentityDep

router = APIRouter(tags=["preferences"])

# Any staff member, for their own account only (the caller's staff id, never one in the path).
Own = Annotated[Grant, Depends(authorize("accounts.preferences", survivor=None))]


class Preferences(BaseModel):
    """The caller's preferences; `language` is null until they choose one."""

    language: Literal["en", "sw"] | None


class PreferencesChange(BaseModel):
    """The preferences to keep."""

    model_config = ConfigDict(extra="forbid")

    language: Literal["en", "sw"]


@router.get("/me/preferences")
async def read_preferences(grant: Own, ctx: IdentityDep) -> Preferences:
    """The caller's own preferences."""
    found = await ctx.pool.fetchval(
        "SELECT language FROM staff_preferences WHERE staff_id = $1", grant.principal.staff_id
    )
    return Preferences(language=found)


@router.put("/me/preferences")
async def keep_preferences(body: PreferencesChange, grant: Own, ctx: IdentityDep) -> Preferences:
    """Keep the caller's own preferences (replacing the earlier ones)."""
    await ctx.pool.execute(
        "INSERT INTO staff_preferences (staff_id, language) VALUES ($1, $2) "
        "ON CONFLICT (staff_id) DO UPDATE SET language = $2, updated_at = now()",
        grant.principal.staff_id,
        body.language,
    )
    return Preferences(language=body.language)
