"""LIDO events: what each event is to the object, its actors (with what their roles and
attribution qualifiers mean, ``attribution.py``), dates, places, materials and techniques.
A mixin of the LIDO record builder (``lido._LidoRecord``)."""

from __future__ import annotations

from lxml import etree

from . import attribution, normalize, vocab
from .builder import RecordBuilder
from .lido_xml import (
    _CIRCA_TYPES, _MATERIAL_TYPES, _NONE, _PREF, _TECHNIQUE_TYPES, _TYPE, _T, _first, _groups, _ids, _kids,
    _terms, _text, _values, _walk,
)
from .ntriples import lit
from .payload import XML_LANG


class LidoEvents(RecordBuilder):
    """The events of a LIDO record (needs ``lido_concept``, ``lido_place`` and ``keepers``
    of the record builder)."""

    # -- events ----------------------------------------------------------------------------

    def event(self, event: etree._Element, kind: str, n: int, lang: str) -> None:
        name = "event" if kind == "other" else kind
        node = self.node(name, n)
        self.add(self.object, vocab.EVENT_PROPERTIES[kind], node)
        if kind == "production":
            self.add(node, vocab.P108, self.object)
        elif kind == "acquisition":
            self.add(node, vocab.P24, self.object)
        j = k = 0
        seen: dict[str, int] = {}  # how many of each concept element so far: their keys
        dated = False
        periods: list[etree._Element] = []
        for part in event:
            tag = part.tag
            m = seen[tag] = seen.get(tag, 0) + 1
            if tag == _T["eventActor"]:
                for in_role in _kids(part, "actorInRole"):
                    j += 1
                    self.actor(in_role, node, kind, (name, n, j), lang)
            elif tag == _T["eventDate"]:
                dated = self.event_date(part, node, lang) or dated
            elif tag == _T["eventPlace"]:
                for place in _kids(part, "place"):
                    k += 1
                    found = self.lido_place(("place", name, n, k), place, lang)
                    if found:
                        self.add(node, vocab.P7, found)
            elif tag == _T["eventMaterialsTech"]:
                self.materials(part, node, kind, (name, n, m), lang)
            elif tag == _T["eventMethod"]:
                method = self.lido_concept(("methode", name, n, m), "methode", part, lang)
                if method:
                    self.add(node, vocab.P32, method)
            elif tag == _T["periodName"]:
                periods.append(part)
                period = self.lido_concept(("periode", name, n, m), "periode", part, lang)
                if period:
                    self.add(node, vocab.P10, period)
            elif tag == _T["culture"]:
                culture = self.lido_concept(("cultuur", name, n, m), "cultuur", part, lang)
                if culture:
                    self.add(node, vocab.P2, culture)
            elif tag == _T["eventType"] and kind != "production":
                event_type = self.lido_concept(("gebeurtenis", name, n, m), "gebeurtenis", part, lang)
                if event_type:
                    self.add(node, vocab.P2, event_type)
            elif tag == _T["eventName"]:
                for value, language in _values(_kids(part, "appellationValue"), lang):
                    self.add(node, vocab.LABEL, lit(value, language))
            elif tag == _T["eventDescriptionSet"]:
                for value, language in _values(_kids(part, "descriptiveNoteValue"), lang):
                    self.add(node, vocab.P3, lit(value, language))
        if not dated:  # a period name alone ("14de eeuw") is the event's time-span
            span = next((edtf for period in periods for text, _, _ in _terms(period, lang)
                         if (edtf := normalize.edtf(text))), None)
            if span:
                self.time_span(node, span)

    def actor(self, in_role: etree._Element, event: str, kind: str, key: tuple[str | int, ...], lang: str) -> None:
        """An actor in a role: made the object, took part, was its owner … as the role and
        the attribution qualifier say (``builder.credit``)."""
        agent = name = None
        groups = _groups(in_role)
        for actor in groups.get(_T["actor"], _NONE):
            found, found_name = self.lido_actor(("actor", *key), actor)
            agent, name = found or agent, found_name or name
        if agent is None:
            return
        role_elements = groups.get(_T["roleActor"], _NONE)
        words: list[str] = []
        for element in role_elements:
            words += [text for text, _, preferred in _terms(element, lang) if preferred] or (
                [text] if len(element) == 0 and (text := _text(element)) else [])
        qualifiers = _values(groups.get(_T["attributionQualifierActor"], _NONE), lang)
        kinds = {word: attribution.role_kind(word) for word in words}
        # role concepts only where a role node or an attribution will name them
        named = kind != "production" or (
            attribution.qualifier_kind(qualifiers[0][0] if qualifiers else None) != "influence"
            and (not kinds or any(r in ("maker", "participant") for r in kinds.values())))
        roles = [
            concept
            for k, element in enumerate(role_elements if named else (), 1)
            if (concept := self.lido_concept(("rol", *key, k), "rol", element, lang))
        ]
        if kind == "acquisition":
            self.add(event, vocab.P22 if agent in self.keepers else vocab.P23, agent)
            if roles or qualifiers:
                node = self.node(*key[:-1], "role", key[-1])
                self.add(node, vocab.A, vocab.CLASS["role"])
                self.add(node, vocab.ROL_AGENT, agent)
                self.add(node, vocab.ROL_ACTIVITEIT, event)
                for concept in roles:
                    self.add(node, vocab.P14_1, concept)
                for qualifier, qualifier_lang in qualifiers:
                    self.add(node, vocab.P3, lit(qualifier, qualifier_lang))
            return
        for word, role in kinds.items():  # an owner or a sitter besides, in another role
            if role in ("owner", "depicted") and len(kinds) > 1:
                self.credit(event, agent, key, role=word)
        role = next((w for w, r in kinds.items() if r in ("maker", "participant")), None)
        if role is None and kinds and len(kinds) > 1:
            return
        qualifier, qualifier_lang = qualifiers[0] if qualifiers else (None, lang)
        self.credit(event, agent, key, name=name, qualifier=qualifier, role=role or next(iter(kinds), None),
                    roles=roles, lang=qualifier_lang, production=kind == "production")
        for extra, extra_lang in qualifiers[1:]:
            self.warn(f"actor {name or agent}: a second attribution qualifier {extra!r} ({extra_lang}) is left out")

    def lido_actor(self, key: tuple[str | int, ...], actor: etree._Element) -> tuple[str | None, str | None]:
        """The actor's IRI term and preferred name. Names of people are not in a language:
        tagged only when the source tags them."""
        groups = _groups(actor)
        names = [
            (value, normalize.language(element.get(XML_LANG)), element.get(_PREF) != "alternate")
            for name_set in groups.get(_T["nameActorSet"], _NONE)
            for element in _kids(name_set, "appellationValue")
            if (value := _text(element))
        ]
        dates: tuple[str | None, str | None] = (None, None)
        for vital in groups.get(_T["vitalDatesActor"], _NONE):
            dates = (self.date_bound(vital, "earliestDate", first=True), self.date_bound(vital, "latestDate", first=False))
        kind = vocab.AGENT_KINDS.get((actor.get(_TYPE) or "").casefold())
        term = self.agent(key, _ids(groups.get(_T["actorID"], _NONE)), names, kind=kind, dates=dates)
        name = next((text for text, _, preferred in names if preferred), names[0][0] if names else None)
        return term, name

    def event_date(self, event_date: etree._Element, event: str, lang: str) -> bool:
        """The time-span of an eventDate; returns whether it gave one. displayDate says what
        earliestDate and latestDate alone do not: circa, and whether a single bound is an
        open end ("na 1900" → ``1900/..``) or the date itself (``1900``)."""
        groups = _groups(event_date)
        displays = _values(groups.get(_T["displayDate"], _NONE), lang)
        for display, display_lang in displays:
            self.add(event, vocab.P3, lit(display, display_lang))
        shown = [edtf for display, _ in displays if (edtf := normalize.edtf(display))]
        date = next(iter(groups.get(_T["date"], _NONE)), None)
        earliest = self.date_bound(date, "earliestDate", first=True)
        latest = self.date_bound(date, "latestDate", first=False)
        span: str | None
        if earliest and latest:
            span = earliest if earliest == latest else f"{earliest}/{latest}"
        elif earliest:
            span = f"{earliest}/.." if any(s.endswith("/..") for s in shown) else earliest
        elif latest:
            span = f"../{latest}" if any(s.startswith("../") for s in shown) else latest
        else:
            span = shown[0] if shown else None
        if span and shown and span not in shown:
            # the display says the same dates, qualified: "circa 1976" → 1976~
            bare = {edtf: "/".join(part.rstrip("?~%") for part in edtf.split("/")) for edtf in shown}
            span = next((edtf for edtf, plain in bare.items() if plain == span), span)
        if span:
            self.time_span(event, span)
            return True
        return False

    def date_bound(self, date: etree._Element | None, name: str, *, first: bool) -> str | None:
        """earliestDate / latestDate as EDTF; a placeholder ("0") is left out with a warning;
        other text that is no date is kept as it is, so the acceptance shapes quarantine the
        record and the partner sees the bad value."""
        element = _first(date, name) if date is not None else None
        raw = _text(element) if element is not None else None
        if raw is None:
            return None
        if normalize.is_placeholder_date(raw):
            self.warn(f"{name} {raw!r} stands for no date: left out")
            return None
        value = normalize.edtf(raw)
        if value is None:
            self.warn(f"{name} {raw!r} is not a date (EDTF)")
            return raw
        if "/" in value:  # "17de eeuw, eerste helft" as a bound: take its own first/last end
            value = value.split("/")[0 if first else -1]
        if (element.get(_TYPE) or "").casefold() in _CIRCA_TYPES:
            value = normalize.qualify(value, "~") or value
        return value

    def materials(self, wrap: etree._Element, event: str, kind: str, key: tuple[str | int, ...], lang: str) -> None:
        for value, language in _values(_kids(wrap, "displayMaterialsTech"), lang):
            self.add(event, vocab.P3, lit(value, language))
        for k, term in enumerate(_walk(wrap, "materialsTech", "termMaterialsTech"), 1):
            declared = (term.get(_TYPE) or "").casefold()
            if declared in _TECHNIQUE_TYPES:
                technique = True
            elif declared in _MATERIAL_TYPES:
                technique = False
            else:
                technique = any(vocab.is_technique(text) for text, _, _ in _terms(term, lang))
            scheme = "techniek" if technique else "materiaal"
            concept = self.lido_concept((scheme, *key, k), scheme, term, lang)
            if concept is None:
                continue
            if technique:
                self.add(event, vocab.P32, concept)
            elif kind == "production":
                self.add(self.object, vocab.P45, concept)
            else:
                self.add(event, vocab.P126, concept)

    # -- subjects and related works ----------------------------------------------------------

