"""A per-process cache for things rendered from one version of some rows.

The key names everything the value was made from (ids, the fields shown, an `updated_at`), so an
entry is never stale: a change makes a new key, and entries nobody asks for any more are dropped
oldest first once the cache is full. Each process keeps its own: nothing to invalidate across
processes, and nothing to fetch over the network.
"""

import threading
from collections.abc import Hashable
from typing import Any


class VersionedCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get(self, key: Hashable) -> Any | None:
        return self._entries.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                # Dicts keep insertion order: the first key is the oldest entry.
                del self._entries[next(iter(self._entries))]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# Every cache made here, so tests can start each case with none of them filled.
_all: list[VersionedCache] = []


def versioned_cache(size: int) -> VersionedCache:
    cache = VersionedCache(size)
    _all.append(cache)
    return cache


def clear_versioned_caches() -> None:
    for cache in _all:
        cache.clear()
