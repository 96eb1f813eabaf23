"""Pause Python's cyclic garbage collector while sopxl builds its (acyclic) row objects.

Reading 12 months x 20,000 ROs creates about half a million dicts and Row objects; the
collector would walk the growing heap again and again (about 18 % of read + check time,
measured in benchmarks/bench_validate.py). Nothing sopxl builds there forms reference
cycles, so pausing it loses no memory; it is restored on the way out, also on errors.
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
