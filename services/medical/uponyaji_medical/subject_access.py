"""Medical's answer to a data subject's access request (docs/data-protection.md)."""

from uponyaji_service.subject_access import subject_access_router

NOTES = (
    "Evidence files (photographs, scans) are listed by their records; copies of the files are "
    "given on request from the evidence store.",
)

router = subject_access_router(tags=["medical"], notes=NOTES)
