"""ratsinfo.index."""
