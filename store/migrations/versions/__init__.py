"""ratsinfo.store.migrations.versions."""
