"""The model library: every model the app may run, by family, and how the server's operator widens it.

Three sources, in this order: the models bundled with the app (always there, offline); folders the operator
lists (``VIZ_MODEL_DIRS``); and the Hugging Face cache (``HF_HUB_CACHE`` / ``HF_HOME`` / the default
location), scanned for snapshots whose ``config.json`` names a family the app supports. Students choose from
that list; a typed folder path is accepted only where the operator allows it (``VIZ_ALLOW_PATHS=1``, for a
single-user laptop). :mod:`viz.library.fetch` downloads a curated checkpoint into the cache.

``viz.library.catalog.library()`` is the entry point, for the pages and for notebooks alike.
"""
