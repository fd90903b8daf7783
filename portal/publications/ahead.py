"""Documents made ahead while the portal serves, so that no reader waits for one.

``serve`` starts ``python -m portal publications`` beside the server, at low priority, in a
session of its own: it fills the store with every document of every published release that
is not made yet (the same per-document locks as a request, so the two never make one twice),
then exits. The Publications page shows each document's size once it is made. It is stopped
with the server, Chromium included; ``PORTAL_PUBLICATIONS_AHEAD=0`` turns it off (the tests
do), and without Chromium it does not start (documents are then made, or refused, on request).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from portal import config
from portal.publications import charts

ENV = config.PUBLICATIONS_AHEAD
log = logging.getLogger(__name__)


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get(ENV, "1")
    return value.strip().lower() not in ("0", "false", "no", "off")


def command(packages_dir: Path) -> list[str]:
    """The child's command: the CLI filling the store, niced where ``nice`` exists."""
    argv = [sys.executable, "-m", "portal", "publications", "--packages", str(packages_dir)]
    nice = shutil.which("nice")
    return [nice, "-n", "10", *argv] if nice else argv


def start(packages_dir: Path) -> subprocess.Popen[bytes] | None:
    """The child making the documents, or None when turned off or without Chromium."""
    if not enabled():
        return None
    try:
        charts.browser()
    except charts.ChartsUnavailable as error:
        log.warning("documents will be made on request only: %s", error)
        return None
    return subprocess.Popen(command(packages_dir), stdout=subprocess.DEVNULL,
                            start_new_session=True)


def stop(child: subprocess.Popen[bytes] | None) -> None:
    """Stop the child and its Chromium (its whole session) if it is still running."""
    if child is None or child.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


@contextlib.contextmanager
def running(packages_dir: Path) -> Iterator[subprocess.Popen[bytes] | None]:
    child = start(packages_dir)
    try:
        yield child
    finally:
        stop(child)
