"""Psychosocial's answer to a data subject's access request (docs/data-protection.md)."""

from uponyaji_service.subject_access import subject_access_router

NOTES: tuple[str, ...] = ()

router = subject_access_router(tags=["psychosocial"], notes=NOTES)
