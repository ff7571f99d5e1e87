"""ratsinfo.ingest.parsers."""
