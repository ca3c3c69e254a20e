"""The media check: image dimensions from the first bytes, over real HTTP on 127.0.0.1, into
the content tier."""

from __future__ import annotations

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from oogst.publish.media import HEAD_BYTES, image_size, probe


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg(width: int, height: int, exif: int = 0) -> bytes:
    app1 = b"\xff\xe1" + struct.pack(">H", exif + 2) + b"\x00" * exif if exif else b""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc2" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + app1 + sof + b"\xff\xda" + b"\x00" * 100 + b"\xff\xd9"


def tiff(width: int, height: int, order: str = "<") -> bytes:
    magic = b"II*\x00" if order == "<" else b"MM\x00*"
    entries = struct.pack(order + "HHIHH", 256, 3, 1, width, 0) + struct.pack(order + "HHII", 257, 4, 1, height)
    return magic + struct.pack(order + "I", 8) + struct.pack(order + "H", 2) + entries + b"\x00\x00\x00\x00"


@pytest.mark.parametrize(("data", "size"), [
    (png(640, 480), (640, 480)),
    (b"GIF89a" + struct.pack("<HH", 1200, 800) + b"\x00" * 20, (1200, 800)),
    (jpeg(1000, 950), (1000, 950)),
    (jpeg(4000, 3000, exif=30_000), (4000, 3000)),
    (b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (1919).to_bytes(3, "little") + (1079).to_bytes(3, "little"),
     (1920, 1080)),
    (tiff(2000, 1500), (2000, 1500)),
    (tiff(300, 200, ">"), (300, 200)),
    (b"BM" + b"\x00" * 16 + struct.pack("<ii", 800, -600), (800, 600)),
    (b"%PDF-1.7", None),
    (b"\xff\xd8\xff", None),
    (b"", None),
])
def test_image_size_from_the_first_bytes(data: bytes, size) -> None:
    assert image_size(data[:HEAD_BYTES]) == size


class _Media(BaseHTTPRequestHandler):
    files = {"/a.png": ("image/png", png(1000, 950)), "/b.jpg": ("image/jpeg", jpeg(700, 600, exif=2000))}

    def do_GET(self) -> None:  # noqa: N802
        if self.path not in self.files:
            self.send_error(404)
            return
        kind, data = self.files[self.path]
        first, _, last = (self.headers.get("Range") or "bytes=0-").removeprefix("bytes=").partition("-")
        part = data[int(first): int(last) + 1 if last else None]
        self.send_response(206 if self.headers.get("Range") else 200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Range", f"bytes {first}-{int(first) + len(part) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        self.wfile.write(part)

    def log_message(self, *args) -> None:
        pass


def test_probe_over_http_feeds_the_content_tier() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Media)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def fetch(url: str, max_bytes: int):
        resp = requests.get(url, headers={"Range": f"bytes=0-{max_bytes - 1}"}, timeout=5)
        return resp.status_code, resp.headers, resp.content[:max_bytes]

    try:
        big = probe(f"{base}/a.png", fetch)
        assert (big.mime, big.width, big.height, big.available) == ("image/png", 1000, 950, True)
        assert big.size == len(_Media.files["/a.png"][1]) and big.pixels == 950_000
        small = probe(f"{base}/b.jpg", fetch)
        assert (small.width, small.height) == (700, 600)
        assert probe(f"{base}/gone.jpg", fetch).available is False
        assert probe("http://127.0.0.1:9/none.jpg", fetch).available is False
    finally:
        server.shutdown()
        server.server_close()
