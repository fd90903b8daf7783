"""The dashboard's Plotly figures as vector images (SVG) for the documents.

The figures are the ones the dashboard draws (:func:`portal.components.chart.draw`), so a
document and a page never disagree; plotly.js lays them out in a headless Chromium through
Kaleido, as it does in the browser. Plotly names clip paths and traces with random ids; they
are replaced by ids derived from the chart, so the same figure always gives the same bytes
(and the documents built from them are byte-identical).

Kaleido needs a Chromium: Debian's (``BROWSER_PATH`` or ``/usr/bin/chromium``), never a
download. Without one, :class:`ChartsUnavailable` says so in one line.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

#: The documents' font: Debian's DejaVu Sans covers Albanian and both Serbian scripts, and the
#: PDF engine finds the same font Chromium measured the labels with.
FONT = "DejaVu Sans"
#: A4 with 18 mm margins leaves 174 mm: figures are laid out at this many CSS pixels wide.
WIDTH = 660
_UID = re.compile(rb"defs-([0-9a-f]{6})\b")
_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_lock = threading.RLock()
_depth = 0


class ChartsUnavailable(RuntimeError):
    """No browser to lay out the figures with: one line saying what to install."""


def browser() -> str:
    """The Chromium Kaleido drives (``BROWSER_PATH`` wins), or ChartsUnavailable."""
    configured = os.environ.get("BROWSER_PATH", "").strip()
    found = configured or next((p for p in map(shutil.which, _BROWSERS) if p), "")
    if not found or not os.access(found, os.X_OK):
        raise ChartsUnavailable(
            "the documents' charts need Chromium (Debian: apt-get install chromium), or "
            "BROWSER_PATH naming a Chrome or Chromium executable")
    return found


@contextlib.contextmanager
def session() -> Iterator[None]:
    """One Chromium for every figure drawn inside (nested sessions share it): starting one
    costs two seconds, a figure a quarter of one. One document is drawn at a time per process."""
    global _depth
    import kaleido  # imported here: the portal serves pages without it ever being loaded

    with _lock:
        if _depth == 0:
            os.environ["BROWSER_PATH"] = browser()
            kaleido.start_sync_server(headless=True, silence_warnings=True)
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            if _depth == 0:
                kaleido.stop_sync_server(silence_warnings=True)


def printable(figure: go.Figure | dict[str, Any]) -> go.Figure:
    """A copy of ``figure`` for paper: the documents' font, fixed trace ids, and margins that
    plotly.js fits to the labels (the page's are measured for a narrower screen font)."""
    printed = go.Figure(figure)
    printed.update_layout(font_family=FONT, hoverlabel_font_family=FONT,
                          margin={"l": 8, "r": 24, "b": 8})
    printed.update_xaxes(automargin=True)
    printed.update_yaxes(automargin=True)
    for number, trace in enumerate(printed.data):
        trace.uid = f"t{number}"
    return printed


def stable_ids(svg: bytes, name: str) -> bytes:
    """``svg`` with plotly's random figure id replaced by ``name`` (ASCII letters, digits,
    dashes), so the same figure always gives the same bytes."""
    for uid in dict.fromkeys(_UID.findall(svg)):
        svg = svg.replace(uid, name.encode("ascii"))
    return svg


def svg(figure: go.Figure | dict[str, Any], name: str) -> bytes:
    """The figure as SVG, laid out :data:`WIDTH` pixels wide at its own height."""
    printed = printable(figure)
    height = printed.layout.height or 450
    with session(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Kaleido warns that a server ignores its options
        image = pio.to_image(printed, format="svg", width=WIDTH, height=height)
    return stable_ids(image, re.sub(r"[^A-Za-z0-9-]", "-", name))
