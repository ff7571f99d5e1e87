"""Tracking: families of papers, the state of Anfragen and Anträge, decisions, changes, watches,
and the health of each source's import.

:func:`ratsinfo.track.links.update_links` keeps the links between papers up to date (the lead's
pipeline calls it after every crawl and extraction; the commands here call it too, cheaply);
everything else reads the store.
"""
