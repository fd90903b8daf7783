"""Run a command in a child process and measure its wall time and peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass
class Run:
    label: str
    seconds: float
    peak_mib: float
    exit_code: int

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "seconds": round(self.seconds, 2),
                "peak_mib": round(self.peak_mib, 1), "exit_code": self.exit_code}


def run(label: str, argv: list[str], *, stdout=subprocess.DEVNULL) -> Run:
    """Wall time and the child's own peak RSS (wait4 gives it per child, not summed)."""
    print(f"  running {label} …", file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(label, seconds, usage.ru_maxrss / 1024, proc.returncode)
