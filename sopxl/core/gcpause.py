"""Pause Python's cyclic garbage collector while sopxl builds its (acyclic) row objects.

Reading and checking a large workbook creates one container per row; each generation
threshold crossed makes the collector walk the growing heap again, a noticeable share of
the run (figures: benchmarks/README.md). Nothing sopxl builds there forms reference cycles,
so pausing it loses no memory; it is restored on the way out, also on errors.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
