"""The catalogue of what the current release publishes: one model behind the data pages,
the CKAN-compatible API, the DCAT-AP catalogue and the REST API."""
