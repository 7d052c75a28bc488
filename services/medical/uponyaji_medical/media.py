"""Evidence files: type from the bytes, capture time from metadata, stripped derivatives.

The type is read from the file's first bytes, never from what the uploader says. Derivatives
that leave the service carry no location or device data: images are re-encoded from their
pixels alone (no EXIF, GPS, XMP or maker notes), PDFs are rewritten without their document
information and XMP metadata. DICOM files have no derivative (their headers name devices and
places): they are served only as originals to clinicians who ask for the original.
"""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from uponyaji_events.eat import EAT

from .errors import FileRefused

_EXIF_IFD, _DATETIME_ORIGINAL, _DATETIME = 0x8769, 36867, 306
_IMAGES = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff"}


def sniff(data: bytes) -> str:
    """The accepted media type of a file from its first bytes; FileRefused names the problem."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if len(data) > 132 and data[128:132] == b"DICM":
        return "application/dicom"
    raise FileRefused(
        "file: not an accepted type (JPEG, PNG, TIFF, PDF or DICOM, judged by its content)"
    )


def capture_time(data: bytes, media_type: str) -> datetime | None:
    """When a photograph was taken, from its EXIF (DateTimeOriginal, else DateTime), if any."""
    if not media_type.startswith("image/"):
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if not isinstance(raw, str):
        return None
    try:
        # Cameras in Kenya record local time without a zone.
        return datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(tzinfo=EAT)
    except ValueError:
        return None


def check_image(data: bytes, media_type: str) -> None:
    """Refuse an image Pillow cannot read (a truncated or disguised file)."""
    if not media_type.startswith("image/"):
        return
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise FileRefused(
            "file: the image cannot be read (truncated or not what it claims)"
        ) from None


def has_derivative(media_type: str) -> bool:
    """Whether a type has a stripped derivative (DICOM has none)."""
    return media_type.startswith("image/") or media_type == "application/pdf"


def derivative(data: bytes, media_type: str) -> tuple[bytes, str] | None:
    """A copy safe to leave the service (no location or device data), or None if none exists."""
    if media_type.startswith("image/"):
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = image.format if image.format in _IMAGES else "PNG"
            pixels = image if image.mode in ("RGB", "L") else image.convert("RGBA")
            if fmt == "JPEG" and pixels.mode == "RGBA":
                pixels = pixels.convert("RGB")
            # A new image holds the pixels alone: no EXIF, GPS, XMP, ICC or maker notes.
            clean = Image.new(pixels.mode, pixels.size)
            clean.paste(pixels)
        out = io.BytesIO()
        clean.save(out, format=fmt)
        return out.getvalue(), _IMAGES[fmt]
    if media_type == "application/pdf":
        try:
            reader = PdfReader(io.BytesIO(data))
            writer = PdfWriter()
            for page in reader.pages:
                writer.add_page(page)
        except (PdfReadError, ValueError):
            raise FileRefused("file: the PDF cannot be read") from None
        writer.add_metadata({"/Producer": "Uponyaji medical"})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), "application/pdf"
    return None
