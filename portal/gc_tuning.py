"""Garbage collection for a serving process.

A loaded Django process holds ~150,000 objects the cyclic garbage collector tracks (modules, models,
URL patterns, templates), and every full collection walks all of them, paid by whichever request is
running when it starts (bench/RESULTS.md: the slowest signed-in searches were such pauses, not
queries). `gc.freeze()` after start-up moves those objects out of the collector's reach; a full
collection then walks only what was allocated since. The objects stay alive, as they would anyway;
with gunicorn's preload they also stay shared with the master instead of being copied into each
worker when the collector touches them.
"""

import gc


def freeze_after_startup() -> None:
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
