"""Empowerment's HTTP routes: parse, authorise (libs/access), call a handler or query, shape."""

from fastapi import APIRouter

from . import money, programme, survivors

router = APIRouter()
for part in (survivors, money, programme):
    router.include_router(part.router)

__all__ = ["router"]
