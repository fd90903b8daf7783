"""The staff workspace: a private Flask application, separate from the public portal, where the
programme staff upload survey exports, preview and publish releases, report indicators and
withdraw releases (``python -m portal workspace``). It reuses the ETL; the public portal never
imports it or reads its folder."""
