"""Counting requests in the shared cache (CACHE_URL, so every process counts together)."""

from django.core.cache import cache


def hit(key: str, limit: int, window: int) -> bool:
    """Counts one request under `key`; True once more than `limit` came within `window`
    seconds of the first."""
    if cache.add(key, 1, timeout=window):
        return 1 > limit
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1 > limit


def reached(key: str, limit: int) -> bool:
    """True when `key` counted `limit` requests already in its window (counts nothing)."""
    return (cache.get(key) or 0) >= limit
