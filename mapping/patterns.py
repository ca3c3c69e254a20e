"""OSLO patterns the mappers of Adlib, MODS, qualified DC, EAD and MARCXML share.

:class:`PatternBuilder` adds to :class:`~oogst.mapping.builder.RecordBuilder` what these
formats have in common and the first four mappers did not need::

    alternative title   dcterms:alternative "…"@lang (a preferred title stays crm:P102_has_title)
    subject             crm:P62_depicts for visual works (images, objects, maps); for texts,
                        archives and music the object carries its content (crm:P128_carries →
                        #content) and the content is about the subject (crm:P129_is_about)
    production          one crm:E12 node (#production-1), made on first use
    who did what        by role (relators.py): a maker crm:P14_carried_out_by, anyone else
                        crm:P11_had_participant, with a ce:Rol node (crm:P14.1_in_the_role_of
                        the relator IRI or a role concept, crm:P3_has_note the qualifier);
                        a former owner, donor or seller crm:P23_transfered_title_from in an
                        acquisition (crm:P24i_changed_ownership_through); a depicted person a
                        subject; "kopie naar", "after", "navolger van" … crm:P15_was_influenced_by
    dates               a start and an end as partners type them (with "ca.", "voor", "na")
                        → one EDTF time-span
    links               an http(s) URL of an image → crm:P129i_is_subject_of, of a page → foaf:page
    keeper              crm:P50_has_current_keeper, or the profile's provider for formats whose
                        exports leave the institution out (Adlib, MARC)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from lxml import etree

from . import normalize, relators, vocab
from .builder import Labels, RecordBuilder
from .normalize import line
from .ntriples import iri, lit

# Attribution qualifiers that say the named agent did *not* make the object, but that it
# was made after, or in the manner of, that agent's work.
INFLUENCE_QUALIFIERS = frozenset(
    {
        "naar",
        "kopie naar",
        "copie d'après",
        "copie naar",
        "d'après",
        "after",
        "copy after",
        "copy of",
        "navolger van",
        "navolging van",
        "follower of",
        "suiveur de",
        "school van",
        "school of",
        "école de",
        "omgeving van",
        "kring van",
        "circle of",
        "entourage de",
        "stijl van",
        "in de stijl van",
        "manner of",
        "style of",
        "manière de",
    }
)

_CIRCA_MARKS = frozenset({"ca", "ca.", "c.", "circa", "approx.", "approximately", "omstreeks", "rond", "vers", "environ", "~"})
_BEFORE_MARKS = frozenset({"voor", "vóór", "before", "avant", "ante", "uiterlijk", "<"})
_AFTER_MARKS = frozenset({"na", "after", "après", "post", "vanaf", "sinds", ">"})
_UNCERTAIN_MARKS = frozenset(
    {"?", "onzeker", "uncertain", "incertain", "possibly", "probably", "misschien", "mogelijk", "waarschijnlijk",
     "vermoedelijk", "peut-être", "probablement"}
)
_SPACE = re.compile(r"\s+")
_IMAGE_PATH = re.compile(r"\.(jpe?g|png|tiff?|gif|webp|jp2)$", re.I)
_IMAGE_HINTS = ("/iiif/", "/full/full/", "/full/max/", "upload.wikimedia.org/")


def is_image_url(url: str) -> bool:
    """Whether an http(s) URL points at an image rather than a web page (as oai_dc decides)."""
    return bool(_IMAGE_PATH.search(urlsplit(url).path)) or any(hint in url for hint in _IMAGE_HINTS)


def text(element: etree._Element | None) -> str | None:
    """The element's text (its descendants' too), cleaned to one line; None when empty."""
    if element is None:
        return None
    raw = element.text if len(element) == 0 else "".join(element.itertext())
    return line(raw) if raw else None


def long_text(element: etree._Element) -> str | None:
    """Text that may hold paragraphs (descriptions, scope notes): one paragraph per ``p``
    child (a heading left out), line breaks kept."""
    paragraphs = ["".join(child.itertext()) for child in element if local(child) in ("p", "para")]
    raw = "\n\n".join(paragraphs) if paragraphs else "".join(element.itertext())
    return normalize.text(raw, multiline=True)


def local(element: etree._Element) -> str:
    """The element's local name (no namespace)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: etree._Element) -> list[etree._Element]:
    """The element children (comments and processing instructions left out)."""
    return [child for child in element if isinstance(child.tag, str)]


