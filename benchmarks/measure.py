"""Run a command in a fresh process and measure it (shared by the benchmarks; not a test)."""

from __future__ import annotations

import resource
import subprocess
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Measured:
    """Wall-clock and CPU seconds of a finished command, and the peak RSS of its process tree."""

    seconds: float
    cpu_seconds: float
    peak_mb: float


def measure(argv: list[str], *, name: str | None = None) -> Measured:
    """Run ``argv`` to completion, sampling the resident memory of its process tree every 50 ms.

    CPU seconds are user + system time of the process and its children. A command that fails
    stops the benchmark with its standard error (``name`` labels it; default: the command).
    psutil is needed (it comes with ``pip install 'geomap[dask]'``).
    """
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        while not stop.is_set():
            try:
                total = 0
                for proc in (root, *root.children(recursive=True)):
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                peak = max(peak, total)
            except psutil.Error:
                return
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{name or ' '.join(argv)} failed ({process.returncode}):\n{err}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(seconds, cpu, peak / 2**20)
