"""What a media check learns about a record's images without downloading them whole.

For ``oogst media-check NAME`` (opt-in): for each ``edm:isShownBy`` / ``edm:hasView`` URL,
:func:`probe` asks the partner's server for the first bytes (an HTTP ``Range`` request), reads
the media type from the headers and the width and height from the image header
(:func:`image_size`: JPEG, PNG, GIF, WebP, TIFF, BMP). The result is a
:class:`~oogst.publish.tiers.MediaInfo`, what :func:`~oogst.publish.tiers.content_tier`
needs for a certain tier. The HTTP part is a callable the core passes in — its polite,
retrying client (``harvest/http.py``) — so this module stays free of network code.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping

from .tiers import MediaInfo

__all__ = ["HEAD_BYTES", "Fetch", "image_size", "probe"]

HEAD_BYTES = 65_536  # enough for the header of every format below, EXIF-heavy JPEGs included

# fetch(url, max_bytes) -> (HTTP status, headers, the first bytes of the body)
Fetch = Callable[[str, int], tuple[int, Mapping[str, str], bytes]]


def image_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from the first bytes of an image file, or None when they do not tell."""
    try:
        if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", head[6:10])
        if head.startswith(b"\xff\xd8"):
            return _jpeg(head)
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return _webp(head)
        if head[:4] in (b"II*\x00", b"MM\x00*"):
            return _tiff(head)
        if head[:2] == b"BM" and len(head) >= 26:
            width, height = struct.unpack("<ii", head[18:26])
            return width, abs(height)
    except struct.error:
        return None
    return None


def _jpeg(head: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        length = struct.unpack(">H", head[at + 2:at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[at + 5:at + 9])
            return width, height
        at += 2 + length
    return None


def _webp(head: bytes) -> tuple[int, int] | None:
    kind = head[12:16]
    if kind == b"VP8X":
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if kind == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _tiff(head: bytes) -> tuple[int, int] | None:
    order = "<" if head[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", head[4:8])[0]
    count = struct.unpack(order + "H", head[offset:offset + 2])[0]
    found: dict[int, int] = {}
    for n in range(count):
        entry = head[offset + 2 + 12 * n: offset + 14 + 12 * n]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag in (256, 257):
            found[tag] = struct.unpack(order + ("H" if kind == 3 else "I"), entry[8:10] if kind == 3 else entry[8:12])[0]
    return (found[256], found[257]) if 256 in found and 257 in found else None


def probe(url: str, fetch: Fetch) -> MediaInfo:
    """What the first :data:`HEAD_BYTES` of ``url`` say: media type, size, dimensions;
    ``available=False`` when the server does not deliver it (a status of 400 or more, or an
    exception from ``fetch``: a timeout, a refused connection)."""
    try:
        status, headers, head = fetch(url, HEAD_BYTES)
    except Exception:  # noqa: BLE001 - any failure to fetch means: not available
        return MediaInfo(available=False)
    if status >= 400:
        return MediaInfo(available=False)
    lower = {k.lower(): v for k, v in headers.items()}
    mime = (lower.get("content-type") or "").split(";")[0].strip().lower() or None
    size = None
    total = lower.get("content-range", "").rpartition("/")[2] or lower.get("content-length")
    if total and total.isdigit() and (status == 206 or "content-range" not in lower):
        size = int(total)
    dimensions = image_size(head) if (mime is None or mime.startswith("image/")) else None
    width, height = dimensions or (None, None)
    return MediaInfo(mime=mime, width=width, height=height, size=size, available=True)
