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
    """The paths written (or kept) for ``version`` in ``locales``: without a version, the
    newest release into ``out``, or every published release into the store.

    Raises:
        UnknownRelease: no such published release.
        DocumentError: a document cannot be made; those before it are complete files.
    """
    versions = release.published(Path(server.config["PACKAGES_DIR"]))
    if not versions:
        raise UnknownRelease("nothing is published yet: run the ETL first")
    if version is not None:
        chosen = [release.find(Path(server.config["PACKAGES_DIR"]), version)]
    else:
        chosen = versions[:1] if out is not None else versions
    paths = []
    with contextlib.ExitStack() as stack:
        try:  # one Chromium for every document
            stack.enter_context(charts.session())
        except charts.ChartsUnavailable as error:
            first = library.documents(chosen[0].root)[0].filename(chosen[0].version,
                                                                  locales[0], "pdf")
            raise DocumentError(f"{first}: cannot be made: {error}") from None
        for each in chosen:
            paths += _one(server, each, locales, out)
    return paths


def _one(server: flask.Flask, version: release.Version, locales: Sequence[str],
         out: Path | None) -> list[Path]:
    paths = []
    for locale in locales:
        for doc in library.documents(version.root):
            if out is None:
                paths += [library.fetch(server, version, locale, doc, ext)
                          for ext in document.FORMATS]
                continue
            made = library.make(server, version, locale, doc)
            names = {doc.filename(version.version, locale, ext): made[ext]
                     for ext in document.FORMATS}
            library.write(out, names)
            paths += [out / name for name in names]
    return paths
