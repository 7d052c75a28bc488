"""PDF rendering (ReportLab): the signed medico-legal report, addenda, P3 and MOH 363 forms.

Rendering is deterministic (ReportLab's invariant mode: no creation time or random document
id), so the same signed content always gives the same bytes and the PDF's SHA-256 can be
recorded at signing and checked later.
"""

from .forms import FormField, FormSection, moh363, p3, render_form
from .pdf import render_addendum, render_report

__all__ = [
    "FormField",
    "FormSection",
    "moh363",
    "p3",
    "render_addendum",
    "render_form",
    "render_report",
]
