"""ratsinfo.nlp."""
