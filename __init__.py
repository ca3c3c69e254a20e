"""oogst — a linked-open-data aggregator for Flemish cultural heritage.

harvest → archive → map (OSLO) → validate (SHACL) → store (one named graph per record)
→ serve (SPARQL, REST). See docs/architecture.md.
"""

__version__ = "0.1.0"
