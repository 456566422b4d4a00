"""Rate limiting per caller: a fixed window counted in the cache (Redis when ``REDIS_URL`` is
set, so every web process shares the count; the in-process cache otherwise).

``settings.API_RATE_LIMIT`` is ``(requests, seconds)``: at most that many requests per window
for one API token (``DIRCO_API_RATE_LIMIT=600/60`` by default). Over it, the API answers 429
with ``Retry-After`` (seconds until the window ends).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from ninja.errors import Throttled


def rate_limit_check(bucket: str) -> None:
    """Count one request in ``bucket``; raise ``Throttled`` (429) when over the limit."""
    limit, window = settings.API_RATE_LIMIT
    if limit <= 0:
        return
    now = int(time.time())
    start = now - now % window
    key = f"ratelimit:{bucket}:{start}"
    # add() sets the counter only if absent (atomic in Redis and locmem), incr() is atomic.
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.add(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        raise Throttled(wait=max(1, start + window - now))