class PatternBuilder(RecordBuilder):
    """A RecordBuilder with the patterns above. ``visual`` says what kind of work the
    record describes (it decides how subjects are written); mappers set it before mapping
    subjects."""

    visual = True
    links = 0  # how many pages and images the object has

    def alternative_title(self, value: str, lang: str | None) -> None:
        self.add(self.object, vocab.DC_ALTERNATIVE, lit(value, lang))

    def subject(self, term: str) -> None:
        if self.visual:
            self.add(self.object, vocab.P62, term)
        else:
            content = self.node("content")
            self.add(self.object, vocab.P128, content)
            self.add(content, vocab.P129, term)

    def production(self) -> str:
        node = self.node("production", 1)
        if ("production",) not in self._memo:
            self._memo[("production",)] = node
            self.add(self.object, vocab.P108I, node)
            self.add(node, vocab.P108, self.object)
        return node

    def acquisition(self, n: int = 1) -> str:
        node = self.node("acquisition", n)
        if ("acquisition", n) not in self._memo:
            self._memo[("acquisition", n)] = node
            self.add(self.object, vocab.P24I, node)
            self.add(node, vocab.P24, self.object)
        return node

    def role_concept(self, key: tuple[str | int, ...], code: str | None, labels: Labels) -> str | None:
        """The role as a concept: the relator IRI for a known code, else a "rol" concept."""
        if code:
            return self.concept(key, "rol", [(relators.iri(code), None)], labels)
        return self.concept(key, "rol", [], labels) if labels else None

    def took_part(
        self,
        key: tuple[str | int, ...],
        agent: str,
        role: str | None,
        *,
        role_labels: Labels = (),
        qualifiers: Sequence[tuple[str, str | None]] = (),
        default_kind: str = relators.PARTICIPANT,
    ) -> None:
        """Agent ``agent`` did ``role`` (a relator code, IRI or word; None: ``default_kind``)
        for the object; ``qualifiers`` are attribution qualifiers ("toegeschreven aan")."""
        code, kind = relators.role(role) if role else (None, default_kind)
        if role and not role_labels and code is None:
            role_labels = [(role, None, True)]
        if kind == relators.SUBJECT:
            self.subject(agent)
            return
        if kind == relators.OWNER:
            event = self.acquisition()
            self.add(event, vocab.P23, agent)
        else:
            event = self.production()
            words = {q.casefold().strip(" .:") for q, _ in qualifiers}
            if words & INFLUENCE_QUALIFIERS:
                # "kopie naar X": made after X's work, not by X
                self.add(event, vocab.P15, agent)
                for qualifier, lang in qualifiers:
                    self.add(event, vocab.P3, lit(qualifier, lang))
                return
            self.add(event, vocab.P14 if kind == relators.MAKER else vocab.P11, agent)
        concept = self.role_concept(("rol", *key), code, role_labels)
        if concept or qualifiers:
            node = self.node("role", *key)
            self.add(node, vocab.ROL_AGENT, agent)
            self.add(node, vocab.ROL_ACTIVITEIT, event)
            if concept:
                self.add(node, vocab.P14_1, concept)
            for qualifier, lang in qualifiers:
                self.add(node, vocab.P3, lit(qualifier, lang))

    def dated(
        self,
        event: str,
        start: str | None,
        end: str | None,
        *,
        start_mark: str | None = None,
        end_mark: str | None = None,
        source: str = "date",
    ) -> None:
        """A time-span from a start and an end as typed (each with an optional precision
        mark such as "ca.", "voor", "na"): one date when they agree or only one is given,
        an interval otherwise. A value that is no date is kept as it is (with a warning),
        for the acceptance shapes to flag."""
        first = self._bound(start, start_mark, first=True, source=source)
        last = self._bound(end, end_mark, first=False, source=source)
        if first and last and first.rstrip("?~%") == last.rstrip("?~%"):
            span = first if first[-1] in "?~%" else last  # "ca. 1887" to 1887: one date
        elif first and last:
            if first.startswith("../") or last.endswith("/.."):
                span = first if first.startswith("../") else last
            elif "/" in first or "/" in last:
                span = f"{first.split('/')[0]}/{last.split('/')[-1]}"
            else:
                span = f"{first}/{last}"
        else:
            span = first or last
        if span:
            self.time_span(event, span)

    def _bound(self, raw: str | None, mark: str | None, *, first: bool, source: str) -> str | None:
        raw = line(raw) if raw else None
        if raw is None:
            return None
        value = normalize.edtf(raw)
        if value is None:
            self.warn(f"{source} {raw!r} is not a date (EDTF): kept as it is")
            return raw
        mark_key = _SPACE.sub(" ", (mark or "").casefold().strip())
        if "/" in value and mark_key not in _BEFORE_MARKS | _AFTER_MARKS:
            return value
        if mark_key in _CIRCA_MARKS:
            return normalize.qualify(value, "~") or value
        if mark_key in _UNCERTAIN_MARKS:
            return normalize.qualify(value, "?") or value
        if mark_key in _BEFORE_MARKS:
            return f"../{value.split('/')[-1]}"
        if mark_key in _AFTER_MARKS:
            return f"{value.split('/')[0]}/.."
        return value

    def link(self, url: str, *, image: bool | None = None) -> str | None:
        """An http(s) URL as the object's image (crm:P129i_is_subject_of) or web page
        (foaf:page); ``image`` None: decided from the URL. Returns the image term."""
        found = normalize.http_iri(url)
        if found is None:
            return None
        self.links += 1
        if image if image is not None else is_image_url(found):
            term = iri(found)
            self.add(self.object, vocab.P129I, term)
            return term
        self.add(self.object, vocab.PAGE, iri(found))
        return None

    def keeper(self, key: tuple[str | int, ...], ids: Sequence[tuple[str, str | None]], labels: Labels) -> str | None:
        agent = self.agent(key, ids, labels, may_be_provider=True, kind="organisation")
        if agent:
            self.add(self.object, vocab.P50, agent)
        return agent

    def provider_keeper(self) -> str | None:
        """The profile's provider as keeper, for exports that leave the institution out."""
        name, provider = self.profile.provider_name, self.profile.provider_iri
        if not (name or provider):
            return None
        return self.keeper(("keeper", "provider"), [], [(name, None, True)] if name else [])

    def dimension(
        self,
        n: int,
        kind: str | None,
        raw: str | None,
        unit: str | None,
        notes: Sequence[tuple[str, str | None]],
        lang: str,
    ) -> None:
        """``crm:P43_has_dimension`` → E54: the kind ("hoogte" …, or an IRI) as AAT or a
        "dimensie" concept, the number as schema:value, the unit as schema:unitText and
        QUDT schema:unitCode; a value that is no number and ``notes`` as crm:P3_has_note."""
        if not (kind or raw or notes):
            return
        node = self.node("dimension", n)
        self.add(self.object, vocab.P43, node)
        if kind:
            url = normalize.http_iri(kind) or vocab.DIMENSION_TYPES.get(kind.casefold())
            concept = self.concept(("dimensie", n), "dimensie", [(url, None)] if url else [],
                                   [] if normalize.http_iri(kind) else [(kind, lang, True)])
            if concept:
                self.add(node, vocab.P2, concept)
        value = normalize.decimal(raw)
        if value is not None:
            self.add(node, vocab.VALUE, lit(value, datatype=vocab.DECIMAL))
        elif raw:
            self.warn(f"dimension value {raw!r} is not a number: kept as a note on dimension {n}")
            self.add(node, vocab.P3, lit(raw, lang))
        if unit:
            self.add(node, vocab.UNIT_TEXT, lit(unit))
            key = unit.casefold().rstrip(".")
            code = vocab.UNITS.get(key) or vocab.UNITS.get(key.removesuffix("s"))
            if code:
                self.add(node, vocab.UNIT_CODE, iri(code))
        for note, note_lang in notes:
            self.add(node, vocab.P3, lit(note, note_lang))
