"""ratsinfo.store.migrations."""
