"""Everything that leaves oogst, derived from the store and the state: the search index,
provenance and the DCAT/VoID dataset descriptions."""
