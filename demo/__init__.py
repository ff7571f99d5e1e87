"""ratsinfo.demo."""
