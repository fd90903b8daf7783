"""Making every document of a release at once: the CLI's ``publications`` and the benchmark.

Into a folder (``--out``) the documents are made anew; into the portal's store, those already
kept are left as they are (the same release gives the same bytes).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import flask

from portal.publications import charts, document, library, release
from portal.publications.document import DocumentError
from portal.publications.release import UnknownRelease

__all__ = ["DocumentError", "UnknownRelease", "run"]


def run(server: flask.Flask, version: str | None, locales: Sequence[str],
        out: Path | None) -> list[Path]:
    """The paths written (or kept) for ``version`` (None: the newest) in ``locales``.

    Raises:
        UnknownRelease: no such published release.
        DocumentError: a document cannot be made; those before it are complete files.
    """
    versions = release.published(Path(server.config["PACKAGES_DIR"]))
    if not versions:
        raise UnknownRelease("nothing is published yet: run the ETL first")
    chosen = versions[0] if version is None else release.find(
        Path(server.config["PACKAGES_DIR"]), version)
    paths = []
    with contextlib.ExitStack() as stack:
        try:  # one Chromium for every document
            stack.enter_context(charts.session())
        except charts.ChartsUnavailable as error:
            first = library.documents(chosen.root)[0].filename(chosen.version, locales[0],
                                                               "pdf")
            raise DocumentError(f"{first}: cannot be made: {error}") from None
        for locale in locales:
            for doc in library.documents(chosen.root):
                if out is None:
                    paths += [library.fetch(server, chosen, locale, doc, ext)
                              for ext in document.FORMATS]
                    continue
                made = library.make(server, chosen, locale, doc)
                names = {doc.filename(chosen.version, locale, ext): made[ext]
                         for ext in document.FORMATS}
                library.write(out, names)
                paths += [out / name for name in names]
    return paths
