"""Process pools whose workers get ready before they get work.

A pool started here forks its workers at once and has each run `preload` (imports, data a
first task needs) while the caller does other work; kept apart from the pools' users so a
command can start one before it imports them all (`sopxl rekap` forks its workers once its
arguments are checked and the recap's own modules imported, which the workers then share).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


def start_pool(jobs: int, preload: Callable[[], None]) -> ProcessPoolExecutor:
    """A pool of `jobs` workers, forked now, each running `preload` (a module-level function)
    as it starts: as the pool's initializer, not a task, so a worker need not wait for its
    first task to come through the pool's queue threads (they get little time while the
    caller imports; a task waited 60-100 ms)."""
    pool = ProcessPoolExecutor(max_workers=max(1, jobs), initializer=preload)
    pool.submit(int)  # the first task forks every worker
    return pool


def kill(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes: the executor has no public way to stop a running task."""
    processes = getattr(pool, "_processes", None) or {}
    for proc in list(processes.values()):
        with contextlib.suppress(Exception):
            proc.kill()


def discard_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool that got no work (its workers may still be preloading); a no-op on a pool
    already shut down."""
    kill(pool)
    pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["discard_pool", "kill", "start_pool"]
