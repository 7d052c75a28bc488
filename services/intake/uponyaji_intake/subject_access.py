"""Intake's answer to a data subject's access request (docs/data-protection.md)."""

from uponyaji_service.subject_access import subject_access_router

NOTES = (
    "The keyed digests used to find duplicate records are derived from the identity fields "
    "listed here and are not listed themselves.",
)

router = subject_access_router(tags=["intake"], notes=NOTES)
