"""One module per portal page, discovered by Dash pages (``use_pages=True``).

Each module calls ``dash.register_page`` and defines ``layout``; keep them thin
and put shared components in :mod:`portal.layout`. Page names and titles are
evaluated at import; the layout functions run per request.
"""
