"""Everything that leaves oogst, derived from the store and the state: the search index,
provenance and the DCAT/VoID dataset descriptions; delivery to Europeana (EDM crosswalk,
tiers, pre-flight checks, zip export) and the OAI-PMH provider (protocol in ``oaipmh.py``)."""
