"""Draw the sample partners' images: one small JPEG per image link in ``records.xml``.

The sample records link their images on the partners' (fictional) image hosts, named by
``image_base`` in each ``partner.toml``; the partner simulator serves these files in their
place (``PartnerSimulator(images=True)``, as ``oogst demo`` runs it), so that the demo's
thumbnails show offline. The pictures are made here, for the project: a coloured ground, a
motif that hints at the kind of object (painting, print, sculpture, photograph, postcard,
poster, letter, map, book), the title and the inventory number, and the words "voorbeeldbeeld
· sample image" — they stand in for the real works, which they do not show.

    .venv/bin/python data/samples/make_images.py          # (re)draw the missing images
    .venv/bin/python data/samples/make_images.py --all    # redraw every image

Needs Pillow (in the test extras). The images are committed; the output of another Pillow
version may differ by a few bytes, so nothing checks them byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import textwrap
import tomllib
from pathlib import Path

from lxml import etree
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SIZE = (320, 240)
PALETTE = ("#6d597a", "#355070", "#b56576", "#2a6f4e", "#8c5e34", "#3d5a80", "#7a4e2d", "#4f6d7a", "#9a3b3b")
KINDS = {  # words of the object name or type → motif
    "schilderij": "painting", "painting": "painting", "olieverf": "painting", "ets": "print", "gravure": "print",
    "houtsnede": "print", "litho": "print", "tekening": "print", "prent": "print", "beeld": "sculpture",
    "sculpt": "sculpture", "wandtapijt": "textile", "tapijt": "textile", "vaas": "vessel", "keramiek": "vessel",
    "glas": "vessel", "foto": "photo", "photograph": "photo", "prentkaart": "postcard", "postcard": "postcard",
    "affiche": "poster", "poster": "poster", "brief": "letter", "letter": "letter", "kaart": "map", "plan": "map",
    "map": "map", "boek": "book", "book": "book",
}
NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "lido": "http://www.lido-schema.org",
      "dc": "http://purl.org/dc/elements/1.1/"}


def font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: the bitmap font only
        return ImageFont.load_default()


def kind_of(words: str) -> str:
    words = words.lower()
    return next((motif for word, motif in KINDS.items() if word in words), "object")


def draw(path: Path, key: str, title: str, kind: str) -> None:
    digest = hashlib.sha256(key.encode()).digest()
    ground = PALETTE[digest[0] % len(PALETTE)]
    image = Image.new("RGB", SIZE, ground)
    pen = ImageDraw.Draw(image)
    w, h = SIZE
    light, dark = "#f4efe6", "#1f1f1f"
    jitter = digest[1] % 40
    if kind in ("painting", "textile"):
        pen.rectangle((24, 20, w - 24, 150), outline="#d9b86c", width=6)
        pen.rectangle((33, 29, w - 33, 141), fill="#9fc3d8")
        pen.polygon([(33, 141), (100 + jitter, 80), (170, 120), (230 - jitter, 70), (w - 33, 141)], fill="#4d7c4a")
        pen.ellipse((w - 90, 40, w - 60, 70), fill="#f2d16b")
    elif kind == "print":
        pen.rectangle((40, 18, w - 40, 150), fill=light)
        for i in range(8):
            pen.line((60, 40 + i * 12, w - 60, 30 + i * 12 + jitter // 8), fill=dark, width=1)
    elif kind in ("sculpture", "vessel"):
        pen.rectangle((0, 130, w, 160), fill="#00000033")
        pen.ellipse((w // 2 - 40, 30, w // 2 + 40, 90), fill=light)
        pen.rectangle((w // 2 - 28, 85, w // 2 + 28, 140), fill=light)
    elif kind in ("photo", "postcard"):
        sepia = Image.new("RGB", (w - 60, 120), "#c8b08a")
        image.paste(sepia, (30, 24))
        pen.line((30, 100 + jitter // 4, w - 30, 100 + jitter // 4), fill="#6b5434", width=3)
        pen.rectangle((30, 24, w - 30, 144), outline=light, width=4)
    elif kind == "poster":
        pen.rectangle((30, 16, w - 30, 150), fill="#e9c46a")
        pen.rectangle((50, 36, w - 50, 90), fill="#e76f51")
        pen.ellipse((w // 2 - 30, 70, w // 2 + 30, 130), fill="#264653")
    elif kind == "map":
        pen.rectangle((30, 18, w - 30, 150), fill="#efe3c2")
        for x in range(40, w - 30, 30):
            pen.line((x, 18, x, 150), fill="#b9a57a")
        pen.line((30, 120, 140 + jitter, 60, w - 30, 90), fill="#3d6fa3", width=5)
    elif kind in ("letter", "book"):
        pen.rectangle((70, 16, w - 70, 152), fill=light)
        for i in range(9):
            pen.line((85, 34 + i * 12, w - 85 - (i % 3) * 12, 34 + i * 12), fill="#6a6a6a", width=2)
    else:
        pen.rectangle((60, 30, w - 60, 140), fill=light)
    pen.rectangle((0, 160, w, h), fill="#000000")
    lines = textwrap.wrap(title, 34)[:2]
    for i, line in enumerate(lines):
        pen.text((10, 166 + i * 18), line, fill="#ffffff", font=font(15))
    pen.text((10, h - 20), f"{key} · voorbeeldbeeld / sample image", fill="#d0d0d0", font=font(11))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=72, optimize=True)


TITLE_TAGS = ("appellationValue", "title", "unittitle")  # LIDO, DC/MODS/Adlib, EAD
KIND_TAGS = ("objectWorkType", "type", "genre", "object_name", "objectName", "setSpec", "term")


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def records(folder: Path, base: str) -> list[tuple[str, str, str]]:
    """(image URL, title, kind words) of every link on ``base`` in ``folder/records.xml``,
    whatever the record's format: the title from the first title-like element (MARC: 245 $a),
    the kind from type-like elements and the OAI set."""
    tree = etree.parse(str(folder / "records.xml"))
    out = []
    for record in tree.iterfind(".//oai:record", NS):
        texts = [(t.strip(), t.getparent()) for t in record.xpath(".//text()") if t.strip()]
        links = [*(t for t, _ in texts), *(a.strip() for a in record.xpath(".//@*"))]  # EAD: dao/@xlink:href
        urls = [t for t in links if t.startswith(base) and t.lower().endswith(".jpg")]
        if not urls:
            continue
        title = next((t for t, el in texts if _local(el.tag) in TITLE_TAGS), None) or next(
            (t for t, el in texts if _local(el.tag) == "subfield" and el.get("code") == "a"
             and el.getparent().get("tag") == "245"), None)
        words = " ".join(t for t, el in texts if _local(el.tag) in KIND_TAGS or _local(el.getparent().tag) in KIND_TAGS)
        out += [(url, title or "(zonder titel)", words) for url in dict.fromkeys(urls)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="redraw every image, also those that exist")
    args = parser.parse_args()
    made = 0
    for partner in sorted(HERE.glob("*/partner.toml")):
        base = tomllib.loads(partner.read_text("utf-8")).get("image_base")
        if not base:
            continue
        for url, title, words in records(partner.parent, base):
            target = partner.parent / "images" / url[len(base):]
            key = Path(url[len(base):]).parts[0] if "/" in url[len(base):] else target.stem  # IIIF, scan folders
            if args.all or not target.is_file():
                draw(target, key.removesuffix(".jpg"), title.rstrip(" :/;,"), kind_of(words))
                made += 1
    print(f"drew {made} image(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
