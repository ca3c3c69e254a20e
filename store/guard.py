"""The query guard: a look at a SPARQL query's shape before any engine parses it.

The engines' parsers and planners recurse: pyoxigraph 0.5 overflows its stack (a segfault
that takes the whole process down) on about 4,700 nested parentheses, 2,100 nested groups,
900 nested function calls, 2,600 BINDs or MINUS blocks in one group, 9,000 ``||`` in a row;
and its planner takes seconds on a few hundred triple patterns (0.7 s for 100 that share
variables, 4 s for 150). So a public query is measured first, by a flat tokenizer that
never recurses and reads each character once:

- ``length``: characters (``max_chars``);
- ``depth``: how deep ``()``, ``{}`` and ``[]`` nest (``max_depth``);
- ``operators``: expression and path operators and the keywords that each add a node to the
  query's algebra (UNION, OPTIONAL, MINUS, FILTER, BIND, …; ``max_operators``);
- ``triple_patterns``: the triple patterns of the query's groups and templates, counted as
  the parser would expand them (``;``/``,`` lists, blank-node property lists, collections,
  steps of a property path: an estimate that errs high; ``max_triple_patterns``);
- ``services``: the endpoints of its ``SERVICE`` clauses, resolved against ``PREFIX`` and
  ``BASE`` (a variable endpoint comes back as ``?name``), for the caller's allow-list.

Strings, IRIs and comments are skipped whole, so a bracket or a keyword inside them does not
count; an unterminated string is refused here (the engine would refuse it too). Whatever
else is wrong with a query is left to the engine's own syntax errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from ..errors import QueryError


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """The most a public query may hold; 0 turns a limit off."""

    max_chars: int = 100_000
    max_depth: int = 64
    max_operators: int = 1_000
    max_triple_patterns: int = 100


@dataclass(slots=True)
class QueryShape:
    length: int = 0
    depth: int = 0
    operators: int = 0
    triple_patterns: int = 0
    services: list[str] = field(default_factory=list)


class QueryTooLargeError(QueryError):
    """A query over one of the guard's limits (API: 400): ask less, or raise the setting."""


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7-\uffff]+)
  | (?P<bnode>_:[\w\u00b7-\uffff.-]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<pname>(?:[^\W\d][\w\u00b7-\uffff.-]*+)?:[\w\u00b7-\uffff:%\\.-]*+)
  | (?P<word>[^\W\d][\w\u00b7-\uffff.-]*+)
  | (?P<op>\|\||&&|!=|<=|>=|\^\^|[|/^!=<>+*-])
  | (?P<punct>[(){}\[\].,;])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

# keywords that each add a node to the algebra (a join, a filter, a union …)
_CLAUSES = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "SERVICE", "GRAPH", "EXISTS", "VALUES", "SELECT"}
# keywords after which terms are no triple pattern (projection, modifiers, dataset)
_NOT_PATTERNS = {"SELECT", "DESCRIBE", "GROUP", "ORDER", "BY", "HAVING", "LIMIT", "OFFSET", "FROM", "NAMED",
                 "ASC", "DESC", "AS", "DISTINCT", "REDUCED", "WHERE"}
_TERMS = {"iri", "var", "bnode", "number", "pname", "string"}
_CLOSE = {")": "(", "}": "{", "]": "["}


class _Frame:
    __slots__ = ("kind", "opener", "slot", "keyword", "counted")

    def __init__(self, kind: str, opener: str = "") -> None:
        self.kind = kind
        self.opener = opener  # group | template | bnode | coll | paren | data
        self.slot = 1 if kind == "bnode" else 0  # in a triple: 0 subject, 1 predicate (path), 2 object
        self.keyword = False  # a keyword came just before: its ( or { is no collection/subject
        self.counted = False  # a blank node's first pattern is counted


