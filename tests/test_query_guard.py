"""The query guard (store/guard.py): real queries pass, what would crash or stall the engine is
refused, and the limits sit well below where pyoxigraph's parser overflows its stack."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oogst.api.pages import EXAMPLES
from oogst.api.sparql import _service_description
from oogst.errors import QueryError
from oogst.store.guard import QueryLimits, QueryTooLargeError, inspect

from .test_api import SLOW_QUERY, TITLES

LIMITS = QueryLimits()

# the constructs that recurse in the engine, as (name, query of size n)
CONSTRUCTS = {
    "parentheses": lambda n: "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "groups": lambda n: "ASK " + "{" * n + "?s ?p ?o" + "}" * n,
    "blank nodes": lambda n: "ASK { ?s <p:p> " + "[ <p:p> " * n + "1" + " ]" * n + " }",
    "function calls": lambda n: "ASK { FILTER(" + "CONCAT(" * n + "'a'" + ")" * n + ") }",
    "subqueries": lambda n: "ASK { " + "{ SELECT * WHERE " * n + "{?s ?p ?o}" + " }" * n + " }",
    "negations": lambda n: "ASK { FILTER(" + "!" * n + "true) }",
    "or chain": lambda n: "ASK { FILTER(" + "||".join(["true"] * n) + ") }",
    "sum chain": lambda n: "ASK { FILTER(" + "+".join(["1"] * n) + ") }",
    "unions": lambda n: "ASK { " + " UNION ".join(["{?s ?p ?o}"] * n) + " }",
    "binds": lambda n: "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
    "filters": lambda n: "ASK { ?s ?p ?o " + " ".join(["FILTER(true)"] * n) + " }",
    "minus": lambda n: "ASK { ?s ?p ?o " + " ".join(["MINUS {?s ?p ?o}"] * n) + " }",
    "path sequence": lambda n: "ASK { ?s " + "/".join(["<p:p>"] * n) + " ?o }",
    "path alternatives": lambda n: "ASK { ?s " + "|".join(["<p:p>"] * n) + " ?o }",
    "triple patterns": lambda n: "ASK { " + " . ".join(f"?s{i} ?p ?o" for i in range(n)) + " }",
    "collections": lambda n: "ASK { ?s <p:p> (" + " 1" * n + " ) }",
}


@pytest.mark.parametrize("query", [*(e["query"] for e in EXAMPLES), TITLES, SLOW_QUERY,
                                   "PREFIX ex: <http://e.org/> SELECT ?s (COUNT(*) AS ?n) WHERE { ?s a ex:C ; ex:p "
                                   "?o , ?o2 . OPTIONAL { ?o ex:q [ ex:r ?x ] } FILTER(?x > 1 && !BOUND(?y)) } "
                                   "GROUP BY ?s ORDER BY DESC(?n) LIMIT 10",
                                   "SELECT * WHERE { VALUES (?a ?b) { " + "(1 2) " * 2000 + "} ?a ?p ?b }"])
def test_real_queries_pass(query: str) -> None:
    inspect(query, LIMITS)


def test_counts() -> None:
    shape = inspect("PREFIX e: <http://e.org/> SELECT * WHERE { ?s a e:C ; e:p ?o , ?o2 . ?s e:q [ e:r 1 ; e:s 2 ] ."
                    " ?s (e:a|e:b)/e:c ( 1 2 ) FILTER(?o > 1) }  # ( { [ in a comment")
    assert shape.triple_patterns == 3 + 1 + 2 + 1 + 1 + 4  # a path step (/) joins one more
    assert shape.depth == 2 and shape.operators == 6  # SELECT * | / FILTER >
    assert inspect('ASK { ?s ?p "( { [ \\" #" . ?s ?p """x\n{{{"""  . ?s ?p <http://x/([(> }').depth == 1


def test_service_endpoints_are_resolved() -> None:
    shape = inspect("BASE <http://b.org/x/> PREFIX e: <http://e.org/> SELECT * { SERVICE SILENT <sparql> { ?s ?p ?o } "
                    "SERVICE e:q { ?a ?b ?c } SERVICE ?v { } } # SERVICE <http://not/>")
    assert shape.services == ["http://b.org/x/sparql", "http://e.org/q", "?v"]
    assert inspect('ASK { ?s ?p "SERVICE <http://x/>" }').services == []


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_what_would_crash_or_stall_the_engine_is_refused(name: str) -> None:
    with pytest.raises(QueryTooLargeError) as refused:
        inspect(CONSTRUCTS[name](5000), LIMITS)
    assert "setting sparql_max_" in str(refused.value)


def test_unterminated_strings_and_long_queries_are_refused() -> None:
    with pytest.raises(QueryError, match="unterminated string literal starting on line 2"):
        inspect("ASK {\n ?s ?p 'oops }")
    with pytest.raises(QueryTooLargeError, match="characters long"):
        inspect("ASK {} #" + "x" * LIMITS.max_chars)
    inspect("(" * 10_000, QueryLimits(0, 0, 0, 0))  # 0 turns a limit off


def test_the_limits_sit_below_what_crashes_the_engine() -> None:
    """Each construct at the largest size the default limits let through is parsed and run by
    pyoxigraph in a child process (on a worker thread, as the API runs it) without a crash."""
    allowed = []
    for make in CONSTRUCTS.values():
        low, high = 1, 5000  # make(low) passes the guard, make(high) does not
        while high - low > 1:
            middle = (low + high) // 2
            try:
                inspect(make(middle), LIMITS)
                low = middle
            except QueryTooLargeError:
                high = middle
        allowed.append(make(low))
    script = ("import sys, threading, json, pyoxigraph as ox\n"
              "queries = json.load(sys.stdin)\n"
              "def run():\n"
              "    for q in queries:\n"
              "        try: bool(ox.Store().query(q))\n"
              "        except (SyntaxError, ValueError, OSError): pass\n"
              "t = threading.Thread(target=run); t.start(); t.join()\n")
    import json

    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(allowed), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"(){}[]<>\"'#.,;|/^!?$:_aAeE1 \n\\", "SERVICE", "VALUES", "a:", "<x:y>", '"s"']),
                max_size=200).map("".join))
def test_any_text_gives_a_shape_or_a_query_error(text: str) -> None:
    try:
        inspect(text, LIMITS)
    except QueryError:
        pass


def test_the_service_description_is_trusted_not_guarded() -> None:
    inspect(_service_description("http://x/sparql", "http://x/graph/", "http://x", ["http://x/d"]), LIMITS)
