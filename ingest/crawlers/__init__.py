"""ratsinfo.ingest.crawlers."""
