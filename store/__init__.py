"""ratsinfo.store."""