def inspect(sparql: str, limits: QueryLimits | None = None) -> QueryShape:
    """The shape of ``sparql``; with ``limits``, a QueryTooLargeError as soon as one is passed."""
    limits = limits or QueryLimits()
    shape = QueryShape(length=len(sparql))
    if limits.max_chars and shape.length > limits.max_chars:
        raise QueryTooLargeError(
            f"the query is {shape.length:,} characters long; at most {limits.max_chars:,} are allowed",
            hint="send a smaller query, or raise the setting sparql_max_chars")
    prefixes: dict[str, str] = {}
    base = ""
    stack = [_Frame("top")]
    previous = ""  # the last keyword or punctuation, upper case
    pending: str | None = None  # PREFIX / BASE / SERVICE waiting for their argument
    prefix_name = ""
    values = False  # after VALUES, until its data block opens
    pos, n = 0, len(sparql)
    while pos < n:
        match = _TOKEN.match(sparql, pos)
        assert match is not None  # the last alternative takes any character
        kind, text = match.lastgroup, match.group()
        pos = match.end()
        if kind in ("pname", "word") and text.endswith("."):  # a name never ends in a dot: it ends the triple
            stripped = text.rstrip(".")
            pos -= len(text) - len(stripped)
            text = stripped
        if kind in ("space", "comment"):
            continue
        if kind == "other" and text in "\"'":
            line = sparql.count("\n", 0, pos) + 1
            raise QueryError(f"unterminated string literal starting on line {line}")
        frame = stack[-1]
        upper = text.upper() if kind == "word" else ""
        if pending is not None:  # the argument of PREFIX, BASE or SERVICE
            if pending == "PREFIX" and kind == "pname" and text.endswith(":") and not prefix_name:
                prefix_name = text
                continue
            if pending == "PREFIX" and kind == "iri":
                prefixes[prefix_name] = urljoin(base, text[1:-1])
            elif pending == "BASE" and kind == "iri":
                base = urljoin(base, text[1:-1])
            elif pending == "SERVICE":
                if upper == "SILENT":
                    continue
                shape.services.append(_endpoint(kind, text, prefixes, base))
            pending, prefix_name = None, ""
            if kind in ("iri", "pname", "var"):
                continue
        if kind == "punct":
            if text in "({[":
                kind_of = _open(frame, text, previous)
                if values:
                    kind_of, values = "data", text == "("
                elif kind_of in ("coll", "bnode"):
                    _count_term(frame, shape)
                stack.append(_Frame(kind_of, text))
                shape.depth = max(shape.depth, len(stack) - 1)
                if limits.max_depth and shape.depth > limits.max_depth:
                    raise QueryTooLargeError(
                        f"the query nests brackets ( {{ [ more than {limits.max_depth} deep",
                        hint="write it flatter, or raise the setting sparql_max_depth")
            elif text in ")}]":
                if len(stack) > 1 and _CLOSE[text] == stack[-1].opener:
                    stack.pop()
                    stack[-1].keyword = False
                    if stack[-1].kind in ("group", "template") and text == "}":
                        stack[-1].slot = 0
            elif text == "." and frame.kind in ("group", "template"):
                frame.slot = 0
            elif text in ";," and frame.kind in ("group", "template", "bnode"):
                shape.triple_patterns += 1
                frame.slot = 1 if text == ";" else 2
            previous = text
        elif kind == "op" or upper in _CLAUSES:
            if text in "/|^!" and frame.slot and frame.kind in ("group", "template", "bnode"):
                frame.slot = 1  # inside a property path: a sequence step is one more pattern to join
                shape.triple_patterns += text == "/"
            shape.operators += 1
            if limits.max_operators and shape.operators > limits.max_operators:
                raise QueryTooLargeError(
                    f"the query has more than {limits.max_operators:,} operators and clauses "
                    "(UNION, OPTIONAL, FILTER, BIND, ||, +, / …)",
                    hint="split it into smaller queries, or raise the setting sparql_max_operators")
            if upper:
                frame.keyword = True
                frame.slot = 0
                previous = upper
                if upper == "SERVICE":
                    pending = "SERVICE"
                values = values or upper == "VALUES"
        elif kind == "word":
            if upper in ("PREFIX", "BASE"):
                pending = upper
            elif upper == "A" and frame.kind != "paren":
                _count_term(frame, shape)  # rdf:type, a predicate
            elif upper in _NOT_PATTERNS:
                frame.keyword = True
                frame.slot = 2
            elif upper in ("TRUE", "FALSE"):
                _count_term(frame, shape)
            else:  # a function name or another keyword: its ( is an expression
                frame.keyword = True
            previous = upper
        elif kind in _TERMS:
            if not values:
                _count_term(frame, shape)
            previous = ""
        if limits.max_triple_patterns and shape.triple_patterns > limits.max_triple_patterns:
            raise QueryTooLargeError(
                f"the query has more than {limits.max_triple_patterns} triple patterns",
                hint="split it into smaller queries, or raise the setting sparql_max_triple_patterns")
    return shape


def _open(frame: _Frame, text: str, previous: str) -> str:
    """What a bracket opens, from where it stands."""
    if text == "{":
        if frame.kind == "data":
            return "data"
        return "template" if previous == "CONSTRUCT" else "group"
    if text == "[":
        return "bnode" if frame.kind in ("group", "template", "bnode", "coll") else "paren"
    if frame.kind == "data":
        return "data"
    if frame.kind in ("group", "template", "bnode", "coll") and not frame.keyword and frame.slot != 1:
        return "coll"  # ( a b c ) as a subject or object: a collection
    return "paren"


def _count_term(frame: _Frame, shape: QueryShape) -> None:
    """A subject in a group starts a triple pattern, and so does a blank node's first
    predicate (later ones follow a ``;``, counted there); in a collection each element
    makes two."""
    if frame.kind in ("group", "template", "bnode"):
        if frame.kind == "bnode" and not frame.counted or frame.slot == 0 and not frame.keyword:
            shape.triple_patterns += 1
            frame.counted = True
        frame.slot = min(2, frame.slot + 1)
        frame.keyword = False
    elif frame.kind == "coll":
        shape.triple_patterns += 2


def _endpoint(kind: str | None, text: str, prefixes: dict[str, str], base: str) -> str:
    """A SERVICE clause's endpoint as an absolute IRI where it can be known."""
    if kind == "iri":
        return urljoin(base, text[1:-1]) if base else text[1:-1]
    if kind == "pname":
        name, _, local = text.partition(":")
        if f"{name}:" in prefixes:
            return prefixes[f"{name}:"] + local
        return text
    if kind == "var":
        return "?" + text[1:]
    return text
