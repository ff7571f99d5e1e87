"""Shared building blocks: settings, the paper record, errors."""
