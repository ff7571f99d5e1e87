"""ratsinfo.ingest."""
